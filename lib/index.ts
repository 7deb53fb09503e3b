export { parseNotifySocket, MAX_NOTIFY_SOCKET_PATH_BYTES } from './notify/notify-address.js';
export type { NotifyAddress, NotifyAddressResult } from './notify/notify-address.js';
export {
  encodeNotifyMessage,
  monotonicUsec,
  NotifyMessageError,
  NOTIFY_DATAGRAM_MAX_BYTES,
} from './notify/notify-message.js';
export type { NotifyDatagram, NotifyState } from './notify/notify-message.js';
export type { NotifyLogger } from './notify/notify-logger.js';
export type { NotifySocketOptions } from './notify/notify-socket.js';
export { SystemdNotifier } from './notify/systemd-notifier.js';
export type { SystemdNotifierOptions } from './notify/systemd-notifier.js';
export { readWatchdogEnv, MAX_TIMER_MS } from './notify/watchdog-env.js';
export type { WatchdogEnv } from './notify/watchdog-env.js';
export { SystemdModule } from './systemd.module.js';
export type { SystemdModuleExtras } from './systemd.module-definition.js';
export { SystemdService, type SystemdPhase } from './systemd.service.js';
export type { SystemdModuleOptions, SystemdReadyPolicy } from './systemd-options.interface.js';
export { SYSTEMD_MODULE_OPTIONS, SYSTEMD_WATCHDOG_INTERVAL } from './systemd.constants.js';
export { interpretHealthResult } from './health/health-gate.js';
export type {
  NamedSystemdHealthCheck,
  SystemdHealthCheckFunction,
  SystemdHealthIndicator,
  SystemdHealthIndicatorInput,
  SystemdHealthResult,
} from './health/health-indicator.interface.js';
export { JournaldLogger } from './journal/journald-logger.js';
export type { JournaldLoggerOptions } from './journal/journald-logger.js';
export { isJournalStream } from './journal/journal-stream.js';
export { listenOnActivatedSocket } from './activation/listen-on-activated-socket.js';
export type {
  ActivatedListenOptions,
  ActivatedListenResult,
} from './activation/listen-on-activated-socket.js';
export { readListenFds, LISTEN_FDS_START } from './activation/listen-fds.js';
export type { ListenFd, ListenFdsResult, ReadListenFdsOptions } from './activation/listen-fds.js';
export { OnSystemdReload } from './reload/on-systemd-reload.decorator.js';
export type { SystemdReloadFailure, SystemdReloadOutcome } from './systemd-reload.service.js';
