// unix-dgram's addon calls its listeners straight from libuv, outside Node's callback scope,
// and since Node 26.4 the promise reactions they queue wait for some other I/O or timer
// (nodejs/node#66158). Both places where the library awaits such an event are checked in a
// process of their own, with nothing else to wake it: a close() waiting for a congested
// receiver, and a test's NotifyListener.waitFor(). Before Node 26.4 they pass either way; CI
// runs them on Node 26 too. The immediate that does it is the real one, whatever fake timers a
// test installs.
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { NotifyListener } from '../../lib/testing/notify-listener.js';
import { exitedAndRead, sleep } from '../e2e/helpers.js';
import { ChildReceiver, fixture } from './helpers.js';

it('close() goes on as soon as a congested receiver drains, with the app still up', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'nestjs-systemd-scope-'));
  const path = join(dir, 'notify.sock');
  const receiver = await ChildReceiver.start(path);
  receiver.child.kill('SIGSTOP');
  const child = spawn(process.execPath, [fixture('close-congested')], {
    env: { ...process.env, NOTIFY_SOCKET: path },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    const lines: string[] = [];
    const pending = new Promise<void>((resolve) => {
      createInterface({ input: child.stdout! }).on('line', (line) => {
        lines.push(line);
        if (line.startsWith('pending')) resolve();
      });
    });
    const exited = exitedAndRead(child);
    await pending;
    // Ten fit in the receiver's queue (net.unix.max_dgram_qlen): the rest wait for it.
    expect(lines).toEqual([expect.stringMatching(/^pending [1-9]$/)]);
    // Past the turn of its first socket's idle timer (100 ms), which would wake it as well.
    await sleep(300);
    receiver.child.kill('SIGCONT');
    const resumedAt = performance.now();
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    const [code, signal] = await exited;
    clearTimeout(timer);
    // Held back, close() would go on at nothing: its 10 s timer is cleared by the drain.
    expect({ code, signal, lines }).toEqual({ code: 0, signal: null, lines: [lines[0], 'closed'] });
    expect(performance.now() - resumedAt).toBeLessThan(3000);
    await receiver.waitUntil((datagrams) => datagrams.includes('X_N=11'));
    expect(receiver.datagrams).toEqual(Array.from({ length: 12 }, (_, i) => `X_N=${i}`));
  } finally {
    child.kill('SIGKILL');
    receiver.child.kill('SIGCONT');
    await receiver.stop();
    await rm(dir, { recursive: true, force: true });
  }
});

it("NotifyListener.waitFor() resolves as the datagram arrives, not at the next timer's turn", async () => {
  const { stdout } = await promisify(execFile)(process.execPath, [fixture('listener-wait')], {
    timeout: 10_000,
  });
  const { delayMs } = JSON.parse(stdout) as { delayMs: number };
  // Held back, the await would end with the wait's 3 s timeout, the one timer left.
  expect(delayMs).toBeLessThan(1000);
});

// A harness that closes its listener while still waiting (a test that gave up) must not be
// held alive until the wait's timeout.
it('NotifyListener.close() rejects a pending waitFor() at once, and a later one too', async () => {
  const { stdout } = await promisify(execFile)(process.execPath, [fixture('listener-close')], {
    timeout: 10_000,
  });
  const [outcomes, exit] = stdout
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line) as unknown);
  const gaveUp = 'no datagram matching READY=1 before the listener was closed; received: []';
  expect(outcomes).toEqual({ pending: gaveUp, after: gaveUp });
  // Held by a wait's timer, the process would end 3 s after the close.
  expect((exit as { exitAfterCloseMs: number }).exitAfterCloseMs).toBeLessThan(1000);
});

// jest.useFakeTimers() replaces setImmediate too: the listener reads its socket all the same.
it("NotifyListener.waitFor() resolves under a test's fake timers", async () => {
  const [realTimeout, realClear] = [setTimeout, clearTimeout];
  const systemd = await NotifyListener.start();
  const { jest } = import.meta;
  jest.useFakeTimers();
  try {
    await promisify(execFile)(process.execPath, [fixture('send-and-exit')], {
      env: { ...process.env, ...systemd.env() },
    });
    let timer: NodeJS.Timeout | undefined;
    const outcome = await Promise.race([
      systemd.waitFor('READY=1').then((record) => record.raw),
      new Promise((resolve) => {
        timer = realTimeout(() => resolve('not received in 3 s'), 3000);
      }),
    ]);
    realClear(timer);
    expect(outcome).toBe('READY=1\nSTATUS=fixture ready');
  } finally {
    jest.useRealTimers();
    await systemd.close();
  }
});
