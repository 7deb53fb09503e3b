// What health checks resolve to in real apps, read by the watchdog of a real Nest app: the real
// @nestjs/terminus 12 (HealthIndicatorService sessions, HealthCheckService.check() and its
// ServiceUnavailableException, MemoryHealthIndicator), and the values database and cache
// drivers answer a ping with.
import 'reflect-metadata';
import {
  Injectable,
  Module,
  ServiceUnavailableException,
  type ModuleMetadata,
} from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import {
  HealthCheckService,
  HealthIndicatorService,
  MemoryHealthIndicator,
  TerminusModule,
} from '@nestjs/terminus';
import type { SystemdHealthIndicatorInput } from '../../lib/health/health-indicator.interface.js';
import { SystemdModule } from '../../lib/systemd.module.js';
import { expectReady } from '../e2e/helpers.js';
import {
  DEGRADED_PREFIX,
  expectGated,
  expectPings,
  expectRecovered,
  expectWithheld,
  supervisedApps,
  UNHEALTHY_PREFIX,
} from './helpers.js';

type Mode = 'up' | 'degraded' | 'down';

/** A dependency as Terminus indicators see it; the tests switch its mode. */
@Injectable()
class Redis {
  mode: Mode = 'up';
}

/** An indicator written the Terminus 12 way: a HealthIndicatorService session per call. */
@Injectable()
class RedisHealth {
  readonly healthIndicatorName = 'redis';
  constructor(
    private readonly redis: Redis,
    private readonly indicators: HealthIndicatorService,
  ) {}
  isHealthy() {
    const check = this.indicators.check('redis');
    switch (this.redis.mode) {
      case 'up':
        return check.up();
      case 'degraded':
        return check.degraded({ message: 'replica lagging 12 s' });
      case 'down':
        return check.down({ message: 'connection lost' });
    }
  }
}

/** The app's Terminus setup, as a health controller's module would have it. */
@Module({
  imports: [TerminusModule.forRoot({ logger: false })],
  providers: [Redis, RedisHealth],
  exports: [TerminusModule, Redis, RedisHealth],
})
class HealthModule {}

const APP_STATUS = 'Serving orders';

@Module({
  imports: [
    ScheduleModule.forRoot(),
    HealthModule,
    SystemdModule.forRoot({ readyStatus: APP_STATUS, healthIndicators: [RedisHealth] }),
  ],
})
class RedisAppModule {}

/** The heap threshold the memory checks use; the tests lower it to 1 byte. */
const heap = { thresholdBytes: 1024 ** 4 };

/** A Terminus health.check([...]) as a /health controller calls it, handed to the module. */
@Module({
  imports: [
    ScheduleModule.forRoot(),
    HealthModule,
    SystemdModule.forRootAsync({
      imports: [HealthModule],
      inject: [HealthCheckService, MemoryHealthIndicator, RedisHealth],
      useFactory: (
        health: HealthCheckService,
        memory: MemoryHealthIndicator,
        redis: RedisHealth,
      ) => ({
        readyStatus: APP_STATUS,
        healthIndicators: [
          {
            name: 'health',
            check: () =>
              health.check([
                () => memory.checkHeap('memory_heap', heap.thresholdBytes),
                () => redis.isHealthy(),
              ]),
          },
        ],
      }),
    }),
  ],
})
class HealthCheckAppModule {}

/** An app whose only check is a driver call resolving to `answer`. */
function driverApp(answer: unknown): { module: new () => object; calls: () => number } {
  let calls = 0;
  const driver: SystemdHealthIndicatorInput = {
    name: 'driver',
    check: async () => {
      calls++;
      return answer;
    },
  };
  @Module({
    imports: [ScheduleModule.forRoot(), SystemdModule.forRoot({ healthIndicators: [driver] })],
  })
  class DriverAppModule {}
  return { module: DriverAppModule, calls: () => calls };
}

describe('health check results', () => {
  const apps = supervisedApps();
  afterEach(() => {
    heap.thresholdBytes = 1024 ** 4;
  });

  describe('Terminus 12 HealthIndicatorService sessions', () => {
    // Fails on 0707cbe by its wording only: an entry with status 'up' / 'down' was already
    // understood, but its STATUS read "redis: redis connection lost".
    it('.up() pings, .down({ message }) withholds with the message, .up() again restores', async () => {
      const { app, systemd, logger } = await apps.start(RedisAppModule);
      await expectReady(systemd, APP_STATUS);
      await expectPings(systemd);
      app.get(Redis).mode = 'down';
      // The indicator names itself ("redis: …"): said once, not "redis: redis: …".
      expect(await expectWithheld(systemd)).toBe(`${UNHEALTHY_PREFIX}redis: connection lost`);
      app.get(Redis).mode = 'up';
      await expectRecovered(systemd, APP_STATUS);
      expect(logger.fromSystemd('log')).toContain(
        'health checks pass again, watchdog pings resumed',
      );
    });

    // Fails on 0707cbe: any status but 'up' was down, so a degraded dependency cost the pings
    // (and, at the timeout, the whole service).
    it('.degraded() keeps pinging and says so; .up() restores the app status', async () => {
      const { app, systemd, logger } = await apps.start(RedisAppModule);
      await expectPings(systemd, 0);
      const since = systemd.messages.length;
      app.get(Redis).mode = 'degraded';
      const degraded = await systemd.waitFor(
        (record) => record.assignments.STATUS?.startsWith(DEGRADED_PREFIX) ?? false,
        { since, timeoutMs: 2000 },
      );
      // The round that finds it degraded pings, and says why in the same datagram.
      expect(degraded.raw).toBe(`WATCHDOG=1\nSTATUS=${DEGRADED_PREFIX}redis: replica lagging 12 s`);
      // Later degraded rounds ping without repeating the STATUS.
      const later = await expectPings(systemd, systemd.messages.indexOf(degraded) + 1, 2);
      expect(later.map((record) => record.raw)).toEqual(['WATCHDOG=1', 'WATCHDOG=1']);
      app.get(Redis).mode = 'up';
      await expectRecovered(systemd, APP_STATUS);
      // The pings never stopped: the log does not say they resumed.
      const recovered = logger.fromSystemd('log').filter((line) => line.includes('pass again'));
      expect(recovered).toEqual(['health checks pass again, no longer degraded']);
    });
  });

  // Fails on 0707cbe by its wording only ("db: db connect ECONNREFUSED …").
  it('check(key).attempt(fn), a thenable rather than a Promise: up while fn resolves, down with its error', async () => {
    const db = { reachable: true };
    @Module({
      imports: [
        ScheduleModule.forRoot(),
        HealthModule,
        SystemdModule.forRootAsync({
          imports: [HealthModule],
          inject: [HealthIndicatorService],
          useFactory: (indicators: HealthIndicatorService) => ({
            healthIndicators: [
              {
                name: 'db',
                check: () =>
                  indicators.check('db').attempt(async () => {
                    if (!db.reachable) throw new Error('connect ECONNREFUSED 10.0.0.7:5432');
                    return { rows: 1 };
                  }),
              },
            ],
          }),
        }),
      ],
    })
    class AttemptAppModule {}
    const { systemd } = await apps.start(AttemptAppModule);
    await expectGated(
      systemd,
      (healthy) => (db.reachable = healthy),
      'db: connect ECONNREFUSED 10.0.0.7:5432',
    );
  });

  describe('HealthCheckService.check([...])', () => {
    // Fails on 0707cbe: a HealthCheckResult ({ status: 'ok', info, error, details }) was "an
    // unrecognised result", so a healthy app never pinged.
    it("status 'ok' pings; an indicator down (ServiceUnavailableException) withholds, naming its key", async () => {
      const { app, systemd } = await apps.start(HealthCheckAppModule);
      await expectPings(systemd, 0, 3);
      app.get(Redis).mode = 'down';
      // What the check now does: Terminus throws, it does not resolve.
      await expect(
        app.get(HealthCheckService).check([() => app.get(RedisHealth).isHealthy()]),
      ).rejects.toBeInstanceOf(ServiceUnavailableException);
      const status = await expectWithheld(systemd);
      // The failing key and its message, not the exception's "Service Unavailable Exception",
      // and not the passing memory_heap.
      expect(status).toBe(`${UNHEALTHY_PREFIX}health: redis: connection lost`);
      app.get(Redis).mode = 'up';
      await expectRecovered(systemd, APP_STATUS);
    });

    // Fails on 0707cbe: see above.
    it("status 'degraded' keeps pinging and names the degraded key", async () => {
      const { app, systemd } = await apps.start(HealthCheckAppModule);
      await expectPings(systemd, 0);
      const since = systemd.messages.length;
      app.get(Redis).mode = 'degraded';
      // Terminus resolves (HTTP 200 on /health) with the overall status 'degraded'.
      const result = await app
        .get(HealthCheckService)
        .check([() => app.get(RedisHealth).isHealthy()]);
      expect(result.status).toBe('degraded');
      const degraded = await systemd.waitFor(
        (record) => record.assignments.STATUS?.startsWith(DEGRADED_PREFIX) ?? false,
        { since, timeoutMs: 2000 },
      );
      expect(degraded.raw).toBe(
        `WATCHDOG=1\nSTATUS=${DEGRADED_PREFIX}health: redis: replica lagging 12 s`,
      );
      await expectPings(systemd, systemd.messages.indexOf(degraded) + 1);
    });
  });

  describe('MemoryHealthIndicator.checkHeap', () => {
    // Direct: fails on 0707cbe by its wording only ("memory_heap: memory_heap Used heap…").
    // Through health.check(): fails on 0707cbe (no ping ever, see above).
    it.each<[string, ModuleMetadata, string]>([
      [
        'called directly',
        {
          imports: [
            ScheduleModule.forRoot(),
            HealthModule,
            SystemdModule.forRootAsync({
              imports: [HealthModule],
              inject: [MemoryHealthIndicator],
              useFactory: (memory: MemoryHealthIndicator) => ({
                healthIndicators: [
                  {
                    name: 'memory_heap',
                    check: () => memory.checkHeap('memory_heap', heap.thresholdBytes),
                  },
                ],
              }),
            }),
          ],
        },
        'memory_heap: Used heap exceeded the set threshold',
      ],
      [
        'through health.check()',
        {
          imports: [
            ScheduleModule.forRoot(),
            HealthModule,
            SystemdModule.forRootAsync({
              imports: [HealthModule],
              inject: [HealthCheckService, MemoryHealthIndicator],
              useFactory: (health: HealthCheckService, memory: MemoryHealthIndicator) => ({
                healthIndicators: [
                  () => health.check([() => memory.checkHeap('memory_heap', heap.thresholdBytes)]),
                ],
              }),
            }),
          ],
        },
        // A plain arrow function has no name of its own: its place in the list.
        'check #1: memory_heap: Used heap exceeded the set threshold',
      ],
    ])('%s: a huge threshold pings, a 1-byte one withholds', async (_, metadata, why) => {
      @Module(metadata)
      class MemoryAppModule {}
      const { systemd } = await apps.start(MemoryAppModule);
      await expectGated(systemd, (healthy) => (heap.thresholdBytes = healthy ? 1024 ** 4 : 1), why);
    });
  });

  describe('what drivers answer a ping with', () => {
    // These fail on 0707cbe: anything but undefined, true or indicator entries was "an
    // unrecognised result", so these apps never pinged. `false` below passes on 0707cbe too.
    it.each([
      ["ioredis' 'PONG'", 'PONG'],
      ["MongoDB's { ok: 1 }", { ok: 1 }],
      ['the rows of SELECT 1', [{ '?column?': 1 }]],
      ['a number', 42],
      ['null', null],
    ])('%s pings', async (_, answer) => {
      const { module, calls } = driverApp(answer);
      const { systemd } = await apps.start(module);
      await expectPings(systemd, 0, 3);
      // Each ping is a round that asked the driver.
      expect(calls()).toBeGreaterThanOrEqual(3);
      // Nothing but the module's own start-up statuses: never unhealthy, never degraded.
      expect(systemd.received('STATUS').map((record) => record.assignments.STATUS)).toEqual([
        'Starting',
        'Running',
      ]);
    });

    it('false withholds', async () => {
      const { module, calls } = driverApp(false);
      const { systemd } = await apps.start(module);
      expect(await expectWithheld(systemd, 0)).toBe(
        `${UNHEALTHY_PREFIX}driver: reported unhealthy`,
      );
      expect(systemd.received('WATCHDOG=1')).toEqual([]);
      expect(calls()).toBeGreaterThanOrEqual(2);
    });
  });
});
