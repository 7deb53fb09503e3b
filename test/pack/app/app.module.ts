import { Controller, Get, Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { SystemdModule, SystemdService, type SystemdHealthIndicator } from 'nestjs-systemd';

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
  imports: [ScheduleModule.forRoot(), SystemdModule.forRoot({ healthIndicators: [AlwaysHealthy] })],
  controllers: [PingController],
  providers: [AlwaysHealthy],
})
export class AppModule {}
