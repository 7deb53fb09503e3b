import { Module, type DynamicModule } from '@nestjs/common';
import type { SystemdModuleOptions } from './options/systemd-options.interface.js';
import { SystemdCoreModule } from './systemd-core.module.js';
import type {
  SystemdModuleAsyncOptions,
  SystemdModuleExtras,
} from './systemd.module-definition.js';
import { SystemdService } from './systemd.service.js';
import { SYSTEMD_FOR_ROOT } from './systemd.constants.js';
import { registerLoadedCopy } from './package-copy-guard.js';

// Every app that uses the library imports this file: the place to notice a second copy.
registerLoadedCopy(() => import.meta.url);

/**
 * Supervision by systemd for a Nest application: READY when it truly serves, health-gated
 * WATCHDOG pings (needs `ScheduleModule.forRoot()`), STOPPING first on shutdown. Does nothing
 * when `NOTIFY_SOCKET` is unset.
 *
 * ```ts
 * @Module({ imports: [ScheduleModule.forRoot(), SystemdModule.forRoot()] })
 * export class AppModule {}
 * ```
 *
 * `forRoot()` once per application, in the root module; `forFeature()` in any module that
 * injects `SystemdService` (or `forRoot({ isGlobal: true })`).
 */
@Module({ providers: [SystemdService], exports: [SystemdService] })
export class SystemdModule {
  /** Registers the module; every option has a default, so `forRoot()` alone is enough. */
  static forRoot(options: SystemdModuleOptions & SystemdModuleExtras = {}): DynamicModule {
    const { isGlobal, ...moduleOptions } = options;
    return {
      module: SystemdModule,
      global: isGlobal ?? false,
      imports: [SystemdCoreModule.forRoot(moduleOptions)],
      providers: [{ provide: SYSTEMD_FOR_ROOT, useValue: true }],
    };
  }

  /** Registers the module with options from other providers (`useFactory`, `useClass`, `useExisting`). */
  static forRootAsync(options: SystemdModuleAsyncOptions): DynamicModule {
    const { isGlobal, ...asyncOptions } = options;
    return {
      module: SystemdModule,
      global: isGlobal ?? false,
      imports: [SystemdCoreModule.forRootAsync(asyncOptions)],
      providers: [{ provide: SYSTEMD_FOR_ROOT, useValue: true }],
    };
  }

  /**
   * `SystemdService` for a feature module, bound to the application's one `forRoot()`. The
   * same as importing `SystemdModule` itself.
   */
  static forFeature(): DynamicModule {
    return { module: SystemdModule };
  }
}
