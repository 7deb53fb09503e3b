import 'reflect-metadata';
import { Controller, Get, Injectable, Module, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { ScheduleModule } from '@nestjs/schedule';
import type { AddressInfo } from 'node:net';
import type { SystemdModuleOptions } from '../../lib/options/systemd-options.interface.js';
import type { SystemdSupervision } from '../../lib/supervision.provider.js';
import { SYSTEMD_SUPERVISION } from '../../lib/systemd.constants.js';
import { SystemdModule } from '../../lib/systemd.module.js';
import type { SystemdOptionsFactory } from '../../lib/systemd.module-definition.js';
import { SystemdService } from '../../lib/systemd.service.js';
import { NotifyListener } from '../../lib/testing/notify-listener.js';
import { acceptsConnections, expectReady, sleep, withSystemdEnv } from './helpers.js';

@Controller()
class HelloController {
  @Get()
  hello(): string {
    return 'hello';
  }
}

@Module({
  imports: [ScheduleModule.forRoot(), SystemdModule.forRoot()],
  controllers: [HelloController],
})
class HttpAppModule {}

@Module({ imports: [ScheduleModule.forRoot(), SystemdModule.forRoot()] })
class WorkerModule {}

@Module({ imports: [ScheduleModule.forRoot(), SystemdModule.forRoot({ readyOn: 'manual' })] })
class ManualModule {}

@Module({ imports: [ScheduleModule.forRoot(), SystemdModule.forRoot({ readyOn: 'bootstrap' })] })
class BootstrapReadyModule {}

/** Options from a class, as `forRootAsync({ useClass })` takes them. */
@Injectable()
class SystemdOptionsFromClass implements SystemdOptionsFactory {
  createSystemdOptions(): SystemdModuleOptions {
    return { readyStatus: 'Options from a class' };
  }
}

@Module({
  imports: [
    ScheduleModule.forRoot(),
    SystemdModule.forRootAsync({ useClass: SystemdOptionsFromClass }),
  ],
})
class UseClassModule {}

/** A Nest logger that keeps only the warnings. */
function warningRecorder() {
  const warnings: string[] = [];
  const logger = {
    log: () => undefined,
    error: () => undefined,
    warn: (message: unknown) => void warnings.push(String(message)),
  };
  return { warnings, logger };
}

describe('READY=1 is sent only when the app truly serves', () => {
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

  it.each([
    ['Express', () => NestFactory.create(HttpAppModule, { logger: false })],
    ['Fastify', () => NestFactory.create(HttpAppModule, new FastifyAdapter(), { logger: false })],
  ])('%s: not at bootstrap, but once the port accepts connections', async (_name, create) => {
    await withSystemdEnv(systemd.env(), async () => {
      const http = await create();
      app = http;
      await http.init(); // onApplicationBootstrap has run; nothing listens yet
      await sleep(100);
      expect(systemd.received('READY=1')).toEqual([]);
      expect(systemd.messages.map((record) => record.raw)).toEqual(['STATUS=Starting']);

      // Check the port from the moment READY arrives, before listen() has even resolved.
      const accepted = systemd.waitFor('READY=1').then(async (record) => {
        const port = (http.getHttpServer().address() as AddressInfo).port;
        return { record, port, accepting: await acceptsConnections(port) };
      });
      await http.listen(0, '127.0.0.1');
      const { record, port, accepting } = await accepted;
      expect(accepting).toBe(true);
      const { ready } = await expectReady(systemd, `Listening on 127.0.0.1:${port}`);
      expect(ready).toBe(record);
      expect(systemd.received('READY=1')).toHaveLength(1);
    });
  });

  it('a start that waits for nothing sends READY first, without the STATUS=Starting it would replace at once', async () => {
    // Nest's own lazily loaded parts (the platform's adapter) loaded first, unsupervised: the
    // start below then runs from create() to 'listening' in one turn of the event loop.
    await (await NestFactory.create(HttpAppModule, { logger: false })).close();
    await withSystemdEnv(systemd.env(), async () => {
      const http = await NestFactory.create(HttpAppModule, { logger: false });
      app = http;
      await http.listen(0, '127.0.0.1');
      await expectReady(systemd, /^Listening on /);
      await sleep(100);
      expect(systemd.messages[0]?.raw).toBe('READY=1');
      expect(systemd.received('STATUS=Starting')).toEqual([]);
    });
  });

  it('keeps the socket STATUS=Starting opened through a bootstrap of half a second, for READY', async () => {
    await withSystemdEnv(systemd.env(), async () => {
      const http = await NestFactory.create(HttpAppModule, { logger: false });
      app = http;
      await http.init();
      await sleep(500); // an app's own awaits between create() and listen()
      // Internals, read only: READY then leaves with one send(2), no socket(2) before it. With
      // the protocol layer's 100 ms idle close (not the module's second) it was closed here.
      const supervision = http.get<SystemdSupervision>(SYSTEMD_SUPERVISION);
      const notifier = supervision.supervisor as unknown as {
        notifier: { socket?: { isOpen: boolean } };
      };
      expect(notifier.notifier.socket?.isOpen).toBe(true);
      await http.listen(0, '127.0.0.1');
      await systemd.waitFor('READY=1');
    });
  });

  it('application context without HTTP: READY at bootstrap', async () => {
    await withSystemdEnv(systemd.env(), async () => {
      app = await NestFactory.createApplicationContext(WorkerModule, { logger: false });
      await expectReady(systemd, 'Running', { timeoutMs: 1000 });
    });
  });

  it.each([
    ['auto', WorkerModule],
    ['bootstrap', BootstrapReadyModule],
  ] as const)(
    "application context (readyOn '%s'): a status reported right after bootstrap stays on show",
    async (_, module) => {
      await withSystemdEnv(systemd.env(), async () => {
        app = await NestFactory.createApplicationContext(module, { logger: false });
        // A job's first step, reported before READY (sent a turn of the loop later) goes out.
        app.get(SystemdService).status('Exporting orders');
        await systemd.waitFor('READY=1', { timeoutMs: 1000 });
        await sleep(100);
        // STATUS=Starting goes out only if the start yields to the event loop before it moves
        // on (see the test of a start that waits for nothing): not the point here.
        const raw = systemd.messages.map((record) => record.raw);
        expect(raw.filter((message) => message !== 'STATUS=Starting')).toEqual([
          'STATUS=Exporting orders',
          'READY=1',
        ]);
        app.get(SystemdService).status('Step 2');
        await systemd.waitFor('STATUS=Step 2', { timeoutMs: 1000 });
      });
    },
  );

  it('forRootAsync({ useClass }): options from the class', async () => {
    await withSystemdEnv(systemd.env(), async () => {
      app = await NestFactory.createApplicationContext(UseClassModule, { logger: false });
      await expectReady(systemd, 'Options from a class', { timeoutMs: 1000 });
    });
  });

  it("readyOn 'manual': only when the app calls ready()", async () => {
    await withSystemdEnv(systemd.env(), async () => {
      app = await NestFactory.createApplicationContext(ManualModule, { logger: false });
      await sleep(100);
      expect(systemd.received('READY=1')).toEqual([]);
      app.get(SystemdService).ready('Caches warm');
      await expectReady(systemd, 'Caches warm');
    });
  });

  it('warns once, with the fix, when shutdown hooks are not enabled', async () => {
    const { warnings, logger } = warningRecorder();
    await withSystemdEnv(systemd.env(), async () => {
      const http = await NestFactory.create(HttpAppModule, { logger });
      app = http;
      await http.listen(0, '127.0.0.1');
      // Looked for a second after READY: apps may enable the hooks after listen() returned.
      await sleep(1100);
      expect(warnings).toEqual([
        expect.stringMatching(
          /without shutdown hooks.*app\.enableShutdownHooks\(\['SIGTERM', 'SIGINT'\]\)/,
        ),
      ]);
    });
  });

  it('warns when the watchdog is on and SIGABRT, its kill signal, has a listener', async () => {
    const { warnings, logger } = warningRecorder();
    await withSystemdEnv({ ...systemd.env(), WATCHDOG_USEC: '2000000' }, async () => {
      const http = await NestFactory.create(HttpAppModule, { logger });
      app = http;
      http.enableShutdownHooks(); // Nest's default list, SIGABRT included
      await http.listen(0, '127.0.0.1');
      // Looked for a second after READY: apps may enable the hooks after listen() returned.
      await sleep(1100);
      expect(warnings).toEqual([
        expect.stringMatching(
          /SIGABRT has a listener.*enableShutdownHooks\(\['SIGTERM', 'SIGINT'\]\)/,
        ),
      ]);
    });
  });

  it('does nothing without NOTIFY_SOCKET, even with WATCHDOG_USEC: no interval, no warning', async () => {
    const { warnings, logger } = warningRecorder();
    const errors: string[] = [];
    await withSystemdEnv({ WATCHDOG_USEC: '200000' }, async () => {
      const http = await NestFactory.create(HttpAppModule, {
        logger: { ...logger, error: (message: unknown) => void errors.push(String(message)) },
      });
      app = http;
      await http.listen(0, '127.0.0.1');
      const service = http.get(SystemdService);
      expect(service.enabled).toBe(false);
      expect(service.watchdogIntervalMs).toBeUndefined();
      const { SchedulerRegistry } = await import('@nestjs/schedule');
      expect(http.get(SchedulerRegistry).getIntervals()).toEqual([]);
      // The module told nothing of its own; the app's own READY is kept in the phase, unsent.
      expect(service.phase).toBe('starting');
      expect(service.ready()).toBe(false);
      expect(service.phase).toBe('ready');
      expect({ warnings, errors }).toEqual({ warnings: [], errors: [] });
    });
  });
});
