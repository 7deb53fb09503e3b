// nestjs-systemd/protocol: the protocol layer alone (sd_notify, the watchdog's environment,
// socket activation's descriptors, the journal's native protocol, credentials). Loads no Nest
// at all, for scripts, workers and other frameworks.
export * from './notify/index.js';
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
