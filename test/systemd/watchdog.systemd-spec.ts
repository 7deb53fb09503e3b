// Issue #5, items 3 and 4: when the app stops pinging (a failing health indicator, a blocked event
// loop), systemd itself kills it with SIGABRT at WatchdogSec= and restarts it.
import type { SystemdContainer } from './harness/container.js';
import { journalCursor, journalSince, withUnitJournals } from './harness/journal.js';
import { freePort, httpRequest } from './harness/net.js';
import { pollUntil } from './harness/poll.js';
import { showUnit } from './harness/unit-state.js';
import { installSampleUnit } from './harness/units.js';
import { useContainer } from './harness/use-container.js';

const SAMPLE = 'nestjs-systemd-sample.service';
const WATCHDOG_SEC = 2;

interface WatchdogRestart {
  /** Every StatusText systemd showed for the old process, in order. */
  readonly statusesBeforeKill: readonly string[];
  /** What systemd logged about the unit meanwhile. */
  readonly journal: string;
  readonly oldPid: string;
  readonly newPid: string;
  readonly restartsBefore: number;
  readonly restartsAfter: number;
}

/**
 * Runs `provoke` against the running sample and follows the unit until systemd has restarted it,
 * sampling StatusText all along, as fast as systemctl answers.
 */
async function followWatchdogRestart(
  container: SystemdContainer,
  provoke: () => void,
): Promise<WatchdogRestart> {
  const before = await showUnit(container, SAMPLE, ['MainPID', 'NRestarts', 'ActiveState']);
  expect(before.ActiveState).toBe('active');
  const cursor = await journalCursor(container);
  provoke();
  const statuses: string[] = [];
  const after = await pollUntil(
    async () => {
      const now = await showUnit(container, SAMPLE, [
        'MainPID',
        'NRestarts',
        'ActiveState',
        'StatusText',
      ]);
      if (now.MainPID === before.MainPID && statuses.at(-1) !== now.StatusText) {
        statuses.push(now.StatusText);
      }
      const restarted = now.MainPID !== '0' && now.MainPID !== before.MainPID;
      return restarted && now.ActiveState === 'active' ? now : undefined;
    },
    // Health round (1 s) + watchdog timeout (2 s) + RestartSec=1 + start-up, with room to spare.
    { timeoutMs: 20_000, intervalMs: 50, what: 'a watchdog restart' },
  );
  return {
    statusesBeforeKill: statuses,
    journal: await journalSince(container, SAMPLE, cursor),
    oldPid: before.MainPID,
    newPid: after.MainPID,
    restartsBefore: Number(before.NRestarts),
    restartsAfter: Number(after.NRestarts),
  };
}

async function processGone(container: SystemdContainer, pid: string): Promise<boolean> {
  return (await container.exec(['test', '-d', `/proc/${pid}`])).code !== 0;
}

function expectKilledByWatchdog(restart: WatchdogRestart): void {
  expect(restart.journal).toContain(`Watchdog timeout (limit ${WATCHDOG_SEC}s)!`);
  expect(restart.journal).toContain(
    `Killing process ${restart.oldPid} (node) with signal SIGABRT.`,
  );
  expect(restart.journal).toMatch(/Main process exited, code=(killed|dumped), status=6\/ABRT/);
  expect(restart.journal).toContain("Failed with result 'watchdog'.");
  expect(restart.restartsAfter).toBe(restart.restartsBefore + 1);
  expect(restart.newPid).not.toBe(restart.oldPid);
}

describe('the watchdog under a real systemd', () => {
  const container = useContainer();
  let port: number;

  beforeAll(async () => {
    port = await freePort();
    await installSampleUnit(container(), SAMPLE, {
      Environment: ['SAMPLE_CHAOS=1', `PORT=${port}`],
      WatchdogSec: String(WATCHDOG_SEC),
    });
    await container().systemctl('start', SAMPLE);
  });

  it(
    'an unhealthy indicator: STATUS says why, then systemd kills with SIGABRT and restarts',
    withUnitJournals(container, [SAMPLE], async () => {
      const restart = await followWatchdogRestart(container(), () => {
        void httpRequest(port, 'POST', '/chaos/unhealthy');
      });

      expectKilledByWatchdog(restart);
      // The failing check was visible in `systemctl status` while pings were withheld.
      expect(restart.statusesBeforeKill).toContainEqual(
        expect.stringMatching(/^Unhealthy, watchdog pings withheld: demo/),
      );
      // A fresh process: healthy again, serving.
      const { StatusText } = await showUnit(container(), SAMPLE, ['StatusText']);
      expect(StatusText).toBe(`Listening on 127.0.0.1:${port}`);
      expect((await httpRequest(port, 'GET', '/health')).status).toBe(200);
    }),
  );

  it(
    'an event loop blocked longer than WatchdogSec: the same watchdog restart',
    withUnitJournals(container, [SAMPLE], async () => {
      const blockMs = WATCHDOG_SEC * 1000 * 3;
      const restart = await followWatchdogRestart(container(), () => {
        // The process is killed mid-request: the connection error is the expected outcome.
        httpRequest(port, 'POST', `/chaos/block?ms=${blockMs}`).catch(() => undefined);
      });

      expectKilledByWatchdog(restart);
      expect(restart.statusesBeforeKill).toContain(
        `Event loop blocked on purpose for ${blockMs} ms (POST /chaos/block)`,
      );
    }),
  );

  // Guards the signals the app hooks: Nest's enableShutdownHooks() without arguments also listens
  // to SIGABRT, the watchdog's signal. A listener runs only once the event loop is free again, so
  // a loop that never frees up would be killed only when TimeoutAbortSec= (= TimeoutStopSec=,
  // 20 s in the sample) runs out, with SIGKILL, instead of at WatchdogSec=.
  it('a loop blocked for good: the SIGABRT ends the process at once', async () => {
    const { MainPID: pid } = await showUnit(container(), SAMPLE, ['MainPID']);
    const cursor = await journalCursor(container());
    httpRequest(port, 'POST', '/chaos/block?ms=60000', 70_000).catch(() => undefined);
    try {
      await pollUntil(
        async () => {
          const journal = await journalSince(container(), SAMPLE, cursor);
          return (
            journal.includes(`Killing process ${pid} (node) with signal SIGABRT.`) || undefined
          );
        },
        { timeoutMs: 10_000, intervalMs: 100, what: 'the watchdog SIGABRT' },
      );
      const endedPromptly = await pollUntil(
        async () => (await processGone(container(), pid)) || undefined,
        { timeoutMs: 1500, intervalMs: 50, what: `pid ${pid} to end` },
      ).then(
        () => true,
        () => false,
      );
      expect(endedPromptly).toBe(true);
    } finally {
      // Whatever happened, do not leave a process systemd waits 20 s for.
      await container().exec(['systemctl', 'kill', '--signal=SIGKILL', SAMPLE]);
    }
  });
});
