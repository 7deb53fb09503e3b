// nestjs-systemd/protocol: the sd_notify protocol layer alone. Loads no Nest at all, for
// scripts, workers and other frameworks.
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
export { planWatchdog, WATCHDOG_GAP_BUDGET } from './watchdog/watchdog-plan.js';
export type { WatchdogPlan, WatchdogPlanInput } from './watchdog/watchdog-plan.js';
export { readListenFds, LISTEN_FDS_START } from './activation/listen-fds.js';
export type { ListenFd, ListenFdsResult, ReadListenFdsOptions } from './activation/listen-fds.js';
export { isJournalStream } from './journal/journal-stream.js';
export * from './credentials/index.js';
export {
  encodeJournalEntry,
  isJournalFieldName,
  toJournalFieldName,
  toJournalValue,
  JOURNAL_ENTRY_MAX_FIELDS,
  JOURNAL_FIELD_NAME_MAX_BYTES,
} from './journal/journal-entry.js';
export type { JournalField, JournalValue } from './journal/journal-entry.js';
export { JOURNAL_SOCKET_PATH } from './journal/journal-socket.js';
export { journaldDestination } from './journal/journald-destination.js';
export type {
  JournaldDestination,
  JournaldDestinationOptions,
} from './journal/journald-destination.js';
