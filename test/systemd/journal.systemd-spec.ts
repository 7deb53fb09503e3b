// Issue #8, part 3: JournaldLogger under a real systemd. The sample's output goes to the journal
// (JOURNAL_STREAM names it), so each line carries its `<N>` priority prefix, which journald
// consumes: `journalctl -u UNIT -p warning` shows exactly the app's warnings and errors, every
// line of a stack trace included, and none of its info lines.
import type { SystemdContainer } from './harness/container.js';
import { warningLines, withUnitJournals } from './harness/journal.js';
import { readJournal, type JournalEntry } from './harness/journal-entries.js';
import { freePort, httpRequest } from './harness/net.js';
import { pollUntil } from './harness/poll.js';
import { showUnit } from './harness/unit-state.js';
import { installSampleUnit } from './harness/units.js';
import { useContainer } from './harness/use-container.js';

const SAMPLE = 'nestjs-systemd-sample.service';
/** The sample with a greeting file that does not exist: it fails at start-up with a stack trace. */
const BROKEN = 'nestjs-systemd-sample-broken.service';

const WARNING = 4;
const ERROR = 3;
const INFO = 6;

/** Logged at every start of the sample with SAMPLE_CHAOS=1. */
const CHAOS_WARNING =
  '[ChaosModule] SAMPLE_CHAOS=1: /chaos endpoints can block, crash and fail this app; never enable in production';
const STARTED = '[NestApplication] Nest application successfully started';

/** What the app itself wrote (its output stream), as opposed to systemd's messages about the unit. */
const fromApp = (entries: readonly JournalEntry[]): JournalEntry[] =>
  entries.filter((entry) => entry.transport === 'stdout');

const brief = ({ priority, message }: JournalEntry) => ({ priority, message });

/** Sends `request` and waits until systemd has restarted the service under a new main pid. */
async function restartedAfter(
  container: SystemdContainer,
  request: () => Promise<unknown>,
): Promise<void> {
  const before = await showUnit(container, SAMPLE, ['MainPID']);
  // The process may die before it answers: the restart is what counts.
  await request().catch(() => undefined);
  await pollUntil(
    async () => {
      const now = await showUnit(container, SAMPLE, ['MainPID', 'ActiveState']);
      const restarted = now.MainPID !== '0' && now.MainPID !== before.MainPID;
      return restarted && now.ActiveState === 'active' ? true : undefined;
    },
    // Watchdog: a health round (1 s) and the 2 s timeout, RestartSec=1, then start-up.
    { timeoutMs: 20_000, intervalMs: 50, what: `${SAMPLE} to be restarted` },
  );
}

/**
 * `journalctl -u UNIT [-p warning] -o json` over the whole boot: the container is fresh, so it
 * holds this test file's runs of the unit and nothing else.
 */
const unitEntries = (container: SystemdContainer, unit: string, priority?: 'warning') =>
  readJournal(container, { matches: ['-u', unit], priority });

describe('log priorities in the journal under a real systemd', () => {
  const container = useContainer();

  beforeAll(
    withUnitJournals(container, [SAMPLE, BROKEN], async () => {
      const port = await freePort();
      await installSampleUnit(container(), SAMPLE, {
        Environment: ['SAMPLE_CHAOS=1', `PORT=${port}`],
        WatchdogSec: '2',
      });
      await installSampleUnit(container(), BROKEN, {
        Environment: [`PORT=${await freePort()}`, 'SAMPLE_GREETING_FILE=/nonexistent'],
        // One failed start is the whole story; no restarts.
        Restart: 'no',
      });

      // Warnings, errors and info lines from three processes of the sample: started, killed by the
      // watchdog after a failing health check, crashed, restarted each time.
      await container().systemctl('start', SAMPLE);
      await httpRequest(port, 'POST', '/chaos/block?ms=50');
      await httpRequest(port, 'POST', '/chaos/healthy');
      await restartedAfter(container(), () => httpRequest(port, 'POST', '/chaos/unhealthy'));
      await restartedAfter(container(), () => httpRequest(port, 'POST', '/chaos/crash'));
      await container().systemctl('stop', SAMPLE);
      // Fails: the greeting file is missing.
      await container().exec(['systemctl', 'start', BROKEN]);
    }),
    60_000,
  );

  it(
    'journalctl -p warning shows exactly the warnings and errors the app logged, in order',
    withUnitJournals(container, [SAMPLE], async () => {
      const warnings = await unitEntries(container(), SAMPLE, 'warning');

      expect(fromApp(warnings).map(brief)).toEqual([
        { priority: WARNING, message: CHAOS_WARNING },
        { priority: WARNING, message: '[ChaosController] blocking the event loop for 50 ms' },
        { priority: WARNING, message: '[ChaosController] demo health indicator forced down' },
        {
          priority: WARNING,
          message: expect.stringMatching(/^\[SystemdModule\] health check failed.*: demo: /),
        },
        // The process the watchdog started.
        { priority: WARNING, message: CHAOS_WARNING },
        { priority: ERROR, message: '[ChaosController] exiting with status 1 on purpose' },
        // The process after the crash.
        { priority: WARNING, message: CHAOS_WARNING },
      ]);
    }),
  );

  it(
    'the same as an operator reads it (-o cat): no info line among them',
    withUnitJournals(container, [SAMPLE], async () => {
      const lines = await warningLines(container(), SAMPLE);
      const entries = await unitEntries(container(), SAMPLE, 'warning');

      // The app's lines above, and systemd's own warnings about the unit (the watchdog kill).
      expect(lines).toEqual(entries.map((entry) => entry.message));
      expect(lines).toContain("nestjs-systemd-sample.service: Failed with result 'watchdog'.");
      expect(lines).not.toContain(STARTED);
      expect(lines).not.toContain('[ChaosController] demo health indicator back up');
      expect(lines).not.toContainEqual(
        expect.stringMatching(/^\[(RouterExplorer|InstanceLoader)\]/),
      );
    }),
  );

  it(
    'info lines are there at priority 6, and no line kept its <N> prefix',
    withUnitJournals(container, [SAMPLE, BROKEN], async () => {
      const entries = fromApp(await unitEntries(container(), SAMPLE));
      const broken = fromApp(await unitEntries(container(), BROKEN));

      expect(entries.filter((entry) => entry.message === STARTED).map(brief)).toEqual(
        Array.from({ length: 3 }, () => ({ priority: INFO, message: STARTED })),
      );
      expect(entries.map(brief)).toContainEqual({
        priority: INFO,
        message: '[ChaosController] demo health indicator back up',
      });
      expect(entries.length).toBeGreaterThan(50);
      for (const entry of [...entries, ...broken]) expect(entry.message).not.toMatch(/^<\d>/);
    }),
  );

  it(
    'a stack trace: every line of it at priority 3, and only the info line before it below warning',
    withUnitJournals(container, [BROKEN], async () => {
      const all = fromApp(await unitEntries(container(), BROKEN));
      const warnings = fromApp(await unitEntries(container(), BROKEN, 'warning'));

      // Nest's start-up line, then the error Nest logs for the failed bootstrap, line by line.
      expect(all[0]).toMatchObject({
        priority: INFO,
        message: '[NestFactory] Starting Nest application...',
      });
      expect(warnings).toEqual(all.slice(1));
      expect(warnings[0]).toMatchObject({
        priority: ERROR,
        message: "[ExceptionHandler] Error: ENOENT: no such file or directory, open '/nonexistent'",
      });
      const stackLines = warnings.filter((entry) =>
        /^\[ExceptionHandler\] {5}at /.test(entry.message),
      );
      expect(stackLines.length).toBeGreaterThanOrEqual(3);
      expect(new Set(warnings.map((entry) => entry.priority))).toEqual(new Set([ERROR]));
    }),
  );
});
