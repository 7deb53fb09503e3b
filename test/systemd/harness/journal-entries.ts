import type { SystemdContainer } from './container.js';

/** One journal entry, with the fields the tests read (journalctl -o json). */
export interface JournalEntry {
  readonly message: string;
  /** syslog priority: 2 crit, 3 err, 4 warning, 5 notice, 6 info, 7 debug. */
  readonly priority: number;
  /** `stdout` for what a service wrote to its output stream; `journal` for systemd's own messages. */
  readonly transport: string;
  /** `node`, `systemd`, ...: what `journalctl` shows before the pid. */
  readonly identifier: string;
  readonly pid: number;
  readonly cursor: string;
}

/** journalctl prints a field that is not valid UTF-8 (or has control characters) as a byte array. */
function text(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return Buffer.from(value as number[]).toString('utf8');
  return '';
}

/** journald's own fields: `_` for what it established itself (trusted), `__` for addresses. */
const FIELD = {
  message: 'MESSAGE',
  priority: 'PRIORITY',
  transport: '_TRANSPORT',
  identifier: 'SYSLOG_IDENTIFIER',
  pid: '_PID',
  cursor: '__CURSOR',
} as const;

function parseEntry(line: string): JournalEntry {
  const fields = JSON.parse(line) as Record<string, unknown>;
  return {
    message: text(fields[FIELD.message]),
    priority: Number(fields[FIELD.priority]),
    transport: text(fields[FIELD.transport]),
    identifier: text(fields[FIELD.identifier]),
    pid: Number(fields[FIELD.pid]),
    cursor: text(fields[FIELD.cursor]),
  };
}

export interface JournalQuery {
  /** journalctl matches and filters: `['-u', unit]`, `['_PID=1']`. */
  readonly matches: readonly string[];
  /** Only entries logged after this cursor (see journalCursor); default: the whole boot. */
  readonly afterCursor?: string;
  /** `journalctl -p`: this priority and more severe ones only. */
  readonly priority?: 'warning' | 'info';
}

/**
 * The entries matching `query`, parsed, after having journald write out what it has received.
 *
 * After a cursor, this does not use `--after-cursor`: combined with a match, journalctl before
 * systemd 255 skips the first *matching* entry when the cursor's own entry does not match
 * (systemd#30288, fixed by #30336), and loses a message. `--cursor` starts at the cursor's entry
 * instead, which is then left out here if it matched.
 */
export async function readJournal(
  container: SystemdContainer,
  query: JournalQuery,
): Promise<JournalEntry[]> {
  await container.run(['journalctl', '--sync']);
  const output = await container.run([
    'journalctl',
    '--no-pager',
    '--output=json',
    ...(query.afterCursor === undefined ? ['--boot'] : [`--cursor=${query.afterCursor}`]),
    ...(query.priority === undefined ? [] : ['--priority', query.priority]),
    ...query.matches,
  ]);
  return output
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map(parseEntry)
    .filter((entry) => entry.cursor !== query.afterCursor);
}
