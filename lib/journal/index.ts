// nestjs-systemd/journal: logging straight into the journal, for Nest's logger
// (`JournaldLogger`) and for pino (`journaldDestination`). An entry point of its own, so that
// an app that does not log to the journal never loads it.
export { JournaldLogger, JOURNALD_LOGGER_FIELDS } from './journald-logger.js';
export type { JournaldLoggerOptions } from './journald-logger.js';
export { journaldDestination } from './journald-destination.js';
export type { JournaldDestination, JournaldDestinationOptions } from './journald-destination.js';
