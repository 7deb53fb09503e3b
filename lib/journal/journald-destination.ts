import { encodeJournalEntry, type JournalField } from './journal-entry.js';
import { journalSocketPath, prefixLines, pushErrorFields, pushField } from './journal-fields.js';
import { JournalSocket } from './journal-socket.js';
import { isJournalStream } from './journal-stream.js';
import { defaultSyslogIdentifier } from './syslog-identifier.js';

/** Options for {@link journaldDestination}. */
export interface JournaldDestinationOptions {
  /**
   * `'auto'` (default): journal entries when stdout is the journal stream systemd gave the
   * service (`JOURNAL_STREAM`); `'always'` / `'never'` force it on or off.
   */
  readonly journal?: 'auto' | 'always' | 'never';
  /** In the journal format, entries to journald's socket (default), or `false`: `<N>` + the JSON line on stdout. */
  readonly native?: boolean;
  /** `SYSLOG_IDENTIFIER` of the entries. Default: the service's unit name without `.service`. */
  readonly syslogIdentifier?: string;
  /** pino's `messageKey`. Default `msg`. */
  readonly messageKey?: string;
  /** pino's `errorKey`. Default `err`. */
  readonly errorKey?: string;
  /** The key that holds the Nest context (nestjs-pino's `renameContext`). Default `context`. */
  readonly contextKey?: string;
}

/** What pino writes to: any object with `write(line)`. */
export interface JournaldDestination {
  /** Takes one JSON line as pino writes it. */
  write(line: string): boolean;
}

/** pino's level labels, when `formatters.level` writes labels instead of numbers. */
const LABEL_PRIORITY = new Map([
  ['fatal', 2],
  ['error', 3],
  ['warn', 4],
  ['info', 6],
]);

/** pino's levels, and custom ones, by threshold: fatal 60+ → 2, error 50+ → 3, warn 40+ → 4, info 30+ → 6, below → 7. */
function priorityOfLevel(level: unknown): number {
  if (typeof level === 'string') return LABEL_PRIORITY.get(level) ?? 7;
  if (typeof level !== 'number') return 6;
  if (level >= 60) return 2;
  if (level >= 50) return 3;
  if (level >= 40) return 4;
  return level >= 30 ? 6 : 7;
}

/** What pino puts in every line and the journal records by itself (time, pid, host). */
const RECORDED_BY_JOURNALD = new Set(['level', 'time', 'pid', 'hostname', 'v']);
const ERROR_SHOWN = new Set(['type', 'message', 'stack']);

/** pino's line with its priority in front: the `sd-daemon(3)` form for the journal stream. */
const stdoutLine = (priority: number, line: string): string =>
  prefixLines(line.endsWith('\n') ? line.slice(0, -1) : line, priority, '');

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * A pino destination for services under systemd: each JSON line pino writes becomes one journal
 * entry with the same fields as {@link JournaldLogger}'s: `MESSAGE` (`[context] msg`),
 * `PRIORITY` from pino's level (fatal 2, error 3, warn 4, info 6, debug and trace 7),
 * `NEST_CONTEXT`, `STACK`, `ERRNO` and `ERROR_*` from `err`, and one field per other key
 * (`orderId` → `ORDER_ID`; nested objects as JSON). `time`, `pid` and `hostname` are left out:
 * the journal records them itself. An entry the socket cannot take goes to stdout as
 * `<priority>` and the JSON line. Outside the journal, lines go to stdout unchanged, as with
 * pino's default destination.
 *
 * ```ts
 * const logger = pino({}, journaldDestination());
 * ```
 */
export function journaldDestination(options: JournaldDestinationOptions = {}): JournaldDestination {
  const mode = options.journal ?? 'auto';
  const journal = mode === 'always' || (mode === 'auto' && isJournalStream(1));
  if (!journal) return { write: (line) => process.stdout.write(line) };
  if (options.native === false) {
    return {
      write(line) {
        let priority = 6;
        try {
          priority = priorityOfLevel((JSON.parse(line) as { level?: unknown }).level);
        } catch {
          // Not JSON: written as it is, at info.
        }
        return process.stdout.write(stdoutLine(priority, line));
      },
    };
  }

  const messageKey = options.messageKey ?? 'msg';
  const errorKey = options.errorKey ?? 'err';
  const contextKey = options.contextKey ?? 'context';
  const identifier = options.syslogIdentifier ?? defaultSyslogIdentifier();
  const socket = new JournalSocket(journalSocketPath(), {
    writeStderr: (text) => void process.stdout.write(text),
  });
  return {
    write(line) {
      let record: unknown;
      try {
        record = JSON.parse(line);
      } catch {
        record = undefined;
      }
      if (!isRecord(record)) {
        process.stdout.write(stdoutLine(6, line));
        return true;
      }
      const priority = priorityOfLevel(record.level);
      const context = typeof record[contextKey] === 'string' ? record[contextKey] : '';
      const error = isRecord(record[errorKey]) ? record[errorKey] : undefined;
      let text = record[messageKey];
      if (typeof text !== 'string') {
        text = error ? `${String(error.type ?? 'Error')}: ${String(error.message)}` : line.trim();
      }
      const fields: JournalField[] = [
        ['MESSAGE', context ? `[${context}] ${String(text)}` : String(text)],
        ['PRIORITY', String(priority)],
        ['SYSLOG_IDENTIFIER', identifier],
      ];
      if (context) fields.push(['NEST_CONTEXT', context]);
      for (const key of Object.keys(record)) {
        if (key === messageKey || key === contextKey || RECORDED_BY_JOURNALD.has(key)) continue;
        if (key === errorKey && error) continue;
        pushField(fields, key, record[key]);
      }
      if (error) {
        pushErrorFields(fields, error, ERROR_SHOWN);
        if (typeof error.stack === 'string') fields.push(['STACK', error.stack]);
      }
      socket.send({
        bytes: encodeJournalEntry(fields),
        fallback: () => stdoutLine(priority, line),
      });
      return true;
    },
  };
}
