import { parseNotifySocket, type NotifyAddressResult } from './notify-address.js';
import { consoleNotifyLogger, RateLimitedLogger, type NotifyLogger } from './notify-logger.js';
import {
  encodeNotifyMessage,
  encodeReadyMessage,
  NotifyMessageError,
  type NotifyDatagram,
  type NotifyState,
} from './notify-message.js';
import { NotifySocket, type NotifySocketOptions } from './notify-socket.js';
import { notifyMessages } from './notify.messages.js';
import { loadUnixDgram } from './unix-dgram-transport.js';
import { readWatchdogEnv, type WatchdogEnv } from './watchdog-env.js';

/** Options for {@link SystemdNotifier}. */
export interface SystemdNotifierOptions {
  /** Where to read `NOTIFY_SOCKET` / `WATCHDOG_*` from. Default `process.env`. */
  readonly env?: Record<string, string | undefined>;
  /** Our pid, for `WATCHDOG_PID`. Default `process.pid`. */
  readonly pid?: number;
  /**
   * Remove `NOTIFY_SOCKET`, `WATCHDOG_USEC` and `WATCHDOG_PID` from `env` once read, so child
   * processes do not inherit them (`sd_notify(unset_environment=1)`). The address is kept for
   * this notifier's own later messages. Default false.
   */
  readonly unsetEnvironment?: boolean;
  /** Where problems are reported (rate-limited). Default: stderr. */
  readonly logger?: NotifyLogger;
  /** How often the same kind of problem may be logged, in ms. Default 60000. */
  readonly logIntervalMs?: number;
  readonly socket?: NotifySocketOptions;
}

let watchdogPing: NotifyDatagram | undefined;

/**
 * The watchdog ping never varies: encoded once, at the first ping, not on every tick (nor at
 * import, which would compile the encoder in every app that is not supervised).
 */
function watchdogPingDatagram(): NotifyDatagram {
  watchdogPing ??= encodeNotifyMessage({ watchdog: true });
  return watchdogPing;
}

/** Whether `state` sets nothing but `keys`. */
function setsOnly(state: NotifyState, keys: readonly (keyof NotifyState)[]): boolean {
  for (const key in state) {
    const name = key as keyof NotifyState;
    if (!keys.includes(name) && state[name] !== undefined) return false;
  }
  return true;
}

/** Whether `state` is `WATCHDOG=1` and nothing else. */
function isLonePing(state: NotifyState): boolean {
  return state.watchdog === true && setsOnly(state, ['watchdog']);
}

/** Whether `state` is `READY=1`, with `MAINPID=` or without, and nothing else. */
function isLoneReady(state: NotifyState): boolean {
  return state.ready === true && setsOnly(state, ['ready', 'mainPid']);
}

/** The variables systemd sets for `sd_notify(3)` and `sd_watchdog_enabled(3)`. */
export const SUPERVISION_VARIABLES = ['NOTIFY_SOCKET', 'WATCHDOG_USEC', 'WATCHDOG_PID'] as const;

/** Removes {@link SUPERVISION_VARIABLES} from `env`, so child processes do not inherit them. */
export function unsetSupervisionEnvironment(
  env: Record<string, string | undefined> = process.env,
): void {
  for (const name of SUPERVISION_VARIABLES) delete env[name];
}

/**
 * The protocol layer's front door, free of Nest: reads the environment once, encodes
 * sanitised messages and sends them. Without `NOTIFY_SOCKET` every call is a cheap no-op.
 *
 * ```ts
 * const notifier = new SystemdNotifier();
 * notifier.notify({ ready: true, status: 'Listening on :3000' });
 * ```
 */
export class SystemdNotifier {
  /** What `NOTIFY_SOCKET` said. */
  readonly address: NotifyAddressResult;
  /** What `WATCHDOG_USEC` / `WATCHDOG_PID` said. */
  readonly watchdog: WatchdogEnv;
  private readonly log: RateLimitedLogger;
  private readonly socket: NotifySocket | undefined;

  constructor(options: SystemdNotifierOptions = {}) {
    const env = options.env ?? process.env;
    this.log = new RateLimitedLogger(
      options.logger ?? consoleNotifyLogger,
      options.logIntervalMs ?? 60_000,
    );
    this.address = parseNotifySocket(env.NOTIFY_SOCKET);
    this.watchdog = readWatchdogEnv(env, options.pid ?? process.pid);
    if (options.unsetEnvironment) unsetSupervisionEnvironment(env);

    switch (this.address.state) {
      case 'unset':
        this.log.debug(
          'NOTIFY_SOCKET is not set: not supervised by systemd, notifications are no-ops',
        );
        break;
      case 'invalid':
      case 'unsupported':
        this.log.error('address', this.address.reason);
        break;
      case 'usable': {
        const transport = loadUnixDgram();
        if (transport instanceof Error) {
          this.log.error('transport', notifyMessages.notNotifying(transport.message));
        } else this.socket = new NotifySocket(this.address.address.path, this.log, options.socket);
      }
    }
    if (this.watchdog.state === 'invalid') this.log.error('watchdog', this.watchdog.reason);
  }

  /** Whether notifications can reach systemd (`NOTIFY_SOCKET` usable and the transport loaded). */
  get enabled(): boolean {
    return this.socket !== undefined;
  }

  /** Datagrams waiting for systemd to accept them. */
  get pending(): number {
    return this.socket?.pending ?? 0;
  }

  /**
   * Sends one datagram built from `state`. Returns whether it was handed to the socket (sent
   * now or queued for retry); false when not supervised or when `state` is invalid, which is
   * logged rather than thrown, because notification problems must never take a service down.
   */
  notify(state: NotifyState): boolean {
    if (!this.socket) return false;
    // The message sent over and over (a watchdog tick): its datagram is encoded once.
    if (isLonePing(state)) return this.ping();
    const datagram = this.prepare(state);
    return datagram !== undefined && this.send(datagram);
  }

  /**
   * Encodes `state` now, to {@link send} later without encoding on that path (a message that
   * must leave the moment something happens, such as `STOPPING=1` at a signal). Problems are
   * logged as by {@link notify}; undefined when `state` is invalid or not supervised.
   */
  prepare(state: NotifyState): NotifyDatagram | undefined {
    if (!this.socket) return undefined;
    let datagram = isLoneReady(state) ? encodeReadyMessage(state.mainPid) : undefined;
    if (datagram) return datagram;
    try {
      datagram = encodeNotifyMessage(state);
    } catch (error) {
      const message = error instanceof NotifyMessageError ? error.message : String(error);
      this.log.error('encode', message);
      return undefined;
    }
    for (const adjustment of datagram.adjustments) this.log.warn(adjustment, adjustment);
    return datagram;
  }

  /** Sends a datagram from {@link prepare}. Returns what {@link notify} returns. */
  send(datagram: NotifyDatagram): boolean {
    if (!this.socket) return false;
    this.socket.send(datagram);
    return true;
  }

  /**
   * `WATCHDOG=1`, as `notify({ watchdog: true })` but without encoding it again: an isolated
   * ping spends about half its time encoding. False when not supervised.
   */
  ping(): boolean {
    if (!this.socket) return false;
    this.socket.send(watchdogPingDatagram());
    return true;
  }

  /**
   * Opens the notify socket now, so that the first message (a READY due soon) leaves with one
   * send(2). It closes again when idle, as after a message.
   */
  open(): void {
    this.socket?.open();
  }

  /**
   * Keeps the notify socket open between messages until the returned function is called,
   * rather than closing it when idle (after 100 ms by default). Call it while something else keeps
   * the process alive (a listening server): the open socket would otherwise keep a finished
   * process from exiting. The next message (`STOPPING=1` at a signal) then leaves with one
   * send(2) on the connected socket instead of a socket(2) and a sendto(2).
   */
  holdOpen(): () => void {
    return this.socket?.hold() ?? (() => undefined);
  }

  /** Delivers what is queued (waiting up to `timeoutMs`) and closes the socket. */
  async close(timeoutMs?: number): Promise<void> {
    await this.socket?.close(timeoutMs);
  }
}
