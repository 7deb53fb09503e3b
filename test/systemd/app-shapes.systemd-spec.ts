// Apps of other shapes than the sample, under a real systemd: an app with a SIGHUP listener of its
// own is not stopped (nor reported STOPPING) by SIGHUP; a microservice is READY only once its
// transport's own listen callback ran; an HTTP app that cannot bind its port tells systemd why
// (STATUS= and ERRNO=) and exits at once, and the unit fails.
import { isDeepStrictEqual } from 'node:util';
import type { SystemdContainer } from './harness/container.js';
import { journalCursor, journalSince, withUnitJournals } from './harness/journal.js';
import { acceptsConnections, freePort, holdPort, httpRequest } from './harness/net.js';
import { pollUntil, sampleFor } from './harness/poll.js';
import { showUnit, timedSystemctl } from './harness/unit-state.js';
import { fixtureExecStart, installSampleUnit } from './harness/units.js';
import { useContainer } from './harness/use-container.js';

const OWN_SIGHUP = 'nestjs-systemd-own-sighup.service';
const MICROSERVICE = 'nestjs-systemd-slow-transport.service';
const PORT_IN_USE = 'nestjs-systemd-port-in-use.service';

const WATCHDOG_SEC = 2;
const LISTEN_DELAY_MS = 1500;

/** What systemd logs when it has to kill a service that did not stop in time. */
const KILLED = /timed out|Killing process|SIGKILL|Failed with result/;

/** Stops `unit` and checks that it went the clean way: quick, success, nothing killed. */
async function expectCleanStop(container: SystemdContainer, unit: string): Promise<void> {
  const cursor = await journalCursor(container);
  const stopMs = await timedSystemctl(container, 'stop', unit);
  expect(stopMs).toBeLessThan(5000);
  expect(await showUnit(container, unit, ['ActiveState', 'Result'])).toEqual({
    ActiveState: 'inactive',
    Result: 'success',
  });
  const journal = await journalSince(container, unit, cursor);
  expect(journal).toContain('Deactivated successfully.');
  expect(journal).not.toMatch(KILLED);
}

describe('apps of other shapes under a real systemd', () => {
  const container = useContainer();

  it(
    "SIGHUP to an app with its own SIGHUP listener: the app's business, no STOPPING, no stop",
    withUnitJournals(container, [OWN_SIGHUP], async () => {
      const port = await freePort();
      // A watchdog too: had the module taken SIGHUP for a shutdown, it would stop pinging.
      await installSampleUnit(container(), OWN_SIGHUP, {
        ExecStart: fixtureExecStart('systemd-own-sighup'),
        Environment: `PORT=${port}`,
        WatchdogSec: String(WATCHDOG_SEC),
      });
      await container().systemctl('start', OWN_SIGHUP);
      const running = {
        ActiveState: 'active',
        SubState: 'running',
        NRestarts: '0',
        StatusText: `Listening on 127.0.0.1:${port}`,
      };
      const before = await showUnit(container(), OWN_SIGHUP, [
        ...(Object.keys(running) as (keyof typeof running)[]),
        'MainPID',
      ]);
      expect(before).toEqual({ ...running, MainPID: before.MainPID });
      const cursor = await journalCursor(container());

      // To every process of the unit, as an administrator would (only node runs in it).
      await container().systemctl('kill', '--signal=SIGHUP', OWN_SIGHUP);

      await pollUntil(
        async () =>
          (await journalSince(container(), OWN_SIGHUP, cursor)).includes(
            'own SIGHUP handler ran (1)',
          ) || undefined,
        { timeoutMs: 5000, what: "the app's own SIGHUP handler to log" },
      );
      // Over more than a watchdog period: STOPPING=1 would show as deactivating at once, and a
      // module that stopped pinging would get the app killed and restarted.
      const samples = await sampleFor(
        async () => {
          const { WatchdogTimestampMonotonic: ping, ...state } = await showUnit(
            container(),
            OWN_SIGHUP,
            [
              'ActiveState',
              'SubState',
              'NRestarts',
              'StatusText',
              'MainPID',
              'WatchdogTimestampMonotonic',
            ],
          );
          return { state, ping };
        },
        { durationMs: (WATCHDOG_SEC + 1) * 1000, intervalMs: 100 },
      );
      const unexpected = samples
        .map(({ state }) => state)
        .filter((state) => !isDeepStrictEqual(state, before));
      expect(unexpected).toEqual([]);
      // A ping every WatchdogSec/2 = 1 s: pings went on after the signal.
      expect(new Set(samples.map(({ ping }) => ping)).size).toBeGreaterThanOrEqual(2);
      expect(await httpRequest(port, 'GET', '/')).toEqual({ status: 200, body: 'pong' });
      const journal = await journalSince(container(), OWN_SIGHUP, cursor);
      expect(journal).not.toMatch(/Stopping|Deactivated|Main process exited|Watchdog timeout/);

      await expectCleanStop(container(), OWN_SIGHUP);
    }),
  );

  it(
    "a microservice: systemctl start returns only once the transport's listen callback ran",
    withUnitJournals(container, [MICROSERVICE], async () => {
      const port = await freePort();
      await installSampleUnit(container(), MICROSERVICE, {
        ExecStart: fixtureExecStart('systemd-slow-transport'),
        Environment: [`TCP_PORT=${port}`, `LISTEN_DELAY_MS=${LISTEN_DELAY_MS}`],
      });

      const startMs = await timedSystemctl(container(), 'start', MICROSERVICE);
      // Checked before anything else: the transport must listen the moment `start` returns.
      const acceptedRightAway = await acceptsConnections(port);

      expect(acceptedRightAway).toBe(true);
      // Nest bootstraps in well under a second; only READY from the transport's own listen
      // callback makes start wait the transport's 1.5 s.
      expect(startMs).toBeGreaterThanOrEqual(LISTEN_DELAY_MS - 100);
      expect(
        await showUnit(container(), MICROSERVICE, [
          'Type',
          'ActiveState',
          'SubState',
          'StatusText',
        ]),
      ).toEqual({
        Type: 'notify',
        ActiveState: 'active',
        SubState: 'running',
        StatusText: `SlowTcpTransport listening on 127.0.0.1:${port}`,
      });
      console.info(`systemctl start of the microservice took ${Math.round(startMs)} ms`);

      await expectCleanStop(container(), MICROSERVICE);
    }),
  );

  it(
    'a port in use: the app tells systemd why (StatusText, StatusErrno=98), exits, the unit fails',
    withUnitJournals(container, [PORT_IN_USE], async () => {
      const held = await holdPort();
      try {
        // The sample itself, with its production unit: only the port and no restarts.
        await installSampleUnit(container(), PORT_IN_USE, {
          Environment: `PORT=${held.port}`,
          Restart: 'no',
        });

        const started = performance.now();
        const start = await container().exec(['systemctl', '--no-pager', 'start', PORT_IN_USE]);
        const startMs = performance.now() - started;

        expect(start.code).not.toBe(0);
        // The process went at once: nowhere near TimeoutStartSec= (30 s).
        expect(startMs).toBeLessThan(5000);
        const state = await showUnit(container(), PORT_IN_USE, [
          'ActiveState',
          'SubState',
          'Result',
          'StatusText',
          'StatusErrno',
          'NRestarts',
        ]);
        expect(state).toEqual({
          ActiveState: 'failed',
          SubState: 'failed',
          Result: 'exit-code',
          StatusText: expect.stringContaining('EADDRINUSE'),
          StatusErrno: '98',
          NRestarts: '0',
        });
        expect(state.StatusText).toMatch(/^Failed to start the HTTP server: listen EADDRINUSE/);
        console.info(`failed start took ${Math.round(startMs)} ms; StatusText=${state.StatusText}`);
      } finally {
        await held.release();
      }
    }),
  );
});
