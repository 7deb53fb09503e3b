// SystemdService.checkHealth() gives a /health endpoint the watchdog's own verdicts: the same
// per-check up / degraded / down, under systemd (where the datagrams show what the watchdog
// made of the same state) and without NOTIFY_SOCKET (a laptop, a container without systemd).
//
// Every test here fails on 0707cbe: SystemdService had no checkHealth(), and without a
// watchdog the indicators were not even resolved.
import 'reflect-metadata';
import { Controller, Get, Injectable, Module, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ScheduleModule } from '@nestjs/schedule';
import { HealthIndicatorService, TerminusModule } from '@nestjs/terminus';
import type { AddressInfo } from 'node:net';
import type { SystemdHealthReport } from '../../lib/health/health-gate.js';
import { SystemdModule } from '../../lib/systemd.module.js';
import { SystemdService } from '../../lib/systemd.service.js';
import { withSystemdEnv } from '../e2e/helpers.js';
import {
  DEGRADED_PREFIX,
  expectPings,
  expectRecovered,
  expectWithheld,
  supervisedApps,
  UNHEALTHY_PREFIX,
} from './helpers.js';

/** The app's dependencies; each state below sets them. */
@Injectable()
class Dependencies {
  dbConnected = true;
  cacheLagging = false;
}

/** A provider indicator (arrow-function field) that reads the database. */
@Injectable()
class DbHealth {
  readonly healthIndicatorName = 'db';
  constructor(private readonly deps: Dependencies) {}
  isHealthy = (): boolean => this.deps.dbConnected;
}

/** A Terminus 12 indicator that says degraded while the cache replica lags. */
@Injectable()
class CacheHealth {
  readonly healthIndicatorName = 'cache';
  constructor(
    private readonly deps: Dependencies,
    private readonly indicators: HealthIndicatorService,
  ) {}
  isHealthy() {
    const check = this.indicators.check('cache');
    return this.deps.cacheLagging ? check.degraded({ message: 'replica lagging' }) : check.up();
  }
}

@Controller()
class HealthController {
  constructor(private readonly systemd: SystemdService) {}
  @Get('health')
  health(): Promise<SystemdHealthReport> {
    return this.systemd.checkHealth();
  }
}

@Module({
  imports: [
    ScheduleModule.forRoot(),
    TerminusModule.forRoot({ logger: false }),
    SystemdModule.forRoot({
      healthIndicators: [DbHealth, CacheHealth, { name: 'queue', check: async () => 'PONG' }],
    }),
  ],
  providers: [Dependencies, DbHealth, CacheHealth],
  controllers: [HealthController],
})
class AppModule {}

interface State {
  readonly dbConnected: boolean;
  readonly cacheLagging: boolean;
  readonly report: SystemdHealthReport;
}

const UP = { status: 'up' } as const;
const CACHE_DEGRADED = { status: 'degraded', reason: 'cache: replica lagging' } as const;
const DB_DOWN = { status: 'down', reason: 'reported unhealthy' } as const;

/** The states the app goes through, and the verdicts both sides must give for each. */
const STATES: Record<'healthy' | 'degraded' | 'down', State> = {
  healthy: {
    dbConnected: true,
    cacheLagging: false,
    report: { status: 'up', checks: { db: UP, cache: UP, queue: UP } },
  },
  degraded: {
    dbConnected: true,
    cacheLagging: true,
    report: { status: 'degraded', checks: { db: UP, cache: CACHE_DEGRADED, queue: UP } },
  },
  down: {
    dbConnected: false,
    cacheLagging: true,
    report: { status: 'down', checks: { db: DB_DOWN, cache: CACHE_DEGRADED, queue: UP } },
  },
};

function enter(deps: Dependencies, state: State): void {
  deps.dbConnected = state.dbConnected;
  deps.cacheLagging = state.cacheLagging;
}

describe('SystemdService.checkHealth()', () => {
  const apps = supervisedApps();

  it("under systemd: the watchdog's verdicts, check by check", async () => {
    const { app, systemd } = await apps.start(AppModule);
    const deps = app.get(Dependencies);
    const service = app.get(SystemdService);
    expect(service.enabled).toBe(true);

    // Healthy: up everywhere, and the watchdog pings.
    expect(await service.checkHealth()).toEqual(STATES.healthy.report);
    await expectPings(systemd, 0);

    // Degraded: the watchdog still pings and names the same check with the same reason. Under
    // systemd, checkHealth() answers with the watchdog's last round (a round of its own would
    // reset the liveness checks' windows), so it is read once the watchdog has seen the change.
    enter(deps, STATES.degraded);
    const degraded = await systemd.waitFor(
      (record) => record.assignments.STATUS?.startsWith(DEGRADED_PREFIX) ?? false,
    );
    expect(await service.checkHealth()).toEqual(STATES.degraded.report);
    expect(degraded.raw).toBe(`WATCHDOG=1\nSTATUS=${DEGRADED_PREFIX}cache: replica lagging`);
    await expectPings(systemd, systemd.messages.indexOf(degraded) + 1);

    // Down: the watchdog withholds and names the down check only (the degraded one is not why).
    enter(deps, STATES.down);
    expect(await expectWithheld(systemd)).toBe(`${UNHEALTHY_PREFIX}db: reported unhealthy`);
    expect(await service.checkHealth()).toEqual(STATES.down.report);

    // checkHealth() sends nothing of its own.
    const before = systemd.messages.length;
    await service.checkHealth();
    await service.checkHealth();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(systemd.messages.slice(before).filter((r) => !r.lines.includes('WATCHDOG=1'))).toEqual(
      [],
    );

    enter(deps, STATES.healthy);
    await expectRecovered(systemd, 'Running');
    expect(await service.checkHealth()).toEqual(STATES.healthy.report);
  });

  describe('with NOTIFY_SOCKET unset, from a /health endpoint', () => {
    let app: INestApplication | undefined;
    afterEach(async () => {
      await app?.close();
      app = undefined;
    });

    it('the same verdicts, providers resolved and all', async () => {
      app = await withSystemdEnv({}, async () => {
        const created = await NestFactory.create(AppModule, { logger: false, abortOnError: false });
        await created.listen(0, '127.0.0.1');
        return created;
      });
      expect(app.get(SystemdService).enabled).toBe(false);
      const { port } = app.getHttpServer().address() as AddressInfo;
      const deps = app.get(Dependencies);
      for (const state of [STATES.healthy, STATES.degraded, STATES.down, STATES.healthy]) {
        enter(deps, state);
        // oxlint-disable-next-line no-await-in-loop -- one state after the other
        const response = await fetch(`http://127.0.0.1:${port}/health`);
        // oxlint-disable-next-line no-await-in-loop -- its body
        expect(await response.json()).toEqual(state.report);
      }
    });
  });
});
