import { Injectable } from '@nestjs/common';
import type { SystemdHealthIndicator } from 'nestjs-systemd';

/**
 * Stands in for a real dependency check (database ping, queue connection): healthy until
 * told otherwise, so the demo can show the watchdog withholding its pings.
 */
@Injectable()
export class DemoHealthIndicator implements SystemdHealthIndicator {
  /** The name systemd's STATUS= shows when this check fails. */
  readonly healthIndicatorName = 'demo';
  private healthy = true;

  isHealthy(): boolean {
    return this.healthy;
  }

  setHealthy(healthy: boolean): void {
    this.healthy = healthy;
  }
}
