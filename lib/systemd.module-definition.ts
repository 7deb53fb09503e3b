import { ConfigurableModuleBuilder, type ConfigurableModuleAsyncOptions } from '@nestjs/common';
import type { SystemdModuleOptions } from './options/systemd-options.interface.js';
import { SYSTEMD_MODULE_OPTIONS } from './systemd.constants.js';

/** Extras accepted by `forRoot()` / `forRootAsync()` besides the options themselves. */
export interface SystemdModuleExtras {
  /** Register the module globally, so `SystemdService` can be injected anywhere. Default false. */
  readonly isGlobal?: boolean;
}

/** What a `useClass` / `useExisting` class of `forRootAsync()` implements. */
export interface SystemdOptionsFactory {
  createSystemdOptions(): SystemdModuleOptions | Promise<SystemdModuleOptions>;
}

/** What `SystemdModule.forRootAsync()` takes: Nest's usual `useFactory` / `useClass` / `useExisting` form. */
export type SystemdModuleAsyncOptions = ConfigurableModuleAsyncOptions<
  SystemdModuleOptions,
  'createSystemdOptions'
> &
  SystemdModuleExtras;

/**
 * The options provider, `isGlobal`, and the `forRoot()` / `forRootAsync()` that `SystemdModule`
 * extends with the module's parts.
 */
export const { ConfigurableModuleClass: ConfigurableSystemdModule } =
  new ConfigurableModuleBuilder<SystemdModuleOptions>({
    optionsInjectionToken: SYSTEMD_MODULE_OPTIONS,
    moduleName: 'Systemd',
  })
    .setClassMethodName('forRoot')
    .setFactoryMethodName('createSystemdOptions')
    .setExtras<SystemdModuleExtras>({ isGlobal: false }, (definition, extras) => ({
      ...definition,
      global: extras.isGlobal ?? false,
    }))
    .build();
