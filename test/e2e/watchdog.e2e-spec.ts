import 'reflect-metadata';
import { Injectable, Module, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ScheduleModule, SchedulerRegistry } from '@nestjs/schedule';
import type {
  SystemdHealthIndicator,
  SystemdHealthResult,
} from '../../lib/health/health-indicator.interface.js';
import { SystemdModule } from '../../lib/systemd.module.js';
import { SystemdService } from '../../lib/systemd.service.js';
import { SYSTEMD_WATCHDOG_INTERVAL } from '../../lib/systemd.constants.js';
import { NotifyListener } from '../../lib/testing/notify-listener.js';
import { expectReady, gaps, sleep, withSystemdEnv } from './helpers.js';

type Mode = 'up' | 'false' | 'terminus-down' | 'throws' | 'rejects-non-error' | 'hangs' | 'garbage';

/** An injectable indicator whose behaviour the test switches. */
@Injectable()
class SwitchableIndicator implements SystemdHealthIndicator {
  readonly healthIndicatorName = 'database';
  mode: Mode = 'up';
  calls = 0;
  /** Answers of hanging calls, for a test that lets them arrive late. */
  readonly late: (() => void)[] = [];
  isHealthy(): SystemdHealthResult | Promise<SystemdHealthResult> {
    this.calls++;
    switch (this.mode) {
      case 'up':
        return { database: { status: 'up' } };
      case 'false':
        return false;
      case 'terminus-down':
        return Promise.resolve({ database: { status: 'down', message: 'connection refused' } });
      case 'throws':
        throw new Error('pool exhausted');
      case 'rejects-non-error':
        return Promise.reject('plain string') as Promise<SystemdHealthResult>;
      case 'hangs':
        return new Promise((resolve) => this.late.push(() => resolve(true)));
      case 'garbage':
        return 42 as unknown as SystemdHealthResult;
    }
  }
}

@Module({ providers: [SwitchableIndicator], exports: [SwitchableIndicator] })
class IndicatorModule {}

@Module({
  imports: [
    ScheduleModule.forRoot(),
    IndicatorModule,
    SystemdModule.forRoot({ healthIndicators: [SwitchableIndicator] }),
  ],
})
class WatchedModule {}

const WATCHDOG_USEC = 200_000; // 200 ms timeout: pings every 100 ms

describe('WATCHDOG=1 pings gated on health', () => {
  let systemd: NotifyListener;
  let app: INestApplicationContext | undefined;

  beforeEach(async () => {
    systemd = await NotifyListener.start({ watchdogUsec: WATCHDOG_USEC });
  });
  afterEach(async () => {
    await app?.close();
    app = undefined;
    await systemd.close();
  });

  const start = async (module: unknown = WatchedModule, env = systemd.env()) =>
    withSystemdEnv(env, async () => {
      app = await NestFactory.createApplicationContext(module as never, { logger: false });
      return app;
    });
  const pings = (since = 0) =>
    systemd.received('WATCHDOG=1').filter((r) => systemd.messages.indexOf(r) >= since);

  it('pings at half the timeout, from an interval registered with @nestjs/schedule', async () => {
    const context = await start();
    expect(context.get(SystemdService).watchdogIntervalMs).toBe(100);
    // The interval runs from READY (sent once bootstrap is over) to STOPPING.
    expect(context.get(SchedulerRegistry).getIntervals()).toEqual([]);
    await systemd.waitFor('READY=1');
    expect(context.get(SchedulerRegistry).getIntervals()).toEqual([SYSTEMD_WATCHDOG_INTERVAL]);
    const since = systemd.messages.length;
    await sleep(1050);
    const got = pings(since);
    expect(got.length).toBeGreaterThanOrEqual(8);
    expect(got.length).toBeLessThanOrEqual(12);
    const sorted = gaps(got).toSorted((a, b) => a - b);
    expect(sorted[Math.floor(sorted.length / 2)]).toBeGreaterThan(80);
    expect(sorted[Math.floor(sorted.length / 2)]).toBeLessThan(130);
  });

  it.each([
    ['false', /database: reported unhealthy/],
    ['terminus-down', /database: connection refused/],
    ['throws', /database: pool exhausted/],
    ['rejects-non-error', /database: threw "plain string"/],
    ['hangs', /database: no answer within 50 ms/],
  ] as const)(
    'an indicator that is %s withholds pings and says why; recovery resumes them',
    async (mode, reason) => {
      const context = await start();
      const indicator = context.get(SwitchableIndicator);
      await systemd.waitFor('WATCHDOG=1');

      indicator.mode = mode;
      const failing = await systemd.waitFor((r) => /Unhealthy/.test(r.assignments.STATUS ?? ''), {
        timeoutMs: 2000,
      });
      expect(failing.lines).toEqual([
        expect.stringMatching(/^STATUS=Unhealthy, watchdog pings withheld: /),
      ]);
      expect(failing.assignments.STATUS).toMatch(reason);
      const since = systemd.messages.length;
      await sleep(500);
      expect(pings(since)).toEqual([]);
      // STATUS is sent when the reason changes, not every tick.
      expect(systemd.messages.slice(since)).toEqual([]);

      indicator.mode = 'up';
      for (const answer of indicator.late.splice(0)) answer(); // hung calls answer at last
      const recovered = await systemd.waitFor('WATCHDOG=1', { since, timeoutMs: 2000 });
      expect(recovered.raw).toBe('WATCHDOG=1\nSTATUS=Running');
      await systemd.waitFor('WATCHDOG=1', { since: systemd.messages.indexOf(recovered) + 1 });
    },
  );

  it('an indicator that resolves to any other value (42, as a driver ping may) keeps pinging', async () => {
    const context = await start();
    const indicator = context.get(SwitchableIndicator);
    await systemd.waitFor('WATCHDOG=1');
    indicator.mode = 'garbage';
    const since = systemd.messages.length;
    await sleep(450);
    expect(indicator.calls).toBeGreaterThan(3);
    expect(pings(since).length).toBeGreaterThanOrEqual(3);
    expect(systemd.received('STATUS').filter((r) => systemd.messages.indexOf(r) >= since)).toEqual(
      [],
    );
  });

  it('a hanging indicator is not called again once a few calls hang (no pile-up)', async () => {
    const context = await start();
    const indicator = context.get(SwitchableIndicator);
    await systemd.waitFor('WATCHDOG=1');
    indicator.mode = 'hangs';
    const callsBefore = indicator.calls;
    await sleep(800); // ~8 ticks
    expect(indicator.calls - callsBefore).toBe(3);
    expect(systemd.received('STATUS').at(-1)?.assignments.STATUS).toMatch(
      /database: no answer within 50 ms/,
    );
  });

  it('WATCHDOG=trigger after N consecutive failures, when asked', async () => {
    @Module({
      imports: [
        ScheduleModule.forRoot(),
        IndicatorModule,
        SystemdModule.forRoot({ healthIndicators: [SwitchableIndicator], watchdogTriggerAfter: 3 }),
      ],
    })
    class TriggerModule {}
    const context = await start(TriggerModule);
    await systemd.waitFor('WATCHDOG=1');
    const since = systemd.messages.length;
    context.get(SwitchableIndicator).mode = 'false';
    const trigger = await systemd.waitFor('WATCHDOG=trigger', { since, timeoutMs: 2000 });
    expect(trigger.assignments.STATUS).toMatch(/database: reported unhealthy/);
    await sleep(300);
    expect(systemd.received('WATCHDOG=trigger')).toHaveLength(1);
  });

  it('plain functions from a forRootAsync factory that injects a service', async () => {
    @Injectable()
    class Flags {
      healthy = true;
    }
    @Module({ providers: [Flags], exports: [Flags] })
    class FlagsModule {}
    @Module({
      imports: [
        ScheduleModule.forRoot(),
        FlagsModule,
        SystemdModule.forRootAsync({
          imports: [FlagsModule],
          inject: [Flags],
          useFactory: (flags: Flags) => ({
            readyStatus: 'Worker up',
            healthIndicators: [{ name: 'flags', check: () => flags.healthy }],
          }),
        }),
      ],
    })
    class AsyncModule {}
    const context = await start(AsyncModule);
    await expectReady(systemd, 'Worker up');
    await systemd.waitFor('WATCHDOG=1');
    context.get(Flags).healthy = false;
    const failing = await systemd.waitFor((r) => /flags: reported unhealthy/.test(r.raw), {
      timeoutMs: 2000,
    });
    expect(failing.assignments.STATUS).toBeDefined();
  });

  it('WATCHDOG_PID of another process: a child of the service, so it sends nothing at all', async () => {
    const context = await start(WatchedModule, { ...systemd.env(), WATCHDOG_PID: '1' });
    await sleep(300);
    expect(systemd.messages).toEqual([]);
    expect(context.get(SystemdService).enabled).toBe(false);
    expect(context.get(SystemdService).watchdogIntervalMs).toBeUndefined();
    expect(context.get(SchedulerRegistry).getIntervals()).toEqual([]);
  });

  it('stops pinging at STOPPING=1 and removes its interval', async () => {
    const context = await start();
    await systemd.waitFor('WATCHDOG=1');
    const registry = context.get(SchedulerRegistry);
    await context.close();
    app = undefined;
    const stopping = systemd.messages.indexOf(await systemd.waitFor('STOPPING=1'));
    await sleep(250);
    expect(pings(stopping)).toEqual([]);
    expect(registry.getIntervals()).toEqual([]);
  });
});
