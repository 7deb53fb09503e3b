// Children inherit NOTIFY_SOCKET. Under real systemd a service with a watchdog also has
// WATCHDOG_PID=<main pid>, which tells a child it is not the main process: it must then send
// nothing, neither pings nor READY/STOPPING for its parent. cluster workers never send.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { NotifyListener } from '../../lib/testing/notify-listener.js';
import { fixture } from '../notify/helpers.js';

const run = promisify(execFile);

interface ChildReport {
  readonly kind: string;
  readonly enabled: boolean;
  readonly inheritedNotifySocket: boolean;
}

/**
 * Starts the fixture as systemd starts a main process: WATCHDOG_PID is its own pid, which a
 * shell knows before it execs node in its place.
 */
async function runParent(
  systemd: NotifyListener,
  kind: string,
  options: { unset?: boolean } = {},
): Promise<{ reports: ChildReport[]; stderr: string }> {
  const args = [fixture('child-processes'), kind, options.unset ? 'unset' : 'keep'];
  const { stdout, stderr } = await run(
    '/bin/sh',
    ['-c', 'WATCHDOG_PID=$$ exec "$0" "$@"', process.execPath, ...args],
    { env: { ...process.env, ...systemd.env() }, timeout: 20_000 },
  );
  return { reports: JSON.parse(stdout) as ChildReport[], stderr };
}

describe('children of a supervised app', () => {
  let systemd: NotifyListener;

  beforeEach(async () => {
    systemd = await NotifyListener.start({ watchdogUsec: 2_000_000 });
  });
  afterEach(async () => {
    await systemd.close();
  });

  /**
   * Only the parent's own messages: one READY, one STOPPING, and at most one STATUS=Starting
   * (sent only if the parent's start yielded to the event loop before READY). Waits for the
   * STOPPING first: the parent's exit can be seen before the listener has read it.
   */
  async function expectParentMessagesOnly(): Promise<void> {
    await systemd.waitFor('STOPPING=1');
    expect(systemd.received('STATUS=Starting').length).toBeLessThanOrEqual(1);
    expect(systemd.received('READY=1')).toHaveLength(1);
    expect(systemd.received('STOPPING=1')).toHaveLength(1);
  }

  it.each(['fork', 'cluster'])(
    '%s: the children inherit the socket but send nothing',
    async (kind) => {
      const { reports, stderr } = await runParent(systemd, kind);
      expect(stderr).toBe('');
      expect(reports.length).toBeGreaterThan(0);
      for (const report of reports) {
        expect(report).toEqual({ kind, enabled: false, inheritedNotifySocket: true });
      }
      await expectParentMessagesOnly();
    },
    30_000,
  );

  it('unsetEnvironment: children do not even see the socket; the parent still notifies', async () => {
    const { reports } = await runParent(systemd, 'fork', { unset: true });
    expect(reports).toEqual([{ kind: 'fork', enabled: false, inheritedNotifySocket: false }]);
    await expectParentMessagesOnly();
  }, 30_000);

  it('worker_threads: refused with a clear error, no crash, nothing sent from the worker', async () => {
    const { reports, stderr } = await runParent(systemd, 'worker');
    expect(stderr).toMatch(
      /loaded in a worker thread: notifications are only sent from the main thread/,
    );
    expect(reports).toEqual([{ kind: 'worker', enabled: false, inheritedNotifySocket: true }]);
    await expectParentMessagesOnly();
  }, 30_000);
});
