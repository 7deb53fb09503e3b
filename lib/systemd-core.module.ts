import { Global, Module } from '@nestjs/common';
import { SystemdServiceLink } from './service-link.js';
import { supervisionProvider } from './supervision.provider.js';
import { ConfigurableSystemdCoreModule } from './systemd.module-definition.js';

/**
 * The machinery behind `SystemdModule.forRoot()`: one per application, global so that every
 * `SystemdService` (in whichever module imports `SystemdModule`) reaches the same supervisor.
 * Not exported from the package.
 */
@Global()
@Module({
  providers: [SystemdServiceLink, supervisionProvider],
  exports: [SystemdServiceLink],
})
export class SystemdCoreModule extends ConfigurableSystemdCoreModule {}
