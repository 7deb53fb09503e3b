import { Controller, Get, ServiceUnavailableException, type OnModuleInit } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { interpretHealthResult, type SystemdHealthIndicator } from 'nestjs-systemd';
import { WATCHDOG_HEALTH_INDICATORS } from './watchdog-health-indicators.js';

type CheckStatus = 'up' | 'down';

interface HealthReport {
  readonly status: CheckStatus;
  readonly checks: Readonly<Record<string, CheckStatus>>;
}

interface NamedIndicator {
  readonly name: string;
  readonly indicator: SystemdHealthIndicator;
}

@Controller('health')
export class HealthController implements OnModuleInit {
  private indicators: readonly NamedIndicator[] = [];

  constructor(private readonly moduleRef: ModuleRef) {}

  onModuleInit(): void {
    // Resolved the way SystemdModule resolves them: the same singletons, wherever provided.
    this.indicators = WATCHDOG_HEALTH_INDICATORS.map((type) => {
      const indicator = this.moduleRef.get(type, { strict: false });
      return { name: indicator.healthIndicatorName ?? type.name, indicator };
    });
  }

  /** 200 when every watchdog check passes, 503 (same body shape) when one does not. */
  @Get()
  async check(): Promise<HealthReport> {
    const statuses = await Promise.all(
      this.indicators.map(async ({ name, indicator }): Promise<[string, CheckStatus]> => {
        try {
          // The watchdog's own rule: undefined means healthy, anything else is the reason it is not.
          const reason = interpretHealthResult(await indicator.isHealthy());
          return [name, reason === undefined ? 'up' : 'down'];
        } catch {
          return [name, 'down'];
        }
      }),
    );
    const report: HealthReport = {
      status: statuses.every(([, status]) => status === 'up') ? 'up' : 'down',
      checks: Object.fromEntries(statuses),
    };
    if (report.status === 'down') throw new ServiceUnavailableException(report);
    return report;
  }
}
