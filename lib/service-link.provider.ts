import type { Provider } from '@nestjs/common';
import type { SystemdSupervisor } from './lifecycle/systemd-supervisor.js';
import { SystemdReloadService } from './reload/reload.service.js';
import { SYSTEMD_SERVICE_LINKED, SYSTEMD_SUPERVISOR } from './systemd.constants.js';
import { SystemdWatchdogService } from './watchdog/watchdog.service.js';

/** The module's parts that `SystemdService` stands in front of. */
export interface ServiceParts {
  readonly supervisor: SystemdSupervisor;
  readonly reloader: SystemdReloadService;
  readonly watchdog: SystemdWatchdogService;
}

/**
 * How `SystemdService` reaches the module's parts without depending on them when Nest builds
 * it. The supervisor depends on the options, and `forRootAsync()`'s factory may inject an
 * indicator or service that itself injects `SystemdService` (a database service that reports
 * its migrations in `STATUS=`): a direct dependency would be a cycle, which Nest refuses at
 * bootstrap. The link has no dependency; it is completed once the parts exist, before any
 * lifecycle hook runs, and a `SystemdService` used before then (in such a provider's
 * constructor) acts as when not under systemd.
 */
export class SystemdServiceLink {
  parts: ServiceParts | undefined;
}

/** The link (one per application) and the provider that completes it. */
export const serviceLinkProviders: Provider[] = [
  SystemdServiceLink,
  {
    provide: SYSTEMD_SERVICE_LINKED,
    inject: [SystemdServiceLink, SYSTEMD_SUPERVISOR, SystemdReloadService, SystemdWatchdogService],
    useFactory: (
      link: SystemdServiceLink,
      supervisor: SystemdSupervisor,
      reloader: SystemdReloadService,
      watchdog: SystemdWatchdogService,
    ): true => {
      link.parts = { supervisor, reloader, watchdog };
      return true;
    },
  },
];
