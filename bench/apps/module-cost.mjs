// What the library adds to an app's start, measured within one process, for case 5 (see
// ../cases/lifecycle.mjs). Started twice per round, as the module's side and as its control
// (BENCH_SIDE), each a process of its own; ../cases/least-module.mjs starts it a third time,
// as the side of the least module (./least-graph.mjs), in the library's place:
//
//   1. Nest and @nestjs/schedule are imported statically, as by every app.
//   2. The module's side imports the library; the control imports a file that imports the same
//      Nest packages and nothing else (./nest-graph.mjs). Node's ES module loader walks the
//      whole graph reachable from what an import() loads, Nest's here, which an app importing
//      the library statically pays once for all its imports: the control pays the same walk,
//      and the difference is the library's own loading.
//   3. An app with ScheduleModule only is created, listens and is closed, unmeasured: Nest's
//      code is compiled and warm after it, in both processes alike.
//   4. The measured app: ScheduleModule + SystemdModule.forRoot() on the module's side,
//      ScheduleModule alone in the control, created and listening (to the server's
//      'listening' event). The library's code runs here for the first time, as in an app's
//      start; what Nest does for it (its module, providers and hooks) is the difference.
//   5. Memory, with the measured app listening: what the library and its module retain is the
//      difference.
//
// Whole-process starts differ by tens of ms from process to process on these machines, most of
// it in Nest's own cold start; here that start happens in step 3 of both processes and is left
// out of both measured steps, which take a few ms each.
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ScheduleModule } from '@nestjs/schedule';
import { setTimeout as sleep } from 'node:timers/promises';

// The process's first timer costs 250 to 350 µs more than later ones (see nest-app.mjs), and
// only the module's app would arm one in its measured step: armed here, in both.
setTimeout(() => undefined, 1).unref();

/** ms between listening and reading memory, as in nest-app.mjs. */
const QUIET_MS = 30;

/** @type {'module' | 'least' | 'control'} */
const side =
  process.env.BENCH_SIDE === 'module' || process.env.BENCH_SIDE === 'least'
    ? process.env.BENCH_SIDE
    : 'control';

/** As in nest-app.mjs. @param {string} name @param {import('@nestjs/common').ModuleMetadata} metadata */
function defineModule(name, metadata) {
  // oxlint-disable-next-line typescript/no-extraneous-class -- a Nest module is a class carrying metadata
  const moduleClass = { [name]: class {} }[name];
  Module(metadata)(moduleClass);
  return moduleClass;
}

/**
 * Creates an app with these imports, with shutdown hooks, and has it listen: ms from create()
 * to the server's 'listening' event.
 * @param {import('@nestjs/common').ModuleMetadata['imports']} imports
 * @returns {Promise<{ ms: number, app: import('@nestjs/common').INestApplication }>}
 */
async function start(imports) {
  const startedAt = performance.now();
  const app = await NestFactory.create(defineModule('AppModule', { imports }), {
    logger: ['error', 'warn'],
  });
  // As every app under systemd has them (and nest-app.mjs): the module's signal watch meets
  // Nest's listeners here.
  app.enableShutdownHooks(['SIGTERM', 'SIGINT']);
  let listeningAt = Number.NaN;
  app.getHttpServer().prependOnceListener('listening', () => {
    listeningAt = performance.now();
  });
  await app.listen(0, '127.0.0.1');
  return { ms: listeningAt - startedAt, app };
}

/**
 * Loads the side's systemd module, if it has one.
 * @returns {Promise<{ forRoot(): import('@nestjs/common').DynamicModule } | undefined>}
 */
async function load() {
  switch (side) {
    case 'module':
      return (await import('nestjs-systemd')).SystemdModule;
    case 'least':
      return (await import('./least-graph.mjs')).LeastSystemdModule;
    default:
      await import('./nest-graph.mjs');
      return undefined;
  }
}

const importedAt = performance.now();
const supervising = await load();
const importMs = performance.now() - importedAt;

const warm = await start([ScheduleModule.forRoot()]);
await warm.app.close();

const measured = await start(
  supervising ? [ScheduleModule.forRoot(), supervising.forRoot()] : [ScheduleModule.forRoot()],
);
// Memory as in nest-app.mjs: after a quiet while and a full collection (--expose-gc), what is
// retained with the measured app listening, the first app's garbage gone.
await sleep(QUIET_MS);
globalThis.gc?.();
const { rss, heapUsed } = process.memoryUsage();
process.send?.({ type: 'measured', side, importMs, startMs: measured.ms, rss, heapUsed }, () =>
  process.exit(0),
);
