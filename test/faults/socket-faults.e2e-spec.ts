// The notify socket misbehaves while a real app runs: it vanishes and comes back, or systemd
// stops reading for 10 s. The app keeps serving, memory stays bounded, and what matters
// (READY, STOPPING, the latest STATUS) still arrives, in order.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SystemdSupervision } from '../../lib/supervision.provider.js';
import { SYSTEMD_SUPERVISION } from '../../lib/systemd.constants.js';
import { sleep } from '../e2e/helpers.js';
import { ChildReceiver } from '../notify/helpers.js';
import { get, startFaultApp, type RunningApp } from './helpers.js';

describe('a notify socket that misbehaves', () => {
  let dir: string;
  let path: string;
  let receiver: ChildReceiver | undefined;
  let running: RunningApp | undefined;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'nestjs-systemd-faults-'));
    path = join(dir, 'notify.sock');
  });
  afterEach(async () => {
    receiver?.child.kill('SIGCONT');
    await running?.app.close();
    running = undefined;
    await receiver?.stop();
    receiver = undefined;
    await rm(dir, { recursive: true, force: true });
  });

  const pings = (from = 0): number =>
    receiver!.datagrams.slice(from).filter((datagram) => datagram === 'WATCHDOG=1').length;

  it('removed while the app runs, then recreated: one error, pings resume, the app serves', async () => {
    receiver = await ChildReceiver.start(path);
    // Pings every 50 ms.
    running = await startFaultApp({ NOTIFY_SOCKET: path, WATCHDOG_USEC: '100000' });
    await receiver.waitUntil(() => pings() >= 3);

    await receiver.stop();
    await rm(path);
    await sleep(500); // about ten pings into the void
    expect(await get(running)).toBe('serving');

    receiver = await ChildReceiver.start(path);
    await receiver.waitUntil(() => pings() >= 3, 2000);
    expect(await get(running)).toBe('serving');
    // Rate-limited per kind: the dead receiver (ECONNREFUSED), then the missing file (ENOENT).
    const errors = running.logger.fromSystemd('error');
    expect(errors.length).toBeGreaterThanOrEqual(1);
    expect(new Set(errors.map((e) => /: (E[A-Z]+);/.exec(e)?.[1])).size).toBe(errors.length);
    for (const error of errors) {
      expect(error).toMatch(/could not notify systemd at .*notify\.sock: (ENOENT|ECONNREFUSED)/);
    }
  });

  it('stops reading for 10 s, then drains: READY, the latest STATUS and STOPPING arrive in order', async () => {
    receiver = await ChildReceiver.start(path);
    receiver.child.kill('SIGSTOP');
    running = await startFaultApp({ NOTIFY_SOCKET: path, WATCHDOG_USEC: '200000' });
    const notifier = running.app.get<SystemdSupervision>(SYSTEMD_SUPERVISION).supervisor;

    // 10 s of STATUS every 10 ms and pings every 100 ms into a receiver that reads nothing.
    let step = 0;
    let maxPending = 0;
    const spam = setInterval(() => {
      running!.systemd.status(`step ${++step}`);
      maxPending = Math.max(maxPending, notifier.pending);
    }, 10);
    await sleep(10_000);
    clearInterval(spam);
    expect(await get(running)).toBe('serving');

    const { app } = running;
    running = undefined;
    const closing = app.close();
    await sleep(100);
    receiver.child.kill('SIGCONT');
    await closing;

    // Waiting: STATUS and WATCHDOG (one of each, latest wins), then STOPPING: never more.
    expect(maxPending).toBeLessThanOrEqual(3);
    await receiver.waitUntil((datagrams) => datagrams.some((d) => d.startsWith('STOPPING=1')));
    const datagrams = receiver.datagrams;
    const ready = datagrams.findIndex((d) => d.startsWith('READY=1'));
    const latest = datagrams.indexOf(`STATUS=step ${step}`);
    const stopping = datagrams.findIndex((d) => d.startsWith('STOPPING=1'));
    expect(ready).toBeGreaterThanOrEqual(0);
    expect(latest).toBeGreaterThan(ready);
    expect(stopping).toBeGreaterThan(latest);
    expect(datagrams.filter((d) => d.startsWith('STOPPING=1'))).toHaveLength(1);
  }, 30_000);
});
