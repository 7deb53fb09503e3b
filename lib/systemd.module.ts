import { Module, type DynamicModule } from '@nestjs/common';
import type { SystemdModuleOptions } from './options/systemd-options.interface.js';
import { supervisionProvider } from './supervision.provider.js';
import {
  ConfigurableSystemdModule,
  type SystemdModuleAsyncOptions,
  type SystemdModuleExtras,
} from './systemd.module-definition.js';
import { SystemdService } from './systemd.service.js';
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
export class SystemdModule extends ConfigurableSystemdModule {
  /** Registers the module; every option has a default, so `forRoot()` alone is enough. */
  static override forRoot(options: SystemdModuleOptions & SystemdModuleExtras = {}): DynamicModule {
    return withParts(super.forRoot(options));
  }

  /** Registers the module with options from other providers (`useFactory`, `useClass`, `useExisting`). */
  static override forRootAsync(options: SystemdModuleAsyncOptions): DynamicModule {
    return withParts(super.forRootAsync(options));
  }

  /**
   * `SystemdService` for a feature module, bound to the application's one `forRoot()`. Every
   * call returns the same import, so all feature modules share one module and one service.
   */
  static forFeature(): DynamicModule {
    return FEATURE_IMPORT;
  }
}

/**
 * What every `forFeature()` returns: one object, since Nest 11 and later tell dynamic modules
 * apart by reference, and a fresh object per call made a Nest module (with a `SystemdService`)
 * per importing module, each a few million instructions of the app's start.
 */
const FEATURE_IMPORT: DynamicModule = { module: SystemdModule };

/**
 * A `forRoot()`'s module: its options, `SystemdService` (from the class's metadata, as in every
 * import) and the module's parts, which only a `forRoot()` has. One Nest module rather than a
 * global core module beside it: each module costs an app's start about 2 million instructions
 * (see "Start-up work, counted" in bench/README.md), and every provider scan (`@nestjs/schedule`'s,
 * Terminus', the app's own) walks each module's `ModuleRef`.
 */
function withParts(definition: DynamicModule): DynamicModule {
  return { ...definition, providers: [...(definition.providers ?? []), supervisionProvider] };
}
