import { Module, type DynamicModule, type Type } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { SystemdModule } from 'nestjs-systemd';
import { AppController } from './app.controller.js';
import { ChaosModule } from './chaos/chaos.module.js';
import { GreetingService } from './greeting/greeting.service.js';
import { HealthModule } from './health/health.module.js';
import { WATCHDOG_HEALTH_INDICATORS } from './health/watchdog-health-indicators.js';

// Opt-in through the environment, so a production unit cannot expose it by accident.
const chaosModules: (Type | DynamicModule)[] =
  process.env.SAMPLE_CHAOS === '1' ? [ChaosModule] : [];

@Module({
  imports: [
    // The watchdog pings run on an interval registered with @nestjs/schedule.
    ScheduleModule.forRoot(),
    SystemdModule.forRootAsync({
      // Global so that any controller can report a STATUS= through SystemdService.
      isGlobal: true,
      // Indicator classes are resolved from the application's container, so the watchdog
      // asks the very instance that /health and /chaos use, and nothing needs injecting here.
      // reload: systemctl reload (Type=notify-reload, systemd 253+) re-reads the greeting.
      useFactory: () => ({ healthIndicators: WATCHDOG_HEALTH_INDICATORS, reload: true }),
    }),
    HealthModule,
    ...chaosModules,
  ],
  controllers: [AppController],
  providers: [GreetingService],
})
export class AppModule {}
