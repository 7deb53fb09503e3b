import { Injectable, Module } from '@nestjs/common';
import { HealthIndicatorService, TerminusModule } from '@nestjs/terminus';
import { Database, DatabaseModule } from './database.js';

/**
 * A health indicator as Terminus' documentation writes one (Terminus 11 and 12 alike): built on
 * `HealthIndicatorService`, it reports `up()` or `down({ message })` rather than throwing.
 */
@Injectable()
export class DbHealthIndicator {
  constructor(
    private readonly database: Database,
    private readonly healthIndicatorService: HealthIndicatorService,
  ) {}

  async isHealthy() {
    const indicator = this.healthIndicatorService.check('db');
    try {
      await this.database.ping();
      return indicator.up();
    } catch (error) {
      return indicator.down({ message: (error as Error).message });
    }
  }
}

/** What a `/health` controller would use: Terminus' `HealthCheckService` and the app's indicators. */
@Module({
  imports: [TerminusModule, DatabaseModule],
  providers: [DbHealthIndicator],
  exports: [TerminusModule, DbHealthIndicator],
})
export class HealthModule {}
