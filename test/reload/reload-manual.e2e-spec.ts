// SystemdService.reload() for reloads the app starts itself, the warning when the reload
// signal would also shut the app down, and the handlers that are left out.
import 'reflect-metadata';
import { Injectable, Module, Scope, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ScheduleModule } from '@nestjs/schedule';
import { OnSystemdReload } from '../../lib/reload/on-systemd-reload.decorator.js';
import { SystemdModule } from '../../lib/systemd.module.js';
import { SystemdService } from '../../lib/systemd.service.js';
import { NotifyListener } from '../../lib/testing/notify-listener.js';
import { expectReady, sleep, withSystemdEnv } from '../e2e/helpers.js';
import { RecordingNestLogger } from '../faults/helpers.js';

@Injectable()
class FeatureFlags {
  reloads = 0;

  @OnSystemdReload()
  reread(): void {
    this.reloads++;
  }
}

@Module({
  imports: [ScheduleModule.forRoot(), SystemdModule.forRoot({ reload: true })],
  providers: [FeatureFlags],
})
class AppModule {}

/** How many times a handler on a request-scoped or transient provider ran: never, it must be. */
const scopedRuns = { request: 0, transient: 0 };

@Injectable({ scope: Scope.REQUEST })
class RequestCache {
  @OnSystemdReload()
  drop(): void {
    scopedRuns.request++;
  }
}

@Injectable({ scope: Scope.TRANSIENT })
class TransientCounter {
  @OnSystemdReload()
  reset(): void {
    scopedRuns.transient++;
  }
}

/** Transient providers are used through the providers that inject them, each its own instance. */
@Injectable()
class CounterUser {
  constructor(readonly counter: TransientCounter) {}
}

@Module({
  imports: [ScheduleModule.forRoot(), SystemdModule.forRoot({ reload: true })],
  providers: [FeatureFlags, RequestCache, TransientCounter, CounterUser],
})
class AppWithScopedHandlersModule {}

/** The warnings for the handlers of AppWithScopedHandlersModule that are left out. */
const skippedWarnings = [
  expect.stringMatching(/^@OnSystemdReload\(\) on RequestCache\.drop is ignored: .*request-scoped/),
  expect.stringMatching(/^@OnSystemdReload\(\) on TransientCounter\.reset is ignored/),
];

/** An app's own SIGHUP handler, as a logrotate hook would be. */
const reopenLogs = (): void => undefined;

describe('SystemdService.reload()', () => {
  let systemd: NotifyListener;
  let app: INestApplicationContext | undefined;

  beforeEach(async () => {
    systemd = await NotifyListener.start();
  });
  afterEach(async () => {
    await app?.close();
    app = undefined;
    await systemd.close();
  });

  it('runs the handlers between RELOADING=1 and READY=1', async () => {
    app = await withSystemdEnv(systemd.env(), () =>
      NestFactory.createApplicationContext(AppModule, { logger: false }),
    );
    await expectReady(systemd, 'Running');
    const since = systemd.messages.length;
    const outcome = await app.get(SystemdService).reload();
    expect(outcome).toEqual({ ok: true, failures: [] });
    expect(app.get(FeatureFlags).reloads).toBe(1);
    await systemd.waitFor('READY=1', { since });
    const raws = systemd.messages.slice(since).map((record) => record.raw);
    expect(raws).toEqual([
      expect.stringMatching(/^RELOADING=1\nMONOTONIC_USEC=\d+\nSTATUS=Reloading$/),
      'READY=1\nSTATUS=Running',
    ]);
  });

  it('runs the handlers without notifying when not under systemd', async () => {
    app = await withSystemdEnv({}, () =>
      NestFactory.createApplicationContext(AppModule, { logger: false }),
    );
    expect(await app.get(SystemdService).reload()).toEqual({ ok: true, failures: [] });
    expect(app.get(FeatureFlags).reloads).toBe(1);
    expect(systemd.messages).toEqual([]);
  });

  it('skips handlers on request-scoped and transient providers, with one warning each at start-up', async () => {
    const logger = new RecordingNestLogger();
    app = await withSystemdEnv(systemd.env(), () =>
      NestFactory.createApplicationContext(AppWithScopedHandlersModule, { logger }),
    );
    await expectReady(systemd, 'Running');
    // Handlers are looked for once bootstrap has returned, before any reload is asked for.
    await sleep(20);
    expect(logger.fromSystemd('warn')).toEqual(skippedWarnings);
    expect(await app.get(SystemdService).reload()).toEqual({ ok: true, failures: [] });
    expect(await app.get(SystemdService).reload()).toEqual({ ok: true, failures: [] });
    expect(app.get(FeatureFlags).reloads).toBe(2);
    expect(scopedRuns).toEqual({ request: 0, transient: 0 });
    // Found once: the reloads warned no more.
    expect(logger.fromSystemd('warn')).toEqual(skippedWarnings);
  });

  it('looks for handlers at the first reload() when not under systemd, not at start-up', async () => {
    const logger = new RecordingNestLogger();
    app = await withSystemdEnv({}, () =>
      NestFactory.createApplicationContext(AppWithScopedHandlersModule, { logger }),
    );
    await sleep(20);
    expect(logger.fromSystemd('warn')).toEqual([]);
    expect(await app.get(SystemdService).reload()).toEqual({ ok: true, failures: [] });
    expect(logger.fromSystemd('warn')).toEqual(skippedWarnings);
    expect(app.get(FeatureFlags).reloads).toBe(1);
    expect(scopedRuns).toEqual({ request: 0, transient: 0 });
  });

  it("warns when Nest's shutdown hooks also listen to the reload signal", async () => {
    const logger = new RecordingNestLogger();
    app = await withSystemdEnv(systemd.env(), () =>
      NestFactory.createApplicationContext(AppModule, { logger }),
    );
    app.enableShutdownHooks();
    await sleep(20);
    expect(logger.fromSystemd('warn')).toEqual([
      expect.stringMatching(
        /SIGHUP also shuts the app down.*enableShutdownHooks\(\['SIGTERM', 'SIGINT'\]\)/,
      ),
    ]);
  });

  it("does not warn about the app's own SIGHUP listener (a logrotate hook)", async () => {
    process.on('SIGHUP', reopenLogs);
    try {
      const logger = new RecordingNestLogger();
      app = await withSystemdEnv(systemd.env(), () =>
        NestFactory.createApplicationContext(AppModule, { logger }),
      );
      app.enableShutdownHooks(['SIGTERM', 'SIGINT']);
      await sleep(20);
      expect(logger.fromSystemd('warn')).toEqual([]);
    } finally {
      process.removeListener('SIGHUP', reopenLogs);
    }
  });
});
