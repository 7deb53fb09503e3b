import { Module } from '@nestjs/common';
import { DemoHealthIndicator } from './demo-health.indicator.js';
import { HealthController } from './health.controller.js';

@Module({
  controllers: [HealthController],
  // Exported so the chaos endpoints flip the very instance the watchdog asks.
  providers: [DemoHealthIndicator],
  exports: [DemoHealthIndicator],
})
export class HealthModule {}
