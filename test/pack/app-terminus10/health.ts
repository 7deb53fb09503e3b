// @ts-nocheck -- checked against Terminus 10 in the Nest 10 app (this line is removed there);
// the repo's own typecheck sees Terminus 12, which no longer has HealthIndicator.
import { Injectable, Module } from '@nestjs/common';
import {
  HealthCheckError,
  HealthIndicator,
  type HealthIndicatorResult,
  TerminusModule,
} from '@nestjs/terminus';
import { Database, DatabaseModule } from './database.js';

/**
 * The Nest 10 app's version of ../app/health.ts: a health indicator as Terminus 10's
 * documentation writes one (it has no `HealthIndicatorService`): a `HealthIndicator` subclass
 * that returns `getStatus()` when up and throws a `HealthCheckError` carrying it when down.
 */
@Injectable()
export class DbHealthIndicator extends HealthIndicator {
  constructor(private readonly database: Database) {
    super();
  }

  async isHealthy(): Promise<HealthIndicatorResult> {
    try {
      await this.database.ping();
      return this.getStatus('db', true);
    } catch (error) {
      throw new HealthCheckError(
        'db check failed',
        this.getStatus('db', false, { message: (error as Error).message }),
      );
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
