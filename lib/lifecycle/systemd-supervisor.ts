import type { NotifyDatagram, NotifyState } from '../notify/notify-message.js';
import type { SystemdNotifier } from '../notify/systemd-notifier.js';
import type { WatchdogEnv } from '../notify/watchdog-env.js';
import { errorReason } from '../error-reason.js';
import { redactForStatus } from '../health/status-redaction.js';
import { errnoOf } from '../notify/errno-of.js';
import { planWatchdog, type WatchdogPlan } from '../watchdog/watchdog-plan.js';
import { systemdMessages } from '../systemd.messages.js';
import type { SystemdPhase } from './systemd-phase.js';

export type { SystemdPhase };

/** What the supervisor needs to know of the options. */
export interface SupervisorSettings {
  /** `MAINPID=` to send with every READY, when the app asked for it (`sendMainPid`). */
  readonly mainPid: number | undefined;
  /** `watchdog` option: ping when systemd asks. */
  readonly watchdog: boolean;
  readonly intervalMs: number | undefined;
  readonly checkTimeoutMs: number | undefined;
  readonly hasChecks: boolean;
  /** The `STATUS=` that goes with the module's own `STOPPING=1`. */
  readonly stoppingStatus: string | undefined;
  /**
   * Another application of the process speaks for the service: this one follows its own
   * phases but sends nothing until it takes over ({@link SystemdSupervisor.takeOver}).
   */
  readonly standingBy?: boolean;
}

/** The supervisor's log sink (Nest's `Logger` fits). */
export interface SupervisorLogger {
  log(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  debug(message: string): void;
}

/** Sent to listeners whenever the phase or the watchdog plan changes. */
export interface SupervisorChange {
  readonly phase: SystemdPhase;
  /** The watchdog plan in force, or undefined when the module does not ping. */
  readonly plan: WatchdogPlan | undefined;
}

const PINGING: ReadonlySet<SystemdPhase> = new Set(['ready', 'reloading']);
const SHUT: ReadonlySet<SystemdPhase> = new Set(['stopping', 'stopped']);

/** Why the watchdog is off, for the start-up line. */
function watchdogOffReason(watchdog: WatchdogEnv): string {
  if (watchdog.state === 'enabled') return 'disabled by options';
  // The notifier has logged why already, as an error: the line points to it.
  if (watchdog.state === 'invalid') return systemdMessages.watchdogInvalidAbove();
  return watchdog.reason;
}

/**
 * The one owner of what systemd is told about the service's state: the phase (starting →
 * ready ⇄ reloading → stopping → stopped) and the watchdog plan. Every READY, RELOADING,
 * STOPPING and WATCHDOG goes through {@link notify}, whoever asks (the lifecycle, the watchdog,
 * the reload handler, the app through `SystemdService`), so that no path can send what the
 * phase forbids: no READY once shutdown has begun, no second STOPPING, no ping after STOPPING,
 * and a READY sent by hand starts the pings as the module's own does.
 */
export class SystemdSupervisor {
  private current: SystemdPhase = 'starting';
  private appStatus: string | undefined;
  private appStatusesReported = 0;
  /**
   * The latest status that says what the start is at: the app's, or what READY waits for
   * ({@link waiting}). A STOPPING before READY repeats it, for `systemctl status` of a failed start.
   */
  private startWord: string | undefined;
  private plan: WatchdogPlan | undefined;
  private timeoutUsec: bigint | undefined;
  /** The health verdict on show, which holds the app's own texts back (see {@link holdStatus}). */
  private heldStatus: string | undefined;
  /**
   * The module's STOPPING datagram, encoded early in the start (see {@link beginStart}): at the
   * stop signal only the send is left to do (encoding it there, with code that has not run yet,
   * took about 50 µs).
   */
  private stoppingDatagram: NotifyDatagram | undefined;
  /** The module's READY (with `MAINPID=` when asked), encoded at creation for the same reason. */
  private readonly readyDatagram: NotifyDatagram | undefined;
  private readonly listeners = new Set<(change: SupervisorChange) => void>();
  private finishListeners: (() => void)[] = [];
  private speaking: boolean;
  /** An `ERRNO=` other than 0 is on show (a failed reload): systemd keeps it until told. */
  private errnoShown = false;
  /** `failedToStart()` told systemd why the start failed. */
  private startFailureReported = false;
  private handOver: (() => boolean) | undefined;

  constructor(
    private readonly notifier: SystemdNotifier,
    private readonly settings: SupervisorSettings,
    private readonly logger: SupervisorLogger,
  ) {
    this.speaking = !settings.standingBy;
    const watchdog = notifier.watchdog;
    if (watchdog.state === 'enabled') this.timeoutUsec = watchdog.usec;
    if (!notifier.enabled) return;
    // STOPPING's is encoded at the start's first turn of the event loop (see beginStart).
    this.readyDatagram = notifier.prepare({ ready: true, mainPid: settings.mainPid });
    if (watchdog.state === 'enabled') {
      if (settings.watchdog) this.replan(watchdog.usec);
      else this.logger.warn(systemdMessages.watchdogDisabledButAsked(watchdog.timeoutMs));
    }
    const address = notifier.address.state === 'usable' ? notifier.address.address.path : '';
    const watchdogText = this.plan
      ? systemdMessages.watchdogOn(this.plan, settings.hasChecks)
      : systemdMessages.watchdogOff(watchdogOffReason(watchdog));
    if (this.speaking) this.logger.log(systemdMessages.supervised(address, watchdogText));
  }

  /** Whether notifications reach systemd, now. */
  get enabled(): boolean {
    return this.notifier.enabled && this.speaking;
  }

  /**
   * Whether this application takes part in supervision (`NOTIFY_SOCKET` usable), speaking for
   * the service or standing by: its lifecycle and watchdog are wired either way.
   */
  get supervised(): boolean {
    return this.notifier.enabled;
  }

  get phase(): SystemdPhase {
    return this.current;
  }

  /** The watchdog plan in force, or undefined when the module does not ping. */
  get watchdogPlan(): WatchdogPlan | undefined {
    return this.plan;
  }

  /** The timeout systemd enforces, in µs, as last told (environment or `WATCHDOG_USEC=`). */
  get watchdogUsec(): bigint | undefined {
    return this.timeoutUsec;
  }

  /** Datagrams systemd has not accepted yet (a congested or missing receiver). */
  get pending(): number {
    return this.notifier.pending;
  }

  /** The last status the app reported; restored when health recovers or a reload ends. */
  get lastStatus(): string | undefined {
    return this.appStatus;
  }

  /** How many statuses the app has reported so far: compare two readings to tell whether it spoke. */
  get appStatusCount(): number {
    return this.appStatusesReported;
  }

  /**
   * `verdict`: the unhealthy or degraded text now on show, or undefined once health is back.
   * While one is held, the app's own `STATUS=` texts are kept (and restored later with
   * {@link lastStatus}) but not sent, and a READY (the end of a reload) shows it again, after
   * what replaced it meanwhile ("Reloading"), so that it stays visible until health changes.
   */
  holdStatus(verdict: string | undefined): void {
    this.heldStatus = verdict;
  }

  /** Calls `listener` on every change of phase or plan; returns the unsubscribe function. */
  onChange(listener: (change: SupervisorChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Asked when this supervisor is about to stop the service (or failed to start it): true if
   * another application of the process took the service over, and no STOPPING is due. Set only
   * while other applications stand by; undefined otherwise, so that a lone application's
   * STOPPING runs no code of this.
   */
  onHandOver(decide: (() => boolean) | undefined): void {
    this.handOver = decide;
  }

  /**
   * From now on this application speaks for the service, which another one did until it
   * stopped: READY with the app's status if it serves (systemd ignores a READY it already has),
   * and the pings, which its watchdog was holding back.
   */
  takeOver(): void {
    if (this.speaking || !this.notifier.enabled) return;
    this.speaking = true;
    if (PINGING.has(this.current)) this.notify({ ready: true, status: this.appStatus });
  }

  /**
   * Calls `listener` once this supervisor has nothing more to tell systemd: the app has
   * stopped, or failed to start.
   */
  onFinished(listener: () => void): void {
    this.finishListeners.push(listener);
  }

  /**
   * Sends `state` as one datagram, less what the phase forbids, and moves the phase on.
   * `appStatus`: whether a `status` in it is the app's own (kept, and restored after an
   * unhealthy spell) rather than one the module reports for a while. Returns whether a
   * datagram was handed to the socket.
   */
  notify(state: NotifyState, { appStatus = true }: { appStatus?: boolean } = {}): boolean {
    let allowed = this.filter(state);
    if (allowed === undefined) return false;
    if (appStatus && allowed.status !== undefined) {
      this.appStatus = allowed.status;
      this.startWord = allowed.status;
      this.appStatusesReported++;
      // The health verdict on show stays until it changes; the app's text comes back then.
      if (this.heldStatus !== undefined) {
        const { status: _kept, ...rest } = allowed;
        if (Object.values(rest).every((value) => value === undefined)) return this.enabled;
        allowed = rest;
      }
    }
    // systemd shows a STATUS= until the next one: the READY that ends a reload brings the
    // verdict back over "Reloading", after the module's own word on the reload (why it failed).
    if (allowed.ready && this.heldStatus !== undefined) {
      const own = appStatus ? undefined : allowed.status;
      allowed = { ...allowed, status: own ? `${own}; ${this.heldStatus}` : this.heldStatus };
    }
    // A READY says the service is well again: the failure an earlier ERRNO= reported is over.
    if (allowed.ready && allowed.errno === undefined && this.errnoShown) {
      allowed = { ...allowed, errno: 0 };
    }
    const sent = this.speaking && this.notifier.notify(allowed);
    if (sent && allowed.errno !== undefined) this.errnoShown = allowed.errno !== 0;
    if (allowed.stopping) this.enter('stopping');
    else if (allowed.ready) this.enter('ready');
    else if (allowed.reloading) this.enter('reloading');
    if (allowed.watchdogUsec !== undefined && this.settings.watchdog && sent) {
      this.replan(BigInt(allowed.watchdogUsec));
      this.emit();
    }
    return sent;
  }

  /**
   * READY=1. At start-up it leaves alone, as encoded then, and `status` (text, or a function
   * that gives it) follows in a datagram of its own: building and encoding the text would
   * hold READY back by more than sending it takes. A READY that ends a reload carries it.
   */
  ready(status?: string | (() => string)): boolean {
    const text = (): string | undefined => (typeof status === 'function' ? status() : status);
    if (this.current !== 'starting' || this.readyDatagram === undefined) {
      return this.notify({ ready: true, status: text() });
    }
    const sent = this.speaking && this.notifier.send(this.readyDatagram);
    // The status before the phase moves on: entering 'ready' starts the pings, whose first
    // may go out at once.
    if (status !== undefined) this.notify({ status: text() });
    this.enter('ready');
    return sent;
  }

  /**
   * The start begins, with `status` its first word. Only what READY needs is done now (its
   * datagram was encoded without the encoder, and the socket is opened here, so that READY
   * leaves with one send(2)); the rest waits for the next turn of the event loop. A start that
   * waits for nothing (no connection, no file: the module's creation, the bootstrap and the
   * server's `'listening'` in one turn) sends READY in that same turn, before it:
   * - `STATUS=` with the first word, unless the start has moved on by then (READY, a status of
   *   the app's or of the module's, a failure): a status that READY's own replaces at once
   *   costs a datagram, and systemd a wake-up, for nothing anyone could read;
   * - STOPPING's datagram, encoded for a stop to send at once: the encoder's first run
   *   (compiling it) would otherwise fall on the start. A stop before then encodes its own.
   */
  beginStart(status: string): void {
    this.startWord = status;
    if (!this.notifier.enabled) return;
    if (this.speaking) this.notifier.open();
    setImmediate(() => {
      const movedOn =
        this.startWord !== status || this.appStatusesReported > 0 || this.startFailureReported;
      if (!movedOn) this.waiting(status);
      this.stoppingDatagram ??= this.notifier.prepare({
        stopping: true,
        status: this.settings.stoppingStatus,
      });
    });
  }

  /**
   * `STATUS=` of the start in the module's words (its first, then what READY still waits for):
   * not the app's (not restored later), but repeated by a STOPPING that ends the start.
   */
  waiting(status: string): boolean {
    if (this.current !== 'starting') return false;
    this.startWord = status;
    return this.notify({ status }, { appStatus: false });
  }

  /** RELOADING=1; its status is for the reload only (READY restores the app's). */
  reloading(status?: string): boolean {
    return this.notify({ reloading: true, status }, { appStatus: false });
  }

  /** STOPPING=1, once: every way shutdown can begin calls this, and the first one counts. */
  stopping(status?: string): boolean {
    if (SHUT.has(this.current)) return false;
    if (this.handOver && this.speaking && this.handOver()) this.speaking = false;
    if (!this.speaking) {
      this.enter('stopping');
      return false;
    }
    if (status !== this.settings.stoppingStatus) {
      return this.notify({ stopping: true, status }, { appStatus: false });
    }
    // Stopped before READY (a start that timed out, a stop during a slow onModuleInit): systemd
    // keeps the last STATUS= of a failed unit on show, and the start's last word says what it
    // waited for.
    if (this.current === 'starting' && this.startWord !== undefined && status !== undefined) {
      const text = systemdMessages.stoppingBeforeReady(status, this.startWord);
      return this.notify({ stopping: true, status: text }, { appStatus: false });
    }
    if (this.stoppingDatagram === undefined) {
      return this.notify({ stopping: true, status }, { appStatus: false });
    }
    const sent = this.notifier.send(this.stoppingDatagram);
    this.enter('stopping');
    return sent;
  }

  /** WATCHDOG=1 while systemd enforces the watchdog. The tick's path: no allocation, no encoding. */
  ping(): boolean {
    return PINGING.has(this.current) && this.speaking && this.notifier.ping();
  }

  /**
   * Start-up failed (a port in use, a transport that could not connect): tells systemd why,
   * with `ERRNO=` when the error has one and credentials masked (a broker's URL), and lets go
   * of the socket at once, so that a process on its way out is not held up by it. The log
   * keeps the whole message.
   */
  failedToStart(what: string, error: unknown): void {
    this.startFailureReported = true;
    const reason = errorReason(error);
    if (this.handOver && this.speaking && this.handOver()) this.speaking = false;
    // Not under systemd (a laptop, a test), or standing by: nobody is told anything.
    this.logger.error(systemdMessages.startFailedLog(what, reason, this.enabled));
    this.notify({
      status: systemdMessages.startFailedStatus(what, redactForStatus(reason)),
      errno: errnoOf(error),
    });
    void this.notifier.close(0).then(() => this.finish());
  }

  /**
   * The process is about to die of an error nothing caught: tells systemd why, with `ERRNO=`
   * when the error has one, as the last status of the failed unit. Credentials in the message
   * are masked, as in a health check's (`STATUS=` is readable by every local user). Nothing
   * once the app has stopped, or after a start failure said why already (the same error, as the
   * rejection of `listen()` that nobody caught).
   */
  crashed(error: unknown): void {
    if (this.current === 'stopped' || this.startFailureReported) return;
    const reason = errorReason(error);
    this.notify(
      { status: systemdMessages.crashedStatus(redactForStatus(reason)), errno: errnoOf(error) },
      { appStatus: false },
    );
  }

  /**
   * Keeps the notify socket open, rather than closed after a second idle, until the returned
   * function is called: for while the app's server keeps the process alive anyway, so that
   * STOPPING=1 leaves with one send(2).
   */
  holdNotifySocket(): () => void {
    return this.notifier.holdOpen();
  }

  /** The app is done: delivers what is queued and releases the socket. */
  async stopped(): Promise<void> {
    this.enter('stopped');
    await this.notifier.close();
    this.finish();
  }

  private finish(): void {
    const listeners = this.finishListeners;
    this.finishListeners = [];
    for (const listener of listeners) listener();
  }

  private filter(state: NotifyState): NotifyState | undefined {
    const shut = SHUT.has(this.current);
    const drop: (keyof NotifyState)[] = [];
    if (state.ready && shut) drop.push('ready');
    if (state.reloading && this.current !== 'ready') drop.push('reloading');
    if (state.stopping && shut) drop.push('stopping');
    // The status that came with a refused change of state describes that change: it would
    // overwrite the true one ("Listening on …" over "Shutting down").
    if (drop.length > 0 && state.status !== undefined) drop.push('status');
    // A ping only counts while systemd enforces the watchdog; a trigger until shutdown.
    if (state.watchdog === true && !PINGING.has(this.current)) drop.push('watchdog');
    if (state.watchdog === 'trigger' && shut) drop.push('watchdog');
    let allowed: NotifyState = state;
    if (drop.length > 0) {
      this.logger.debug(systemdMessages.notSentInPhase(drop, this.current));
      allowed = Object.fromEntries(
        Object.entries(state).filter(([key]) => !drop.includes(key as keyof NotifyState)),
      ) as NotifyState;
      // Nothing left worth a datagram (a monotonic stamp alone means nothing to systemd).
      const meaningful = Object.entries(allowed).some(
        ([key, value]) => value !== undefined && value !== false && key !== 'monotonicUsec',
      );
      if (!meaningful) return undefined;
    }
    if (allowed.ready && this.settings.mainPid !== undefined && allowed.mainPid === undefined) {
      allowed = { ...allowed, mainPid: this.settings.mainPid };
    }
    return allowed;
  }

  private replan(usec: bigint): void {
    this.timeoutUsec = usec;
    this.plan = planWatchdog({
      timeoutUsec: usec,
      intervalMs: this.settings.intervalMs,
      checkTimeoutMs: this.settings.checkTimeoutMs,
      hasChecks: this.settings.hasChecks,
    });
    if (this.plan.adjusted) this.logger.warn(this.plan.adjusted);
  }

  private enter(phase: SystemdPhase): void {
    if (this.current === phase) return;
    this.current = phase;
    this.emit();
  }

  private emit(): void {
    const change: SupervisorChange = { phase: this.current, plan: this.plan };
    for (const listener of this.listeners) listener(change);
  }
}
