import { Inject, Injectable } from '@nestjs/common';
import { ModulesContainer } from '@nestjs/core';
import type { NotifyState } from './notify/notify-message.js';
import type { SystemdPhase } from './lifecycle/systemd-phase.js';
import { processOwner } from './lifecycle/process-owner.js';
import type { SystemdHealthReport } from './health/health-gate.js';
import type { SystemdReloadOutcome } from './reload/reload.service.js';
import type { SystemdSupervisor } from './lifecycle/systemd-supervisor.js';
import { modulesProviding } from './lifecycle/module-graph.js';
import type { SystemdSupervision } from './supervision.provider.js';
import { SYSTEMD_SUPERVISION } from './systemd.constants.js';
import { systemdMessages } from './systemd.messages.js';

export type { SystemdPhase };

/**
 * Sends notifications to systemd by hand; the module already sends READY, WATCHDOG and
 * STOPPING at the right moments. Every method is a no-op (returning false) when the app does
 * not run under systemd, and none of them throws. Whatever is sent here goes through the same
 * state as the module's own messages: a READY starts the watchdog pings, a STOPPING ends them,
 * a `WATCHDOG_USEC=` re-times them, and nothing contradicts the phase (no READY after
 * STOPPING).
 */
@Injectable()
export class SystemdService {
  /** Nest's record of the module's parts: its instance exists once Nest has built them. */
  readonly #parts: { readonly instance: unknown };

  // The parts are looked up rather than injected: forRootAsync()'s factory may inject an
  // indicator or service that itself injects SystemdService (a database service that reports
  // its migrations in STATUS=), and the parts depend on those options, so a direct dependency
  // would be a cycle, which Nest refuses at bootstrap. Nest registers every module's providers
  // before it builds any, so a missing forRoot() is known here already; used before the parts
  // exist (in such a provider's constructor), the service acts as when not under systemd.
  constructor(@Inject(ModulesContainer) modules: ModulesContainer) {
    const [host] = modulesProviding(modules, SYSTEMD_SUPERVISION);
    const parts = host?.providers.get(SYSTEMD_SUPERVISION);
    if (!parts) throw new Error(systemdMessages.notConfigured(processOwner()));
    this.#parts = parts;
  }

  get #supervision(): SystemdSupervision | undefined {
    return (this.#parts.instance as SystemdSupervision | null | undefined) ?? undefined;
  }

  /** Undefined only while Nest still builds the providers the module's options come from. */
  get #supervisor(): SystemdSupervisor | undefined {
    return this.#supervision?.supervisor;
  }

  /** Whether notifications reach systemd (`NOTIFY_SOCKET` is set, valid and reachable). */
  get enabled(): boolean {
    return this.#supervisor?.enabled ?? false;
  }

  /** The watchdog timeout systemd enforces on this process, in µs, or undefined when there is none. */
  get watchdogUsec(): bigint | undefined {
    return this.#supervisor?.watchdogUsec;
  }

  /** The period at which the module pings the watchdog, in ms, or undefined when it does not. */
  get watchdogIntervalMs(): number | undefined {
    return this.#supervisor?.watchdogPlan?.periodMs;
  }

  /**
   * `'starting'` until READY, `'ready'` (or `'reloading'`) until STOPPING, then `'stopping'`,
   * and `'stopped'` from the module's own `onApplicationShutdown`, which runs before other
   * modules' (a `status()` sent from theirs is still delivered).
   */
  get phase(): SystemdPhase {
    return this.#supervisor?.phase ?? 'starting';
  }

  /** The last status the app reported (with READY or {@link status}); restored when health recovers. */
  get lastStatus(): string | undefined {
    return this.#supervisor?.lastStatus;
  }

  /**
   * `READY=1` with a status text (and `MAINPID=` if configured). Starts the watchdog pings the
   * first time. Ignored once shutdown has begun.
   */
  ready(status?: string): boolean {
    return this.#supervisor?.ready(status) ?? false;
  }

  /** `STATUS=<text>`: what `systemctl status` shows. Control characters are replaced by spaces. */
  status(text: string): boolean {
    return this.#supervisor?.notify({ status: text }) ?? false;
  }

  /** `RELOADING=1` with `MONOTONIC_USEC=` in the same datagram; send {@link ready} when done. Only while ready. */
  reloading(status?: string): boolean {
    return this.#supervisor?.reloading(status) ?? false;
  }

  /**
   * Reloads as `systemctl reload` would (for a config watcher, say): runs the
   * `@OnSystemdReload()` handlers between `RELOADING=1` and `READY=1`. Coalesced with a reload
   * in progress; handlers run even when not under systemd. Never rejects.
   */
  reload(): Promise<SystemdReloadOutcome> {
    return this.#supervision?.reloader.reload() ?? Promise.resolve({ ok: false, failures: [] });
  }

  /**
   * The watchdog's verdict on each configured health check (`up`, `degraded`, `down` with the
   * reason, credentials masked), for a `/health` endpoint that must agree with the watchdog:
   * under systemd the watchdog's last round (running the checks again would disturb the
   * liveness checks), otherwise a round run now. Sends nothing.
   */
  checkHealth(): Promise<SystemdHealthReport> {
    return (
      this.#supervision?.watchdog.checkHealth() ?? Promise.resolve({ status: 'up', checks: {} })
    );
  }

  /** `STOPPING=1`: shutdown has begun. Sent once; stops the watchdog pings. */
  stopping(status?: string): boolean {
    return this.#supervisor?.stopping(status) ?? false;
  }

  /** `EXTEND_TIMEOUT_USEC=`: asks systemd for `ms` more from now (start-up, runtime or stop timeout). */
  extendTimeout(ms: number): boolean {
    return (
      this.#supervisor?.notify(
        { extendTimeoutUsec: Number.isFinite(ms) ? Math.round(ms * 1000) : ms },
        { appStatus: false },
      ) ?? false
    );
  }

  /** `WATCHDOG=1` now, while ready. The module pings by itself; this is for apps that drive the watchdog themselves. */
  ping(): boolean {
    return this.#supervisor?.ping() ?? false;
  }

  /** `WATCHDOG=trigger`: asks systemd to treat the service as failed now (its `Restart=` applies). */
  watchdogTrigger(reason?: string): boolean {
    return (
      this.#supervisor?.notify({ watchdog: 'trigger', status: reason }, { appStatus: false }) ??
      false
    );
  }

  /**
   * Any combination of assignments in one datagram, through the same state as everything else:
   * `ready` starts the pings, `stopping` ends them, `watchdogUsec` re-times them; what the
   * phase forbids (READY after STOPPING, a second STOPPING) is left out.
   */
  notify(state: NotifyState): boolean {
    return this.#supervisor?.notify(state) ?? false;
  }
}
