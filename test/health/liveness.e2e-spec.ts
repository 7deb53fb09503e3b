// The built-in liveness checks in real Nest apps, each in a child process of its own (a loop
// made to drown, a heap made to fill, HTTP load from another process), with a real datagram
// socket standing in for systemd. What systemd would see decides: pings withheld, and STATUS
// saying why, while the app is sick; pings back once it recovers; no gap while it is healthy.
import { execFile } from 'node:child_process';
import { get } from 'node:http';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { NotifyListener, type NotifyRecord } from '../../lib/testing/notify-listener.js';
import { expectReady, fixturePath, gaps, sleep } from '../e2e/helpers.js';
import { startChildApp, type ChildApp } from '../watchdog/child-app.js';

const run = promisify(execFile);

/** GET on the app's port, without a keep-alive socket left behind. */
function httpGet(port: number, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    get({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve(body));
    }).on('error', reject);
  });
}

const statusOf = (record: NotifyRecord): string => record.assignments.STATUS ?? '';
const isUnhealthy = (record: NotifyRecord): boolean => statusOf(record).startsWith('Unhealthy');

/** Everything received, as text with arrival times relative to the first: for failure messages. */
function transcript(systemd: NotifyListener): string {
  const t0 = systemd.messages[0]?.receivedAt ?? 0;
  return systemd.messages
    .map((record) => `${Math.round(record.receivedAt - t0)} ms ${JSON.stringify(record.raw)}`)
    .join('\n');
}

/** Expects `holds`; when it does not, the failure shows `what` and every datagram received. */
function expectSeen(holds: boolean, what: string, systemd: NotifyListener, extra = ''): void {
  expect(holds ? true : `${what}; received:\n${transcript(systemd)}${extra}`).toBe(true);
}

/** What V8 reported (used / limit) every 250 ms, and how the child ended. */
function heapReport(app: ChildApp): string {
  const ratios = app.lines
    .filter((line) => line.startsWith('heap '))
    .map((line) => {
      const [, used, limit] = line.split(' ').map(Number);
      return (used! / limit!).toFixed(2);
    });
  const fatal = /FATAL ERROR.*/.exec(app.stderr())?.[0] ?? '';
  return `\nused/limit: ${ratios.join(' ')}\nexited: ${app.exited()} ${fatal}`;
}

/** The first datagram matching, received before `app` exited or `timeoutMs` passed. */
async function firstWhileAlive(
  systemd: NotifyListener,
  app: ChildApp,
  matcher: (record: NotifyRecord) => boolean,
  timeoutMs: number,
): Promise<NotifyRecord | undefined> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline && !app.exited()) {
    const found = systemd.messages.find(matcher);
    if (found) return found;
    // oxlint-disable-next-line no-await-in-loop -- polling the datagrams and the child together
    await sleep(20);
  }
  // A datagram that came in just before the exit was still sent by a live process.
  return systemd.messages.find(matcher);
}

describe('liveness checks in a supervised app', () => {
  let systemd: NotifyListener | undefined;
  let app: ChildApp | undefined;

  afterEach(async () => {
    await app?.kill();
    await systemd?.close();
    app = undefined;
    systemd = undefined;
  });

  it('a drowning event loop: pings withheld and STATUS names the loop and its delay; pings resume once it stops drowning', async () => {
    // WatchdogSec=2: a round every second, checks cut off after 500 ms.
    systemd = await NotifyListener.start({ watchdogUsec: 2_000_000 });
    app = await startChildApp('liveness-app', ['event-loop'], systemd.env());
    const ready = await expectReady(systemd, `Listening on 127.0.0.1:${app.port}`, {
      timeoutMs: 10_000,
    });
    await systemd.waitFor('WATCHDOG=1', { timeoutMs: 5000 });

    // 300 ms busy chunks back to back for 4 s: never blocked for good (the watchdog's timer
    // still fires between chunks), but every callback waits ~300 ms, twice the threshold.
    expect(await httpGet(app.port, '/drown?forMs=4000&chunkMs=300')).toBe('drowning');
    const start = await systemd.waitFor('X_DROWNING=start');
    const end = await systemd.waitFor('X_DROWNING=end', { timeoutMs: 10_000 });
    const endIndex = systemd.messages.indexOf(end);
    // The round after the drowning still sees its last chunks; the one after that is clean.
    const resumed = await systemd.waitFor('WATCHDOG=1', { since: endIndex + 1, timeoutMs: 6000 });
    // And the pings go on from there.
    await systemd.waitFor('WATCHDOG=1', {
      since: systemd.messages.indexOf(resumed) + 1,
      timeoutMs: 3000,
    });

    const during = systemd.messages.slice(systemd.messages.indexOf(start), endIndex);
    const firstDown = during.find(isUnhealthy);
    expectSeen(firstDown !== undefined, 'no Unhealthy STATUS while drowning', systemd);
    const reason = /^Unhealthy, watchdog pings withheld: event loop: p90 delay (\d+) ms/.exec(
      statusOf(firstDown!),
    );
    expectSeen(reason !== null, 'STATUS does not name the event loop and its delay', systemd);
    expect(Number(reason![1])).toBeGreaterThan(150);
    // Withheld from the first Unhealthy STATUS until the drowning ended.
    const pingsWhileDown = during
      .slice(during.indexOf(firstDown!))
      .filter((record) => record.lines.includes('WATCHDOG=1'));
    expectSeen(pingsWhileDown.length === 0, 'a ping while the loop was drowning', systemd);
    // Long enough without a ping for systemd (WatchdogSec=2) to restart the service.
    const lastPingBefore = systemd.messages
      .slice(0, endIndex)
      .findLast((record) => record.lines.includes('WATCHDOG=1'))!;
    expectSeen(
      resumed.receivedAt - lastPingBefore.receivedAt > 2000,
      'pings not withheld for longer than the 2 s timeout',
      systemd,
    );
    // Recovery puts the app's own status (the one that followed READY) back with the first ping.
    expect(statusOf(resumed)).toBe(statusOf(ready.status));
  }, 30_000);

  // V8's heap_size_limit, which the check's fraction is of, counts the young generation's
  // reserve too (3 semi-spaces of 16 MiB by default): --max-old-space-size=64 gives a 112 MiB
  // limit, and V8 runs out of memory at about 64 MiB used, well short of 70% of it. With the
  // semi-spaces shrunk to 1 MiB the limit is 67 MiB and 70% is reached before the end.
  it.each([{ node: '--max-old-space-size=64 --max-semi-space-size=1' }])(
    'a growing heap (node $node): pings withheld and STATUS names the heap before V8 runs out of memory',
    async ({ node }) => {
      // WatchdogSec=1: a round every 500 ms; two rounds above 70% of V8's heap limit mean down.
      systemd = await NotifyListener.start({ watchdogUsec: 1_000_000 });
      app = await startChildApp('liveness-app', ['heap'], systemd.env(), {
        nodeArgs: node.split(' '),
      });
      await systemd.waitFor('WATCHDOG=1', { timeoutMs: 10_000 });

      expect(await httpGet(app.port, '/leak')).toBe('leaking');
      const heapDown = await firstWhileAlive(
        systemd,
        app,
        (record) =>
          /^Unhealthy, watchdog pings withheld: heap: \d+ MiB used/.test(statusOf(record)),
        20_000,
      );
      expectSeen(
        heapDown !== undefined,
        'no Unhealthy STATUS naming the heap before the child died',
        systemd,
        heapReport(app),
      );

      // Until V8 gives up (or 1.5 s, three rounds, pass), no ping: systemd's timeout runs out.
      const downIndex = systemd.messages.indexOf(heapDown!);
      await Promise.race([app.exit, sleep(1500)]);
      const pingsAfter = systemd.messages
        .slice(downIndex)
        .filter((record) => record.lines.includes('WATCHDOG=1'));
      expectSeen(
        pingsAfter.length === 0,
        'a ping after the heap was reported',
        systemd,
        heapReport(app),
      );
    },
    30_000,
  );

  it('a healthy app under HTTP load, both checks at their defaults: no gap reaches the timeout, no Unhealthy STATUS', async () => {
    // WatchdogSec=1: a round every 500 ms.
    systemd = await NotifyListener.start({ watchdogUsec: 1_000_000 });
    app = await startChildApp('liveness-app', ['defaults'], systemd.env());
    const ready = await systemd.waitFor('READY=1', { timeoutMs: 10_000 });
    await systemd.waitFor('WATCHDOG=1', { timeoutMs: 5000 });

    // 16 concurrent keep-alive clients for 4 s, from a process of their own: this process
    // only receives and timestamps the datagrams, so its own work does not lengthen the gaps.
    const { stdout } = await run(
      process.execPath,
      [fixturePath('http-load'), String(app.port), '4000', '16', '/'],
      { timeout: 20_000 },
    );
    const end = performance.now();
    const load = JSON.parse(stdout) as { requests: number; errors: number };

    expect(load.errors).toBe(0);
    expect(load.requests).toBeGreaterThan(500);
    // READY counts: systemd enforces the watchdog from there; the end of the load, too.
    const beats = [ready, ...systemd.received('WATCHDOG=1')];
    const all = [...gaps(beats), end - beats.at(-1)!.receivedAt];
    expectSeen(Math.max(...all) < 1000, 'a gap reached the 1 s timeout', systemd);
    expectSeen(
      systemd.messages.filter(isUnhealthy).length === 0,
      'an Unhealthy STATUS while healthy',
      systemd,
    );
    expect(app.exited()).toBe(false);
  }, 30_000);
});
