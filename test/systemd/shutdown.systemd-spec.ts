// Issue #5, item 5: on a stop, systemd sees STOPPING=1 (the unit deactivates because the app said
// so), the app exits cleanly well inside TimeoutStopSec=, and a slow shutdown that asks for more
// time with EXTEND_TIMEOUT_USEC= is not killed when TimeoutStopSec= runs out.
import type { SystemdContainer } from './harness/container.js';
import { journalCursor, journalSince, withUnitJournals } from './harness/journal.js';
import { freePort } from './harness/net.js';
import { pollUntil } from './harness/poll.js';
import { showUnit, timedSystemctl } from './harness/unit-state.js';
import { fixtureExecStart, installSampleUnit, type ServiceSettings } from './harness/units.js';
import { useContainer } from './harness/use-container.js';

const SAMPLE = 'nestjs-systemd-sample.service';
const SLOW = 'nestjs-systemd-slow-shutdown.service';
const SLOW_UNEXTENDED = 'nestjs-systemd-slow-shutdown-unextended.service';

const SHUTDOWN_MS = 4000;
const TIMEOUT_STOP_SEC = 2;

/** What systemd logs when it has to kill a service that did not stop in time. */
const KILLED = /timed out|Killing process|SIGKILL|Failed with result/;

async function slowShutdownSettings(extend: boolean): Promise<ServiceSettings> {
  return {
    ExecStart: fixtureExecStart('systemd-slow-shutdown'),
    Environment: [
      `PORT=${await freePort()}`,
      `SHUTDOWN_MS=${SHUTDOWN_MS}`,
      `EXTEND_TIMEOUT=${extend ? 1 : 0}`,
    ],
    TimeoutStopSec: String(TIMEOUT_STOP_SEC),
  };
}

/** Starts `unit` afresh and returns a journal cursor taken once it is running. */
async function startFresh(container: SystemdContainer, unit: string): Promise<string> {
  // Clears a failed state (and the start rate limit) left by an earlier test; errs if there is none.
  await container.exec(['systemctl', 'reset-failed', unit]);
  await container.systemctl('start', unit);
  return journalCursor(container);
}

/** Resolves once `unit` is in `state`; rejects after `timeoutMs`. */
async function untilActiveState(
  container: SystemdContainer,
  unit: string,
  state: string,
  timeoutMs: number,
): Promise<void> {
  await pollUntil(
    async () =>
      (await showUnit(container, unit, ['ActiveState'])).ActiveState === state || undefined,
    { timeoutMs, intervalMs: 50, what: `${unit} to be ${state}` },
  );
}

describe('stopping under a real systemd', () => {
  const container = useContainer();

  beforeAll(async () => {
    await installSampleUnit(container(), SAMPLE, { Environment: `PORT=${await freePort()}` });
    await installSampleUnit(container(), SLOW, await slowShutdownSettings(true));
    await installSampleUnit(container(), SLOW_UNEXTENDED, await slowShutdownSettings(false));
  });

  it(
    'STOPPING=1 alone moves the unit to deactivating while the app is still shutting down',
    withUnitJournals(container, [SLOW], async () => {
      const cursor = await startFresh(container(), SLOW);
      const { MainPID: pid } = await showUnit(container(), SLOW, ['MainPID']);
      // A signal to the process only: systemd itself starts no stop job and changes no state.
      await container().systemctl('kill', '--kill-who=main', '--signal=SIGTERM', SLOW);

      const deactivating = await pollUntil(
        async () => {
          const state = await showUnit(container(), SLOW, [
            'ActiveState',
            'SubState',
            'MainPID',
            'StatusText',
          ]);
          return state.ActiveState === 'deactivating' ? state : undefined;
        },
        // Sent from the signal handler, long before the 4 s shutdown is done.
        { timeoutMs: 1500, intervalMs: 50, what: 'ActiveState=deactivating' },
      );
      expect(deactivating).toEqual({
        ActiveState: 'deactivating',
        SubState: 'stop-sigterm',
        MainPID: pid,
        StatusText: 'Shutting down',
      });
      await untilActiveState(container(), SLOW, 'inactive', SHUTDOWN_MS + 5000);
      const journal = await journalSince(container(), SLOW, cursor);
      expect(journal).toContain('Deactivated successfully.');
      expect(journal).not.toMatch(KILLED);
    }),
  );

  it(
    'after a daemon-reexec, STOPPING=1 still reaches systemd on the socket held open since READY',
    withUnitJournals(container, [SLOW], async () => {
      const cursor = await startFresh(container(), SLOW);
      // Past the 1 s after which an idle notify socket would have closed: this one is held open
      // while the app's server listens, and stays connected to systemd's notify socket.
      await new Promise((resolve) => setTimeout(resolve, 1500));
      await container().systemctl('daemon-reexec');
      await container().systemctl('kill', '--kill-who=main', '--signal=SIGTERM', SLOW);

      // Sent from the signal handler, long before the 4 s shutdown is done.
      await untilActiveState(container(), SLOW, 'deactivating', 1500);
      await untilActiveState(container(), SLOW, 'inactive', SHUTDOWN_MS + 5000);
      const journal = await journalSince(container(), SLOW, cursor);
      expect(journal).not.toMatch(/could not notify systemd/);
      expect(journal).toContain('Deactivated successfully.');
      expect(journal).not.toMatch(KILLED);
    }),
  );

  it(
    'systemctl stop: a clean exit well inside TimeoutStopSec=',
    withUnitJournals(container, [SAMPLE], async () => {
      const cursor = await startFresh(container(), SAMPLE);
      const { TimeoutStopUSec } = await showUnit(container(), SAMPLE, ['TimeoutStopUSec']);
      expect(TimeoutStopUSec).toBe('20s');

      const stopMs = await timedSystemctl(container(), 'stop', SAMPLE);

      expect(stopMs).toBeLessThan(5000);
      const journal = await journalSince(container(), SAMPLE, cursor);
      expect(journal).toContain('Deactivated successfully.');
      expect(journal).not.toMatch(KILLED);
    }),
  );

  it(
    'a shutdown longer than TimeoutStopSec= that extends it is not killed',
    withUnitJournals(container, [SLOW], async () => {
      const cursor = await startFresh(container(), SLOW);

      const stopMs = await timedSystemctl(container(), 'stop', SLOW);

      // It took its 4 s although systemd would have killed it after 2 s.
      expect(stopMs).toBeGreaterThan(SHUTDOWN_MS - 500);
      const journal = await journalSince(container(), SLOW, cursor);
      expect(journal).toContain(`slow shutdown finished after ${SHUTDOWN_MS} ms`);
      expect(journal).toContain('Deactivated successfully.');
      expect(journal).not.toMatch(KILLED);
    }),
  );

  // The control for the test above: the same app without EXTEND_TIMEOUT_USEC= is killed, so the
  // extension, not a lenient systemd, is what kept it alive.
  it(
    'the same shutdown without extending it is killed at TimeoutStopSec=',
    withUnitJournals(container, [SLOW_UNEXTENDED], async () => {
      const cursor = await startFresh(container(), SLOW_UNEXTENDED);

      const stopMs = await timedSystemctl(container(), 'stop', SLOW_UNEXTENDED);

      expect(stopMs).toBeLessThan(SHUTDOWN_MS);
      const journal = await journalSince(container(), SLOW_UNEXTENDED, cursor);
      expect(journal).toContain("State 'stop-sigterm' timed out. Killing.");
      expect(journal).toContain("Failed with result 'timeout'.");
      expect(journal).not.toContain('slow shutdown finished');
    }),
  );
});
