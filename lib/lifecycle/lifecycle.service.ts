import {
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
  type OnModuleDestroy,
  type OnModuleInit,
} from '@nestjs/common';
import type { HttpAdapterHost, ModulesContainer } from '@nestjs/core';
import type { ResolvedSystemdOptions } from '../options/resolve-systemd-options.js';
import { SYSTEMD_LOGGER_CONTEXT } from '../systemd.constants.js';
import { systemdMessages } from '../systemd.messages.js';
import { CrashWatch } from './crash-watch.js';
import { isListeningServer, watchHttpServer, type ListeningServer } from './http-server-watch.js';
import {
  isRpcTarget,
  rpcTargetAddress,
  rpcTargetName,
  watchRpcTarget,
  watchRpcTargetsAdded,
} from './rpc-target-watch.js';
import { ServingConditions } from './serving-conditions.js';
import { signalStopsTheApp, StopSignalWatch } from './shutdown-listeners.js';
import type { SystemdSupervisor } from './systemd-supervisor.js';

/** How long READY may wait for a server after bootstrap before `STATUS=` says what it waits for. */
const WAITING_STATUS_MS = 1000;
/** How long READY may wait for a server after bootstrap before a warning names the likely fix. */
const NOT_SERVING_WARNING_MS = 10_000;
/** When to look for Nest's shutdown hooks after READY (apps may enable them after listen()). */
const SHUTDOWN_HOOKS_CHECK_MS = 1000;

interface ClosableAdapter {
  beforeClose?: () => unknown;
  getHttpServer?: () => unknown;
}

/**
 * Ties the supervisor to Nest's lifecycle, for every shape of app:
 * - READY once everything serves: the HTTP server from its own `'listening'` event, each
 *   microservice transport from its own `listen()` callback (hybrids wait for all), a bare
 *   context once bootstrap is over. This module's hooks run after every other module's at
 *   start-up and before them at shutdown (see `wrapOtherModulesLifecycle`).
 * - STOPPING when the app's shutdown really begins, whatever begins it: a signal that a
 *   shutdown listener handles (seen first, see `StopSignalWatch`; an app's own SIGHUP or SIGINT
 *   handler is the app's business), `app.close()` through the HTTP adapter's `beforeClose`, a
 *   microservice transport's `close()`, or this module's `onModuleDestroy`, which runs first.
 * - A failed listen: STATUS and ERRNO, and the socket let go so that the process exits at once.
 * - An error nothing catches, which ends the process: STATUS and ERRNO (see `CrashWatch`).
 */
export class SystemdLifecycleService
  implements OnModuleInit, OnApplicationBootstrap, OnModuleDestroy, OnApplicationShutdown
{
  private readonly logger = new Logger(SYSTEMD_LOGGER_CONTEXT);
  private readonly conditions = new ServingConditions((details) => this.onServing(details));
  private readonly cleanups: (() => void)[] = [];
  /** Whether Nest announces the app's microservice transports (Nest 11 and later). */
  private transportsAnnounced = false;
  private hasHttpAdapter = false;
  /** Whether the app reported a status of its own after bootstrap, before READY went out. */
  private spokeAfterBootstrap = false;
  private bootstrapped = false;
  /** This module's onModuleInit has run: every other module's too, and bootstrap has begun. */
  private initialized = false;
  /** The status timer armed before bootstrap was over (see `reportWaitingBeforeBootstrap`). */
  private earlyWaitingTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly supervisor: SystemdSupervisor,
    private readonly options: ResolvedSystemdOptions,
    private readonly httpAdapterHost: HttpAdapterHost,
    modules: ModulesContainer,
  ) {
    if (!supervisor.supervised) return;
    // From now on, so that a stop during a slow bootstrap says STOPPING at once (Nest itself
    // waits for the bootstrap to end before it shuts down).
    const stopSignals = new StopSignalWatch(() => supervisor.stopping(options.stoppingStatus));
    stopSignals.start();
    const crashes = new CrashWatch((error) => supervisor.crashed(error));
    crashes.start();
    this.cleanups.push(
      () => stopSignals.stop(),
      () => crashes.stop(),
      () => clearTimeout(this.earlyWaitingTimer),
    );
    // Microservice transports are announced when created (createMicroservice,
    // connectMicroservice), which is after this provider.
    const stopWatchingTransports = watchRpcTargetsAdded(modules, (target) =>
      this.watchTransport(target),
    );
    if (stopWatchingTransports) {
      this.transportsAnnounced = true;
      this.cleanups.push(stopWatchingTransports);
    }
  }

  onModuleInit(): void {
    if (!this.supervisor.supervised) return;
    // This module's init hook runs last, and its bootstrap hook last too: until then, the other
    // modules' onApplicationBootstrap() hooks hold the start (a connection awaited there).
    this.initialized = true;
    this.reportWaitingBeforeBootstrap({ anew: true });
  }

  onApplicationBootstrap(): void {
    // Nothing to wire when not under systemd: no listeners, no timers, no cost.
    if (!this.supervisor.supervised) return;
    this.bootstrapped = true;
    clearTimeout(this.earlyWaitingTimer);
    // A microservice has an HttpAdapterHost whose adapter is null.
    const adapter = (this.httpAdapterHost?.httpAdapter ?? undefined) as ClosableAdapter | undefined;
    this.hasHttpAdapter = adapter !== undefined;
    if (adapter) this.stopBeforeAdapterCloses(adapter);

    switch (this.options.readyOn) {
      case 'manual':
        return;
      case 'bootstrap':
        break;
      case 'auto':
        if (adapter) this.waitForHttpServer(adapter);
        // Nest 10 has no registry of transports: a microservice's listen() cannot be waited for.
        else if (!this.transportsAnnounced) this.logger.warn(systemdMessages.transportsUnseen());
        this.reportIfNotServingSoon();
    }
    if (this.conditions.waitingFor.length > 0) {
      this.conditions.bootstrapped();
      return;
    }
    // Nothing to wait for: READY after the current turn of the event loop, so that a shutdown
    // Nest held back until bootstrap was over (a signal during a slow onModuleInit) begins
    // first, and READY is not sent at all. The app's code after `createApplicationContext()`
    // runs in that turn: a status it reports there (a job's first step) is newer than the
    // moment READY stands for, and READY must not cover it with its own.
    const statusesAtBootstrap = this.supervisor.appStatusCount;
    setImmediate(() => {
      this.spokeAfterBootstrap = this.supervisor.appStatusCount !== statusesAtBootstrap;
      this.conditions.bootstrapped();
    });
  }

  onModuleDestroy(): void {
    this.supervisor.stopping(this.options.stoppingStatus);
  }

  async onApplicationShutdown(): Promise<void> {
    for (const cleanup of this.cleanups.splice(0)) cleanup();
    await this.supervisor.stopped();
  }

  private onServing(details: readonly (() => string)[]): void {
    const status = (): string =>
      this.options.readyStatus ??
      (details.length > 0
        ? details.map((detail) => detail()).join('; ')
        : systemdMessages.readyStatusContext());
    if (!this.supervisor.ready(this.spokeAfterBootstrap ? undefined : status)) return;
    const check = setTimeout(() => this.checkShutdownHooks(), SHUTDOWN_HOOKS_CHECK_MS).unref();
    this.cleanups.push(() => clearTimeout(check));
  }

  private waitForHttpServer(adapter: ClosableAdapter): void {
    const server = adapter.getHttpServer?.();
    if (!isListeningServer(server)) {
      // A custom adapter without a Node server: Nest's own signal, once listen() resolved.
      this.conditions.add(this.httpAdapterHost, systemdMessages.waitingForHttp());
      if (this.httpAdapterHost.listening) {
        this.conditions.meet(this.httpAdapterHost, systemdMessages.readyStatusHttpUnknown);
        return;
      }
      const subscription = this.httpAdapterHost.listen$.subscribe(() =>
        this.conditions.meet(this.httpAdapterHost, systemdMessages.readyStatusHttpUnknown),
      );
      this.cleanups.push(() => subscription.unsubscribe());
      return;
    }
    this.conditions.add(server, systemdMessages.waitingForHttp());
    const stop = watchHttpServer(
      server as ListeningServer,
      (address) => {
        this.conditions.meet(server, () => systemdMessages.readyStatusHttp(address()));
        this.holdNotifySocketWhileListening(server as ListeningServer);
      },
      (error) => this.startFailed(systemdMessages.httpServerName(), error),
    );
    this.cleanups.push(stop);
  }

  /**
   * A listening server keeps the process alive, so the notify socket may stay open with it,
   * rather than close after a second idle: STOPPING=1 at a signal then leaves on it with one
   * send(2), not behind a new socket. Released when the server closes (an app that closes its
   * server by hand still exits) and at shutdown. After READY, which is not held up by it.
   */
  private holdNotifySocketWhileListening(server: ListeningServer): void {
    const release = this.supervisor.holdNotifySocket();
    server.once('close', release);
    this.cleanups.push(() => {
      server.removeListener('close', release);
      release();
    });
  }

  private watchTransport(target: unknown): void {
    if (!isRpcTarget(target)) return;
    const name = rpcTargetName(target);
    if (this.options.readyOn === 'auto') {
      this.conditions.add(target, systemdMessages.waitingForTransport(name));
      // A hybrid's, started before listen(); a microservice's own listen() bootstraps first.
      if (!this.bootstrapped && this.httpAdapterHost?.httpAdapter) {
        this.reportWaitingBeforeBootstrap();
      }
    }
    watchRpcTarget(target, {
      listening: () =>
        this.conditions.meet(target, () =>
          systemdMessages.transportListening(name, rpcTargetAddress(target)),
        ),
      failed: (error) => this.startFailed(name, error),
      // Only a microservice on its own: in a hybrid app a transport may be closed alone, while
      // HTTP goes on serving, and the app's close() says STOPPING first anyway.
      closing: () => {
        if (!this.hasHttpAdapter) this.supervisor.stopping(this.options.stoppingStatus);
      },
    });
  }

  private startFailed(what: string, error: unknown): void {
    if (this.supervisor.phase !== 'starting') return;
    this.supervisor.failedToStart(what, error);
  }

  /**
   * Nest 12's `app.close()` awaits the adapter's `beforeClose()` before any module hook, so
   * STOPPING=1 sent from there precedes the adapter's own shutdown work too.
   */
  private stopBeforeAdapterCloses(adapter: ClosableAdapter): void {
    const original = adapter.beforeClose;
    const ownProperty = Object.hasOwn(adapter, 'beforeClose');
    adapter.beforeClose = () => {
      this.supervisor.stopping(this.options.stoppingStatus);
      return original?.call(adapter);
    };
    this.cleanups.push(() => {
      if (ownProperty) adapter.beforeClose = original;
      else delete adapter.beforeClose;
    });
  }

  /**
   * A READY that is long in coming (a broker that is down, an app that never calls listen()):
   * after a second `STATUS=` says what it waits for, unless the app has reported a status of its
   * own since bootstrap, and after ten seconds a warning names the likely fix. One timer at a
   * time, re-armed, as an app that serves at once pays for one.
   */
  private reportIfNotServingSoon(): void {
    let timer = this.waitingStatusSoon(() => {
      timer = setTimeout(() => {
        if (!this.stillWaiting) return;
        this.logger.warn(
          systemdMessages.notServingYet(NOT_SERVING_WARNING_MS, this.conditions.waitingFor),
        );
      }, NOT_SERVING_WARNING_MS - WAITING_STATUS_MS).unref();
    });
    this.cleanups.push(() => clearTimeout(timer));
  }

  /**
   * Before bootstrap is over, a second from now, `STATUS=` says what READY waits for, as
   * {@link reportIfNotServingSoon} does after bootstrap (which takes over when it comes). Armed
   * when a hybrid app's first transport is announced (its transports start before bootstrap when
   * `startAllMicroservices()` comes before `listen()`, and a broker that is down holds the start
   * there), and `anew` once the bootstrap hooks run.
   */
  private reportWaitingBeforeBootstrap({ anew = false } = {}): void {
    if (this.earlyWaitingTimer !== undefined && !anew) return;
    clearTimeout(this.earlyWaitingTimer);
    this.earlyWaitingTimer = this.waitingStatusSoon();
  }

  /**
   * What READY waits for, in words: while the bootstrap hooks run, those (a transport whose
   * listen() was called waits for them too), else the conditions still pending.
   */
  private get waitingFor(): string[] {
    return this.initialized && !this.bootstrapped
      ? [systemdMessages.waitingForBootstrapHooks()]
      : this.conditions.waitingFor;
  }

  /**
   * A second from now, if READY is still to come: `STATUS=` says what it waits for (unless the
   * app has reported a status of its own meanwhile), then `stillWaiting` runs.
   */
  private waitingStatusSoon(stillWaiting?: () => void): NodeJS.Timeout {
    const statusesNow = this.supervisor.appStatusCount;
    return setTimeout(() => {
      if (!this.stillWaiting) return;
      if (this.supervisor.appStatusCount === statusesNow) {
        this.supervisor.waiting(systemdMessages.waitingStatus(this.waitingFor));
      }
      stillWaiting?.();
    }, WAITING_STATUS_MS).unref();
  }

  /** Whether READY is still to come, the start neither over nor given up. */
  private get stillWaiting(): boolean {
    return !this.conditions.serving && this.supervisor.phase === 'starting';
  }

  private checkShutdownHooks(): void {
    if (this.supervisor.phase !== 'ready' && this.supervisor.phase !== 'reloading') return;
    if (!signalStopsTheApp('SIGTERM')) this.logger.warn(systemdMessages.noShutdownHooks());
    // Both come from enableShutdownHooks() without arguments, and have one fix: one warning.
    const problems: string[] = [];
    // It stops on SIGHUP too: logrotate's or an operator's `kill -HUP` then ends the service
    // cleanly, and Restart=on-failure leaves it down.
    if (!this.options.reload && signalStopsTheApp('SIGHUP')) {
      problems.push(systemdMessages.hangupStops());
    }
    if (signalStopsTheApp('SIGUSR2')) problems.push(systemdMessages.userSignalStops());
    // The watchdog kills with SIGABRT. With a JavaScript listener the signal only sets a flag
    // for the event loop, so a loop blocked for good outlives the kill until TimeoutAbortSec=.
    if (this.supervisor.watchdogPlan && process.listenerCount('SIGABRT') > 0) {
      problems.push(systemdMessages.watchdogSignalHooked());
    }
    if (problems.length > 0) this.logger.warn(systemdMessages.nameTheSignals(problems));
  }
}
