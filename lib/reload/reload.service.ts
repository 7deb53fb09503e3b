import { Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { errorReason } from '../error-reason.js';
import { redactForStatus } from '../health/status-redaction.js';
import type { SystemdPhase, SystemdSupervisor } from '../lifecycle/systemd-supervisor.js';
import { signalStopsTheApp } from '../lifecycle/shutdown-listeners.js';
import { errnoOf } from '../notify/errno-of.js';
import type { ResolvedSystemdOptions } from '../options/resolve-systemd-options.js';
import { SYSTEMD_LOGGER_CONTEXT } from '../systemd.constants.js';
import { systemdMessages } from '../systemd.messages.js';
import type { ReloadHandler, ReloadHandlerExplorer } from './reload-handler.explorer.js';

/** A reload handler that failed, and why. */
export interface SystemdReloadFailure {
  readonly handler: string;
  readonly reason: string;
  /** The errno reported to systemd (`ERRNO=`), when the failure carried one or timed out. */
  readonly errno: number | undefined;
}

/** What a reload did. */
export interface SystemdReloadOutcome {
  readonly ok: boolean;
  readonly failures: readonly SystemdReloadFailure[];
}

const TIMED_OUT = Symbol('timed out');

/** The failed handlers, each with its reason as `shown` puts it: all of it for the log. */
function summarize(
  failures: readonly SystemdReloadFailure[],
  shown: (reason: string) => string = (reason) => reason,
): string {
  return failures.map((f) => `${f.handler}: ${shown(f.reason)}`).join('; ');
}

/**
 * `systemctl reload` for `Type=notify-reload`: on the reload signal, `RELOADING=1` with
 * `MONOTONIC_USEC=` (one datagram), the `@OnSystemdReload()` handlers one after another, each
 * with a timeout, then `READY=1` whatever happened, so that the reload never hangs. Requests
 * that arrive during a reload are coalesced into one more run after it.
 */
export class SystemdReloadService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(SYSTEMD_LOGGER_CONTEXT);
  private discovered: ReloadHandler[] | undefined;
  private running: Promise<SystemdReloadOutcome> | undefined;
  private followUp: Promise<SystemdReloadOutcome> | undefined;
  private signalHooked = false;
  private readonly onSignal = (): void => void this.reload();

  constructor(
    private readonly supervisor: SystemdSupervisor,
    private readonly options: ResolvedSystemdOptions,
    private readonly explorer: ReloadHandlerExplorer,
  ) {}

  onApplicationBootstrap(): void {
    // Never take the signal from apps that did not ask, or that systemd does not supervise.
    // Their handlers are looked for at their first reload() (an app's own), if any: an app
    // that never reloads never scans its providers, on a laptop or in a test run.
    if (!this.options.reload || !this.supervisor.supervised) return;
    process.on(this.options.reloadSignal, this.onSignal);
    this.signalHooked = true;
    // Handlers are looked for once bootstrap has returned (after the port accepts connections
    // for an HTTP app): scanning every provider is not worth delaying READY for. A reload asked
    // for before then looks at once.
    setImmediate(() => {
      const count = this.handlers.length;
      const signal = this.options.reloadSignal;
      this.logger.log(systemdMessages.reloadOn(signal, count));
      // Nest's shutdown hooks are usually enabled after bootstrap: looked at now too.
      if (this.signalHooked && signalStopsTheApp(signal)) {
        this.logger.warn(systemdMessages.reloadSignalShared(signal));
      }
    }).unref();
  }

  /** The `@OnSystemdReload()` methods, found on first use. */
  private get handlers(): ReloadHandler[] {
    this.discovered ??= this.explorer.explore();
    return this.discovered;
  }

  onApplicationShutdown(): void {
    if (this.signalHooked) process.removeListener(this.options.reloadSignal, this.onSignal);
    this.signalHooked = false;
  }

  /** Runs a reload now, or once after the one in progress (however many ask meanwhile). */
  reload(): Promise<SystemdReloadOutcome> {
    if (!this.running) {
      this.running = this.run().finally(() => {
        this.running = undefined;
      });
      return this.running;
    }
    this.followUp ??= this.running.then(() => {
      this.followUp = undefined;
      return this.reload();
    });
    return this.followUp;
  }

  private async run(): Promise<SystemdReloadOutcome> {
    const started = performance.now();
    // Before READY (or after STOPPING) systemd is not waiting for a reload: handlers only.
    const tellSystemd = this.supervisor.phase === 'ready';
    if (tellSystemd) this.supervisor.reloading(systemdMessages.reloadingStatus());
    const failures: SystemdReloadFailure[] = [];
    for (const handler of this.handlers) {
      // oxlint-disable-next-line no-await-in-loop -- handlers run one after another, by design
      const failure = await this.runHandler(handler);
      if (failure) failures.push(failure);
    }
    const ok = failures.length === 0;
    if (ok) this.logger.log(systemdMessages.reloadDone(Math.round(performance.now() - started)));
    else this.logger.error(systemdMessages.reloadFailed(summarize(failures)));
    // A shutdown that began meanwhile wins: the supervisor sends no READY=1 after STOPPING=1.
    // Read again: the phase moves while the handlers run (TypeScript keeps the narrowing above).
    const phase: SystemdPhase = this.supervisor.phase;
    if (tellSystemd && phase === 'reloading') {
      this.supervisor.notify(
        ok
          ? { ready: true, status: this.supervisor.lastStatus ?? systemdMessages.reloadedStatus() }
          : {
              ready: true,
              // Readable by every local user: credentials masked, as in a health check's.
              status: systemdMessages.reloadFailedStatus(summarize(failures, redactForStatus)),
              errno: failures.find((f) => f.errno !== undefined)?.errno,
            },
        { appStatus: ok },
      );
    }
    return { ok, failures };
  }

  private async runHandler(handler: ReloadHandler): Promise<SystemdReloadFailure | undefined> {
    const timeoutMs = this.options.reloadHandlerTimeoutMs;
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<typeof TIMED_OUT>((resolve) => {
      timer = setTimeout(resolve, timeoutMs, TIMED_OUT);
    });
    try {
      const result = await Promise.race([Promise.resolve().then(handler.run), deadline]);
      if (result !== TIMED_OUT) return undefined;
      return {
        handler: handler.name,
        reason: systemdMessages.reloadTimeout(timeoutMs),
        errno: process.getBuiltinModule('node:os').constants.errno.ETIMEDOUT,
      };
    } catch (error) {
      const reason = errorReason(error);
      // Where it failed: the summary after the reload (and STATUS=) has the message only.
      this.logger.error(
        systemdMessages.reloadHandlerThrew(handler.name, reason),
        error instanceof Error ? error.stack : undefined,
      );
      return { handler: handler.name, reason, errno: errnoOf(error) };
    } finally {
      clearTimeout(timer);
    }
  }
}
