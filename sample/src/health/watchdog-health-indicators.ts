import type { Type } from '@nestjs/common';
import type { SystemdHealthIndicator } from 'nestjs-systemd';
import { DemoHealthIndicator } from './demo-health.indicator.js';

/**
 * The checks that gate the systemd watchdog. GET /health reports exactly these, so what an
 * operator sees there is what decides whether systemd restarts the service.
 */
export const WATCHDOG_HEALTH_INDICATORS: readonly Type<SystemdHealthIndicator>[] = [
  DemoHealthIndicator,
];
