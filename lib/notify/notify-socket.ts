import type { NotifyDatagram } from './notify-message.js';
import type { RateLimitedLogger } from './notify-logger.js';
import { notifyMessages } from './notify.messages.js';
import {
  closeQuietly,
  connectUnixDgram,
  createUnixDgram,
  errnoName,
  type UnixDgramSocket,
} from './unix-dgram-transport.js';

/** Tuning for {@link NotifySocket}. */
export interface NotifySocketOptions {
  /**
   * Close the socket after this many ms without traffic, unless it is held open
   * ({@link NotifySocket.hold}). unix-dgram's socket keeps the event loop alive and cannot be
   * unref'd, so an idle socket must not outlive the app. Default 100: a process that notifies
   * and then ends by itself (a script using `SystemdNotifier` alone, a job) ends that long after
   * its last message; the next message after an idle close opens a fresh socket, the
   * `socket(2)` that libsystemd makes for every message.
   */
  readonly idleCloseMs?: number;
  /** Upper bound on undelivered datagrams kept for retry. Default 128. */
  readonly maxQueued?: number;
}

type SendOutcome = 'sent' | 'congested' | { errno: string };

/**
 * What a connected socket's send fails with once its receiver has been closed (and perhaps
 * bound anew at the same path): the path is worth one fresh try at once, as libsystemd, which
 * opens a socket per message, would make.
 */
const RECEIVER_GONE = new Set(['ECONNREFUSED', 'ENOTCONN']);

/**
 * Sends `bytes` on `socket`: connected, or to `path` with sendto(2). EAGAIN on a connected
 * socket ('congested', code 1) is followed by 'writable'; with sendto it is an errno like others.
 */
function sendOn(socket: UnixDgramSocket, bytes: Buffer, path?: string): SendOutcome {
  let outcome: SendOutcome = 'sent';
  const done = (error?: Error & { code?: number }): void => {
    if (!error) return;
    outcome = error.code === 1 ? 'congested' : { errno: errnoName(error.code) };
  };
  try {
    if (path === undefined) socket.send(bytes, done);
    else socket.send(bytes, 0, bytes.length, path, done);
  } catch (error) {
    outcome = { errno: (error as Error).message };
  }
  return outcome;
}

/**
 * Sends datagrams to one AF_UNIX datagram socket, connected for speed, and never throws.
 *
 * The receiver's queue is short (`net.unix.max_dgram_qlen`, often 10), so a burst meets
 * EAGAIN: datagrams then wait in order and go out when the socket turns writable again.
 * Waiting `STATUS=` or `WATCHDOG=1` datagrams are replaced by newer ones (latest wins);
 * anything else (READY, STOPPING, RELOADING) is kept. When the receiver is missing
 * (ENOENT, ECONNREFUSED), the error is logged (rate-limited), the datagrams are kept, and
 * delivery is retried with the next message, on a fresh connection.
 *
 * An idle socket closes itself, so that it never keeps a finished process alive; while
 * something else keeps the process alive anyway (a listening server), {@link hold} keeps it
 * open, and the next message leaves with a single send(2).
 */
export class NotifySocket {
  private socket: UnixDgramSocket | undefined;
  private readonly queue: NotifyDatagram[] = [];
  private congested = false;
  private idleTimer: NodeJS.Timeout | undefined;
  /** Holds from {@link hold} not yet released: while any is, the socket does not close when idle. */
  private holds = 0;
  private drained: (() => void) | undefined;
  /** Set by {@link close}: later messages still go out, each on a socket closed once sent. */
  private closed = false;
  private readonly idleCloseMs: number;
  private readonly maxQueued: number;

  constructor(
    readonly path: string,
    private readonly log: RateLimitedLogger,
    options: NotifySocketOptions = {},
  ) {
    this.idleCloseMs = options.idleCloseMs ?? 100;
    this.maxQueued = options.maxQueued ?? 128;
  }

  /** Undelivered datagrams, oldest first. */
  get pending(): number {
    return this.queue.length;
  }

  /** Whether a socket is open right now (it closes itself when idle). */
  get isOpen(): boolean {
    return this.socket !== undefined;
  }

  /**
   * Keeps the socket open when idle (once a message has opened it) until the returned
   * function is called; holds from several callers add up. For while something else keeps the
   * event loop alive, so that holding the socket changes nothing about when the process can
   * exit: {@link close} still closes it.
   */
  hold(): () => void {
    this.holds += 1;
    this.cancelIdleClose();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.holds -= 1;
      if (this.socket && this.queue.length === 0) this.armIdleClose();
    };
  }

  /**
   * Opens and connects the socket now, before there is anything to send, so that the first
   * message leaves with one send(2). Whatever fails here is reported by that first message.
   */
  open(): void {
    if (this.socket || this.closed) return;
    const connected = connectUnixDgram(this.path, () => this.onWritable());
    if (typeof connected === 'string') return;
    this.socket = connected;
    this.armIdleClose();
  }

  /** Sends `datagram` now, or keeps it for later if systemd cannot take it yet. Never throws. */
  send(datagram: NotifyDatagram): void {
    if (this.queue.length === 0 && !this.congested) {
      const outcome = this.trySend(datagram.bytes);
      if (outcome === 'sent') {
        this.armIdleClose();
        return;
      }
      this.queue.push(datagram);
      this.onFailure(outcome);
      return;
    }
    this.enqueue(datagram);
    if (!this.congested) this.flush();
  }

  /**
   * Delivers what is still queued (waiting at most `timeoutMs` for a congested receiver),
   * then closes the socket so the process can exit. A later {@link send} still delivers, on a
   * socket closed as soon as it is sent, so nothing sent after close holds the process.
   */
  async close(timeoutMs = 1000): Promise<void> {
    this.closed = true;
    if (this.queue.length > 0 && !this.congested) this.flush();
    if (this.queue.length > 0 && this.congested) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, timeoutMs);
        this.drained = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.drained = undefined;
    }
    if (this.queue.length > 0) {
      this.log.warn('close', notifyMessages.droppedOnClose(this.queue.length, 'not accepted'));
      this.queue.length = 0;
    }
    this.closeSocket();
  }

  private enqueue(datagram: NotifyDatagram): void {
    if (datagram.coalesceKey) {
      const stale = this.queue.findIndex((queued) => queued.coalesceKey === datagram.coalesceKey);
      if (stale !== -1) this.queue.splice(stale, 1);
    }
    this.queue.push(datagram);
    if (this.queue.length > this.maxQueued) {
      const dropped = this.queue.length - this.maxQueued;
      this.queue.splice(0, dropped);
      this.log.warn('overflow', notifyMessages.queueOverflow(dropped));
    }
  }

  private flush(): void {
    while (this.queue.length > 0) {
      const outcome = this.trySend(this.queue[0]!.bytes);
      if (outcome !== 'sent') {
        this.onFailure(outcome);
        return;
      }
      this.queue.shift();
    }
    this.armIdleClose();
    this.drained?.();
  }

  private onFailure(outcome: Exclude<SendOutcome, 'sent'>): void {
    if (outcome === 'congested') {
      this.congested = true;
      return;
    }
    // A fresh connection next time: the receiver may be recreated at the same path.
    this.closeSocket();
    this.log.error(
      `send:${outcome.errno}`,
      notifyMessages.sendFailed(this.path, outcome.errno, this.queue.length),
    );
  }

  private trySend(bytes: Buffer): SendOutcome {
    if (this.socket) {
      const outcome = sendOn(this.socket, bytes);
      if (typeof outcome !== 'object' || !RECEIVER_GONE.has(outcome.errno)) return outcome;
      // Its receiver was closed since it connected (a socket held open for long, a receiver
      // bound anew): one fresh socket, as for a first message.
      this.closeSocket();
    }
    // A fresh socket (the first message, or the first after an idle close) sends with
    // sendto(2) before anything else, and is connected only then, for the messages that
    // follow: STOPPING=1 after a quiet spell leaves with one system call before it, as a
    // hand-written notify would, not behind a connect(2) and listener set-up.
    const socket = createUnixDgram();
    if (typeof socket === 'string') return { errno: socket };
    const outcome = sendOn(socket, bytes, this.path);
    const congested =
      typeof outcome === 'object' && (outcome.errno === 'EAGAIN' || outcome.errno === 'ENOBUFS');
    if (outcome !== 'sent' && !congested) {
      closeQuietly(socket);
      return outcome;
    }
    const connected = connectUnixDgram(this.path, () => this.onWritable(), socket);
    // Sent, but the receiver went away at once: the next message starts anew.
    if (typeof connected === 'string') return outcome === 'sent' ? outcome : { errno: connected };
    this.socket = connected;
    // EAGAIN from sendto arms nothing: sent again once connected, it queues and 'writable' follows.
    return congested ? sendOn(connected, bytes) : outcome;
  }

  private onWritable(): void {
    this.congested = false;
    this.flush();
  }

  private armIdleClose(): void {
    if (this.closed) {
      if (this.queue.length === 0) this.closeSocket();
      return;
    }
    if (this.holds > 0) return;
    if (this.idleTimer) {
      this.idleTimer.refresh();
      return;
    }
    this.idleTimer = setTimeout(() => {
      if (this.queue.length === 0) this.closeSocket();
    }, this.idleCloseMs);
    this.idleTimer.unref();
  }

  private cancelIdleClose(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
  }

  private closeSocket(): void {
    this.cancelIdleClose();
    this.congested = false;
    if (this.socket) closeQuietly(this.socket);
    this.socket = undefined;
  }
}
