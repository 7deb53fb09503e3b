import { Global, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { SystemdLifecycleService } from './lifecycle/lifecycle.service.js';
import { supervisorProvider } from './lifecycle/supervisor.provider.js';
import { resolvedOptionsProvider } from './options/resolved-options.provider.js';
import { serviceLinkProviders, SystemdServiceLink } from './service-link.provider.js';
import { ReloadHandlerExplorer } from './reload/reload-handler.explorer.js';
import { SystemdReloadService } from './reload/reload.service.js';
import { SYSTEMD_SUPERVISOR } from './systemd.constants.js';
import { ConfigurableSystemdCoreModule } from './systemd.module-definition.js';
import { SystemdWatchdogService } from './watchdog/watchdog.service.js';

/**
 * The machinery behind `SystemdModule.forRoot()`: one per application, global so that every
 * `SystemdService` (in whichever module imports `SystemdModule`) reaches the same supervisor.
 * Not exported from the package.
 */
@Global()
@Module({
  imports: [DiscoveryModule],
  providers: [
    resolvedOptionsProvider,
    supervisorProvider,
    SystemdLifecycleService,
    SystemdWatchdogService,
    ReloadHandlerExplorer,
    SystemdReloadService,
    ...serviceLinkProviders,
  ],
  exports: [SYSTEMD_SUPERVISOR, SystemdReloadService, SystemdWatchdogService, SystemdServiceLink],
})
export class SystemdCoreModule extends ConfigurableSystemdCoreModule {}
