import { Logger, type OnModuleInit } from '@nestjs/common';
import type { ModuleRef, ModulesContainer } from '@nestjs/core';
import type { SchedulerRegistry } from '@nestjs/schedule';
import { resolveHealthChecks } from '../health/health-check-resolver.js';
import {
  HealthGate,
  reasonsOf,
  type HealthCheck,
  type SystemdHealthReport,
} from '../health/health-gate.js';
import { redactForStatus } from '../health/status-redaction.js';
import type { SupervisorChange, SystemdSupervisor } from '../lifecycle/systemd-supervisor.js';
import type { ResolvedSystemdOptions } from '../options/resolve-systemd-options.js';
import { SYSTEMD_LOGGER_CONTEXT, SYSTEMD_WATCHDOG_INTERVAL } from '../systemd.constants.js';
import { systemdMessages } from '../systemd.messages.js';
import type { WatchdogPlan } from './watchdog-plan.js';

/** Where the health checks stand, as far as `STATUS=` is concerned. */
type Standing =
  | 'up'
  | {
      readonly status: 'degraded' | 'down';
      readonly reason: string;
      /** The checks in that state: a change of these is news at once. */
      readonly checks: string;
      /** When STATUS last said so (`performance.now()`). */
      readonly at: number;
    };

/** A report fit for an HTTP response: each reason with credentials masked, as in STATUS=. */
function redactReport(report: SystemdHealthReport): SystemdHealthReport {
  const checks = Object.fromEntries(
    Object.entries(report.checks).map(([name, verdict]) => [
      name,
      verdict.status === 'up' ? verdict : { ...verdict, reason: redactForStatus(verdict.reason) },
    ]),
  );
  return { status: report.status, checks };
}

/**
 * A reason that only changes in its numbers (a delay, a heap size) refreshes STATUS at most
 * this often, rather than every round.
 */
const STATUS_REFRESH_MS = 10_000;

function standingOf(report: SystemdHealthReport, status: 'degraded' | 'down'): Standing {
  const checks = Object.entries(report.checks)
    .filter(([, verdict]) => verdict.status === status)
    .map(([name]) => name)
    .join(', ');
  return { status, reason: reasonsOf(report, status), checks, at: performance.now() };
}

/**
 * Pings the systemd watchdog from an interval registered with `@nestjs/schedule`, but only
 * while every health check passes. The interval runs on the event loop, so a blocked loop
 * withholds pings by itself, which is the point: systemd then restarts the service. The
 * interval follows the supervisor: it runs while the service is ready (or reloading), at the
 * period of the plan in force.
 */
export class SystemdWatchdogService implements OnModuleInit {
  private readonly logger = new Logger(SYSTEMD_LOGGER_CONTEXT);
  private gate: HealthGate | undefined;
  private runningPeriodMs: number | undefined;
  private ticking = false;
  private standing: Standing = 'up';
  private lastReport: SystemdHealthReport | undefined;
  private consecutiveFailures = 0;
  private triggered = false;

  constructor(
    private readonly supervisor: SystemdSupervisor,
    private readonly options: ResolvedSystemdOptions,
    private readonly moduleRef: ModuleRef,
    private readonly modules: ModulesContainer,
    private readonly schedulerRegistry: SchedulerRegistry | undefined,
  ) {}

  onModuleInit(): void {
    if (this.options.watchdog && !this.schedulerRegistry) {
      const error = new Error(systemdMessages.schedulerMissing());
      // Bootstrap fails; systemd should show why rather than "Starting" until its timeout.
      this.supervisor.failedToStart('SystemdModule', error);
      throw error;
    }
    // Resolved whether supervised or not: a misconfigured indicator fails in tests too, and
    // checkHealth() serves /health endpoints on a laptop.
    const indicators = this.options.healthIndicators;
    let checks: HealthCheck[] = [];
    // Without indicators the resolver is not even compiled (about 0.1 ms of a start).
    if (indicators.length > 0) {
      try {
        checks = resolveHealthChecks(indicators, this.modules, this.moduleRef);
      } catch (error) {
        this.supervisor.failedToStart('SystemdModule', error);
        throw error;
      }
    }
    const plan = this.supervisor.watchdogPlan;
    this.gate = new HealthGate(
      checks,
      plan?.checkDeadlineMs ?? this.options.healthCheckTimeoutMs ?? 5000,
    );
    if (!this.supervisor.supervised) return;
    const rounds = this.options.watchdogTriggerAfter;
    if (plan && rounds !== undefined && rounds * plan.periodMs >= plan.timeoutMs) {
      this.logger.warn(systemdMessages.triggerTooLate(rounds, plan.periodMs, plan.timeoutMs));
    }
    this.supervisor.onChange((change) => this.follow(change));
    this.follow({ phase: this.supervisor.phase, plan });
  }

  /**
   * One round of the configured checks now, with the watchdog's verdicts, for a `/health`
   * endpoint. Sends nothing.
   */
  async checkHealth(): Promise<SystemdHealthReport> {
    // While the watchdog runs, its last round is the verdict: a round of our own would read
    // (and reset) the liveness checks' windows and answer differently from the watchdog.
    const report =
      (this.runningPeriodMs !== undefined && this.lastReport) || (await this.evaluate());
    return redactReport(report);
  }

  private async evaluate(): Promise<SystemdHealthReport> {
    return this.gate ? this.gate.evaluate() : { status: 'up', checks: {} };
  }

  /** One watchdog round: run the checks, then ping or withhold. Never throws. */
  async tick(): Promise<void> {
    const gate = this.gate;
    if (!gate || !this.pinging) return;
    if (gate.size === 0) {
      this.supervisor.ping();
      return;
    }
    if (this.ticking) {
      this.logger.debug(systemdMessages.tickOverlap());
      return;
    }
    this.ticking = true;
    let report: SystemdHealthReport;
    try {
      report = await gate.evaluate();
    } catch (error) {
      report = { status: 'down', checks: { watchdog: { status: 'down', reason: String(error) } } };
    } finally {
      this.ticking = false;
    }
    this.lastReport = report;
    // Shutdown may have begun while the checks ran: its STATUS stands.
    if (!this.pinging) return;
    if (report.status === 'down') this.onDown(report);
    else this.onServing(report);
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

  /** Up or degraded: ping, and say so in STATUS when the standing changed. */
  private onServing(report: SystemdHealthReport): void {
    const next = report.status === 'up' ? 'up' : standingOf(report, 'degraded');
    if (!this.changes(next)) {
      this.supervisor.ping();
      return;
    }
    const was = this.standing;
    this.standing = next;
    this.consecutiveFailures = 0;
    this.triggered = false;
    if (next === 'up') {
      this.supervisor.holdStatus(undefined);
      // From degraded, the pings never stopped: nothing "resumed".
      this.logger.log(systemdMessages.recovered(was !== 'up' && was.status === 'down'));
      // The app's own status comes back.
      this.supervisor.notify(
        { watchdog: true, status: this.supervisor.lastStatus ?? '' },
        { appStatus: false },
      );
      return;
    }
    const statusText = systemdMessages.degradedStatus(
      reasonsOf(report, 'degraded', redactForStatus),
    );
    this.supervisor.holdStatus(statusText);
    this.logger.warn(systemdMessages.degradedLog(next.reason));
    this.supervisor.notify({ watchdog: true, status: statusText }, { appStatus: false });
  }

  private onDown(report: SystemdHealthReport): void {
    this.consecutiveFailures++;
    const next = standingOf(report, 'down');
    const reason = reasonsOf(report, 'down');
    const statusText = systemdMessages.unhealthyStatus(reasonsOf(report, 'down', redactForStatus));
    if (this.changes(next)) {
      this.standing = next;
      this.supervisor.holdStatus(statusText);
      // The full reason goes to the log; STATUS= (readable by every local user) gets it redacted.
      this.logger.warn(systemdMessages.unhealthyLog(reason));
      this.supervisor.notify({ status: statusText }, { appStatus: false });
    }
    const limit = this.options.watchdogTriggerAfter;
    if (limit !== undefined && this.consecutiveFailures >= limit && !this.triggered) {
      this.triggered = true;
      this.logger.error(systemdMessages.triggering(this.consecutiveFailures));
      this.supervisor.notify({ watchdog: 'trigger', status: statusText }, { appStatus: false });
    }
  }

  private changes(next: Standing): boolean {
    const now = this.standing;
    if (now === 'up' || next === 'up') return now !== next;
    if (now.status !== next.status || now.checks !== next.checks) return true;
    return now.reason !== next.reason && next.at - now.at >= STATUS_REFRESH_MS;
  }
}
