import { Controller, Get, Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { HealthCheckService } from '@nestjs/terminus';
import { SystemdModule, SystemdService, type SystemdHealthIndicator } from 'nestjs-systemd';
import { DbHealthIndicator, HealthModule } from './health.js';

class AlwaysHealthy implements SystemdHealthIndicator {
  readonly healthIndicatorName = 'always';
  isHealthy(): boolean {
    return true;
  }
}

@Controller()
class PingController {
  constructor(private readonly systemd: SystemdService) {}

  @Get()
  ping(): { supervised: boolean } {
    return { supervised: this.systemd.enabled };
  }
}

@Module({
  imports: [
    ScheduleModule.forRoot(),
    HealthModule,
    // The watchdog gated on the app's own checks, in the forms real apps have them: a class of
    // the library's interface, a Terminus indicator class (resolved from the container, named
    // by its class), and the whole Terminus check a /health controller runs.
    SystemdModule.forRootAsync({
      imports: [HealthModule],
      inject: [HealthCheckService, DbHealthIndicator],
      useFactory: (health: HealthCheckService, db: DbHealthIndicator) => ({
        healthIndicators: [
          AlwaysHealthy,
          DbHealthIndicator,
          { name: 'terminus', check: () => health.check([() => db.isHealthy()]) },
        ],
      }),
    }),
  ],
  controllers: [PingController],
  providers: [AlwaysHealthy],
})
export class AppModule {}
