// Issue #8, part 2: socket activation. With the sample's .socket unit, systemd binds the port and
// the service is started by the first connection and serves the socket it is passed; as the
// socket outlives the process, `systemctl restart` refuses no connection meanwhile. The same
// restarts without the socket do refuse connections: the contrast shows the load reached the gap.
import type { SystemdContainer } from './harness/container.js';
import { underLoad, type LoadReport } from './harness/http-load.js';
import { journalCursor, journalSince, withUnitJournals } from './harness/journal.js';
import { freePort, httpRequest } from './harness/net.js';
import { sleep } from './harness/poll.js';
import { showUnit } from './harness/unit-state.js';
import { installSampleSocket, installSampleUnit, SAMPLE_SOCKET } from './harness/units.js';
import { useContainer } from './harness/use-container.js';

/** The name the sample's socket unit activates (its Service=). */
const SAMPLE = 'nestjs-systemd-sample.service';
/** The same service unit under another name, which no socket unit activates. */
const PLAIN = 'nestjs-systemd-sample-plain.service';

const RESTARTS = 3;
const LOAD = { clients: 8, requestTimeoutMs: 15_000 } as const;

/**
 * Restarts `unit` RESTARTS times (each `systemctl restart` waits for READY=1) under load from the
 * host, with a pause between restarts so that answers arrive in between. Returns the load report
 * and the main pids the unit had, which must all differ.
 */
async function restartsUnderLoad(
  container: SystemdContainer,
  unit: string,
  port: number,
): Promise<{ report: LoadReport; pids: string[] }> {
  const pids = [(await showUnit(container, unit, ['MainPID'])).MainPID];
  const report = await underLoad(port, LOAD, async () => {
    await sleep(300);
    for (let restart = 0; restart < RESTARTS; restart++) {
      // oxlint-disable-next-line no-await-in-loop -- one restart after the other
      await container.systemctl('restart', unit);
      // oxlint-disable-next-line no-await-in-loop -- one restart after the other
      pids.push((await showUnit(container, unit, ['MainPID'])).MainPID);
      // oxlint-disable-next-line no-await-in-loop -- answers from each new process
      await sleep(300);
    }
  });
  console.info(`${unit}, ${RESTARTS} restarts under load: ${JSON.stringify(report)}`);
  return { report, pids };
}

describe('socket activation under a real systemd', () => {
  const container = useContainer();
  let port: number;

  beforeAll(async () => {
    port = await freePort();
    // The port is the only change: ListenStream= is a list, so reset it, then set the test's.
    await installSampleSocket(container(), { ListenStream: ['', `127.0.0.1:${port}`] });
    await installSampleUnit(container(), SAMPLE, {});
    await container().systemctl('start', SAMPLE_SOCKET);
  });

  it(
    'the first connection starts the service, which serves the socket systemd passed',
    withUnitJournals(container, [SAMPLE_SOCKET, SAMPLE], async () => {
      const cursor = await journalCursor(container());
      expect(await showUnit(container(), SAMPLE_SOCKET, ['ActiveState', 'SubState'])).toEqual({
        ActiveState: 'active',
        SubState: 'listening',
      });
      expect(await showUnit(container(), SAMPLE, ['ActiveState'])).toEqual({
        ActiveState: 'inactive',
      });

      // Waits in the socket's backlog while systemd starts the service.
      const response = await httpRequest(port, 'GET', '/', 15_000);

      expect(response.status).toBe(200);
      expect(JSON.parse(response.body)).toMatchObject({ systemd: 'ready' });
      expect(
        await showUnit(container(), SAMPLE, ['Type', 'ActiveState', 'SubState', 'StatusText']),
      ).toEqual({
        Type: 'notify',
        ActiveState: 'active',
        SubState: 'running',
        StatusText: `Listening on 127.0.0.1:${port}`,
      });
      expect(await showUnit(container(), SAMPLE_SOCKET, ['SubState'])).toEqual({
        SubState: 'running',
      });
      const journal = await journalSince(container(), SAMPLE, cursor);
      expect(journal).toContain('listening on the socket systemd passed: http (fd 3)');
    }),
  );

  it(
    'systemctl restart, three times under load: every connection attempt is answered',
    withUnitJournals(container, [SAMPLE_SOCKET, SAMPLE], async () => {
      const { report, pids } = await restartsUnderLoad(container(), SAMPLE, port);

      expect(new Set(pids).size).toBe(RESTARTS + 1);
      expect(report.errors).toEqual({});
      expect(Object.keys(report.statuses)).toEqual(['200']);
      expect(report.requests).toBeGreaterThan(100);
      // Some requests were held in the socket's backlog while no process served it (a restart
      // takes a few hundred ms): answered late, not refused.
      expect(report.slowestMs).toBeGreaterThan(100);
    }),
  );

  it(
    'contrast: the same restarts without the socket unit refuse connections',
    withUnitJournals(container, [PLAIN], async () => {
      const plainPort = await freePort();
      await installSampleUnit(container(), PLAIN, { Environment: `PORT=${plainPort}` });
      await container().systemctl('start', PLAIN);

      const { report, pids } = await restartsUnderLoad(container(), PLAIN, plainPort);

      expect(new Set(pids).size).toBe(RESTARTS + 1);
      expect(report.errors.ECONNREFUSED).toBeGreaterThan(0);
      await container().systemctl('stop', PLAIN);
    }),
  );
});
