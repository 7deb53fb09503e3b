// Issue #5, items 1 and 2: `systemctl start` waits for READY=1, which is sent once the app really
// serves; the status and watchdog systemd then show; pings keep a healthy app alive; a start that
// times out leaves the app's last word on show.
import { journalCursor, managerMessagesAbout, withUnitJournals } from './harness/journal.js';
import {
  acceptsConnections,
  connectOutcome,
  freePort,
  httpRequest,
  nonLoopbackIPv4,
} from './harness/net.js';
import { expectPingsWithoutRestart, showUnit, timedSystemctl } from './harness/unit-state.js';
import { fixtureExecStart, installSampleUnit } from './harness/units.js';
import { useContainer } from './harness/use-container.js';

const SAMPLE = 'nestjs-systemd-sample.service';
const DELAYED = 'nestjs-systemd-delayed-listen.service';
const EXPOSED = 'nestjs-systemd-exposed.service';
const TIMED_OUT = 'nestjs-systemd-start-timeout.service';
const WATCHDOG_SEC = 2;

describe('systemctl start under a real systemd', () => {
  const container = useContainer();

  it('runs systemd as PID 1 of the container', async () => {
    const version = (await container().run(['systemctl', '--version'])).split('\n')[0]!;
    expect(version).toMatch(/^systemd \d{3}/);
    expect((await container().run(['cat', '/proc/1/comm'])).trim()).toBe('systemd');
    console.info(`tested under ${version}`);
  });

  it(
    'returns only once the app accepts connections, not when Nest has bootstrapped',
    withUnitJournals(container, [DELAYED], async () => {
      const port = await freePort();
      await installSampleUnit(container(), DELAYED, {
        ExecStart: fixtureExecStart('systemd-delayed-listen'),
        Environment: [`PORT=${port}`, 'LISTEN_DELAY_MS=1500'],
      });

      const startMs = await timedSystemctl(container(), 'start', DELAYED);
      // Checked before anything else: the port must be open the moment `start` returns.
      const acceptedRightAway = await acceptsConnections(port);

      expect(acceptedRightAway).toBe(true);
      // Nest bootstraps in well under a second; only READY at listen time makes start wait 1.5 s.
      expect(startMs).toBeGreaterThanOrEqual(1400);
      expect(await showUnit(container(), DELAYED, ['Type', 'ActiveState', 'SubState'])).toEqual({
        Type: 'notify',
        ActiveState: 'active',
        SubState: 'running',
      });
      await container().systemctl('stop', DELAYED);
    }),
  );

  it(
    'a start that times out: systemctl status still shows what the app was waiting for',
    withUnitJournals(container, [TIMED_OUT], async () => {
      const port = await freePort();
      await installSampleUnit(container(), TIMED_OUT, {
        ExecStart: fixtureExecStart('systemd-delayed-listen'),
        Environment: [
          `PORT=${port}`,
          'LISTEN_DELAY_MS=60000',
          // Quoted: Environment= splits its assignments at spaces.
          '"WAITING_STATUS=Waiting for the database"',
        ],
        TimeoutStartSec: '2',
        Restart: 'no',
      });

      const start = await container().exec(['systemctl', '--no-pager', 'start', TIMED_OUT]);

      expect(start.code).not.toBe(0);
      expect(
        await showUnit(container(), TIMED_OUT, ['ActiveState', 'Result', 'StatusText']),
      ).toEqual({
        ActiveState: 'failed',
        Result: 'timeout',
        StatusText: 'Shutting down (not ready yet: Waiting for the database)',
      });
    }),
  );

  describe('the sample app with its production unit', () => {
    let port: number;
    let cursor: string;

    beforeAll(async () => {
      port = await freePort();
      // Before installing: systemd may warn about a directive as soon as it loads the unit.
      cursor = await journalCursor(container());
      await installSampleUnit(container(), SAMPLE, {
        Environment: `PORT=${port}`,
        WatchdogSec: String(WATCHDOG_SEC),
      });
      await container().systemctl('start', SAMPLE);
    });

    it(
      'is active, shows the READY status text, and has the watchdog of its unit',
      withUnitJournals(container, [SAMPLE], async () => {
        const state = await showUnit(container(), SAMPLE, [
          'Type',
          'NotifyAccess',
          'ActiveState',
          'SubState',
          'StatusText',
          'WatchdogUSec',
        ]);
        expect(state).toEqual({
          Type: 'notify',
          NotifyAccess: 'main',
          ActiveState: 'active',
          SubState: 'running',
          StatusText: `Listening on 127.0.0.1:${port}`,
          WatchdogUSec: `${WATCHDOG_SEC}s`,
        });
        const response = await httpRequest(port, 'GET', '/');
        expect(JSON.parse(response.body)).toMatchObject({
          app: 'nestjs-systemd-sample',
          systemd: 'ready',
        });
      }),
    );

    it(
      'loads its unit without a warning about any directive',
      withUnitJournals(container, [SAMPLE], async () => {
        const messages = await managerMessagesAbout(container(), SAMPLE, cursor);
        expect(messages).not.toContainEqual(expect.stringMatching(/ignoring|not supported/i));
        expect(messages).toContainEqual(expect.stringContaining('Started '));
      }),
    );

    it(
      'stays up through several watchdog periods: pings keep arriving, no restart',
      withUnitJournals(container, [SAMPLE], () =>
        expectPingsWithoutRestart(container(), SAMPLE, WATCHDOG_SEC),
      ),
    );
  });

  // systemd 252 ignores IPAddressDeny= without a word (debug level only) where it cannot load
  // cgroup BPF programs, as in an nspawn container that does not allow bpf(): prove it filters.
  it(
    "enforces the unit's IPAddressAllow=localhost: a non-loopback peer is dropped",
    withUnitJournals(container, [EXPOSED], async () => {
      const address = nonLoopbackIPv4();
      if (address === undefined) {
        console.warn('this host has no non-loopback IPv4 address: IP firewall not tested');
        return;
      }
      const port = await freePort();
      // Listening on every address, so that only the firewall can keep the peer out.
      await installSampleUnit(container(), EXPOSED, {
        Environment: [`PORT=${port}`, 'HOST=0.0.0.0'],
      });
      await container().systemctl('start', EXPOSED);

      expect(await connectOutcome('127.0.0.1', port, 2000)).toBe('connected');
      expect(await connectOutcome(address, port, 1000)).toBe('timeout');
      await container().systemctl('stop', EXPOSED);
    }),
  );
});
