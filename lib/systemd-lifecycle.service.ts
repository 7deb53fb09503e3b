import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
  type OnModuleDestroy,
  type OnModuleInit,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { AddressInfo } from 'node:net';
import type { Subscription } from 'rxjs';
import type { SystemdNotifier } from './notify/systemd-notifier.js';
import type { ResolvedSystemdOptions } from './systemd-options.js';
import { SystemdService } from './systemd.service.js';
import {
  SYSTEMD_LOGGER_CONTEXT,
  SYSTEMD_NOTIFIER,
  SYSTEMD_RESOLVED_OPTIONS,
} from './systemd.constants.js';
import { systemdMessages } from './systemd.messages.js';

/** Signals Nest's shutdown hooks may listen to that a service manager or an operator sends to stop. */
const STOP_SIGNALS = ['SIGTERM', 'SIGINT', 'SIGQUIT', 'SIGHUP'] as const;

interface ClosableAdapter {
  beforeClose?: () => unknown;
  getHttpServer(): { address(): AddressInfo | string | null };
}

function formatAddress(address: AddressInfo | string | null): string {
  if (address === null) return 'an unknown address';
  if (typeof address === 'string') return address;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return `${host}:${address.port}`;
}

/**
 * Ties the notifications to Nest's lifecycle: STATUS while starting, READY once the app
 * really serves, STOPPING at the very start of shutdown, and the socket closed at the end.
 */
@Injectable()
export class SystemdLifecycleService
  implements OnModuleInit, OnApplicationBootstrap, OnModuleDestroy, OnApplicationShutdown
{
  private readonly logger = new Logger(SYSTEMD_LOGGER_CONTEXT);
  private listenSubscription: Subscription | undefined;
  private readonly signalsHooked: NodeJS.Signals[] = [];
  private restoreBeforeClose: (() => void) | undefined;
  private readonly onStopSignal = (): void =>
    void this.systemd.stopping(this.options.stoppingStatus);

  constructor(
    private readonly systemd: SystemdService,
    @Inject(SYSTEMD_RESOLVED_OPTIONS) private readonly options: ResolvedSystemdOptions,
    @Inject(SYSTEMD_NOTIFIER) private readonly notifier: SystemdNotifier,
    private readonly httpAdapterHost: HttpAdapterHost,
  ) {}

  onModuleInit(): void {
    // Not under systemd: the notifier has said so (one debug line); nothing else to do.
    if (!this.systemd.enabled) return;
    const watchdog =
      this.systemd.watchdogIntervalMs === undefined
        ? systemdMessages.watchdogOff(
            this.notifier.watchdog.state === 'enabled'
              ? 'disabled by options'
              : this.notifier.watchdog.reason,
          )
        : 'watchdog on';
    if (this.notifier.address.state === 'usable') {
      this.logger.log(systemdMessages.supervised(this.notifier.address.address.path, watchdog));
    }
    this.systemd.status(this.options.startingStatus);
  }

  onApplicationBootstrap(): void {
    // Nothing to wire when not under systemd: no listeners, no subscriptions, no cost.
    if (!this.systemd.enabled) return;
    const adapter = this.httpAdapterHost?.httpAdapter as ClosableAdapter | undefined;
    if (adapter) this.hookBeforeClose(adapter);
    // createApplicationContext() runs this hook before the caller can enable shutdown hooks,
    // so look for Nest's signal listeners once the current bootstrap has returned.
    setImmediate(() => this.hookStopSignals()).unref();

    const policy = this.options.readyOn;
    if (policy === 'manual') return;
    if (policy === 'bootstrap' || !adapter) {
      this.systemd.ready(
        this.options.readyStatus ?? systemdMessages.readyStatusContext(),
        this.mainPid(),
      );
      return;
    }
    const sendReady = (): void => {
      const status =
        this.options.readyStatus ??
        systemdMessages.readyStatusHttp(formatAddress(adapter.getHttpServer().address()));
      this.systemd.ready(status, this.mainPid());
    };
    if (this.httpAdapterHost.listening) sendReady();
    else this.listenSubscription = this.httpAdapterHost.listen$.subscribe({ next: sendReady });
  }

  onModuleDestroy(): void {
    // Usually already sent by the signal or beforeClose hooks; this covers app.close() in
    // contexts without an HTTP server.
    this.systemd.stopping(this.options.stoppingStatus);
  }

  async onApplicationShutdown(): Promise<void> {
    this.listenSubscription?.unsubscribe();
    for (const signal of this.signalsHooked.splice(0))
      process.removeListener(signal, this.onStopSignal);
    this.restoreBeforeClose?.();
    this.restoreBeforeClose = undefined;
    await this.notifier.close();
  }

  private mainPid(): { mainPid?: number } {
    return this.options.sendMainPid ? { mainPid: process.pid } : {};
  }

  /**
   * Sends STOPPING=1 from the signal itself, before Nest starts its shutdown sequence (whose
   * onModuleDestroy hooks run the root module's first). Only added beside Nest's own listener,
   * so the signal's default action is never changed.
   */
  private hookStopSignals(): void {
    // Closed before this ran: adding listeners now would outlive the app.
    if (this.systemd.phase === 'stopping') return;
    for (const signal of STOP_SIGNALS) {
      // With reload support, the reload signal asks for a reload, not a stop.
      if (this.options.reload && signal === this.options.reloadSignal) continue;
      if (process.listenerCount(signal) === 0) continue;
      process.prependListener(signal, this.onStopSignal);
      this.signalsHooked.push(signal);
    }
    if (!this.signalsHooked.includes('SIGTERM')) {
      this.logger.warn(systemdMessages.noShutdownHooks());
    }
    // The watchdog kills with SIGABRT. With a JavaScript listener the signal only sets a flag
    // for the event loop, so a loop blocked for good outlives the kill until TimeoutAbortSec=.
    if (this.systemd.watchdogIntervalMs !== undefined && process.listenerCount('SIGABRT') > 0) {
      this.logger.warn(systemdMessages.watchdogSignalHooked());
    }
  }

  /**
   * `app.close()` awaits the adapter's `beforeClose()` before any module hook, so STOPPING=1
   * sent from there precedes every onModuleDestroy, whichever module it is in.
   */
  private hookBeforeClose(adapter: ClosableAdapter): void {
    const original = adapter.beforeClose;
    const ownProperty = Object.hasOwn(adapter, 'beforeClose');
    adapter.beforeClose = () => {
      this.systemd.stopping(this.options.stoppingStatus);
      return original?.call(adapter);
    };
    this.restoreBeforeClose = () => {
      if (ownProperty) adapter.beforeClose = original;
      else delete adapter.beforeClose;
    };
  }
}
