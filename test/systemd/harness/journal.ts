import type { SystemdContainer } from './container.js';
import { readJournal } from './journal-entries.js';

/** A position in the container's journal: what is logged afterwards can be read with {@link journalSince}. */
export async function journalCursor(container: SystemdContainer): Promise<string> {
  const output = await container.run(['journalctl', '--no-pager', '-n', '1', '--show-cursor']);
  const cursor = /^-- cursor: (.+)$/m.exec(output)?.[1];
  if (cursor === undefined) throw new Error(`no cursor in journalctl output:\n${output}`);
  return cursor;
}

/**
 * The messages about `unit` logged after `cursor`, one per line, each prefixed with its sender
 * (`systemd[1]: ` for the service manager, `node[PID]: ` for the app). journald writes out what
 * it has received first, so a message systemd sent just before is not missed.
 */
export async function journalSince(
  container: SystemdContainer,
  unit: string,
  cursor: string,
): Promise<string> {
  const entries = await readJournal(container, { matches: ['-u', unit], afterCursor: cursor });
  return entries
    .map(({ identifier, pid, message }) => `${identifier}[${pid}]: ${message}\n`)
    .join('');
}

/**
 * What the service manager (PID 1) logged after `cursor` that names `unit`, including warnings
 * about its unit file, which systemd 252 does not always find with `journalctl -u`.
 */
export async function managerMessagesAbout(
  container: SystemdContainer,
  unit: string,
  cursor: string,
): Promise<string[]> {
  const entries = await readJournal(container, { matches: ['_PID=1'], afterCursor: cursor });
  return entries.map((entry) => entry.message).filter((message) => message.includes(unit));
}

/**
 * `journalctl -u UNIT -p warning -o cat` over the whole boot: the warnings and errors about the
 * unit, messages alone, one line each, as an operator reads them.
 */
export async function warningLines(container: SystemdContainer, unit: string): Promise<string[]> {
  await container.run(['journalctl', '--sync']);
  const output = await container.run([
    'journalctl',
    '--no-pager',
    '--boot',
    '--output=cat',
    '--priority=warning',
    '-u',
    unit,
  ]);
  return output.split('\n').filter((line) => line !== '');
}

/** The unit's whole journal since boot, with timestamps: what to read when a test failed. */
export async function unitJournal(container: SystemdContainer, unit: string): Promise<string> {
  await container.exec(['journalctl', '--sync']);
  const result = await container.exec([
    'journalctl',
    '--no-pager',
    '-o',
    'short-precise',
    '-b',
    '-u',
    unit,
  ]);
  return result.stdout + result.stderr;
}

/**
 * Wraps a test body: when it fails, prints `journalctl -u` of each unit (and `systemctl status`)
 * before the failure is reported, since the unit's own story is usually the explanation.
 */
export function withUnitJournals(
  container: () => SystemdContainer,
  units: readonly string[],
  body: () => Promise<void>,
): () => Promise<void> {
  return async () => {
    try {
      await body();
    } catch (error) {
      const reports = await Promise.all(
        units.map(async (unit) => {
          try {
            const status = await container().exec(['systemctl', '--no-pager', 'status', unit]);
            const journal = await unitJournal(container(), unit);
            return (
              `--- systemctl status ${unit} ---\n${status.stdout}\n` +
              `--- journalctl -u ${unit} ---\n${journal}`
            );
          } catch (reportError) {
            // Never let the report hide the failure it is meant to explain.
            return `--- no journal for ${unit}: ${(reportError as Error).message} ---`;
          }
        }),
      );
      console.error(reports.join('\n'));
      throw error;
    }
  };
}
