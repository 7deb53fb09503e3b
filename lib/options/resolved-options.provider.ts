import type { FactoryProvider } from '@nestjs/common';
import { SYSTEMD_MODULE_OPTIONS, SYSTEMD_RESOLVED_OPTIONS } from '../systemd.constants.js';
import { resolveSystemdOptions, type ResolvedSystemdOptions } from './resolve-systemd-options.js';
import type { SystemdModuleOptions } from './systemd-options.interface.js';

/** Validates the options once, at start-up, and hands the resolved ones to the module. */
export const resolvedOptionsProvider: FactoryProvider<ResolvedSystemdOptions> = {
  provide: SYSTEMD_RESOLVED_OPTIONS,
  inject: [SYSTEMD_MODULE_OPTIONS],
  useFactory: (options: SystemdModuleOptions | undefined) => resolveSystemdOptions(options),
};
