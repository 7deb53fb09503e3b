import 'reflect-metadata';
import { Injectable, Module, type OnModuleDestroy } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ScheduleModule } from '@nestjs/schedule';
import { SystemdModule } from '../../lib/systemd.module.js';
import { SystemdService } from '../../lib/systemd.service.js';
import { NotifyListener } from '../../lib/testing/notify-listener.js';
import { exitWithin, gaps, startFixtureApp, withSystemdEnv } from './helpers.js';

@Injectable()
class SlowDestroy implements OnModuleDestroy {
  constructor(private readonly systemd: SystemdService) {}
  async onModuleDestroy(): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    this.systemd.notify({ custom: { X_SLOW_DESTROY_DONE: '1' } });
  }
}

// The slow hook sits in the root module: Nest runs the root module's onModuleDestroy first.
@Module({ imports: [ScheduleModule.forRoot(), SystemdModule.forRoot()], providers: [SlowDestroy] })
class RootWithSlowDestroy {}

const indexOf = (systemd: NotifyListener, line: string) =>
  systemd.messages.findIndex((record) => record.lines.includes(line));

describe('STOPPING=1 first on shutdown', () => {
  let systemd: NotifyListener;
  beforeEach(async () => {
    systemd = await NotifyListener.start({ watchdogUsec: 300_000 });
  });
  afterEach(() => systemd.close());

  it('app.close() on an HTTP app: before a slow destroy hook of the root module', async () => {
    await withSystemdEnv(systemd.env(), async () => {
      const app = await NestFactory.create(RootWithSlowDestroy, { logger: false });
      await app.listen(0, '127.0.0.1');
      await systemd.waitFor('READY=1');
      const closing = app.close();
      const stopping = await systemd.waitFor('STOPPING=1', { timeoutMs: 300 });
      expect(stopping.raw).toBe('STOPPING=1\nSTATUS=Shutting down');
      await closing;
      await systemd.waitFor('X_SLOW_DESTROY_DONE=1');
      expect(indexOf(systemd, 'STOPPING=1')).toBeLessThan(
        indexOf(systemd, 'X_SLOW_DESTROY_DONE=1'),
      );
      expect(systemd.received('STOPPING=1')).toHaveLength(1);
    });
  });

  it('a real SIGTERM (twice) to a child: STOPPING at once and only once; the process then exits', async () => {
    const { child, exit } = await startFixtureApp('e2e-app', ['serve'], systemd.env());
    try {
      await systemd.waitFor('WATCHDOG=1', { timeoutMs: 10_000 });
      child.kill('SIGTERM');
      const sent = performance.now();
      const stopping = await systemd.waitFor('STOPPING=1', { timeoutMs: 500 });
      expect(stopping.receivedAt - sent).toBeLessThan(300);
      child.kill('SIGTERM');
      await systemd.waitFor('X_SLOW_DESTROY_DONE=1', { timeoutMs: 5000 });
      // Nest re-raises the signal once its hooks are done, so the exit is by SIGTERM, as without us.
      expect(await exitWithin(child, exit, 5000)).toEqual({ code: null, signal: 'SIGTERM' });
      expect(systemd.received('STOPPING=1')).toHaveLength(1);
      const stoppingAt = indexOf(systemd, 'STOPPING=1');
      expect(stoppingAt).toBeLessThan(indexOf(systemd, 'X_SLOW_DESTROY_DONE=1'));
      expect(
        systemd.messages.slice(stoppingAt).filter((r) => r.lines.includes('WATCHDOG=1')),
      ).toEqual([]);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('app.close() in a child: the process exits by itself (no timer or socket left behind)', async () => {
    const { child, exit } = await startFixtureApp('e2e-app', ['close-after-ready'], systemd.env());
    expect(await exitWithin(child, exit, 6000)).toEqual({ code: 0, signal: null });
    const exitedAt = performance.now();
    // Its last datagram: the exit can be seen before the listener has read it.
    await systemd.waitFor('STATUS=Database closed (phase stopped)');
    expect(systemd.received('READY=1')).toHaveLength(1);
    expect(systemd.received('STOPPING=1')).toHaveLength(1);
    // Another module's onApplicationShutdown runs after the module's own: its status still
    // reaches systemd, after STOPPING, and the socket it went out on does not hold the process
    // (an idle socket would, for its second before closing).
    const [closed] = systemd.received('STATUS=Database closed (phase stopped)');
    expect(closed).toBeDefined();
    expect(systemd.messages.indexOf(closed!)).toBeGreaterThan(indexOf(systemd, 'STOPPING=1'));
    expect(exitedAt - closed!.receivedAt).toBeLessThan(700);
  });

  it('a blocked event loop withholds pings for as long as it is blocked', async () => {
    const { child, port, exit } = await startFixtureApp('e2e-app', ['serve'], systemd.env());
    try {
      await systemd.waitFor('WATCHDOG=1', { timeoutMs: 10_000 });
      // From the last ping before the block (a STATUS= may have come after it).
      const lastBefore = systemd.received('WATCHDOG=1').at(-1)!;
      const since = systemd.messages.indexOf(lastBefore);
      const response = await fetch(`http://127.0.0.1:${port}/block?ms=900`);
      expect(await response.text()).toBe('unblocked');
      await systemd.waitFor('WATCHDOG=1', { since: systemd.messages.length, timeoutMs: 1000 });
      const pings = systemd
        .received('WATCHDOG=1')
        .filter((r) => systemd.messages.indexOf(r) >= since);
      expect(Math.max(...gaps(pings))).toBeGreaterThan(850);
    } finally {
      child.kill('SIGTERM');
      await exitWithin(child, exit, 5000);
    }
  });
});

describe('bootstrap fails clearly on misconfiguration', () => {
  it('without ScheduleModule.forRoot()', async () => {
    @Module({ imports: [SystemdModule.forRoot()] })
    class NoSchedule {}
    await expect(
      NestFactory.createApplicationContext(NoSchedule, { logger: false, abortOnError: false }),
    ).rejects.toThrow(/import ScheduleModule\.forRoot\(\)/);
  });

  it.each([
    [
      { readyOn: 'soon' },
      /option "readyOn" must be one of 'auto', 'bootstrap', 'manual', got "soon"/,
    ],
    [{ watchdogIntervalMs: -1 }, /option "watchdogIntervalMs" must be a positive integer, got -1/],
    // As a config value read with Number() gives it: named as such, not as JSON's null.
    [{ watchdogIntervalMs: NaN }, /"watchdogIntervalMs" must be a positive integer, got NaN$/],
    [{ healthCheckTimeoutMs: 10n }, /"healthCheckTimeoutMs" must be a positive integer, got 10$/],
    [{ healthIndicators: [42] }, /option "healthIndicators\[0\]" must be a function/],
    [
      { healthIndicators: [{ name: 'db', check: () => true, critical: 'no' }] },
      /option "healthIndicators\[0\]\.critical" must be true or false, got "no"/,
    ],
    [{ stoppingStatus: 5 }, /option "stoppingStatus" must be a string/],
  ])('with invalid option %j', async (options, message) => {
    @Module({ imports: [ScheduleModule.forRoot(), SystemdModule.forRoot(options as never)] })
    class Invalid {}
    await expect(
      NestFactory.createApplicationContext(Invalid, { logger: false, abortOnError: false }),
    ).rejects.toThrow(message);
  });

  it('with a health deadline not shorter than the ping period', async () => {
    @Module({
      imports: [
        ScheduleModule.forRoot(),
        SystemdModule.forRoot({ watchdogIntervalMs: 500, healthCheckTimeoutMs: 500 }),
      ],
    })
    class Overlapping {}
    // Wrong whatever systemd's timeout: refused even when not supervised.
    await expect(
      NestFactory.createApplicationContext(Overlapping, { logger: false, abortOnError: false }),
    ).rejects.toThrow(
      /"healthCheckTimeoutMs" \(500 ms\) must be shorter than "watchdogIntervalMs" \(500 ms\)/,
    );
  });
});
