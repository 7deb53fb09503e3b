import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { SystemdNotifier } from '../../lib/notify/systemd-notifier.js';
import type { NotifyState } from '../../lib/notify/notify-message.js';
import { NotifyListener } from '../../lib/testing/notify-listener.js';
import { exitedAndRead } from '../e2e/helpers.js';
import { ChildReceiver, fixture, RecordingLogger } from './helpers.js';

describe('SystemdNotifier against a real AF_UNIX datagram socket', () => {
  let systemd: NotifyListener;
  let notifier: SystemdNotifier | undefined;
  const logger = new RecordingLogger();

  beforeEach(async () => {
    systemd = await NotifyListener.start();
    logger.lines.length = 0;
  });

  afterEach(async () => {
    await notifier?.close();
    notifier = undefined;
    await systemd.close();
  });

  it('delivers every message kind byte-exact', async () => {
    notifier = new SystemdNotifier({ env: systemd.env(), logger });
    const cases: [NotifyState, string][] = [
      [
        { ready: true, status: 'Listening on http://127.0.0.1:3000' },
        'READY=1\nSTATUS=Listening on http://127.0.0.1:3000',
      ],
      [{ reloading: true, monotonicUsec: 987654321n }, 'RELOADING=1\nMONOTONIC_USEC=987654321'],
      [{ stopping: true }, 'STOPPING=1'],
      [{ status: 'Ünïcødé ✓' }, 'STATUS=Ünïcødé ✓'],
      [{ errno: 5 }, 'ERRNO=5'],
      [{ busError: 'org.example.Error' }, 'BUSERROR=org.example.Error'],
      [{ mainPid: 4321 }, 'MAINPID=4321'],
      [{ watchdog: true }, 'WATCHDOG=1'],
      [{ watchdog: 'trigger' }, 'WATCHDOG=trigger'],
      [{ watchdogUsec: 3_000_000 }, 'WATCHDOG_USEC=3000000'],
      [{ extendTimeoutUsec: 20_000_000 }, 'EXTEND_TIMEOUT_USEC=20000000'],
      [{ custom: { FDSTORE: '1' } }, 'FDSTORE=1'],
    ];
    for (const [state] of cases) expect(notifier.notify(state)).toBe(true);
    await systemd.waitFor('FDSTORE=1');
    expect(systemd.messages.map((record) => record.raw)).toEqual(cases.map(([, raw]) => raw));
    expect(logger.lines).toEqual([]);
  });

  it('delivers an injection attempt as one harmless STATUS line', async () => {
    notifier = new SystemdNotifier({ env: systemd.env(), logger });
    notifier.notify({ status: 'pwned\nREADY=1\nMAINPID=1\nWATCHDOG=trigger' });
    const record = await systemd.waitFor('STATUS');
    expect(record.lines).toEqual(['STATUS=pwned READY=1 MAINPID=1 WATCHDOG=trigger']);
    expect(logger.at('warn')).toEqual([expect.stringMatching(/control characters/)]);
  });

  it('is a silent no-op without NOTIFY_SOCKET', () => {
    notifier = new SystemdNotifier({ env: {}, logger });
    expect(notifier.enabled).toBe(false);
    expect(notifier.notify({ ready: true })).toBe(false);
    expect(logger.at('warn')).toEqual([]);
    expect(logger.at('error')).toEqual([]);
    expect(logger.at('debug')).toEqual([expect.stringMatching(/not supervised/)]);
  });

  it.each([
    ['', /neither an absolute path/],
    ['relative/notify', /neither an absolute path/],
    ['@', /names no socket/],
    ['@abstract', /abstract-namespace/],
    ['/' + 'x'.repeat(120), /over the 107 bytes/],
    ['vsock:2:999', /AF_VSOCK/],
  ])('reports NOTIFY_SOCKET=%j once and stays disabled', (value, reason) => {
    notifier = new SystemdNotifier({ env: { NOTIFY_SOCKET: value }, logger });
    expect(notifier.enabled).toBe(false);
    expect(notifier.notify({ ready: true })).toBe(false);
    expect(notifier.notify({ ready: true })).toBe(false);
    expect(logger.at('error')).toEqual([expect.stringMatching(reason)]);
  });

  it('reports an invalid WATCHDOG_USEC once, and still notifies', async () => {
    notifier = new SystemdNotifier({ env: { ...systemd.env(), WATCHDOG_USEC: '1e3' }, logger });
    expect(notifier.watchdog.state).toBe('invalid');
    expect(logger.at('error')).toEqual([expect.stringMatching(/WATCHDOG_USEC="1e3"/)]);
    notifier.notify({ ready: true });
    await systemd.waitFor('READY=1');
  });

  it('keeps messages for a missing socket, logs once, and delivers them when it appears', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'nestjs-systemd-missing-'));
    const path = join(dir, 'notify.sock');
    notifier = new SystemdNotifier({ env: { NOTIFY_SOCKET: path }, logger });
    expect(notifier.notify({ ready: true, status: 'up' })).toBe(true);
    expect(notifier.notify({ watchdog: true })).toBe(true);
    expect(notifier.notify({ watchdog: true })).toBe(true);
    expect(notifier.pending).toBe(2);
    expect(logger.at('error')).toEqual([expect.stringMatching(/ENOENT; 1 message\(s\) kept/)]);

    const unix = (await import('../../lib/notify/unix-dgram-transport.js')).loadUnixDgram();
    if (unix instanceof Error) throw unix;
    const received: string[] = [];
    const receiver = unix.createSocket('unix_dgram');
    receiver.on('message', (data) => received.push(data.toString()));
    receiver.bind(path);
    try {
      notifier.notify({ status: 'recovered' });
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(received).toEqual(['READY=1\nSTATUS=up', 'WATCHDOG=1', 'STATUS=recovered']);
      expect(notifier.pending).toBe(0);
    } finally {
      receiver.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  /**
   * Runs `body` with a receiver in another process bound at `path` (where the listener was,
   * closed by the test), then puts a fresh listener in place for afterEach.
   */
  async function withReceiverAt(
    path: string,
    body: (receiver: ChildReceiver) => Promise<void>,
  ): Promise<void> {
    await mkdir(dirname(path));
    const receiver = await ChildReceiver.start(path);
    try {
      await body(receiver);
    } finally {
      await receiver.stop();
      await rm(dirname(path), { recursive: true, force: true });
    }
    systemd = await NotifyListener.start();
  }

  it('reconnects when the receiver is replaced at the same path', async () => {
    notifier = new SystemdNotifier({ env: systemd.env(), logger });
    notifier.notify({ status: 'first' });
    await systemd.waitFor('STATUS=first');
    const path = systemd.path;
    await systemd.close();
    notifier.notify({ watchdog: true }); // ECONNREFUSED or ENOENT: kept
    expect(logger.at('error')).toHaveLength(1);

    await withReceiverAt(path, async (receiver) => {
      notifier!.notify({ status: 'second' });
      await receiver.waitUntil((datagrams) => datagrams.length >= 2);
      expect(receiver.datagrams).toEqual(['WATCHDOG=1', 'STATUS=second']);
    });
  });

  it('sends on a fresh socket at once when its connected receiver was bound anew', async () => {
    notifier = new SystemdNotifier({ env: systemd.env(), logger });
    notifier.notify({ status: 'first' });
    await systemd.waitFor('STATUS=first');
    // Replaced while the notifier's socket is still connected to the old one (as a socket held
    // open for long may find it): a send there fails with ECONNREFUSED.
    const path = systemd.path;
    await systemd.close();
    await withReceiverAt(path, async (receiver) => {
      notifier!.notify({ stopping: true });
      await receiver.waitUntil((datagrams) => datagrams.length >= 1);
      expect(receiver.datagrams).toEqual(['STOPPING=1']);
      expect(logger.lines).toEqual([]);
    });
  });

  it('removes the supervision variables when asked, but keeps notifying', async () => {
    const env: Record<string, string | undefined> = { ...systemd.env(), WATCHDOG_USEC: '1000000' };
    notifier = new SystemdNotifier({ env, logger, unsetEnvironment: true });
    expect(env).toEqual({});
    expect(notifier.watchdog.state).toBe('enabled');
    notifier.notify({ ready: true });
    await systemd.waitFor('READY=1');
  });

  it('sends a prepared datagram as notify() would, as often as asked', async () => {
    notifier = new SystemdNotifier({ env: systemd.env(), logger });
    const stopping = notifier.prepare({ stopping: true, status: 'Shutting down' });
    expect(stopping).toBeDefined();
    expect(notifier.send(stopping!)).toBe(true);
    expect(notifier.send(stopping!)).toBe(true);
    await systemd.waitFor(() => systemd.received('STOPPING=1').length === 2);
    expect(systemd.messages.map((record) => record.raw)).toEqual([
      'STOPPING=1\nSTATUS=Shutting down',
      'STOPPING=1\nSTATUS=Shutting down',
    ]);
    expect(notifier.prepare({ mainPid: -1 })).toBeUndefined();
    expect(logger.at('error')).toEqual([expect.stringMatching(/MAINPID must be an integer/)]);
  });

  it('prepares and sends nothing without NOTIFY_SOCKET', () => {
    notifier = new SystemdNotifier({ env: {}, logger });
    expect(notifier.prepare({ stopping: true })).toBeUndefined();
  });

  it('logs invalid input instead of throwing', () => {
    notifier = new SystemdNotifier({ env: systemd.env(), logger });
    expect(notifier.notify({ mainPid: -1 })).toBe(false);
    expect(notifier.notify({ custom: { 'bad key': 'x' } })).toBe(false);
    expect(logger.at('error')).toEqual([expect.stringMatching(/MAINPID must be an integer/)]);
  });
});

describe('SystemdNotifier under a congested receiver (EAGAIN)', () => {
  it('loses no READY/STOPPING, delivers the latest STATUS, and keeps order', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'nestjs-systemd-eagain-'));
    const path = join(dir, 'notify.sock');
    const receiver = await ChildReceiver.start(path);
    const notifier = new SystemdNotifier({
      env: { NOTIFY_SOCKET: path },
      logger: new RecordingLogger(),
    });
    try {
      receiver.child.kill('SIGSTOP');
      notifier.notify({ ready: true, status: 'ready' });
      for (let i = 0; i < 200; i++) {
        notifier.notify({ status: `progress ${i}` });
        notifier.notify({ watchdog: true });
      }
      notifier.notify({ custom: { X_MARK: 'critical' } });
      notifier.notify({ status: 'final status' });
      notifier.notify({ stopping: true });
      // Ten fit in the receiver's queue (net.unix.max_dgram_qlen); the rest had to wait.
      expect(notifier.pending).toBeGreaterThan(0);
      expect(notifier.pending).toBeLessThan(10);
      receiver.child.kill('SIGCONT');
      await receiver.waitUntil((datagrams) => datagrams.includes('STOPPING=1'));
      const got = receiver.datagrams;
      expect(got[0]).toBe('READY=1\nSTATUS=ready');
      expect(got.filter((d) => d === 'X_MARK=critical')).toHaveLength(1);
      expect(got.slice(-2)).toEqual(['STATUS=final status', 'STOPPING=1']);
      expect(got.indexOf('X_MARK=critical')).toBeLessThan(got.indexOf('STOPPING=1'));
      expect(notifier.pending).toBe(0);
    } finally {
      receiver.child.kill('SIGCONT');
      await notifier.close();
      await receiver.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('keeps the first datagram of a fresh socket that meets a full queue, and delivers it after', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'nestjs-systemd-fresh-'));
    const path = join(dir, 'notify.sock');
    const receiver = await ChildReceiver.start(path);
    const notifier = new SystemdNotifier({
      env: { NOTIFY_SOCKET: path },
      logger: new RecordingLogger(),
    });
    const filler = new SystemdNotifier({
      env: { NOTIFY_SOCKET: path },
      logger: new RecordingLogger(),
    });
    try {
      receiver.child.kill('SIGSTOP');
      // Another sender fills the receiver's queue (net.unix.max_dgram_qlen) first.
      for (let i = 0; i < 40; i++) filler.notify({ custom: { X_FILL: String(i) } });
      expect(filler.pending).toBeGreaterThan(0);
      // The notifier's first datagram goes out on a new socket with sendto(2), which meets EAGAIN.
      expect(notifier.notify({ stopping: true })).toBe(true);
      expect(notifier.pending).toBe(1);
      receiver.child.kill('SIGCONT');
      await receiver.waitUntil((datagrams) => datagrams.includes('STOPPING=1'));
      expect(receiver.datagrams.filter((datagram) => datagram === 'STOPPING=1')).toHaveLength(1);
      expect(notifier.pending).toBe(0);
    } finally {
      receiver.child.kill('SIGCONT');
      await notifier.close();
      await filler.close();
      await receiver.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('waits for a congested receiver on close, then gives up after the timeout', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'nestjs-systemd-close-'));
    const path = join(dir, 'notify.sock');
    const receiver = await ChildReceiver.start(path);
    const logger = new RecordingLogger();
    const notifier = new SystemdNotifier({ env: { NOTIFY_SOCKET: path }, logger });
    try {
      receiver.child.kill('SIGSTOP');
      for (let i = 0; i < 12; i++) notifier.notify({ custom: { X_N: String(i) } });
      expect(notifier.pending).toBeGreaterThan(0);
      const started = Date.now();
      await notifier.close(300);
      expect(Date.now() - started).toBeGreaterThanOrEqual(250);
      expect(logger.at('warn')).toEqual([expect.stringMatching(/closing with \d+ undelivered/)]);
    } finally {
      receiver.child.kill('SIGCONT');
      await receiver.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('a process that uses the notifier', () => {
  let systemd: NotifyListener;
  beforeEach(async () => {
    systemd = await NotifyListener.start();
  });
  afterEach(() => systemd.close());

  /**
   * Runs the send-and-exit fixture in `mode`; the process must end by itself with code 0. Then
   * waits for `last`, its last datagram: the exit can be seen before the listener has read it.
   * Resolves with how long after its last send the process ended, by its own clock.
   */
  async function runToExit(mode: string, last: string): Promise<number> {
    const child = spawn(process.execPath, [fixture('send-and-exit'), mode], {
      env: { ...process.env, ...systemd.env() },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    child.stdout!.on('data', (chunk) => (output += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    const [code, signal] = await exitedAndRead(child);
    clearTimeout(timer);
    expect({ code, signal }).toEqual({ code: 0, signal: null });
    await systemd.waitFor(last);
    return (JSON.parse(output) as { exitAfterLastSendMs: number }).exitAfterLastSendMs;
  }

  it.each([['close'], ['no-close']])('exits by itself after sending (%s)', async (mode) => {
    await runToExit(mode, 'STOPPING=1');
    expect(systemd.messages.map((record) => record.raw)).toEqual([
      'READY=1\nSTATUS=fixture ready',
      'STOPPING=1',
    ]);
  });

  it('ends soon after its last message when it never closes the notifier: the idle socket closes', async () => {
    const exitAfterLastSendMs = await runToExit('no-close', 'STOPPING=1');
    // The idle socket closes 100 ms after the last message; at 1 s (the old default) this fails.
    expect(exitAfterLastSendMs).toBeLessThan(600);
  });

  it('keeps a held socket open past the idle close, and exits once it is released', async () => {
    await runToExit('hold', 'STATUS=held');
    // Without the hold the socket closes after 100 ms idle, nothing else keeps the process
    // alive, and it exits before the 1.5 s timer can send this.
    expect(systemd.messages.map((record) => record.raw)).toEqual([
      'READY=1\nSTATUS=fixture ready',
      'STATUS=held',
    ]);
  });

  it('delivers what is sent after close() and still exits at once (no idle socket held)', async () => {
    const exitAfterLastSendMs = await runToExit('send-after-close', 'STATUS=late');
    expect(systemd.messages.map((record) => record.raw)).toEqual([
      'READY=1\nSTATUS=fixture ready',
      'STOPPING=1',
      'STATUS=late',
    ]);
    // A socket reopened for the late message and left to its idle close would hold the
    // process 100 ms at least: its idle timer cannot fire sooner.
    expect(exitAfterLastSendMs).toBeLessThan(100);
  });
});
