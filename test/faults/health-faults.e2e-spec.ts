// A health check that never settles, for over 1,000 watchdog ticks: pending work stays
// bounded, pings stay withheld, STATUS says which check hangs (once, without flapping).
import 'reflect-metadata';
import { Module, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ScheduleModule } from '@nestjs/schedule';
import { SystemdModule } from '../../lib/systemd.module.js';
import { NotifyListener } from '../../lib/testing/notify-listener.js';
import { withSystemdEnv } from '../e2e/helpers.js';
import { until } from './helpers.js';

const calls = { hanging: 0, ticks: 0 };

@Module({
  imports: [
    ScheduleModule.forRoot(),
    SystemdModule.forRoot({
      healthIndicators: [
        { name: 'stuck-dependency', check: () => (calls.hanging++, new Promise(() => undefined)) },
        // Healthy, and called once per round: counts the rounds.
        { name: 'tick-counter', check: () => void calls.ticks++ },
      ],
    }),
  ],
})
class HangingModule {}

describe('a health check that never settles', () => {
  let systemd: NotifyListener;
  let app: INestApplicationContext | undefined;

  beforeEach(async () => {
    // A 4 ms watchdog timeout: a tick every 2 ms, so 1,000 ticks take seconds, not minutes.
    systemd = await NotifyListener.start({ watchdogUsec: 4000 });
  });
  afterEach(async () => {
    await app?.close();
    await systemd.close();
  });

  it('over 1,000 ticks: at most 3 calls pending, no ping, one STATUS naming it', async () => {
    app = await withSystemdEnv(systemd.env(), () =>
      NestFactory.createApplicationContext(HangingModule, { logger: false }),
    );
    await until(() => calls.ticks >= 1000, 20_000);

    expect(calls.hanging).toBeLessThanOrEqual(3);
    expect(systemd.received('WATCHDOG=1')).toEqual([]);
    const unhealthy = systemd.messages.filter((record) =>
      (record.assignments.STATUS ?? '').startsWith('Unhealthy'),
    );
    expect(unhealthy.map((record) => record.assignments.STATUS)).toEqual([
      'Unhealthy, watchdog pings withheld: stuck-dependency: no answer within 1 ms',
    ]);
  }, 30_000);
});
