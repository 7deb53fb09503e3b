import { Controller, Get, ServiceUnavailableException } from '@nestjs/common';
import { SystemdService, type SystemdHealthVerdict } from 'nestjs-systemd';

interface HealthReport {
  readonly status: SystemdHealthVerdict['status'];
  readonly checks: Readonly<Record<string, SystemdHealthVerdict['status']>>;
}

@Controller('health')
export class HealthController {
  constructor(private readonly systemd: SystemdService) {}

  /**
   * The watchdog's own verdict on the same checks: 200 while they are up (or degraded, still
   * serving), 503 (same body shape) when one is down.
   */
  @Get()
  async check(): Promise<HealthReport> {
    const { status, checks } = await this.systemd.checkHealth();
    const report: HealthReport = {
      status,
      checks: Object.fromEntries(Object.entries(checks).map(([name, v]) => [name, v.status])),
    };
    if (status === 'down') throw new ServiceUnavailableException(report);
    return report;
  }
}
