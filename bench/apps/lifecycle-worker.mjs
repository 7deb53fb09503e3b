// One warm process that runs many Nest app lifecycles in a row, for the tails of READY and
// STOPPING (cases 2 and 3): every code path is compiled after the first few apps, so what
// a start costs (about 0.5 s of Node and Nest loading) is paid once, not per sample. The
// bench drives it over IPC, one app at a time:
//
//   { type: 'start', adapter, side }  creates an app (Express or Fastify; `module`: with
//                                      ScheduleModule + SystemdModule, `floor`: ScheduleModule
//                                      and READY=1 / STOPPING=1 sent by hand) and listens; no
//                                      reply, so that nothing of the bench's runs while READY is
//                                      on its way (the receiver tells the bench when it arrives)
//   { type: 'idle' }                   the app as it meets a stop after idling: the module's
//                                      notify socket open, as the module holds it while the
//                                      server listens (checked, see expectHeldSocket); replies
//                                      with the 'listening' stamp
//   (then the bench sends SIGTERM)     Nest closes the app and re-raises SIGTERM, which the
//                                      keeper below absorbs; replies 'closed' with the stamp
//                                      taken by the first SIGTERM listener
//
// NOTIFY_SOCKET and WATCHDOG_USEC come from the environment, the same for every app.
import { createRequire } from 'node:module';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { ScheduleModule } from '@nestjs/schedule';
import { SystemdModule } from 'nestjs-systemd';
import { internalProvider } from './nest-internals.mjs';

const require = createRequire(import.meta.url);
/** @type {{ createSocket(type: 'unix_dgram'): any }} */
const unixDgram = require('unix-dgram');
const NOTIFY_SOCKET = /** @type {string} */ (process.env.NOTIFY_SOCKET);

/**
 * The floor, as in nest-app.mjs: a socket per message, the datagram sent, the socket closed.
 * @param {string} text
 */
function rawNotify(text) {
  const socket = unixDgram.createSocket('unix_dgram');
  const bytes = Buffer.from(text);
  socket.send(bytes, 0, bytes.length, NOTIFY_SOCKET);
  socket.close();
}

/**
 * Keeps the process alive through Nest's re-raised SIGTERM (a signal with a listener does not
 * end the process) and counts signals: the second of an app's lifecycle is the re-raise, sent
 * once Nest's shutdown is over. Registered first, so that the module's and the floor's
 * listeners (prepended) run before it.
 */
let signals = 0;
/** @type {(() => void) | undefined} */
let onSignal;
process.on('SIGTERM', () => {
  signals++;
  onSignal?.();
});

/** Listener counts with no app: each app must leave them as they were (checked after each). */
const EVENTS = /** @type {const} */ (['SIGTERM', 'SIGINT', 'newListener', 'removeListener']);
const baseline = EVENTS.map((event) => process.listenerCount(event));

/**
 * @param {string} name @param {import('@nestjs/common').ModuleMetadata} metadata
 */
function defineModule(name, metadata) {
  // oxlint-disable-next-line typescript/no-extraneous-class -- a Nest module is a class carrying metadata
  const moduleClass = { [name]: class {} }[name];
  Module(metadata)(moduleClass);
  return moduleClass;
}

/**
 * @typedef {object} Current
 * @property {import('@nestjs/common').INestApplication} app
 * @property {'module' | 'floor'} side
 * @property {Record<string, bigint>} stamps
 * @property {{ listeningFirst: boolean, signalFirst: boolean }} order
 * @property {number} signalsAtStart
 */
/** @type {Current | undefined} */
let current;

/** @param {{ adapter: 'express' | 'fastify', side: 'module' | 'floor' }} request */
async function start({ adapter, side }) {
  /** @type {import('@nestjs/common').ModuleMetadata['imports']} */
  const imports = [ScheduleModule.forRoot()];
  if (side === 'module') imports.push(SystemdModule.forRoot());
  const AppModule = defineModule('AppModule', { imports });
  /** @type {import('@nestjs/common').NestApplicationOptions} */
  const options = { logger: ['error', 'warn'] };
  const app =
    adapter === 'fastify'
      ? await NestFactory.create(AppModule, new FastifyAdapter(), options)
      : await NestFactory.create(AppModule, options);
  const stamps = /** @type {Record<string, bigint>} */ ({});
  const order = { listeningFirst: true, signalFirst: true };
  const server = app.getHttpServer();
  if (side === 'floor') {
    // Prepended, as the module's listener is, so that both run right after the stamp and
    // before the keeper.
    process.prependOnceListener('SIGTERM', () => rawNotify('STOPPING=1'));
    server.on('listening', () => rawNotify('READY=1'));
  }
  app.enableShutdownHooks(['SIGTERM', 'SIGINT']);
  // First among the server's 'listening' listeners, as in nest-app.mjs.
  server.prependListener('listening', () => {
    stamps.listening = process.hrtime.bigint();
  });
  watchPrepends(server, 'listening', () => (order.listeningFirst = false));
  current = { app, side, stamps, order, signalsAtStart: signals };
  await app.listen(0, '127.0.0.1');
}

/**
 * The module holds its notify socket open while its HTTP server listens, so a stop that comes
 * to an idle service finds it open, as here within milliseconds of READY. Checked (white-box:
 * NotifySocket's isOpen, a plain property at run time), so that the warm rows measure the
 * socket a stop really meets.
 * @param {import('@nestjs/common').INestApplication} app
 */
function expectHeldSocket(app) {
  const socket = internalProvider(app, 'SYSTEMD_SUPERVISION').supervisor.notifier?.socket;
  if (typeof socket?.isOpen !== 'boolean') {
    throw new Error("the module's notify socket was not found (the library's internals changed?)");
  }
  if (!socket.isOpen) throw new Error("the module's notify socket is not open at the stop");
}

/**
 * @param {import('node:events').EventEmitter} emitter @param {string} event
 * @param {() => void} onPrepend
 */
function watchPrepends(emitter, event, onPrepend) {
  const prepend = emitter.prependListener;
  emitter.prependListener = function (name, listener) {
    if (name === event) onPrepend();
    return prepend.call(this, name, listener);
  };
}

function idle() {
  const { app, side, stamps, order } = /** @type {Current} */ (current);
  if (side === 'module') expectHeldSocket(app);
  // Prepended last, so first: before the module's listener (prepended when it started, as
  // the keeper was there) or the floor's, and before the keeper.
  process.prependOnceListener('SIGTERM', () => {
    stamps.signal = process.hrtime.bigint();
  });
  const restore = process.prependListener;
  watchPrepends(process, 'SIGTERM', () => (order.signalFirst = false));
  const done = new Promise((resolve) => {
    onSignal = () => {
      // The bench's SIGTERM, then Nest's re-raise once the app is closed.
      if (signals - /** @type {Current} */ (current).signalsAtStart < 2) return;
      onSignal = undefined;
      process.prependListener = restore;
      resolve(undefined);
    };
  });
  void done.then(closed);
  return { type: 'idle', listening: String(stamps.listening) };
}

function closed() {
  const { stamps, order } = /** @type {Current} */ (current);
  current = undefined;
  const leaks = EVENTS.filter((event, i) => process.listenerCount(event) !== baseline[i]);
  if (leaks.length > 0) {
    const counts = EVENTS.map((event) => `${event} ${process.listenerCount(event)}`).join(', ');
    send({ type: 'error', message: `listeners left behind by a closed app: ${counts}` });
    return;
  }
  send({
    type: 'closed',
    signal: String(stamps.signal),
    listeningFirst: order.listeningFirst,
    signalFirst: order.signalFirst,
  });
}

/** A minor (young-generation) collection, now; the worker runs with --expose-gc. */
function collectYoung() {
  const gc = /** @type {((options: object) => void) | undefined} */ (globalThis.gc);
  if (!gc) throw new Error('the lifecycle worker needs --expose-gc');
  gc({ type: 'minor', execution: 'sync' });
}

/** @param {object} message */
function send(message) {
  process.send?.(message);
}

process.on('message', (/** @type {any} */ request) => {
  try {
    if (request.type === 'start') {
      start(request).catch((error) => send({ type: 'error', message: String(error?.stack) }));
    } else if (request.type === 'idle') {
      // The young generation emptied, as it would be long before an idle service's stop: the
      // app's work after READY (its status, the watchdog's start, handler discovery) allocates,
      // and 2 ms on, a scavenge it triggered was still running at the signal in one or two
      // samples out of a hundred, for the module's apps more often than for the floor's, which
      // do nothing after READY. That is where a p99 lies. Both sides alike.
      collectYoung();
      // The reply only once the event loop has turned: a stop comes to an idle service, not
      // to one still running what its last event set off.
      const reply = idle();
      setTimeout(() => send(reply), 2);
    } else if (request.type === 'exit') {
      process.disconnect();
    }
  } catch (error) {
    send({ type: 'error', message: String(/** @type {Error} */ (error)?.stack) });
  }
});
send({ type: 'ready' });
