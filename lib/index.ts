// The Nest module's public API, with the sd_notify protocol it speaks. The features an app may
// not use are entry points of their own, loaded only by the apps that import them:
// `nestjs-systemd/journal`, `nestjs-systemd/activation`, `nestjs-systemd/credentials`; the
// whole protocol layer, without Nest, is `nestjs-systemd/protocol`.
export * from './notify/index.js';
export { SystemdModule } from './systemd.module.js';
export type {
  SystemdModuleAsyncOptions,
  SystemdModuleExtras,
  SystemdOptionsFactory,
} from './systemd.module-definition.js';
export { SystemdService, type SystemdPhase } from './systemd.service.js';
export type {
  SystemdModuleOptions,
  SystemdReadyPolicy,
} from './options/systemd-options.interface.js';
export { SYSTEMD_MODULE_OPTIONS, SYSTEMD_WATCHDOG_INTERVAL } from './systemd.constants.js';
export {
  describeHealthError,
  interpretHealthResult,
  judgeHealthResult,
  type SystemdHealthVerdict,
} from './health/health-verdict.js';
export type { SystemdHealthReport } from './health/health-gate.js';
export { redactForStatus } from './health/status-redaction.js';
export { eventLoopDelayCheck } from './health/liveness/event-loop-delay.check.js';
export type { EventLoopDelayCheckOptions } from './health/liveness/event-loop-delay.check.js';
export { heapPressureCheck } from './health/liveness/heap-pressure.check.js';
export type { HeapPressureCheckOptions } from './health/liveness/heap-pressure.check.js';
export type {
  NamedSystemdHealthCheck,
  SystemdHealthCheckFunction,
  SystemdHealthIndicator,
  SystemdHealthIndicatorInput,
  SystemdHealthResult,
} from './health/health-indicator.interface.js';
export { OnSystemdReload } from './reload/on-systemd-reload.decorator.js';
export type { SystemdReloadFailure, SystemdReloadOutcome } from './reload/reload.service.js';
