import type {
  FactoryProvider,
  OnApplicationBootstrap,
  OnApplicationShutdown,
  OnModuleDestroy,
  OnModuleInit,
} from '@nestjs/common';
import { HttpAdapterHost, ModuleRef, ModulesContainer } from '@nestjs/core';
import { SchedulerRegistry } from '@nestjs/schedule';
import { createSupervisor } from './lifecycle/create-supervisor.js';
import { SystemdLifecycleService } from './lifecycle/lifecycle.service.js';
import type { SystemdSupervisor } from './lifecycle/systemd-supervisor.js';
import { resolveSystemdOptions } from './options/resolve-systemd-options.js';
import type { SystemdModuleOptions } from './options/systemd-options.interface.js';
import { ReloadHandlerExplorer } from './reload/reload-handler.explorer.js';
import { SystemdReloadService } from './reload/reload.service.js';
import { SYSTEMD_MODULE_OPTIONS, SYSTEMD_SUPERVISION } from './systemd.constants.js';
import { SystemdWatchdogService } from './watchdog/watchdog.service.js';

/**
 * The module's parts, and the one place where Nest's lifecycle hooks reach them, in the order
 * they need. The parts are plain classes built by one factory rather than a Nest provider each:
 * Nest's injector spends more start-up work on each provider than these constructors do, and
 * as one provider they started about 11 million instructions cheaper (see "Start-up work,
 * counted" in bench/README.md).
 */
export class SystemdSupervision
  implements OnModuleInit, OnApplicationBootstrap, OnModuleDestroy, OnApplicationShutdown
{
  constructor(
    readonly supervisor: SystemdSupervisor,
    readonly lifecycle: SystemdLifecycleService,
    readonly watchdog: SystemdWatchdogService,
    readonly reloader: SystemdReloadService,
  ) {}

  onModuleInit(): void {
    this.watchdog.onModuleInit();
    this.lifecycle.onModuleInit();
  }

  onApplicationBootstrap(): void {
    this.lifecycle.onApplicationBootstrap();
    this.reloader.onApplicationBootstrap();
  }

  onModuleDestroy(): void {
    this.lifecycle.onModuleDestroy();
  }

  async onApplicationShutdown(): Promise<void> {
    this.reloader.onApplicationShutdown();
    await this.lifecycle.onApplicationShutdown();
  }
}

/**
 * Builds the parts while Nest instantiates providers, before any lifecycle hook (see
 * `createSupervisor`). Only a `forRoot()` provides them, so they also mark where one is.
 */
export const supervisionProvider: FactoryProvider<SystemdSupervision> = {
  provide: SYSTEMD_SUPERVISION,
  inject: [
    SYSTEMD_MODULE_OPTIONS,
    ModulesContainer,
    ModuleRef,
    HttpAdapterHost,
    { token: SchedulerRegistry, optional: true },
  ],
  useFactory: (
    moduleOptions: SystemdModuleOptions | undefined,
    modules: ModulesContainer,
    moduleRef: ModuleRef,
    httpAdapterHost: HttpAdapterHost,
    schedulerRegistry: SchedulerRegistry | undefined,
  ): SystemdSupervision => {
    const options = resolveSystemdOptions(moduleOptions);
    const supervisor = createSupervisor(options, modules, moduleRef);
    return new SystemdSupervision(
      supervisor,
      new SystemdLifecycleService(supervisor, options, httpAdapterHost, modules),
      new SystemdWatchdogService(supervisor, options, moduleRef, modules, schedulerRegistry),
      new SystemdReloadService(supervisor, options, new ReloadHandlerExplorer(modules)),
    );
  },
};
