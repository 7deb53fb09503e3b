import { Inject, Injectable, Logger, Optional, type OnModuleInit, type Type } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { SchedulerRegistry } from '@nestjs/schedule';
import { HealthGate, type HealthCheck, type HealthVerdict } from './health/health-gate.js';
import type {
  SystemdHealthIndicator,
  SystemdHealthIndicatorInput,
} from './health/health-indicator.interface.js';
import type { ResolvedSystemdOptions } from './systemd-options.js';
import { SystemdService, type SystemdPhase } from './systemd.service.js';
import {
  SYSTEMD_LOGGER_CONTEXT,
  SYSTEMD_RESOLVED_OPTIONS,
  SYSTEMD_WATCHDOG_INTERVAL,
} from './systemd.constants.js';
import { systemdMessages } from './systemd.messages.js';

function isIndicatorClass(
  entry: SystemdHealthIndicatorInput,
): entry is Type<SystemdHealthIndicator> {
  return typeof entry === 'function' && typeof entry.prototype?.isHealthy === 'function';
}

/**
 * Pings the systemd watchdog from an interval registered with `@nestjs/schedule`, but only
 * while every health check passes. The interval runs on the event loop, so a blocked loop
 * withholds pings by itself, which is the point: systemd then restarts the service.
 */
@Injectable()
export class SystemdWatchdogService implements OnModuleInit {
  private readonly logger = new Logger(SYSTEMD_LOGGER_CONTEXT);
  private gate: HealthGate | undefined;
  private ticking = false;
  private failingReason: string | undefined;
  private consecutiveFailures = 0;
  private triggered = false;

  constructor(
    private readonly systemd: SystemdService,
    @Inject(SYSTEMD_RESOLVED_OPTIONS) private readonly options: ResolvedSystemdOptions,
    private readonly moduleRef: ModuleRef,
    @Optional() private readonly schedulerRegistry?: SchedulerRegistry,
  ) {}

  onModuleInit(): void {
    if (this.options.watchdog && !this.schedulerRegistry) {
      throw new Error(systemdMessages.schedulerMissing());
    }
    const periodMs = this.systemd.watchdogIntervalMs;
    if (periodMs === undefined) return;
    const checks = this.options.healthIndicators.map((entry, i) => this.resolveCheck(entry, i));
    this.gate = new HealthGate(
      checks,
      this.options.healthCheckTimeoutMs ?? Math.max(1, Math.floor(periodMs / 2)),
    );
    const timeoutMs = Number((this.systemd.watchdogUsec ?? 0n) / 1000n);
    this.logger.log(systemdMessages.watchdogOn(periodMs, timeoutMs, checks.length));
    this.systemd.onPhaseChange((phase) => this.onPhase(phase, periodMs));
  }

  /** One watchdog round: run the checks, then ping or withhold. Never throws. */
  async tick(): Promise<void> {
    const gate = this.gate;
    if (!gate || this.systemd.phase !== 'ready') return;
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
      // Shutdown may have begun while the checks ran: no ping after STOPPING=1.
      if (this.systemd.phase !== 'ready') return;
    }
    if (verdict.healthy) this.onHealthy();
    else this.onUnhealthy(verdict.reason);
  }

  private onPhase(phase: SystemdPhase, periodMs: number): void {
    const registry = this.schedulerRegistry!;
    if (phase === 'ready' && !registry.doesExist('interval', SYSTEMD_WATCHDOG_INTERVAL)) {
      registry.addInterval(
        SYSTEMD_WATCHDOG_INTERVAL,
        setInterval(() => void this.tick(), periodMs),
      );
      void this.tick();
    } else if (phase === 'stopping' && registry.doesExist('interval', SYSTEMD_WATCHDOG_INTERVAL)) {
      registry.deleteInterval(SYSTEMD_WATCHDOG_INTERVAL);
    }
  }

  private onHealthy(): void {
    if (this.failingReason === undefined) {
      this.systemd.ping();
      return;
    }
    this.failingReason = undefined;
    this.consecutiveFailures = 0;
    this.triggered = false;
    this.logger.log(systemdMessages.recovered());
    this.systemd.notify({ watchdog: true, status: this.systemd.lastStatus ?? '' });
  }

  private onUnhealthy(reason: string): void {
    this.consecutiveFailures++;
    if (reason !== this.failingReason) {
      this.failingReason = reason;
      this.logger.warn(systemdMessages.unhealthyLog(reason));
      // Not through systemd.status(): the app's own status is what recovery restores.
      this.systemd.notify({ status: systemdMessages.unhealthyStatus(reason) });
    }
    const limit = this.options.watchdogTriggerAfter;
    if (limit !== undefined && this.consecutiveFailures >= limit && !this.triggered) {
      this.triggered = true;
      this.logger.error(systemdMessages.triggering(this.consecutiveFailures));
      this.systemd.watchdogTrigger(systemdMessages.unhealthyStatus(reason));
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
