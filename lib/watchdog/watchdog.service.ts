import { Inject, Injectable, Logger, Optional, type OnModuleInit, type Type } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { SchedulerRegistry } from '@nestjs/schedule';
import { HealthGate, type HealthCheck, type HealthVerdict } from '../health/health-gate.js';
import type {
  SystemdHealthIndicator,
  SystemdHealthIndicatorInput,
} from '../health/health-indicator.interface.js';
import type { SupervisorChange, SystemdSupervisor } from '../lifecycle/systemd-supervisor.js';
import type { ResolvedSystemdOptions } from '../options/resolve-systemd-options.js';
import {
  SYSTEMD_LOGGER_CONTEXT,
  SYSTEMD_RESOLVED_OPTIONS,
  SYSTEMD_SUPERVISOR,
  SYSTEMD_WATCHDOG_INTERVAL,
} from '../systemd.constants.js';
import { systemdMessages } from '../systemd.messages.js';
import type { WatchdogPlan } from './watchdog-plan.js';

function isIndicatorClass(
  entry: SystemdHealthIndicatorInput,
): entry is Type<SystemdHealthIndicator> {
  return typeof entry === 'function' && typeof entry.prototype?.isHealthy === 'function';
}

/**
 * Pings the systemd watchdog from an interval registered with `@nestjs/schedule`, but only
 * while every health check passes. The interval runs on the event loop, so a blocked loop
 * withholds pings by itself, which is the point: systemd then restarts the service. The
 * interval follows the supervisor: it runs while the service is ready (or reloading), at the
 * period of the plan in force.
 */
@Injectable()
export class SystemdWatchdogService implements OnModuleInit {
  private readonly logger = new Logger(SYSTEMD_LOGGER_CONTEXT);
  private gate: HealthGate | undefined;
  private runningPeriodMs: number | undefined;
  private ticking = false;
  private failingReason: string | undefined;
  private consecutiveFailures = 0;
  private triggered = false;

  constructor(
    @Inject(SYSTEMD_SUPERVISOR) private readonly supervisor: SystemdSupervisor,
    @Inject(SYSTEMD_RESOLVED_OPTIONS) private readonly options: ResolvedSystemdOptions,
    private readonly moduleRef: ModuleRef,
    @Optional() private readonly schedulerRegistry?: SchedulerRegistry,
  ) {}

  onModuleInit(): void {
    if (this.options.watchdog && !this.schedulerRegistry) {
      throw new Error(systemdMessages.schedulerMissing());
    }
    const checks = this.options.healthIndicators.map((entry, i) => this.resolveCheck(entry, i));
    if (!this.supervisor.enabled) return;
    this.gate = new HealthGate(checks, this.supervisor.watchdogPlan?.checkDeadlineMs ?? 1);
    this.supervisor.onChange((change) => this.follow(change));
    this.follow({ phase: this.supervisor.phase, plan: this.supervisor.watchdogPlan });
  }

  /** One watchdog round: run the checks, then ping or withhold. Never throws. */
  async tick(): Promise<void> {
    const gate = this.gate;
    if (!gate || !this.pinging) return;
    if (this.ticking) {
      this.logger.debug(systemdMessages.tickOverlap());
      return;
    }
    let verdict: HealthVerdict;
    if (gate.size === 0) {
      verdict = { healthy: true };
    } else {
      this.ticking = true;
      try {
        verdict = await gate.evaluate();
      } catch (error) {
        verdict = { healthy: false, reason: String(error) };
      } finally {
        this.ticking = false;
      }
      // Shutdown may have begun while the checks ran: its STATUS stands.
      if (!this.pinging) return;
    }
    if (verdict.healthy) this.onHealthy();
    else this.onUnhealthy(verdict.reason);
  }

  private get pinging(): boolean {
    const phase = this.supervisor.phase;
    return phase === 'ready' || phase === 'reloading';
  }

  /** Starts, re-times or stops the interval to match the supervisor's phase and plan. */
  private follow({ phase, plan }: SupervisorChange): void {
    const wanted = (phase === 'ready' || phase === 'reloading') && plan ? plan : undefined;
    if (wanted?.periodMs === this.runningPeriodMs) {
      if (wanted) this.gate?.setDeadline(wanted.checkDeadlineMs);
      return;
    }
    this.stopInterval();
    if (wanted) this.startInterval(wanted);
  }

  private startInterval(plan: WatchdogPlan): void {
    const registry = this.schedulerRegistry!;
    this.gate?.setDeadline(plan.checkDeadlineMs);
    registry.addInterval(
      SYSTEMD_WATCHDOG_INTERVAL,
      setInterval(() => void this.tick(), plan.periodMs),
    );
    this.runningPeriodMs = plan.periodMs;
    void this.tick();
  }

  private stopInterval(): void {
    const registry = this.schedulerRegistry;
    if (this.runningPeriodMs === undefined || !registry) return;
    this.runningPeriodMs = undefined;
    if (registry.doesExist('interval', SYSTEMD_WATCHDOG_INTERVAL)) {
      registry.deleteInterval(SYSTEMD_WATCHDOG_INTERVAL);
    }
  }

  private onHealthy(): void {
    if (this.failingReason === undefined) {
      this.supervisor.ping();
      return;
    }
    this.failingReason = undefined;
    this.consecutiveFailures = 0;
    this.triggered = false;
    this.logger.log(systemdMessages.recovered());
    this.supervisor.notify(
      { watchdog: true, status: this.supervisor.lastStatus ?? '' },
      { appStatus: false },
    );
  }

  private onUnhealthy(reason: string): void {
    this.consecutiveFailures++;
    if (reason !== this.failingReason) {
      this.failingReason = reason;
      this.logger.warn(systemdMessages.unhealthyLog(reason));
      // Not the app's status: the app's own is what recovery restores.
      this.supervisor.notify(
        { status: systemdMessages.unhealthyStatus(reason) },
        { appStatus: false },
      );
    }
    const limit = this.options.watchdogTriggerAfter;
    if (limit !== undefined && this.consecutiveFailures >= limit && !this.triggered) {
      this.triggered = true;
      this.logger.error(systemdMessages.triggering(this.consecutiveFailures));
      this.supervisor.notify(
        { watchdog: 'trigger', status: systemdMessages.unhealthyStatus(reason) },
        { appStatus: false },
      );
    }
  }

  private resolveCheck(entry: SystemdHealthIndicatorInput, index: number): HealthCheck {
    if (isIndicatorClass(entry)) {
      let indicator: SystemdHealthIndicator;
      try {
        indicator = this.moduleRef.get(entry, { strict: false });
      } catch {
        throw new Error(systemdMessages.indicatorNotFound(entry.name));
      }
      return {
        name: indicator.healthIndicatorName ?? entry.name,
        run: () => indicator.isHealthy(),
      };
    }
    if (typeof entry === 'function')
      return { name: entry.name || `check #${index + 1}`, run: entry };
    return { name: entry.name, run: entry.check };
  }
}
