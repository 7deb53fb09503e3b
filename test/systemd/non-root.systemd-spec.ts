// Issue #5, item 6: the sample's unit runs the app as a throwaway unprivileged user
// (DynamicUser=yes) with NotifyAccess=main, and systemd accepts its notifications, because they
// come from the main process itself. The other files exercise READY, WATCHDOG, STOPPING and
// EXTEND_TIMEOUT_USEC through this same unit; this one shows who sends them.
import type { SystemdContainer } from './harness/container.js';
import { journalCursor, journalSince, withUnitJournals } from './harness/journal.js';
import { freePort } from './harness/net.js';
import { pollUntil, sleep } from './harness/poll.js';
import { processUid, showUnit } from './harness/unit-state.js';
import { installSampleUnit } from './harness/units.js';
import { useContainer } from './harness/use-container.js';

const SAMPLE = 'nestjs-systemd-sample.service';
/** systemd's range for DynamicUser= uids (systemd.exec(5)). */
const DYNAMIC_UIDS = { min: 61184, max: 65519 };

/**
 * Runs a shell as the main process of a transient unit with NotifyAccess=main, and has a child of
 * it (the systemd-notify CLI) send STATUS=: what an app started through `npm start` or a wrapper
 * script amounts to. Resolves to the StatusText systemd shows while the unit runs.
 */
async function statusFromChild(
  container: SystemdContainer,
  unit: string,
  properties: readonly string[],
): Promise<string> {
  const child = 'systemd-notify --status="sent by a child" && sleep 3';
  await container.run([
    'systemd-run',
    '--quiet',
    `--unit=${unit}`,
    '--property=NotifyAccess=main',
    ...properties.map((property) => `--property=${property}`),
    '/bin/sh',
    '-c',
    child,
  ]);
  // systemd-notify has long returned by then; nothing more will arrive.
  await sleep(1000);
  const { StatusText } = await showUnit(container, unit, ['StatusText']);
  return StatusText;
}

describe('as an unprivileged user under a real systemd', () => {
  const container = useContainer();
  let port: number;

  beforeAll(async () => {
    port = await freePort();
    await installSampleUnit(container(), SAMPLE, { Environment: `PORT=${port}`, WatchdogSec: '2' });
    await container().systemctl('start', SAMPLE);
  });

  it(
    'the sample runs under a dynamic uid, not root, and its READY=1 and STATUS= were accepted',
    withUnitJournals(container, [SAMPLE], async () => {
      const state = await showUnit(container(), SAMPLE, [
        'DynamicUser',
        'NotifyAccess',
        'MainPID',
        'UID',
        'ActiveState',
        'StatusText',
      ]);
      const uid = await processUid(container(), Number(state.MainPID));

      expect(uid).not.toBe(0);
      expect(uid).toBeGreaterThanOrEqual(DYNAMIC_UIDS.min);
      expect(uid).toBeLessThanOrEqual(DYNAMIC_UIDS.max);
      expect(state).toMatchObject({
        DynamicUser: 'yes',
        NotifyAccess: 'main',
        UID: String(uid),
        // Type=notify: `start` returned, so READY=1 was accepted; the status came right after it.
        ActiveState: 'active',
        StatusText: `Listening on 127.0.0.1:${port}`,
      });
    }),
  );

  it(
    'its watchdog pings are accepted too: systemd records them',
    withUnitJournals(container, [SAMPLE], async () => {
      const first = await showUnit(container(), SAMPLE, ['WatchdogTimestampMonotonic']);
      // WatchdogSec=2: a ping every second.
      const later = await pollUntil(
        async () => {
          const now = await showUnit(container(), SAMPLE, ['WatchdogTimestampMonotonic']);
          return now.WatchdogTimestampMonotonic !== first.WatchdogTimestampMonotonic
            ? now
            : undefined;
        },
        { timeoutMs: 3000, intervalMs: 100, what: 'a watchdog ping' },
      );
      expect(Number(later.WatchdogTimestampMonotonic)).toBeGreaterThan(
        Number(first.WatchdogTimestampMonotonic),
      );
    }),
  );

  // Why the library sends from the main process itself: a helper process cannot stand in for it.
  it('a notification from a child process is rejected for a non-root unit', async () => {
    const cursor = await journalCursor(container());
    const unit = 'notify-from-child-dynamic.service';

    const status = await statusFromChild(container(), unit, ['DynamicUser=yes']);

    expect(status).toBe('');
    expect(await journalSince(container(), unit, cursor)).toMatch(
      /Got notification message from PID \d+, but reception only permitted for main PID \d+/,
    );
  });

  // The contrast that makes the test above meaningful: as root, systemd-notify may claim its
  // parent's pid in the socket credentials, so a root-only test would pass either way.
  it('contrast: as root, the child may pose as the main process and is accepted', async () => {
    expect(await statusFromChild(container(), 'notify-from-child-root.service', [])).toBe(
      'sent by a child',
    );
  });
});
