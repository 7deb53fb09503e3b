import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { SystemdModuleOptions } from './systemd-options.interface.js';
import { SYSTEMD_MODULE_OPTIONS } from './systemd.constants.js';

/** Extras accepted by `forRoot()` / `forRootAsync()` besides the options themselves. */
export interface SystemdModuleExtras {
  /** Register the module globally, so `SystemdService` can be injected anywhere. Default false. */
  readonly isGlobal?: boolean;
}

export const {
  ConfigurableModuleClass: ConfigurableSystemdModule,
  OPTIONS_TYPE: SYSTEMD_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: SYSTEMD_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<SystemdModuleOptions>({
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
