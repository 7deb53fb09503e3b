import type { SystemdSupervision } from './supervision.provider.js';

/**
 * How `SystemdService` reaches the module's parts without depending on them when Nest builds
 * it. The parts depend on the options, and `forRootAsync()`'s factory may inject an indicator
 * or service that itself injects `SystemdService` (a database service that reports its
 * migrations in `STATUS=`): a direct dependency would be a cycle, which Nest refuses at
 * bootstrap. The link has no dependency; it is completed once the parts exist, before any
 * lifecycle hook runs, and a `SystemdService` used before then (in such a provider's
 * constructor) acts as when not under systemd.
 */
export class SystemdServiceLink {
  parts: SystemdSupervision | undefined;
}
