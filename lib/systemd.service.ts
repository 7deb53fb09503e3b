import { Inject, Injectable } from '@nestjs/common';
import type { NotifyState } from './notify/notify-message.js';
import type { SystemdNotifier } from './notify/systemd-notifier.js';
import type { ResolvedSystemdOptions } from './systemd-options.js';
import { SYSTEMD_NOTIFIER, SYSTEMD_RESOLVED_OPTIONS } from './systemd.constants.js';
import type { SystemdReloadOutcome } from './systemd-reload.service.js';
import { systemdMessages } from './systemd.messages.js';

/** Where the service is in systemd's eyes. */
export type SystemdPhase = 'starting' | 'ready' | 'stopping';

/**
 * Sends notifications to systemd by hand; the module already sends READY, WATCHDOG and
 * STOPPING at the right moments. Every method is a no-op (returning false) when the app does
 * not run under systemd, and none of them throws.
 */
@Injectable()
export class SystemdService {
  private currentPhase: SystemdPhase = 'starting';
  private appStatus: string | undefined;
  private readonly phaseListeners = new Set<(phase: SystemdPhase) => void>();
  private readonly intervalMs: number | undefined;
  private reloader: (() => Promise<SystemdReloadOutcome>) | undefined;

  constructor(
    @Inject(SYSTEMD_NOTIFIER) private readonly notifier: SystemdNotifier,
    @Inject(SYSTEMD_RESOLVED_OPTIONS) options: ResolvedSystemdOptions,
  ) {
    const watchdog = notifier.watchdog;
    if (notifier.enabled && options.watchdog && watchdog.state === 'enabled') {
      const period = options.watchdogIntervalMs ?? watchdog.periodMs;
      // Against the real timeout: a huge WATCHDOG_USEC clamps both to Node's longest timer.
      if (BigInt(period) * 1000n >= watchdog.usec) {
        throw new Error(systemdMessages.intervalTooLong(period, watchdog.timeoutMs));
      }
      if (options.healthCheckTimeoutMs !== undefined && options.healthCheckTimeoutMs >= period) {
        throw new Error(systemdMessages.timeoutTooLong(options.healthCheckTimeoutMs, period));
      }
      this.intervalMs = period;
    }
  }

  /** Whether notifications reach systemd (`NOTIFY_SOCKET` is set, valid and reachable). */
  get enabled(): boolean {
    return this.notifier.enabled;
  }

  /** The watchdog timeout systemd enforces on this process, in µs, or undefined when there is none. */
  get watchdogUsec(): bigint | undefined {
    return this.notifier.watchdog.state === 'enabled' ? this.notifier.watchdog.usec : undefined;
  }

  /** The period at which the module pings the watchdog, in ms, or undefined when it does not. */
  get watchdogIntervalMs(): number | undefined {
    return this.intervalMs;
  }

  /** `'starting'` until READY, `'ready'` until STOPPING, then `'stopping'`. */
  get phase(): SystemdPhase {
    return this.currentPhase;
  }

  /** The last status the app reported (with READY or {@link status}); restored when health recovers. */
  get lastStatus(): string | undefined {
    return this.appStatus;
  }

  /**
   * `READY=1` with a status text (and `MAINPID=` if configured). Starts the watchdog pings the
   * first time. Ignored once shutdown has begun.
   */
  ready(status?: string, options: { mainPid?: number } = {}): boolean {
    if (this.currentPhase === 'stopping') return false;
    if (status !== undefined) this.appStatus = status;
    const sent = this.notifier.notify({ ready: true, status, mainPid: options.mainPid });
    this.enter('ready');
    return sent;
  }

  /** `STATUS=<text>`: what `systemctl status` shows. Control characters are replaced by spaces. */
  status(text: string): boolean {
    this.appStatus = text;
    return this.notifier.notify({ status: text });
  }

  /** `RELOADING=1` with `MONOTONIC_USEC=` in the same datagram; send {@link ready} when done. */
  reloading(status?: string): boolean {
    return this.notifier.notify({ reloading: true, status });
  }

  /**
   * Reloads as `systemctl reload` would (for a config watcher, say): runs the
   * `@OnSystemdReload()` handlers between `RELOADING=1` and `READY=1`. Coalesced with a reload
   * in progress; handlers run even when not under systemd. Never rejects.
   */
  reload(): Promise<SystemdReloadOutcome> {
    return this.reloader?.() ?? Promise.resolve({ ok: true, failures: [] });
  }

  /** @internal The reload service registers itself here. */
  setReloader(reloader: () => Promise<SystemdReloadOutcome>): void {
    this.reloader = reloader;
  }

  /** `STOPPING=1`: shutdown has begun. Sent once; stops the watchdog pings. */
  stopping(status?: string): boolean {
    if (this.currentPhase === 'stopping') return false;
    const sent = this.notifier.notify({ stopping: true, status });
    this.enter('stopping');
    return sent;
  }

  /** `EXTEND_TIMEOUT_USEC=`: asks systemd for `ms` more from now (start-up, runtime or stop timeout). */
  extendTimeout(ms: number): boolean {
    return this.notifier.notify({
      extendTimeoutUsec: Number.isFinite(ms) ? Math.round(ms * 1000) : ms,
    });
  }

  /** `WATCHDOG=1` now. The module pings by itself; this is for apps that drive the watchdog themselves. */
  ping(): boolean {
    return this.notifier.ping();
  }

  /** `WATCHDOG=trigger`: asks systemd to treat the service as failed now (its `Restart=` applies). */
  watchdogTrigger(reason?: string): boolean {
    return this.notifier.notify({ watchdog: 'trigger', status: reason });
  }

  /** Any combination of assignments in one datagram. */
  notify(state: NotifyState): boolean {
    return this.notifier.notify(state);
  }

  /** @internal Called on every phase change (the watchdog starts and stops with it). */
  onPhaseChange(listener: (phase: SystemdPhase) => void): () => void {
    this.phaseListeners.add(listener);
    return () => this.phaseListeners.delete(listener);
  }

  private enter(phase: SystemdPhase): void {
    if (this.currentPhase === phase) return;
    this.currentPhase = phase;
    for (const listener of this.phaseListeners) listener(phase);
  }
}
