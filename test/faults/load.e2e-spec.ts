// Under load: a STATUS flood and HTTP traffic must neither grow memory, nor stall the event
// loop, nor cost a single watchdog ping while the app is healthy.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { exitWithin, startFixtureApp } from '../e2e/helpers.js';
import { ChildReceiver, fixture } from '../notify/helpers.js';

const run = promisify(execFile);

describe('under load', () => {
  it('10,000 STATUS updates per second for 10 s: bounded memory and loop delay, the last one wins', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'nestjs-systemd-load-'));
    const path = join(dir, 'notify.sock');
    // The receiver drains in its own process, as systemd would.
    const receiver = await ChildReceiver.start(path);
    try {
      const { stdout } = await run(
        process.execPath,
        ['--expose-gc', fixture('status-flood'), '10000', '10000'],
        { env: { ...process.env, NOTIFY_SOCKET: path }, timeout: 30_000 },
      );
      const result = JSON.parse(stdout) as {
        sent: number;
        lastText: string;
        heapGrowthBytes: number;
        delayP99Ms: number;
        delayMaxMs: number;
      };
      expect(result.sent).toBe(100_000);
      expect(result.heapGrowthBytes).toBeLessThan(4 * 1024 * 1024);
      expect(result.delayP99Ms).toBeLessThan(50);
      await receiver.waitUntil((datagrams) => datagrams.some((d) => d.startsWith('STOPPING=1')));
      const statuses = receiver.datagrams.filter((d) => d.startsWith('STATUS=update'));
      expect(statuses.at(-1)).toBe(`STATUS=${result.lastText}`);
    } finally {
      await receiver.stop();
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('HTTP load from another process while pinging every 100 ms: no ping missed', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'nestjs-systemd-load-'));
    const path = join(dir, 'notify.sock');
    // Pings timed where they arrive, by a small process of its own, as systemd reads them: this
    // Jest worker's own pauses (its heap holds the whole suite's garbage) would count as the app's.
    const receiver = await ChildReceiver.start(path, { stamped: true });
    const app = await startFixtureApp('e2e-app', ['serve'], {
      NOTIFY_SOCKET: path,
      WATCHDOG_USEC: '200000',
    });
    try {
      await receiver.waitUntil((datagrams) => datagrams.includes('WATCHDOG=1'));
      const from = receiver.datagrams.length;
      const { stdout } = await run(
        process.execPath,
        [fixture('http-load'), String(app.port), '5000', '16', '/block?ms=0'],
        { timeout: 20_000 },
      );
      const load = JSON.parse(stdout) as { requests: number; errors: number };
      const pings = receiver.arrivals.filter(
        (_, i) => i >= from && receiver.datagrams[i] === 'WATCHDOG=1',
      );
      const gaps = pings.slice(1).map((at, i) => at - pings[i]!);

      expect(load.errors).toBe(0);
      expect(load.requests).toBeGreaterThan(1000);
      // 5 s at one ping per 100 ms; a gap of 200 ms would have been a watchdog timeout.
      expect(pings.length).toBeGreaterThanOrEqual(45);
      expect(Math.max(...gaps)).toBeLessThan(200);
    } finally {
      app.child.kill('SIGTERM');
      await exitWithin(app.child, app.exit, 10_000);
      await receiver.stop();
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
