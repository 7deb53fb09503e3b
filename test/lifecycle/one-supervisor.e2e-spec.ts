// Issue #12, items 6 to 9: every path that changes systemd's view goes through the one
// supervisor (a READY or STOPPING sent by hand moves the watchdog as the module's own do), one
// forRoot() per application, a wrapper's WATCHDOG_PID, and options that contradict the unit.
// Real Nest applications, a real notify socket.
import 'reflect-metadata';
import { Controller, Get, Injectable, Module, type INestApplicationContext } from '@nestjs/common';
import { ModulesContainer, NestFactory } from '@nestjs/core';
import { ScheduleModule } from '@nestjs/schedule';
import { OnSystemdReload } from '../../lib/reload/on-systemd-reload.decorator.js';
import { SystemdModule } from '../../lib/systemd.module.js';
import { SystemdService } from '../../lib/systemd.service.js';
import { NotifyListener, type NotifyRecord } from '../../lib/testing/notify-listener.js';
import { expectReady, gaps, sleep, withSystemdEnv } from '../e2e/helpers.js';
import { RecordingNestLogger } from '../faults/helpers.js';

describe('one supervisor per application', () => {
  let systemd: NotifyListener;
  let app: INestApplicationContext | undefined;
  beforeEach(async () => {
    systemd = await NotifyListener.start({ watchdogUsec: 200_000 });
  });
  afterEach(async () => {
    await app?.close();
    app = undefined;
    await systemd.close();
  });

  const pingsSince = (since: number) =>
    systemd.received('WATCHDOG=1').filter((r) => systemd.messages.indexOf(r) >= since);

  describe('SystemdService.notify() goes through the same state as the module', () => {
    @Module({ imports: [ScheduleModule.forRoot(), SystemdModule.forRoot({ readyOn: 'manual' })] })
    class ManualModule {}

    beforeEach(async () => {
      app = await withSystemdEnv(systemd.env(), () =>
        NestFactory.createApplicationContext(ManualModule, { logger: false }),
      );
    });

    it('notify({ ready: true }) starts the pings, notify({ stopping: true }) ends them', async () => {
      const service = app!.get(SystemdService);
      await sleep(250);
      expect(systemd.received('WATCHDOG=1')).toEqual([]);
      expect(service.notify({ ready: true, status: 'Consuming jobs' })).toBe(true);
      await systemd.waitFor('WATCHDOG=1', { timeoutMs: 500 });
      expect(service.phase).toBe('ready');

      expect(service.notify({ stopping: true })).toBe(true);
      expect(service.phase).toBe('stopping');
      const since = systemd.messages.length;
      await sleep(300);
      expect(pingsSince(since)).toEqual([]);
      // After STOPPING, READY is refused and so is a second STOPPING.
      expect(service.notify({ ready: true, status: 'Listening again' })).toBe(false);
      expect(service.stopping()).toBe(false);
      expect(systemd.received('READY=1')).toHaveLength(1);
      expect(systemd.received('STOPPING=1')).toHaveLength(1);
      expect(systemd.received('STATUS=Listening again')).toEqual([]);
    });

    it('notify({ watchdogUsec }) re-times the pings to the new timeout', async () => {
      const service = app!.get(SystemdService);
      service.ready();
      await systemd.waitFor('WATCHDOG=1');
      expect(service.watchdogIntervalMs).toBe(100);
      expect(service.notify({ watchdogUsec: 600_000 })).toBe(true);
      expect(service.watchdogIntervalMs).toBe(300);
      expect(service.watchdogUsec).toBe(600_000n);
      const since = systemd.messages.length;
      await sleep(1300);
      const got = pingsSince(since);
      expect(got.length).toBeGreaterThanOrEqual(3);
      expect(got.length).toBeLessThanOrEqual(5);
      for (const gap of gaps(got)) expect(gap).toBeGreaterThan(200);
    });
  });

  it('leaves no listener behind: signals and process events as they were before the app', async () => {
    const watched = ['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGQUIT', 'newListener', 'removeListener'];
    const before = watched.map((event) => process.listenerCount(event));
    @Module({ imports: [ScheduleModule.forRoot(), SystemdModule.forRoot()] })
    class RootModule {}
    const context = await withSystemdEnv(systemd.env(), () =>
      NestFactory.createApplicationContext(RootModule, { logger: false }),
    );
    context.enableShutdownHooks(['SIGTERM', 'SIGINT']);
    await systemd.waitFor('READY=1');
    // Ours sits first, beside Nest's: a signal Nest stops on is seen before Nest acts on it.
    expect(process.listeners('SIGTERM')).toHaveLength(2);
    expect(process.listenerCount('SIGHUP')).toBe(before[2]);
    await context.close();
    expect(watched.map((event) => process.listenerCount(event))).toEqual(before);
  });

  it('a second forRoot() fails bootstrap, naming where each is imported and what to do', async () => {
    @Module({ imports: [SystemdModule.forRoot({ stoppingStatus: 'Bye' })] })
    class OrdersModule {}
    @Module({ imports: [ScheduleModule.forRoot(), SystemdModule.forRoot(), OrdersModule] })
    class TwiceModule {}
    await expect(
      withSystemdEnv(systemd.env(), () =>
        NestFactory.createApplicationContext(TwiceModule, { logger: false, abortOnError: false }),
      ),
    ).rejects.toThrow(
      /SystemdModule\.forRoot\(\) \/ forRootAsync\(\) is imported 2 times \(by (TwiceModule, OrdersModule|OrdersModule, TwiceModule)\).*SystemdModule\.forFeature\(\), or pass isGlobal: true/,
    );
    expect(systemd.messages).toEqual([]);
  });

  it('a bare imports: [SystemdModule] without forRoot() says what to do', async () => {
    @Injectable()
    class Jobs {
      constructor(readonly notifier: SystemdService) {}
    }
    @Module({ imports: [SystemdModule], providers: [Jobs] })
    class BareModule {}
    await expect(
      NestFactory.createApplicationContext(BareModule, { logger: false, abortOnError: false }),
    ).rejects.toThrow(/SystemdModule is imported without forRoot\(\) anywhere/);
  });

  it.each([
    ['forFeature()', () => SystemdModule.forFeature()],
    ['a bare import', () => SystemdModule],
  ])('%s in a feature module: the same supervisor as forRoot()', async (_name, featureImport) => {
    @Injectable()
    class Jobs {
      constructor(readonly notifier: SystemdService) {}
    }
    @Module({ imports: [featureImport()], providers: [Jobs], exports: [Jobs] })
    class JobsModule {}
    @Module({ imports: [ScheduleModule.forRoot(), SystemdModule.forRoot(), JobsModule] })
    class RootModule {}
    app = await withSystemdEnv(systemd.env(), () =>
      NestFactory.createApplicationContext(RootModule, { logger: false }),
    );
    await systemd.waitFor('READY=1');
    const jobs = app.get(Jobs);
    expect(jobs.notifier.phase).toBe('ready');
    jobs.notifier.status('Working on job 7');
    await systemd.waitFor('STATUS=Working on job 7');
    await app.close();
    app = undefined;
    await systemd.waitFor('STOPPING=1');
    expect(systemd.received('READY=1')).toHaveLength(1);
    expect(systemd.received('STOPPING=1')).toHaveLength(1);
  });

  // Nest 11 and later tell dynamic modules apart by reference: a fresh { module } per call
  // made one Nest module per importer, each a few million instructions of the app's start.
  it('forFeature() in several feature modules: one Nest module and one SystemdService for all', async () => {
    const features = ['Orders', 'Billing', 'Mail'].map((name) => {
      const service = {
        [`${name}Service`]: class {
          constructor(readonly notifier: SystemdService) {}
        },
      }[`${name}Service`]!;
      Injectable()(service);
      Reflect.defineMetadata('design:paramtypes', [SystemdService], service);
      // oxlint-disable-next-line typescript/no-extraneous-class -- a Nest module is a class carrying metadata
      const feature = { [`${name}Module`]: class {} }[`${name}Module`]!;
      Module({ imports: [SystemdModule.forFeature()], providers: [service], exports: [service] })(
        feature,
      );
      return { service, feature };
    });
    @Module({
      imports: [
        ScheduleModule.forRoot(),
        SystemdModule.forRoot(),
        ...features.map((f) => f.feature),
      ],
    })
    class RootModule {}
    app = await withSystemdEnv(systemd.env(), () =>
      NestFactory.createApplicationContext(RootModule, { logger: false }),
    );
    const modules = [...app.get(ModulesContainer).values()];
    // The forRoot()'s module, and one for every forFeature().
    expect(modules.filter((module) => module.metatype === SystemdModule)).toHaveLength(2);
    const services = features.map(({ service }) => app!.get(service).notifier);
    expect(new Set(services).size).toBe(1);
    await systemd.waitFor('READY=1');
    expect(services[0]!.phase).toBe('ready');
  });

  it('isGlobal: true: SystemdService anywhere, one READY and one STOPPING', async () => {
    @Injectable()
    class Jobs {
      constructor(readonly notifier: SystemdService) {}
    }
    @Module({ providers: [Jobs], exports: [Jobs] })
    class JobsModule {}
    @Module({
      imports: [ScheduleModule.forRoot(), SystemdModule.forRoot({ isGlobal: true }), JobsModule],
    })
    class RootModule {}
    app = await withSystemdEnv(systemd.env(), () =>
      NestFactory.createApplicationContext(RootModule, { logger: false }),
    );
    await systemd.waitFor('READY=1');
    expect(app.get(Jobs).notifier.enabled).toBe(true);
    await app.close();
    app = undefined;
    await systemd.waitFor('STOPPING=1');
    expect(systemd.received('STOPPING=1')).toHaveLength(1);
  });
});

describe('one supervised application per process', () => {
  // An HTTP app and a worker context created side by side, both importing the module that
  // holds forRoot(), as apps that share a CoreModule do.
  @Injectable()
  class FailingCheck {
    healthy = true;
    isHealthy(): boolean {
      return this.healthy;
    }
  }
  @Module({
    imports: [
      ScheduleModule.forRoot(),
      SystemdModule.forRoot({ healthIndicators: [FailingCheck] }),
    ],
    providers: [FailingCheck],
  })
  class HttpAppModule {}
  @Module({ imports: [ScheduleModule.forRoot(), SystemdModule.forRoot()] })
  class WorkerModule {}

  let systemd: NotifyListener;
  const apps: INestApplicationContext[] = [];
  beforeEach(async () => {
    systemd = await NotifyListener.start({ watchdogUsec: 200_000 });
  });
  const startHttpApp = async (logger: RecordingNestLogger): Promise<INestApplicationContext> => {
    const http = await withSystemdEnv(systemd.env(), async () => {
      const created = await NestFactory.create(HttpAppModule, { logger });
      await created.listen(0, '127.0.0.1');
      return created;
    });
    apps.push(http);
    return http;
  };
  const closeApp = async (app: INestApplicationContext): Promise<void> => {
    await app.close();
    apps.splice(apps.indexOf(app), 1);
  };
  /** Fails the app's check, lets a round notice, then sees no ping for a while. */
  const expectNoPingsOnceUnhealthy = async (app: INestApplicationContext): Promise<void> => {
    app.get(FailingCheck).healthy = false;
    await sleep(300);
    const since = systemd.messages.length;
    await sleep(400);
    expect(pingsAfter(systemd, since)).toEqual([]);
  };
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.close()));
    await systemd.close();
  });

  it('the second application sends nothing: no READY, no pings over a failing check, no STOPPING', async () => {
    const httpLogger = new RecordingNestLogger();
    const http = await startHttpApp(httpLogger);
    await expectReady(systemd, /^Listening on /);

    const workerLogger = new RecordingNestLogger();
    const beforeWorker = systemd.messages.length;
    const worker = await withSystemdEnv(systemd.env(), () =>
      NestFactory.createApplicationContext(WorkerModule, { logger: workerLogger }),
    );
    apps.push(worker);
    expect(workerLogger.fromSystemd('warn')).toEqual([
      expect.stringContaining(
        'WorkerModule stands by: HttpAppModule, another Nest application of this process, speaks to systemd',
      ),
    ]);
    // Not even at debug level: the variable is set, the application is silent for another reason.
    expect(workerLogger.fromSystemd('debug', 'log').join('\n')).not.toMatch(
      /NOTIFY_SOCKET is not set/,
    );
    expect(worker.get(SystemdService).enabled).toBe(false);
    expect(httpLogger.fromSystemd('warn')).toEqual([]);

    // The HTTP app's check fails: nobody pings any more.
    await expectNoPingsOnceUnhealthy(http);

    // The worker closes while the HTTP app serves: no STOPPING.
    await closeApp(worker);
    await sleep(100);
    expect(systemd.received('READY=1')).toHaveLength(1);
    expect(systemd.received('STOPPING=1')).toEqual([]);
    // Nor the start's first word, which the HTTP app may have sent before it (if its start
    // yielded to the event loop).
    const sinceWorker = systemd.messages.slice(beforeWorker).map((record) => record.raw);
    expect(sinceWorker).not.toContain('STATUS=Starting');

    await closeApp(http);
    await systemd.waitFor('STOPPING=1');
  });

  it('the first one closing while the second still serves hands the service over: no STOPPING', async () => {
    const workerLogger = new RecordingNestLogger();
    const worker = await withSystemdEnv(systemd.env(), () =>
      NestFactory.createApplicationContext(WorkerModule, { logger: workerLogger }),
    );
    apps.push(worker);
    await expectReady(systemd, 'Running');
    const httpLogger = new RecordingNestLogger();
    const http = await startHttpApp(httpLogger);
    await sleep(100);
    // Standing by: its READY and status were held back.
    expect(systemd.received('READY=1')).toHaveLength(1);
    expect(systemd.received(statusListening)).toEqual([]);

    const since = systemd.messages.length;
    await closeApp(worker);
    // The HTTP app takes over: READY again (systemd ignores a READY it has) with its status,
    // then pings.
    const takeOver = await systemd.waitFor('READY=1', { since });
    expect(takeOver.assignments.STATUS).toMatch(/^Listening on /);
    expect(httpLogger.fromSystemd('log')).toContainEqual(
      'HttpAppModule now speaks to systemd for this process: WorkerModule stopped while HttpAppModule runs on',
    );
    const afterTakeOver = systemd.messages.length;
    await sleep(400);
    expect(pingsAfter(systemd, afterTakeOver).length).toBeGreaterThanOrEqual(2);
    expect(systemd.received('STOPPING=1')).toEqual([]);
    expect(http.get(SystemdService).enabled).toBe(true);

    // Its own health check now gates the watchdog.
    await expectNoPingsOnceUnhealthy(http);

    await closeApp(http);
    await systemd.waitFor('STOPPING=1');
    expect(systemd.received('STOPPING=1')).toHaveLength(1);
  });

  it('forFeature() alone in the second application: the error names the first, and the way out', async () => {
    const http = await withSystemdEnv(systemd.env(), () =>
      NestFactory.createApplicationContext(HttpAppModule, { logger: false }),
    );
    apps.push(http);
    @Injectable()
    class Jobs {
      constructor(readonly notifier: SystemdService) {}
    }
    @Module({ imports: [SystemdModule.forFeature()], providers: [Jobs] })
    class LiteWorkerModule {}
    const error = await withSystemdEnv(systemd.env(), () =>
      NestFactory.createApplicationContext(LiteWorkerModule, {
        logger: false,
        abortOnError: false,
      }),
    ).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(
      /without forRoot\(\) in this application\. HttpAppModule, another Nest application of this process, has one/,
    );
    expect((error as Error).message).toContain('app.connectMicroservice()');
  });

  it('once the first application has closed, the next one of the process is supervised', async () => {
    const first = await withSystemdEnv(systemd.env(), () =>
      NestFactory.createApplicationContext(WorkerModule, { logger: false }),
    );
    await systemd.waitFor('READY=1');
    await first.close();
    await systemd.waitFor('STOPPING=1');
    const since = systemd.messages.length;
    const logger = new RecordingNestLogger();
    const next = await withSystemdEnv(systemd.env(), () =>
      NestFactory.createApplicationContext(WorkerModule, { logger }),
    );
    apps.push(next);
    await systemd.waitFor('READY=1', { since });
    expect(logger.fromSystemd('warn')).toEqual([]);
  });
});

function statusListening(record: NotifyRecord): boolean {
  return record.assignments.STATUS?.startsWith('Listening on ') ?? false;
}

function pingsAfter(systemd: NotifyListener, since: number) {
  return systemd.received('WATCHDOG=1').filter((r) => systemd.messages.indexOf(r) >= since);
}

describe('WATCHDOG_PID naming a wrapper', () => {
  let systemd: NotifyListener;
  let app: INestApplicationContext | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
    await systemd.close();
  });

  const start = async (sendMainPid: boolean) => {
    // A wrapper's pid: any process but this one (our parent serves).
    systemd = await NotifyListener.start({ watchdogUsec: 200_000, watchdogPid: process.ppid });
    @Module({ imports: [ScheduleModule.forRoot(), SystemdModule.forRoot({ sendMainPid })] })
    class WrappedModule {}
    const logger = new RecordingNestLogger();
    app = await withSystemdEnv(systemd.env(), () =>
      NestFactory.createApplicationContext(WrappedModule, { logger }),
    );
    return logger;
  };

  it('sendMainPid: READY with MAINPID, and the watchdog is ours to keep', async () => {
    await start(true);
    // MAINPID= goes with READY itself; the status follows on its own.
    await expectReady(systemd, 'Running', { mainPid: process.pid });
    await systemd.waitFor('WATCHDOG=1', { timeoutMs: 500 });
  });

  it('without sendMainPid: silent, and says why at warn level', async () => {
    const logger = await start(false);
    await sleep(300);
    expect(systemd.messages).toEqual([]);
    expect(logger.fromSystemd('warn')).toEqual([
      expect.stringMatching(
        new RegExp(
          `WATCHDOG_PID=${process.ppid} names the service's main process.*sendMainPid: true`,
        ),
      ),
    ]);
    // Not even at debug level: the variable is set.
    expect(logger.fromSystemd('debug', 'log', 'warn', 'error').join('\n')).not.toMatch(
      /NOTIFY_SOCKET is not set/,
    );
  });
});

describe('options that contradict the unit', () => {
  let systemd: NotifyListener;
  let app: INestApplicationContext | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
    await systemd.close();
  });

  it('watchdog: false while systemd set WatchdogSec=: a warning that systemd will kill it', async () => {
    systemd = await NotifyListener.start({ watchdogUsec: 2_000_000 });
    @Module({ imports: [ScheduleModule.forRoot(), SystemdModule.forRoot({ watchdog: false })] })
    class NoWatchdog {}
    const logger = new RecordingNestLogger();
    app = await withSystemdEnv(systemd.env(), () =>
      NestFactory.createApplicationContext(NoWatchdog, { logger }),
    );
    expect(logger.fromSystemd('warn')).toEqual([
      expect.stringMatching(/watchdog: false, but systemd set WatchdogSec= \(2000 ms\).*will kill/),
    ]);
  });

  it('WatchdogSec= shortened under the options: boots with a safe plan and one warning', async () => {
    systemd = await NotifyListener.start({ watchdogUsec: 400_000 });
    @Module({
      imports: [
        ScheduleModule.forRoot(),
        SystemdModule.forRoot({ watchdogIntervalMs: 5000, healthIndicators: [() => true] }),
      ],
    })
    class WasFineAt10s {}
    const logger = new RecordingNestLogger();
    app = await withSystemdEnv(systemd.env(), () =>
      NestFactory.createApplicationContext(WasFineAt10s, { logger }),
    );
    const warnings = logger.fromSystemd('warn');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(
      /timeout is 400 ms, and watchdogIntervalMs=5000.*pinging every 200 ms.*lower watchdogIntervalMs/,
    );
    expect(app.get(SystemdService).watchdogIntervalMs).toBe(200);
    await systemd.waitFor('READY=1');
    const since = systemd.messages.length;
    await sleep(1000);
    expect(
      systemd.received('WATCHDOG=1').filter((r) => systemd.messages.indexOf(r) >= since).length,
    ).toBeGreaterThanOrEqual(4);
  });

  it('WATCHDOG_USEC under 2 ms: boots, warning about the unit, not about an option never set', async () => {
    systemd = await NotifyListener.start({ watchdogUsec: 1500 });
    @Module({ imports: [ScheduleModule.forRoot(), SystemdModule.forRoot()] })
    class Defaults {}
    const logger = new RecordingNestLogger();
    app = await withSystemdEnv(systemd.env(), () =>
      NestFactory.createApplicationContext(Defaults, { logger }),
    );
    const warnings = logger.fromSystemd('warn');
    expect(warnings).toEqual([expect.stringMatching(/raise WatchdogSec= in the unit/)]);
    expect(warnings[0]).not.toMatch(/watchdogIntervalMs=1 [^(]/);
    await systemd.waitFor('READY=1');
  });

  it('@OnSystemdReload() on a controller method runs on reload', async () => {
    systemd = await NotifyListener.start();
    @Controller()
    class TemplatesController {
      reloads = 0;
      @Get()
      index(): string {
        return 'ok';
      }
      @OnSystemdReload()
      reread(): void {
        this.reloads++;
      }
    }
    @Module({
      imports: [ScheduleModule.forRoot(), SystemdModule.forRoot({ watchdog: false })],
      controllers: [TemplatesController],
    })
    class WithController {}
    const http = await withSystemdEnv(systemd.env(), async () => {
      const created = await NestFactory.create(WithController, { logger: false });
      await created.listen(0, '127.0.0.1');
      return created;
    });
    app = http;
    await systemd.waitFor('READY=1');
    expect(await http.get(SystemdService).reload()).toEqual({ ok: true, failures: [] });
    expect(http.get(TemplatesController).reloads).toBe(1);
  });
});
