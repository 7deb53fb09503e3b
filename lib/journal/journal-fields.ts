import { errnoOf } from '../notify/errno-of.js';
import {
  toJournalFieldName,
  toJournalValue,
  type JournalField,
  type JournalValue,
} from './journal-entry.js';
import { JOURNAL_SOCKET_PATH } from './journal-socket.js';

/**
 * The fields the journal loggers set themselves. A structured log call cannot set them: keys
 * that convert to one of these names are left out (an error becomes `ERRNO`/`STACK`).
 */
export const JOURNALD_LOGGER_FIELDS = [
  'MESSAGE',
  'PRIORITY',
  'SYSLOG_IDENTIFIER',
  'SYSLOG_FACILITY',
  'NEST_CONTEXT',
  'ERRNO',
  'STACK',
] as const;

const RESERVED = new Set<string>(JOURNALD_LOGGER_FIELDS);

/**
 * For this library's tests only: another path for journald's socket, so that a test can bind
 * one. Applications have no use for it (journald always listens on the standard path).
 */
const TEST_SOCKET_VARIABLE = 'NESTJS_SYSTEMD_TEST_JOURNAL_SOCKET';

/** Where the journal loggers send entries: journald's socket (another one in this library's tests). */
export function journalSocketPath(): string {
  return process.env[TEST_SOCKET_VARIABLE] || JOURNAL_SOCKET_PATH;
}

/** Key → field name (or null: none), remembered: the same keys come back in every call. */
const fieldNames = new Map<string, string | null>();
const FIELD_NAME_CACHE_SIZE = 1024;

/** The field name for a key of a structured call; none for keys that convert to a {@link RESERVED} one. */
function fieldNameOf(key: string): string | undefined {
  let name = fieldNames.get(key);
  if (name === undefined) {
    const converted = toJournalFieldName(key);
    name = converted === undefined || RESERVED.has(converted) ? null : converted;
    if (fieldNames.size < FIELD_NAME_CACHE_SIZE) fieldNames.set(key, name);
  }
  return name ?? undefined;
}

/** Appends `key`'s field to `fields` when the key has a field name and the value a journal form. */
export function pushField(fields: JournalField[], key: string, value: unknown): void {
  const name = fieldNameOf(key);
  if (name === undefined) return;
  const journalValue = toJournalValue(value);
  if (journalValue !== undefined) fields.push([name, journalValue]);
}

/**
 * Appends what an error says about itself: `ERRNO` (from `errno` or a `code` such as
 * `ENOENT`), and each of its own properties with a plain value as `ERROR_<KEY>`
 * (`ERROR_CODE=ENOENT`, `ERROR_SYSCALL=open`). `skip` names the properties already shown
 * elsewhere (the message, the stack).
 */
export function pushErrorFields(
  fields: JournalField[],
  error: object,
  skip: ReadonlySet<string> = new Set(),
): void {
  const errno = errnoOf(error);
  if (errno !== undefined) fields.push(['ERRNO', String(errno)]);
  for (const [key, value] of Object.entries(error)) {
    if (key === 'errno' || skip.has(key) || (typeof value === 'object' && value !== null)) {
      continue;
    }
    const name = toJournalFieldName(`error_${key}`);
    const journalValue: JournalValue | undefined =
      name === undefined ? undefined : toJournalValue(value);
    if (journalValue !== undefined) fields.push([name!, journalValue]);
  }
}

/**
 * journald cuts stream lines longer than `LineMax=` (48 KiB by default) into several entries and
 * reads a `<N>` prefix on the first piece only: longer lines are cut here, each piece prefixed.
 * A UTF-16 unit is at most 3 bytes of UTF-8, so a piece stays under 48 KiB with its prefix.
 */
const STREAM_PIECE_UNITS = 16_000;

/**
 * `<priority>prefix` before every line of `text`: the `sd-daemon(3)` form of a stderr entry.
 * Lines too long for one stream entry are cut, each piece with the priority.
 */
export function prefixLines(text: string, priority: number, prefix: string): string {
  let out = '';
  for (const line of text.replace(/\n$/, '').split('\n')) {
    if (line.length <= STREAM_PIECE_UNITS) {
      out += `<${priority}>${prefix}${line}\n`;
      continue;
    }
    for (let at = 0; at < line.length;) {
      let end = Math.min(at + STREAM_PIECE_UNITS, line.length);
      // Not between the two halves of a surrogate pair.
      const last = line.charCodeAt(end - 1);
      if (end < line.length && last >= 0xd800 && last <= 0xdbff) end--;
      out += `<${priority}>${at === 0 ? prefix : ''}${line.slice(at, end)}\n`;
      at = end;
    }
  }
  return out;
}
