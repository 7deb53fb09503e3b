// The sd_notify(3) and sd_watchdog_enabled(3) part of the protocol layer: what both
// `nestjs-systemd` and `nestjs-systemd/protocol` export, from one shared copy. No Nest imports.
export { parseNotifySocket, MAX_NOTIFY_SOCKET_PATH_BYTES } from './notify-address.js';
export type { NotifyAddress, NotifyAddressResult } from './notify-address.js';
export {
  encodeNotifyMessage,
  monotonicUsec,
  NotifyMessageError,
  NOTIFY_DATAGRAM_MAX_BYTES,
} from './notify-message.js';
export type { NotifyDatagram, NotifyState } from './notify-message.js';
export type { NotifyLogger } from './notify-logger.js';
export type { NotifySocketOptions } from './notify-socket.js';
export { SystemdNotifier } from './systemd-notifier.js';
export type { SystemdNotifierOptions } from './systemd-notifier.js';
export { readWatchdogEnv, MAX_TIMER_MS } from './watchdog-env.js';
export type { WatchdogEnv } from './watchdog-env.js';
export { planWatchdog, WATCHDOG_GAP_BUDGET } from '../watchdog/watchdog-plan.js';
export type { WatchdogPlan, WatchdogPlanInput } from '../watchdog/watchdog-plan.js';
