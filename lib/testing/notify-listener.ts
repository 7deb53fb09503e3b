import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { notifyMessages } from '../notify/notify.messages.js';
import {
  inNodeCallbackScope,
  isMainThread,
  loadUnixDgram,
  type UnixDgramSocket,
} from '../notify/unix-dgram-transport.js';

/** One datagram as systemd would receive it. */
export interface NotifyRecord {
  /** The datagram as text, exactly as received. */
  readonly raw: string;
  /** Its `KEY=value` lines in order (systemd acts on every one of them). */
  readonly lines: readonly string[];
  /** The assignments by key (a later line wins, as in systemd). */
  readonly assignments: Readonly<Record<string, string>>;
  /** When it arrived: `performance.now()` of the listening process, in ms. */
  readonly receivedAt: number;
}

/** Options for {@link NotifyListener.start}. */
export interface NotifyListenerOptions {
  /** `WATCHDOG_USEC` to put into {@link NotifyListener.env}, as systemd does with `WatchdogSec=`. */
  readonly watchdogUsec?: number | bigint;
  /** `WATCHDOG_PID` to put into {@link NotifyListener.env}. Omitted by default (meaning: for the process started with this env). */
  readonly watchdogPid?: number;
}

/** What {@link NotifyListener.waitFor} looks for: `'KEY=value'` (a whole line), `'KEY'` (any value), or a predicate. */
export type NotifyMatcher = string | ((record: NotifyRecord) => boolean);

/** Options for {@link NotifyListener.waitFor}. */
export interface WaitForOptions {
  /** Reject after this many ms. Default 5000. */
  readonly timeoutMs?: number;
  /** Only consider datagrams with an index at or after this one (see {@link NotifyListener.messages}). Default 0. */
  readonly since?: number;
}

function matches(record: NotifyRecord, matcher: NotifyMatcher): boolean {
  if (typeof matcher === 'function') return matcher(record);
  if (matcher.includes('=')) return record.lines.includes(matcher);
  return record.lines.some((line) => line.startsWith(`${matcher}=`));
}

function parseDatagram(raw: string, receivedAt: number): NotifyRecord {
  const lines = raw.split('\n').filter((line) => line.length > 0);
  const assignments: Record<string, string> = {};
  for (const line of lines) {
    const eq = line.indexOf('=');
    if (eq > 0) assignments[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return { raw, lines, assignments, receivedAt };
}

/**
 * Plays systemd's side of `sd_notify` in tests: binds a real AF_UNIX datagram socket in a
 * fresh temporary directory, hands out the environment to start an app with, and records
 * every datagram it receives.
 *
 * ```ts
 * const systemd = await NotifyListener.start({ watchdogUsec: 200_000 });
 * const child = spawn('node', ['dist/main.js'], { env: { ...process.env, ...systemd.env() } });
 * await systemd.waitFor('READY=1', { timeoutMs: 10_000 });
 * await systemd.close();
 * ```
 */
export class NotifyListener {
  /** Every datagram received so far, oldest first. */
  readonly messages: NotifyRecord[] = [];
  /** Pending {@link waitFor} calls: woken by each datagram, given up by {@link close}. */
  private readonly waiters = new Set<{ wake(): void; abandon(): void }>();
  private closed = false;

  private constructor(
    /** The socket's path: the value of `NOTIFY_SOCKET`. */
    readonly path: string,
    private readonly dir: string,
    private readonly socket: UnixDgramSocket,
    private readonly options: NotifyListenerOptions,
  ) {
    socket.on(
      'message',
      inNodeCallbackScope((data: Buffer) => {
        this.messages.push(parseDatagram(data.toString('utf8'), performance.now()));
        for (const waiter of this.waiters) waiter.wake();
      }),
    );
  }

  /** Binds a new listener. */
  static async start(options: NotifyListenerOptions = {}): Promise<NotifyListener> {
    // A test runner's worker thread (Vitest's 'threads' pool): say what to run instead.
    if (!isMainThread()) throw new Error(notifyMessages.listenerInWorker());
    const transport = loadUnixDgram();
    if (transport instanceof Error) throw transport;
    const dir = await mkdtemp(join(tmpdir(), 'nestjs-systemd-'));
    const path = join(dir, 'notify.sock');
    const socket = transport.createSocket('unix_dgram');
    let failure: Error | undefined;
    socket.on('error', (error) => {
      failure = error;
    });
    socket.bind(path);
    if (failure) {
      socket.close();
      await rm(dir, { recursive: true, force: true });
      throw failure;
    }
    return new NotifyListener(path, dir, socket, options);
  }

  /** The environment systemd would give the service: `NOTIFY_SOCKET` and, if asked for, `WATCHDOG_*`. */
  env(): Record<string, string> {
    const env: Record<string, string> = { NOTIFY_SOCKET: this.path };
    if (this.options.watchdogUsec !== undefined)
      env.WATCHDOG_USEC = String(this.options.watchdogUsec);
    if (this.options.watchdogPid !== undefined) env.WATCHDOG_PID = String(this.options.watchdogPid);
    return env;
  }

  /** The datagrams that match, oldest first. */
  received(matcher: NotifyMatcher): NotifyRecord[] {
    return this.messages.filter((record) => matches(record, matcher));
  }

  /**
   * Resolves with the first datagram (at index `since` or later) that matches; rejects on
   * timeout, or once the listener is closed (nothing more can arrive then).
   */
  waitFor(matcher: NotifyMatcher, options: WaitForOptions = {}): Promise<NotifyRecord> {
    const { timeoutMs = 5000, since = 0 } = options;
    return new Promise((resolve, reject) => {
      let checked = since;
      const check = (): boolean => {
        for (; checked < this.messages.length; checked++) {
          const record = this.messages[checked]!;
          if (matches(record, matcher)) {
            done();
            resolve(record);
            return true;
          }
        }
        return false;
      };
      const fail = (when: string): void => {
        done();
        const seen = this.messages.slice(since).map((record) => JSON.stringify(record.raw));
        reject(
          new Error(
            `no datagram matching ${String(matcher)} ${when}; received: [${seen.join(', ')}]`,
          ),
        );
      };
      // A wait left pending by close() held the test's process alive until its timeout.
      const waiter = {
        wake: (): void => void check(),
        abandon: (): void => fail('before the listener was closed'),
      };
      const timer = setTimeout(() => fail(`within ${timeoutMs} ms`), timeoutMs);
      const done = (): void => {
        clearTimeout(timer);
        this.waiters.delete(waiter);
      };
      this.waiters.add(waiter);
      if (!check() && this.closed) waiter.abandon();
    });
  }

  /**
   * Closes the socket and removes its directory; pending {@link waitFor} calls reject at once.
   * Safe to call twice.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const waiter of this.waiters) waiter.abandon();
    try {
      this.socket.close();
    } finally {
      await rm(this.dir, { recursive: true, force: true });
    }
  }
}
