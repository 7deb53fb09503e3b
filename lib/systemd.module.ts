import { Logger, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { notMainProcessReason } from './main-process.js';
import { SystemdNotifier, unsetSupervisionEnvironment } from './notify/systemd-notifier.js';
import { resolveSystemdOptions, type ResolvedSystemdOptions } from './systemd-options.js';
import type { SystemdModuleOptions } from './systemd-options.interface.js';
import { ReloadHandlerExplorer } from './reload/reload-handler.explorer.js';
import { SystemdLifecycleService } from './systemd-lifecycle.service.js';
import { SystemdReloadService } from './systemd-reload.service.js';
import { SystemdService } from './systemd.service.js';
import { SystemdWatchdogService } from './systemd-watchdog.service.js';
import {
  SYSTEMD_LOGGER_CONTEXT,
  SYSTEMD_MODULE_OPTIONS,
  SYSTEMD_NOTIFIER,
  SYSTEMD_RESOLVED_OPTIONS,
} from './systemd.constants.js';
import { systemdMessages } from './systemd.messages.js';
import { ConfigurableSystemdModule, SYSTEMD_OPTIONS_TYPE } from './systemd.module-definition.js';

/**
 * Supervision by systemd for a Nest application: READY when it truly serves, health-gated
 * WATCHDOG pings (needs `ScheduleModule.forRoot()`), STOPPING first on shutdown. Does nothing
 * when `NOTIFY_SOCKET` is unset.
 *
 * ```ts
 * @Module({ imports: [ScheduleModule.forRoot(), SystemdModule.forRoot()] })
 * export class AppModule {}
 * ```
 */
@Module({
  imports: [DiscoveryModule],
  providers: [
    {
      provide: SYSTEMD_RESOLVED_OPTIONS,
      inject: [SYSTEMD_MODULE_OPTIONS],
      useFactory: (options: SystemdModuleOptions | undefined) => resolveSystemdOptions(options),
    },
    {
      provide: SYSTEMD_NOTIFIER,
      inject: [SYSTEMD_RESOLVED_OPTIONS],
      useFactory: (options: ResolvedSystemdOptions) => {
        const logger = new Logger(SYSTEMD_LOGGER_CONTEXT);
        const notMain = notMainProcessReason();
        if (notMain === undefined) {
          return new SystemdNotifier({ unsetEnvironment: options.unsetEnvironment, logger });
        }
        logger.debug(systemdMessages.notMainProcess(notMain));
        if (options.unsetEnvironment) unsetSupervisionEnvironment();
        return new SystemdNotifier({ env: {}, logger });
      },
    },
    SystemdService,
    SystemdLifecycleService,
    SystemdWatchdogService,
    ReloadHandlerExplorer,
    SystemdReloadService,
  ],
  exports: [SystemdService],
})
export class SystemdModule extends ConfigurableSystemdModule {
  /** Registers the module; every option has a default, so `forRoot()` alone is enough. */
  static override forRoot(options: typeof SYSTEMD_OPTIONS_TYPE = {}) {
    return super.forRoot(options);
  }
}
