// A minimal Nest HTTP app, started by the bench as a child process (fork, for IPC) in the
// configuration that BENCH_* variables describe. It reports when it listens, with how long
// each bootstrap phase took, then serves measurement requests from the parent (see
// ./app-probes.mjs). Everything heavy is imported dynamically and timed: the library and
// @nestjs/schedule only when asked for, so the "without" variants pay for neither.
const entryMs = performance.now();

/**
 * @typedef {object} AppConfig
 * @property {'express' | 'fastify'} adapter
 * @property {'bare' | 'schedule' | 'systemd'} modules what the root module imports
 * @property {number} destroyMs how long another module's onModuleDestroy takes
 * @property {number} indicators how many health indicators the watchdog checks
 * @property {'sync' | 'immediate'} indicatorKind `immediate`: each check answers from a setImmediate
 */

/** @returns {AppConfig} */
function readConfig() {
  const env = process.env;
  return {
    adapter: env.BENCH_ADAPTER === 'fastify' ? 'fastify' : 'express',
    modules: /** @type {AppConfig['modules']} */ (env.BENCH_MODULES ?? 'systemd'),
    destroyMs: Number(env.BENCH_DESTROY_MS ?? 0),
    indicators: Number(env.BENCH_INDICATORS ?? 0),
    indicatorKind: env.BENCH_INDICATOR_KIND === 'immediate' ? 'immediate' : 'sync',
  };
}

/** Milliseconds each bootstrap phase took, in order. */
const phases = /** @type {Record<string, number>} */ ({});
let phaseStart = entryMs;
/**
 * @template T
 * @param {string} name @param {() => Promise<T>} step
 * @returns {Promise<T>}
 */
async function phase(name, step) {
  const result = await step();
  const now = performance.now();
  phases[name] = now - phaseStart;
  phaseStart = now;
  return result;
}

/** @param {AppConfig} config */
function healthIndicators(config) {
  const check =
    config.indicatorKind === 'immediate'
      ? () => new Promise((resolve) => setImmediate(resolve, true))
      : () => true;
  return Array.from({ length: config.indicators }, (_, i) => ({ name: `check-${i}`, check }));
}

const config = readConfig();
const [{ Injectable, Module }, { HttpAdapterHost, NestFactory }, { installProbes }] = await phase(
  'importNest',
  () => Promise.all([import('@nestjs/common'), import('@nestjs/core'), import('./app-probes.mjs')]),
);
/** @type {Partial<typeof import('@nestjs/schedule')>} */
const { ScheduleModule } = await phase('importSchedule', async () =>
  config.modules === 'bare' ? {} : import('@nestjs/schedule'),
);
/** @type {Partial<typeof import('nestjs-systemd')>} */
const { SystemdModule, SystemdService } = await phase('importSystemd', async () =>
  config.modules === 'systemd' ? import('nestjs-systemd') : {},
);
/** @type {Partial<typeof import('@nestjs/platform-fastify')>} */
const { FastifyAdapter } = await phase('importAdapter', async () =>
  config.adapter === 'fastify' ? import('@nestjs/platform-fastify') : {},
);

/**
 * Nest modules are plain classes with metadata; decorators are applied as functions so the
 * bench runs as plain ESM without a compile step.
 * @param {string} name @param {import('@nestjs/common').ModuleMetadata} metadata
 */
function defineModule(name, metadata) {
  // oxlint-disable-next-line typescript/no-extraneous-class -- a Nest module is a class carrying metadata
  const moduleClass = { [name]: class {} }[name];
  Module(metadata)(moduleClass);
  return moduleClass;
}

/** Stands for an app's own module whose shutdown takes a while (draining a queue, say). */
class SlowDestroy {
  ms = config.destroyMs;

  async onModuleDestroy() {
    if (this.ms > 0) await new Promise((resolve) => setTimeout(resolve, this.ms));
  }
}
Injectable()(SlowDestroy);

/** @type {import('@nestjs/common').ModuleMetadata['imports']} */
const imports = [defineModule('SlowDestroyModule', { providers: [SlowDestroy] })];
if (ScheduleModule) imports.push(ScheduleModule.forRoot());
if (SystemdModule) {
  imports.push(SystemdModule.forRoot({ healthIndicators: healthIndicators(config) }));
}
const AppModule = defineModule('AppModule', { imports });

// Warnings and errors only: a bench run must show what went wrong, not Nest's route table.
/** @type {import('@nestjs/common').NestApplicationOptions} */
const options = { logger: ['error', 'warn'] };
const app = await phase('create', () =>
  FastifyAdapter
    ? NestFactory.create(AppModule, new FastifyAdapter(), options)
    : NestFactory.create(AppModule, options),
);
app.enableShutdownHooks();

/** When each event happened, on CLOCK_MONOTONIC: the parent compares them with arrivals. */
const stamps = /** @type {Record<string, bigint>} */ ({});
let listenMs = 0;
// Prepended so the timestamp is taken before Nest's own listen callback (which sends READY).
app.getHttpServer().prependListener('listening', () => {
  stamps.listening = process.hrtime.bigint();
  listenMs = performance.now();
});
if (SystemdService) stampSends(app.get(SystemdService));

/**
 * Splits the READY and STOPPING latencies into their parts: Nest's path from 'listening' to
 * HttpAdapterHost.listen$ (this subscription is made before the module's, so it runs first),
 * the module's path to its notify() call, and notify() itself plus delivery. White-box: the
 * service's notifier (a private field) has notify() wrapped; the wrapper adds an hrtime
 * reading per notification.
 * @param {import('nestjs-systemd').SystemdService} service
 */
function stampSends(service) {
  app.get(HttpAdapterHost).listen$.subscribe(() => {
    stamps.listenSignal = process.hrtime.bigint();
  });
  const notifier = /** @type {{ notifier: import('nestjs-systemd').SystemdNotifier }} */ (
    /** @type {unknown} */ (service)
  ).notifier;
  const notify = notifier.notify.bind(notifier);
  notifier.notify = (state) => {
    const called = process.hrtime.bigint();
    const handed = notify(state);
    const returned = process.hrtime.bigint();
    if (state.ready && stamps.readyCalled === undefined) {
      stamps.readyCalled = called;
      stamps.readyReturned = returned;
    }
    if (state.stopping) {
      process.send?.({ type: 'stopping', called: String(called), returned: String(returned) });
    }
    return handed;
  };
}

await phase('listen', () => app.listen(0, '127.0.0.1'));

// After a full collection when --expose-gc is given: what is retained, not garbage.
globalThis.gc?.();
const memory = process.memoryUsage();
process.send?.({
  type: 'listening',
  stamps: Object.fromEntries(Object.entries(stamps).map(([name, at]) => [name, String(at)])),
  // performance.now() counts from process start: Node's own start-up is part of the figure.
  listenMs,
  phases,
  rss: memory.rss,
  heapUsed: memory.heapUsed,
});

// After listen: the watchdog's health gate exists only once the module has initialised.
const probes = await installProbes(app, { observeTicks: config.modules === 'systemd' });
process.on('message', (/** @type {{ type: string }} */ request) => {
  void probes.handle(/** @type {never} */ (request)).then((reply) => process.send?.(reply));
});
