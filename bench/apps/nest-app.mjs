// A minimal Nest HTTP app, started by the bench as a child process (fork, for IPC) in the
// configuration that BENCH_* variables describe. It reports when it listens, with how long
// each bootstrap phase took, then serves measurement requests from the parent (see
// ./app-probes.mjs). Everything heavy is imported dynamically and timed: the library and
// @nestjs/schedule only when asked for, so the "without" variants pay for neither (the two
// together, in one graph, as an app imports them).
//
// With BENCH_RAW_NOTIFY=1 the app is the floor the module's READY and STOPPING are held
// against: no SystemdModule, and READY=1 / STOPPING=1 sent by hand-written code (see
// rawNotify below) from its own server 'listening' and process 'SIGTERM' listeners.
import { createRequire } from 'node:module';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';

const entryMs = performance.now();
const require = createRequire(import.meta.url);
// The process's first timer costs 250 to 350 µs more than later ones here, and whoever starts
// it pays that, once: the module's app when `create` arms its notify socket's idle timer, an
// app without it in Node's own 'listening' listener (the HTTP server's connection tracking),
// which runs ahead of any READY. Either way before READY: warmed here, before any phase is
// timed, in every app alike, so that neither the module's create() (case 5) nor the floor's
// READY (case 2) is charged for it.
setTimeout(() => undefined, 1).unref();

/**
 * @typedef {object} AppConfig
 * @property {'express' | 'fastify'} adapter
 * @property {'bare' | 'schedule' | 'systemd'} modules what the root module imports
 * @property {number} destroyMs how long another module's onModuleDestroy takes
 * @property {number} indicators how many health indicators the watchdog checks
 * @property {'sync' | 'immediate'} indicatorKind `immediate`: each check answers from a setImmediate
 * @property {boolean} liveness the library's eventLoopDelayCheck() and heapPressureCheck(), with
 *   their defaults, ahead of the `indicators` synthetic ones
 * @property {number} monitorMs without the module: a bare monitorEventLoopDelay() of this
 *   resolution (ms) enabled for the app's life, as eventLoopDelayCheck() runs one (0: none)
 * @property {boolean} rawNotify send READY=1 and STOPPING=1 by hand (the floor; without the module)
 * @property {boolean} probeSends stamp each notify datagram's socket creation and send() call
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
    liveness: env.BENCH_LIVENESS === '1',
    monitorMs: Number(env.BENCH_MONITOR_MS ?? 0),
    rawNotify: env.BENCH_RAW_NOTIFY === '1',
    probeSends: env.BENCH_PROBE_SENDS === '1',
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

/**
 * @param {AppConfig} config
 * @param {Partial<typeof import('nestjs-systemd')>} library
 */
function healthIndicators(config, library) {
  const check =
    config.indicatorKind === 'immediate'
      ? () => new Promise((resolve) => setImmediate(resolve, true))
      : () => true;
  const synthetic = Array.from({ length: config.indicators }, (_, i) => ({
    name: `check-${i}`,
    check,
  }));
  const { eventLoopDelayCheck, heapPressureCheck } = library;
  if (!config.liveness) return synthetic;
  if (!eventLoopDelayCheck || !heapPressureCheck) {
    throw new Error('BENCH_LIVENESS=1 needs the module (BENCH_MODULES=systemd)');
  }
  return [eventLoopDelayCheck(), heapPressureCheck(), ...synthetic];
}

/** ms between listening and the report to the parent, during which the app does nothing of the bench's. */
const QUIET_MS = 30;

const config = readConfig();
const [{ Injectable, Module }, { NestFactory }, { installProbes }] = await phase('importNest', () =>
  Promise.all([import('@nestjs/common'), import('@nestjs/core'), import('./app-probes.mjs')]),
);
/**
 * @nestjs/schedule, and the library with it in one graph for the module's app, as an app
 * imports them (see ./schedule-and-library.mjs).
 * @type {{ ScheduleModule?: typeof import('@nestjs/schedule').ScheduleModule, library?: Partial<typeof import('nestjs-systemd')> }}
 */
const { ScheduleModule, library = {} } = await phase('importSchedule', async () => {
  if (config.modules === 'systemd') return import('./schedule-and-library.mjs');
  return config.modules === 'schedule' ? import('@nestjs/schedule') : {};
});
const { SystemdModule } = library;
/** @type {Partial<typeof import('@nestjs/platform-fastify')>} */
const { FastifyAdapter } = await phase('importAdapter', async () =>
  config.adapter === 'fastify' ? import('@nestjs/platform-fastify') : {},
);

/** @typedef {{ createSocket(type: 'unix_dgram'): any }} UnixDgram */
/** The floor's transport, loaded up front as an app's own `import` would be. */
const rawTransport = await phase('importRawNotify', async () =>
  config.rawNotify ? /** @type {UnixDgram} */ (require('unix-dgram')) : undefined,
);

/**
 * The floor, as an app would write it by hand: a socket per message, READY=1 or STOPPING=1
 * sent to NOTIFY_SOCKET, and the socket closed. The module opens its socket at its first
 * message too (and again after 1 s idle), so both sides create one for each datagram measured.
 * @param {UnixDgram} transport @param {string} text
 */
function rawNotify(transport, text) {
  const socket = transport.createSocket('unix_dgram');
  const bytes = Buffer.from(text);
  socket.send(bytes, 0, bytes.length, process.env.NOTIFY_SOCKET);
  socket.close();
}

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
  imports.push(SystemdModule.forRoot({ healthIndicators: healthIndicators(config, library) }));
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
/** When each event happened, on CLOCK_MONOTONIC: the parent compares them with arrivals. */
const stamps = /** @type {Record<string, bigint>} */ ({});
/** Whether no listener was put ahead of each stamp listener (see watchPrepends). */
const order = { listeningFirst: true, signalFirst: true };
let listenMs = 0;
const server = app.getHttpServer();

await phase('wiring', async () => {
  if (rawTransport) {
    const transport = rawTransport;
    // Before Nest's SIGTERM listener (enableShutdownHooks below), so that nothing of Nest's
    // runs first: a floor. `once`, as an app must: Nest re-raises the signal when its shutdown
    // is done and expects the default action (exit) then.
    process.once('SIGTERM', () => rawNotify(transport, 'STOPPING=1'));
    server.on('listening', () => rawNotify(transport, 'READY=1'));
  }
  app.enableShutdownHooks(['SIGTERM', 'SIGINT']);

  // The stamps are prepended, so each runs before every other listener of its event: on the
  // server, before Node's own (connection tracking, which every app pays), the floor's (added
  // just above) and the module's (added by its onApplicationBootstrap, inside listen() below);
  // on the process, before the floor's and Nest's. Whatever runs between the event and the
  // datagram is then on the measured side, for the module and the floor alike, and the
  // stamps' own cost (a clock reading or two) precedes both. They do nothing else; watchPrepends
  // tells if anything was prepended after them.
  server.prependListener('listening', () => {
    stamps.listening = process.hrtime.bigint();
    listenMs = performance.now();
  });
  // `once`: a listener left behind would keep Nest's re-raised SIGTERM from ending the process.
  process.prependOnceListener('SIGTERM', () => {
    stamps.signal = process.hrtime.bigint();
  });
  watchPrepends(server, 'listening', 'listeningFirst');
  watchPrepends(process, 'SIGTERM', 'signalFirst');
  if (config.probeSends) {
    warmProbes();
    // The floor's unix-dgram, loaded up front; the module drives unix-dgram's addon itself,
    // and is probed through its own objects (loading the package's front here would add to
    // its time to listen).
    if (rawTransport) probeSends(rawTransport);
    if (SystemdModule) await probeModule();
  }
});

/**
 * Notes in `order` if a listener for `event` is prepended to `emitter` after the stamp, which
 * would then no longer run first. (prependOnceListener goes through prependListener.)
 * @param {import('node:events').EventEmitter} emitter @param {string} event
 * @param {keyof typeof order} flag
 */
function watchPrepends(emitter, event, flag) {
  const prepend = emitter.prependListener;
  emitter.prependListener = function (name, listener) {
    if (name === event) order[flag] = false;
    return prepend.call(this, name, listener);
  };
}

/**
 * Splits READY and STOPPING into their parts, for the module and the floor alike, by wrapping
 * unix-dgram itself (both load the same copy): when a socket was created and when send() was
 * called and returned. See `stamping` for what a wrapper costs.
 * @param {UnixDgram} transport
 */
function probeSends(transport) {
  transport.createSocket = stamping(transport.createSocket, 'createSocket');
}

/**
 * The module's side, white-box, to tell where its time goes: the sockets it sends on (the one
 * it opened for STATUS=Starting during `create`, still open at READY, and any it opens later:
 * their class's send()), the moment its notify socket sets out to open a fresh one (a stop
 * after the idle close), and its supervisor's ready() and stopping() (stamps).
 */
async function probeModule() {
  const { internalProvider } = await import('./nest-internals.mjs');
  const supervisor = internalProvider(app, 'SYSTEMD_SUPERVISION').supervisor;
  // Private in TypeScript, plain properties at run time.
  const notifySocket = supervisor.notifier?.socket;
  const socket = notifySocket?.socket;
  if (!socket || typeof notifySocket.trySend !== 'function') {
    throw new Error("bench: the module's notify socket was not found (its internals changed?)");
  }
  const socketClass = Object.getPrototypeOf(socket);
  socketClass.send = stamping(socketClass.send, 'send');
  const trySend = notifySocket.trySend;
  notifySocket.trySend = function (/** @type {Buffer} */ bytes) {
    if (this.socket === undefined) stamps.created = process.hrtime.bigint();
    return trySend.call(this, bytes);
  };
  supervisor.ready = stamping(supervisor.ready, 'ready');
  supervisor.stopping = stamping(supervisor.stopping, 'stopping');
}

/**
 * The HTTP adapter's beforeClose() as Nest calls it, over the module's own wrapper (which
 * sends STOPPING, and which listen() has installed by now).
 */
function probeBeforeClose() {
  const adapter = app.getHttpAdapter();
  adapter.beforeClose = stamping(adapter.beforeClose ?? (() => undefined), 'beforeClose');
}

/**
 * Every probe is a closure of this one function, and records through `recorded`, so that the
 * code of both is compiled before anything is measured (`warmProbes`). A wrapper first called
 * inside a measurement would otherwise spend 10 to 15 µs there being compiled, on one side
 * more often than on the other. Warm, a wrapper costs about 1 µs: two clock readings, and
 * `recorded` once the wrapped call returned (for send(), once the datagram is on its way).
 * @param {Function} original @param {string} name
 */
function stamping(original, name) {
  return function (
    /** @type {unknown} */ a,
    /** @type {unknown} */ b,
    /** @type {unknown} */ c,
    /** @type {unknown} */ d,
    /** @type {unknown} */ e,
  ) {
    const called = process.hrtime.bigint();
    // Explicit parameters: unix-dgram's send() reads them by position (connected or not).
    const result = original.call(this, a, b, c, d, e);
    recorded(name, a, result, called, process.hrtime.bigint());
    return result;
  };
}

/**
 * @param {string} name @param {unknown} arg the wrapped call's first argument
 * @param {any} result @param {bigint} called @param {bigint} returned
 */
function recorded(name, arg, result, called, returned) {
  switch (name) {
    case 'createSocket':
      stamps.created = called;
      result.send = stamping(result.send, 'send');
      break;
    case 'send':
      recordSend(/** @type {Buffer} */ (arg), called, returned);
      break;
    case 'ready':
      stamps.readyNotify ??= called;
      break;
    case 'stopping':
      stamps.stoppingNotify ??= called;
      break;
    case 'beforeClose':
      stamps.beforeClose ??= called;
      break;
  }
}

/** Compiles the probes' code by running it once on nothing. */
function warmProbes() {
  stamping(() => undefined, 'warm')();
  recordSend(Buffer.alloc(0), 0n, 0n);
}

/** @param {Buffer} bytes @param {bigint} called @param {bigint} returned */
function recordSend(bytes, called, returned) {
  const lines = bytes.toString('latin1').split('\n');
  for (const [line, key] of /** @type {const} */ ([
    ['READY=1', 'ready'],
    ['STOPPING=1', 'stopping'],
  ])) {
    if (!lines.includes(line) || stamps[`${key}Called`] !== undefined) continue;
    // The socket counts only if it was created for this datagram (after the event).
    const event = key === 'ready' ? stamps.listening : stamps.signal;
    const created = stamps.created;
    if (created !== undefined && event !== undefined && created >= event) {
      stamps[`${key}Socket`] = created;
    }
    stamps[`${key}Called`] = called;
    stamps[`${key}Returned`] = returned;
    // The parent hears of STOPPING's stamps 50 ms on, when the receiver has long stamped its
    // arrival.
    if (key === 'stopping') setTimeout(reportStopping, 50);
  }
}

function reportStopping() {
  process.send?.({
    type: 'stopping',
    signalFirst: order.signalFirst,
    stamps: stringStamps(),
  });
}

function stringStamps() {
  return Object.fromEntries(Object.entries(stamps).map(([name, at]) => [name, String(at)]));
}

const listenStartMs = performance.now();
await phase('listen', () => app.listen(0, '127.0.0.1'));
// From listen() to the server's 'listening' event: when the port accepts connections, which
// is what "time to listen" means. What runs after it within listen() (READY's send, Nest's
// own callback) is timed by case 2, not counted as start-up.
phases.toListening = listenMs - listenStartMs;
if (config.probeSends && SystemdModule) probeBeforeClose();

// Quiet for a while before the GC and the report: a full collection (with V8's helper threads)
// or the parent waking up to read the report while READY is on its way would slow the
// receiver on the other core, and the READY latency measured would include it.
await sleep(QUIET_MS);
// After a full collection when --expose-gc is given: what is retained, not garbage.
globalThis.gc?.();
const memory = process.memoryUsage();
process.send?.({
  type: 'listening',
  stamps: stringStamps(),
  listeningFirst: order.listeningFirst,
  // performance.now() counts from process start: Node's own start-up is part of the figure.
  listenMs,
  phases,
  rss: memory.rss,
  heapUsed: memory.heapUsed,
});

// The bare monitor starts about when eventLoopDelayCheck()'s does (at READY's first round).
if (config.monitorMs > 0 && !SystemdModule) {
  monitorEventLoopDelay({ resolution: config.monitorMs }).enable();
}

// After listen: the watchdog's health gate exists only once the module has initialised.
const probes = await installProbes(app, { observeTicks: config.modules === 'systemd' });
process.on('message', (/** @type {{ type: string }} */ request) => {
  void probes.handle(/** @type {never} */ (request)).then((reply) => process.send?.(reply));
});
