import { RateLimitedLogger, type NotifyLogger } from '../notify/notify-logger.js';
import {
  closeQuietly,
  connectUnixDgram,
  errnoName,
  type UnixDgramSocket,
} from '../notify/unix-dgram-transport.js';
import { journalMessages } from './journal.messages.js';

/** Where journald listens for its native protocol. */
export const JOURNAL_SOCKET_PATH = '/run/systemd/journal/socket';

/** One encoded entry, and what to write to stderr instead if the journal socket cannot take it. */
export interface JournalDatagram {
  /** The entry in the native protocol (see `encodeJournalEntry`). */
  readonly bytes: Buffer;
  /** The entry as `<priority>`-prefixed lines for stderr, built only when needed. */
  readonly fallback: () => string;
}

/** Tuning for {@link JournalSocket}; the defaults suit a service. */
export interface JournalSocketOptions {
  /**
   * Close the socket after this many ms without entries: unix-dgram's socket keeps the event
   * loop alive and cannot be unref'd, so an idle one must not hold the process. Default 100:
   * a process that ends by itself (an application context done with its work, an app's own
   * SIGTERM listener) ends that long after its last entry, while a service that logs steadily
   * keeps one socket (reopening costs a `socket()` and a `connect()`: see bench case 7).
   */
  readonly idleCloseMs?: number;
  /** After the socket was missing or refused, entries go straight to stderr this long before the next try. Default 1000. */
  readonly retryMs?: number;
  /** While journald's queue is full (EAGAIN), entries wait in order up to this many bytes; the ones beyond go to stderr. Default 1 MiB. */
  readonly maxQueuedBytes?: number;
  /** Waiting entries go to stderr when journald takes none of them for this many ms. Default 1000. */
  readonly stallMs?: number;
  /** Where entries go when the socket cannot take them. Default: `process.stderr`. */
  readonly writeStderr?: (text: string) => void;
  /** Where problems are reported, each kind at most once per `logIntervalMs`. Default: stderr at priority 4. */
  readonly logger?: NotifyLogger;
  /** Default 60000. */
  readonly logIntervalMs?: number;
}

type Attempt = 'sent' | 'congested' | 'too-big' | { readonly errno: string };

/** Problems go where the entries go when the socket fails: stderr, which is the journal stream. */
const stderrWarnings: NotifyLogger = {
  debug: () => undefined,
  warn: (message) => void process.stderr.write(`<4>[JournaldLogger] ${message}\n`),
  error: (message) => void process.stderr.write(`<3>[JournaldLogger] ${message}\n`),
};

/**
 * Sends journal entries to journald's datagram socket, connected once and kept open while
 * entries flow, without ever throwing or blocking. Nothing is lost: an entry the socket cannot
 * take goes to stderr (the journal stream, under systemd) as `<priority>` lines instead.
 *
 * - Socket missing or refused (ENOENT, ECONNREFUSED, EACCES), transport not loadable: that
 *   entry, and the ones of the next `retryMs`, go to stderr; then a fresh connection is tried.
 *   A connected socket that fails is reconnected once at once (journald restarted).
 * - journald's queue full (EAGAIN, ENOBUFS): entries wait in order, bounded by
 *   `maxQueuedBytes`, and go out when the socket turns writable; those beyond the bound, those
 *   still waiting after `stallMs` without progress, and those waiting when the process exits,
 *   go to stderr.
 * - Entry larger than one datagram can be (EMSGSIZE, set by the kernel from the socket's send
 *   buffer; 212,960 bytes with Linux's default `net.core.wmem_default`): that entry goes to
 *   stderr. Passing it in a memfd, as libsystemd does, needs fd passing, which unix-dgram lacks.
 *
 * Each kind of problem is reported once a minute at most, with a count of the held-back ones.
 */
export class JournalSocket {
  private static readonly waiting = new Set<JournalSocket>();
  private static exitHooked = false;

  /** Entries sent over the socket, and entries written to stderr instead. */
  readonly counts = { sent: 0, toStderr: 0 };
  private socket: UnixDgramSocket | undefined;
  private readonly queue: JournalDatagram[] = [];
  private queuedBytes = 0;
  private congested = false;
  private downUntil = 0;
  private idleTimer: NodeJS.Timeout | undefined;
  private stallTimer: NodeJS.Timeout | undefined;
  private readonly log: RateLimitedLogger;
  private readonly idleCloseMs: number;
  private readonly retryMs: number;
  private readonly maxQueuedBytes: number;
  private readonly stallMs: number;
  private readonly writeStderr: (text: string) => void;

  constructor(
    readonly path: string = JOURNAL_SOCKET_PATH,
    options: JournalSocketOptions = {},
  ) {
    this.idleCloseMs = options.idleCloseMs ?? 100;
    this.retryMs = options.retryMs ?? 1000;
    this.maxQueuedBytes = options.maxQueuedBytes ?? 1024 * 1024;
    this.stallMs = options.stallMs ?? 1000;
    this.writeStderr = options.writeStderr ?? ((text) => void process.stderr.write(text));
    this.log = new RateLimitedLogger(options.logger ?? stderrWarnings, options.logIntervalMs);
  }

  /** Entries waiting for journald to make room. */
  get pending(): number {
    return this.queue.length;
  }

  /** Whether a socket is open right now (it closes itself when idle). */
  get isOpen(): boolean {
    return this.socket !== undefined;
  }

  /** Sends `datagram` now, or queues it, or writes it to stderr instead. Never throws. */
  send(datagram: JournalDatagram): void {
    if (this.congested || this.queue.length > 0) {
      this.enqueue(datagram);
      return;
    }
    if (this.downUntil !== 0) {
      if (performance.now() < this.downUntil) {
        this.toStderr(datagram);
        return;
      }
      this.downUntil = 0;
    }
    const attempt = this.trySend(datagram.bytes);
    if (attempt === 'sent') {
      this.counts.sent++;
      this.armIdleClose();
    } else if (attempt === 'congested') {
      this.congested = true;
      this.enqueue(datagram);
      this.armStall();
    } else if (attempt === 'too-big') {
      this.tooBig(datagram);
      this.armIdleClose();
    } else {
      this.fail(attempt.errno);
      this.toStderr(datagram);
    }
  }

  /**
   * Sends what waits if journald takes it, writes the rest to stderr, and closes the socket.
   * A later {@link send} opens a new one.
   */
  close(): void {
    if (this.queue.length > 0) {
      this.congested = false;
      this.flush();
      this.spill();
    }
    this.closeSocket();
  }

  private enqueue(datagram: JournalDatagram): void {
    if (this.queuedBytes + datagram.bytes.length > this.maxQueuedBytes) {
      this.log.warn('congested', journalMessages.congested(this.queuedBytes));
      this.toStderr(datagram);
      return;
    }
    this.queue.push(datagram);
    this.queuedBytes += datagram.bytes.length;
    JournalSocket.waiting.add(this);
    if (!JournalSocket.exitHooked) {
      JournalSocket.exitHooked = true;
      process.on('exit', JournalSocket.atExit);
    }
  }

  /** The process is exiting: whatever still waits goes out now, to the socket or to stderr. */
  private static atExit(this: void): void {
    for (const socket of JournalSocket.waiting) socket.close();
  }

  private flush(): void {
    let progress = false;
    while (this.queue.length > 0) {
      const head = this.queue[0]!;
      const attempt = this.trySend(head.bytes);
      if (attempt === 'congested') {
        this.congested = true;
        if (progress) this.stallTimer?.refresh();
        return;
      }
      this.queue.shift();
      this.queuedBytes -= head.bytes.length;
      if (attempt === 'sent') {
        this.counts.sent++;
        progress = true;
      } else if (attempt === 'too-big') {
        this.tooBig(head);
      } else {
        this.fail(attempt.errno);
        this.toStderr(head);
        this.spill();
        return;
      }
    }
    this.congested = false;
    this.clearStall();
    JournalSocket.waiting.delete(this);
    this.armIdleClose();
  }

  /** Everything waiting goes to stderr, in order, in one write. */
  private spill(): void {
    if (this.queue.length > 0) {
      this.counts.toStderr += this.queue.length;
      this.writeStderr(this.queue.map((datagram) => datagram.fallback()).join(''));
    }
    this.queue.length = 0;
    this.queuedBytes = 0;
    this.congested = false;
    this.clearStall();
    JournalSocket.waiting.delete(this);
  }

  private toStderr(datagram: JournalDatagram): void {
    this.counts.toStderr++;
    this.writeStderr(datagram.fallback());
  }

  private tooBig(datagram: JournalDatagram): void {
    this.log.warn('too-big', journalMessages.entryTooBig(datagram.bytes.length));
    this.toStderr(datagram);
  }

  private fail(errno: string): void {
    this.closeSocket();
    this.downUntil = performance.now() + this.retryMs;
    this.log.warn(`unusable:${errno}`, journalMessages.socketUnusable(this.path, errno));
  }

  private trySend(bytes: Buffer): Attempt {
    const reused = this.socket !== undefined;
    const socket = this.socket ?? this.open();
    if (typeof socket === 'string') return { errno: socket };
    const attempt = this.sendOn(socket, bytes);
    if (typeof attempt === 'string' || !reused) return attempt;
    // The connection went stale (journald restarted and bound a new socket): one fresh try.
    this.closeSocket();
    const fresh = this.open();
    return typeof fresh === 'string' ? { errno: fresh } : this.sendOn(fresh, bytes);
  }

  private sendOn(socket: UnixDgramSocket, bytes: Buffer): Attempt {
    let attempt: Attempt = 'sent';
    try {
      // unix-dgram calls back synchronously: code 1 is EAGAIN/ENOBUFS ('writable' follows).
      socket.send(bytes, (error) => {
        if (!error) return;
        if (error.code === 1) attempt = 'congested';
        else if (errnoName(error.code) === 'EMSGSIZE') attempt = 'too-big';
        else attempt = { errno: errnoName(error.code) };
      });
    } catch (error) {
      attempt = { errno: (error as Error).message };
    }
    return attempt;
  }

  /** Opens and connects a socket, or says why it could not. */
  private open(): UnixDgramSocket | string {
    const socket = connectUnixDgram(this.path, () => {
      this.congested = false;
      this.flush();
    });
    if (typeof socket !== 'string') this.socket = socket;
    return socket;
  }

  private armIdleClose(): void {
    if (this.idleTimer) {
      this.idleTimer.refresh();
      return;
    }
    this.idleTimer = setTimeout(() => {
      this.idleTimer = undefined;
      if (this.queue.length === 0 && !this.congested) this.closeSocket();
      else this.armIdleClose();
    }, this.idleCloseMs);
    this.idleTimer.unref();
  }

  private armStall(): void {
    if (this.stallTimer) {
      this.stallTimer.refresh();
      return;
    }
    this.stallTimer = setTimeout(() => {
      this.stallTimer = undefined;
      if (this.queue.length === 0) return;
      this.log.warn('stalled', journalMessages.stalled(this.queue.length, this.stallMs));
      this.spill();
      this.closeSocket();
    }, this.stallMs);
    this.stallTimer.unref();
  }

  private clearStall(): void {
    if (this.stallTimer) clearTimeout(this.stallTimer);
    this.stallTimer = undefined;
  }

  private closeSocket(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    this.congested = false;
    if (this.socket) closeQuietly(this.socket);
    this.socket = undefined;
  }
}
