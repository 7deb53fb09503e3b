// Bad supervision variables: each gets a clear, logged, rate-limited message, the app keeps
// serving, and no exception escapes. Real Nest apps, real sockets, real files.
import { SchedulerRegistry } from '@nestjs/schedule';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadUnixDgram } from '../../lib/notify/unix-dgram-transport.js';
import { NotifyListener } from '../../lib/testing/notify-listener.js';
import { sleep } from '../e2e/helpers.js';
import { get, startFaultApp, type RunningApp } from './helpers.js';

/** Sends enough to hit any problem many times over: rate limiting must keep it to one line. */
async function sendMany(running: RunningApp): Promise<void> {
  for (let i = 0; i < 50; i++) running.systemd.status(`step ${i}`);
  running.systemd.ping();
  await sleep(50);
}

describe('a malformed or unusable NOTIFY_SOCKET', () => {
  let dir: string;
  let streamServer: Server;
  let running: RunningApp | undefined;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'nestjs-systemd-faults-'));
    await writeFile(join(dir, 'regular-file'), 'not a socket');
    await mkdir(join(dir, 'directory'));
    streamServer = createServer();
    await new Promise<void>((resolve) => streamServer.listen(join(dir, 'stream.sock'), resolve));
    // A datagram socket whose owner went away: the file stays, nobody reads.
    const unix = loadUnixDgram();
    if (unix instanceof Error) throw unix;
    const abandoned = unix.createSocket('unix_dgram');
    abandoned.bind(join(dir, 'abandoned.sock'));
    abandoned.close();
  });
  afterAll(async () => {
    streamServer.close();
    await rm(dir, { recursive: true, force: true });
  });
  afterEach(async () => {
    await running?.app.close();
    running = undefined;
  });

  // [case, NOTIFY_SOCKET (relative to the temp dir when it starts with ./), expected error]
  it.each([
    ['empty', '', /NOTIFY_SOCKET="" is neither an absolute path/],
    ['relative path', 'run/notify', /"run\/notify" is neither an absolute path/],
    ['"@" alone', '@', /NOTIFY_SOCKET="@" names no socket/],
    ['an abstract name', '@nestjs-systemd-test', /abstract-namespace address/],
    ['a 108+ byte path', `/${'x'.repeat(120)}`, /over the 107 bytes/],
    ['vsock', 'vsock:2:1234', /AF_VSOCK address/],
    [
      'a regular file',
      './regular-file',
      /could not notify systemd at .*regular-file: ECONNREFUSED/,
    ],
    ['a stream socket', './stream.sock', /could not notify systemd at .*stream\.sock: EPROTOTYPE/],
    ['a directory', './directory', /could not notify systemd at .*directory: ECONNREFUSED/],
    ['a socket with no reader', './abandoned.sock', /abandoned\.sock: ECONNREFUSED/],
    ['a path that does not exist', './missing.sock', /missing\.sock: ENOENT/],
  ])('%s: one clear error, and the app serves', async (_case, value, expected) => {
    const socket = value.startsWith('./') ? join(dir, value.slice(2)) : value;
    running = await startFaultApp({ NOTIFY_SOCKET: socket, WATCHDOG_USEC: '200000' });
    await sendMany(running);
    expect(await get(running)).toBe('serving');
    const errors = running.logger.fromSystemd('error', 'fatal');
    expect(errors).toEqual([expect.stringMatching(expected)]);
  });
});

describe('a malformed WATCHDOG_USEC or WATCHDOG_PID', () => {
  let systemd: NotifyListener;
  let running: RunningApp | undefined;

  beforeEach(async () => {
    systemd = await NotifyListener.start();
  });
  afterEach(async () => {
    await running?.app.close();
    running = undefined;
    await systemd.close();
  });

  const usecCases: [string, RegExp | 'valid'][] = [
    ['abc', /WATCHDOG_USEC="abc" is not a valid timeout \(EINVAL/],
    ['0', /WATCHDOG_USEC="0" is not a valid timeout/],
    ['-5', /WATCHDOG_USEC="-5" is not a valid timeout/],
    ['1e3', /WATCHDOG_USEC="1e3" is not a valid timeout/],
    ['18446744073709551615', /WATCHDOG_USEC="18446744073709551615" is not a valid timeout/],
    ['18446744073709551616', /is not a valid timeout \(ERANGE/],
    // Over 2^31-1 ms: valid for systemd; pings at Node's longest timer instead of at once.
    [String(2n ** 32n * 1000n), 'valid'],
  ];
  const pidCases: [string, string | undefined][] = [
    ['absent', undefined],
    ['ours', String(process.pid)],
    ['another pid', '1'],
    ['abc', 'abc'],
  ];
  const cases = usecCases.flatMap(([usec, outcome]) =>
    pidCases.map(([pidCase, pid]) => [usec, pidCase, pid, outcome] as const),
  );

  it.each(cases)(
    'WATCHDOG_USEC=%s, WATCHDOG_PID %s: serves, logs clearly, pings only when valid and ours',
    async (usec, pidCase, pid, outcome) => {
      const warnings: Error[] = [];
      const onWarning = (warning: Error): number => warnings.push(warning);
      process.on('warning', onWarning);
      try {
        const env: Record<string, string> = { ...systemd.env(), WATCHDOG_USEC: usec };
        if (pid !== undefined) env.WATCHDOG_PID = pid;
        running = await startFaultApp(env);
        await sendMany(running);
        expect(await get(running)).toBe('serving');

        const errors = running.logger.fromSystemd('error', 'fatal');
        const intervals = running.app.get(SchedulerRegistry).getIntervals();
        if (pidCase === 'another pid') {
          // A child of the real service: silent, and no error (nothing is wrong).
          expect(errors).toEqual([]);
          expect(systemd.messages).toEqual([]);
          expect(intervals).toEqual([]);
        } else if (outcome !== 'valid') {
          expect(errors).toEqual([expect.stringMatching(outcome)]);
          // Said once: the summary line points to the error rather than repeating it.
          expect(running.logger.fromSystemd('log').filter((line) => outcome.test(line))).toEqual(
            [],
          );
          expect(intervals).toEqual([]);
          expect(systemd.received('READY=1')).toHaveLength(1);
        } else if (pidCase === 'abc') {
          expect(errors).toEqual([expect.stringMatching(/WATCHDOG_PID="abc" is not a valid pid/)]);
          expect(intervals).toEqual([]);
        } else {
          expect(errors).toEqual([]);
          expect(intervals).toEqual(['nestjs-systemd:watchdog']);
          expect(running.systemd.watchdogIntervalMs).toBe(2 ** 31 - 1);
        }
        expect(warnings.filter((w) => w.name === 'TimeoutOverflowWarning')).toEqual([]);
      } finally {
        process.off('warning', onWarning);
      }
    },
  );
});
