// Cases 2, 3 and 5 share their app starts: every start of a supervised app gives one READY
// latency, one STOPPING latency and one bootstrap sample. The kinds of start are interleaved
// round by round (in rotating order) so that slow phases of the shared machine hit all alike.
//
// Starts are sequential: a second app booting on the other core would compete with the
// receiver for CPU and inflate the very latencies measured. Apps shutting down (2 s hook) are
// idle and are left to finish in the background while the next start is measured. The
// receiver is a process of its own (../apps/notify-receiver.mjs), as systemd is, so that its
// arrival stamps do not wait for the bench's own work.
import { setTimeout as sleep } from 'node:timers/promises';
import { AppProcess } from '../lib/app-process.mjs';
import { ReceiverProcess } from '../lib/receiver-process.mjs';
import { summarize } from '../lib/stats.mjs';

/**
 * @typedef {import('../lib/table.mjs').Row} Row
 * @typedef {import('../lib/app-process.mjs').AppOptions} AppOptions
 * @typedef {object} Start
 * @property {string} name
 * @property {AppOptions} app
 * @property {boolean} supervised whether READY and STOPPING are measured
 * @typedef {object} Sample
 * @property {number} listenMs
 * @property {Record<string, number>} phases
 * @property {number} rss
 * @property {number} heapUsed
 * @property {number} [readyUs]
 * @property {Parts} [readyParts]
 * @property {number} [stoppingUs]
 * @property {Parts} [stoppingParts]
 * @typedef {Record<string, number>} Parts µs per part of a latency, in order
 */

/** WatchdogSec=10 as in the README's systemd-run example: pings every 5 s, none during a start. */
const WATCHDOG_USEC = '10000000';
/** Quiet time between READY and SIGTERM, so the stop does not race the end of bootstrap. */
const SETTLE_MS = 20;

/** @type {Start[]} */
const STARTS = [
  {
    name: 'express+hook',
    app: { adapter: 'express', modules: 'systemd', destroyMs: 2000 },
    supervised: true,
  },
  {
    name: 'fastify+hook',
    app: { adapter: 'fastify', modules: 'systemd', destroyMs: 2000 },
    supervised: true,
  },
  { name: 'express', app: { adapter: 'express', modules: 'systemd' }, supervised: true },
  { name: 'schedule', app: { adapter: 'express', modules: 'schedule' }, supervised: false },
  { name: 'bare', app: { adapter: 'express', modules: 'bare' }, supervised: false },
];

/**
 * @param {Start} start
 * @param {{ receiver: ReceiverProcess, clockViolations: number, exits: Promise<unknown>[] }} shared
 * @returns {Promise<Sample>}
 */
async function measureStart(start, shared) {
  const { receiver } = shared;
  const socket = await receiver.open();
  let socketHandedOver = false;
  const spawnedAt = process.hrtime.bigint();
  const app = new AppProcess({
    ...start.app,
    notifyEnv: { NOTIFY_SOCKET: socket, WATCHDOG_USEC },
  });
  try {
    const listening = await app.listening();
    const { listening: listeningAt, listenSignal, readyCalled, readyReturned } = listening.stamps;
    // The app's 'listening' stamp must fall between spawning it and hearing back from it,
    // or process.hrtime.bigint() would not be one clock across processes.
    if (listeningAt < spawnedAt || listeningAt > process.hrtime.bigint()) shared.clockViolations++;
    /** @type {Sample} */
    const sample = {
      listenMs: listening.listenMs,
      phases: listening.phases,
      rss: listening.rss,
      heapUsed: listening.heapUsed,
    };
    if (!start.supervised) {
      await app.kill();
      return sample;
    }
    const ready = await receiver.waitFor(socket, 'READY=1');
    sample.readyUs = us(listeningAt, ready.at);
    sample.readyParts = {
      'Nest (listening to listen$)': us(listeningAt, listenSignal),
      'module up to notify()': us(listenSignal, readyCalled),
      'notify() itself': us(readyCalled, readyReturned),
      'arrival after notify() returned': us(readyReturned, ready.at),
    };

    await sleep(SETTLE_MS);
    const killedAt = process.hrtime.bigint();
    app.child.kill('SIGTERM');
    const stoppingSent = app.stoppingSent(1000);
    const stopping = await receiver.waitFor(socket, 'STOPPING=1', { since: ready.index + 1 });
    sample.stoppingUs = us(killedAt, stopping.at);
    const sent = await stoppingSent;
    if (sent !== undefined) {
      sample.stoppingParts = {
        'signal to notify(), in the app': us(killedAt, sent.called),
        'notify() itself': us(sent.called, sent.returned),
        'arrival after notify() returned': us(sent.returned, stopping.at),
      };
    }
    // The app now runs its shutdown (2 s with the hook) while the next start is measured.
    shared.exits.push(app.exited.finally(() => receiver.close(socket)));
    socketHandedOver = true;
    return sample;
  } catch (error) {
    await app.kill();
    throw error;
  } finally {
    if (!socketHandedOver) await receiver.close(socket);
  }
}

/**
 * READY latency without its last part (the receiver reading it): what Nest and the module
 * take in the app.
 * @param {readonly Sample[]} list
 */
function appSide(list) {
  return summarize(
    list
      .filter((s) => s.readyUs !== undefined && s.readyParts !== undefined)
      .map((s) => (s.readyUs ?? 0) - (s.readyParts?.['arrival after notify() returned'] ?? 0)),
  );
}

/** Nest's part of a bootstrap, where the module's work happens. @param {Sample} s */
function nestBoot(s) {
  return s.phases.create + s.phases.listen;
}

/** Differences run by run (a[i] - b[i]), summarised. @param {number[]} a @param {number[]} b */
function paired(a, b) {
  return summarize(a.map((value, i) => value - b[i]));
}

/** @param {number} bytes */
function mb(bytes) {
  return bytes / 2 ** 20;
}

/** @param {bigint} from @param {bigint} to */
function us(from, to) {
  return Number(to - from) / 1000;
}

/**
 * "part a µs, part b µs" for the median of each part, then the same for the slowest sample.
 * @param {readonly Sample[]} samples @param {'readyUs' | 'stoppingUs'} total
 * @param {'readyParts' | 'stoppingParts'} key
 */
function describeParts(samples, total, key) {
  const withParts = samples.filter((s) => s[key] !== undefined);
  if (withParts.length === 0) return 'no breakdown received';
  const names = Object.keys(/** @type {Parts} */ (withParts[0][key]));
  const list = (/** @type {(name: string) => number} */ value) =>
    names.map((name) => `${name} ${value(name).toFixed(0)} µs`).join(', ');
  const medians = list(
    (name) => summarize(withParts.map((s) => /** @type {Parts} */ (s[key])[name])).median,
  );
  const slowest = withParts.reduce((a, b) => ((b[total] ?? 0) > (a[total] ?? 0) ? b : a));
  const worst = list((name) => /** @type {Parts} */ (slowest[key])[name]);
  return `medians: ${medians}; slowest (${(slowest[total] ?? 0).toFixed(0)} µs): ${worst}`;
}

/** @param {readonly Sample[]} samples @param {(s: Sample) => number | undefined} pick */
function values(samples, pick) {
  return samples.map(pick).filter((value) => value !== undefined);
}

/**
 * @param {{ rounds: number }} options
 * @returns {Promise<{ rows: Row[], notes: string[] }>}
 */
export async function runLifecycle({ rounds }) {
  /** @type {Record<string, Sample[]>} */
  const samples = Object.fromEntries(STARTS.map((start) => [start.name, []]));
  const shared = {
    receiver: await ReceiverProcess.start(),
    clockViolations: 0,
    exits: /** @type {Promise<unknown>[]} */ ([]),
  };
  // One unrecorded start first: the disk cache and the bench's own code are warm after it.
  await measureStart(STARTS[0], shared);
  for (let round = 0; round < rounds; round++) {
    for (let k = 0; k < STARTS.length; k++) {
      const start = STARTS[(round + k) % STARTS.length];
      samples[start.name].push(await measureStart(start, shared));
    }
  }
  await Promise.all(shared.exits);
  await shared.receiver.stop();

  const supervisedExpress = [...samples['express+hook'], ...samples.express];
  const readyExpress = summarize(values(supervisedExpress, (s) => s.readyUs));
  const readyFastify = summarize(values(samples['fastify+hook'], (s) => s.readyUs));
  const stopHook = summarize(values(samples['express+hook'], (s) => s.stoppingUs));
  const stopHookFastify = summarize(values(samples['fastify+hook'], (s) => s.stoppingUs));
  const stopPlain = summarize(values(samples.express, (s) => s.stoppingUs));

  // Paired by round: each start against the baseline of the same round. What a module adds
  // is its import plus the difference in Nest's create() + listen(); the rest of the process
  // (Node's start-up, importing Nest) is the same in both and only adds noise.
  const series = (/** @type {string} */ name, /** @type {(s: Sample) => number} */ pick) =>
    samples[name].map(pick);
  const systemdMs = paired(
    series('express', (s) => s.phases.importSystemd + nestBoot(s)),
    series('schedule', nestBoot),
  );
  const scheduleMs = paired(
    series('schedule', (s) => s.phases.importSchedule + nestBoot(s)),
    series('bare', nestBoot),
  );
  const rss = (/** @type {string} */ name) => series(name, (s) => mb(s.rss));
  const systemdRss = paired(rss('express'), rss('schedule'));
  const scheduleRss = paired(rss('schedule'), rss('bare'));
  const systemdHeap = paired(
    series('express', (s) => mb(s.heapUsed)),
    series('schedule', (s) => mb(s.heapUsed)),
  );

  /** @type {Row[]} */
  const rows = [
    {
      id: '2',
      label: 'READY latency, Express (µs)',
      summary: readyExpress,
      p99: true,
      goal: 'p99 < 1,000 µs',
      met: readyExpress.p99 < 1000,
    },
    {
      id: '2',
      label: 'READY latency, Fastify (µs)',
      summary: readyFastify,
      p99: true,
      goal: 'p99 < 1,000 µs',
      met: readyFastify.p99 < 1000,
    },
    {
      id: '2',
      label: "READY, app side only: 'listening' to notify() returned, Express (µs)",
      summary: appSide(supervisedExpress),
      p99: true,
    },
    {
      id: '2',
      label: 'READY, app side only, Fastify (µs)',
      summary: appSide(samples['fastify+hook']),
      p99: true,
    },
    {
      id: '3',
      label: 'STOPPING latency, 2 s destroy hook elsewhere, Express (µs)',
      summary: stopHook,
      p99: true,
      goal: 'p99 < 5,000 µs',
      met: stopHook.p99 < 5000,
    },
    {
      id: '3',
      label: 'STOPPING latency, 2 s destroy hook elsewhere, Fastify (µs)',
      summary: stopHookFastify,
      p99: true,
      goal: 'p99 < 5,000 µs',
      met: stopHookFastify.p99 < 5000,
    },
    {
      id: '3',
      label: 'STOPPING latency, no other hook, Express (µs)',
      summary: stopPlain,
      p99: true,
      goal: 'p99 < 5,000 µs',
      met: stopPlain.p99 < 5000,
    },
    {
      id: '5',
      label: 'time to listen from process start, bare app (ms)',
      summary: summarize(series('bare', (s) => s.listenMs)),
    },
    {
      id: '5',
      label: 'time to listen, + ScheduleModule + SystemdModule (ms)',
      summary: summarize(series('express', (s) => s.listenMs)),
    },
    {
      id: '5',
      label: "import('nestjs-systemd') (ms)",
      summary: summarize(series('express', (s) => s.phases.importSystemd)),
    },
    {
      id: '5',
      label: 'added by SystemdModule: import + create/listen, paired (ms)',
      summary: systemdMs,
      goal: '< 5 ms',
      met: systemdMs.median < 5,
    },
    {
      id: '5',
      label: 'added by ScheduleModule (its prerequisite), paired (ms)',
      summary: scheduleMs,
    },
    { id: '5', label: 'RSS after GC at listen, bare app (MB)', summary: summarize(rss('bare')) },
    {
      id: '5',
      label: 'RSS added by SystemdModule, paired (MB)',
      summary: systemdRss,
      goal: '< 2 MB',
      met: systemdRss.median < 2,
    },
    { id: '5', label: 'JS heap added by SystemdModule, paired (MB)', summary: systemdHeap },
    { id: '5', label: 'RSS added by ScheduleModule, paired (MB)', summary: scheduleRss },
  ];
  const notes = [
    `Cases 2, 3, 5: ${rounds} rounds of ${STARTS.length} app starts (${STARTS.map((s) => s.name).join(', ')}), one at a time, order rotating per round; supervised apps get NOTIFY_SOCKET and WATCHDOG_USEC=10 s. READY is timed from the server's 'listening' event (stamped in the app) to the datagram's arrival at the receiver (a process of its own); STOPPING from just before kill(SIGTERM) to its arrival. Both ends read CLOCK_MONOTONIC (process.hrtime.bigint()); the app's stamp fell between spawn and reply in ${rounds * STARTS.length + 1 - shared.clockViolations} of ${rounds * STARTS.length + 1} starts.`,
    `Case 2, READY parts, Express: ${describeParts(supervisedExpress, 'readyUs', 'readyParts')}. Fastify: ${describeParts(samples['fastify+hook'], 'readyUs', 'readyParts')}. The module's part is the first run of its READY code in the process, so V8 compiles it on the way (listen$ is where Nest itself marks the app as listening). Arrival is the receiver's 'message' callback, so it includes the receiver waking up, and can precede the sender's return from notify() (a negative part).`,
    `Case 3, STOPPING parts, Express with the hook: ${describeParts(samples['express+hook'], 'stoppingUs', 'stoppingParts')}. Without: ${describeParts(samples.express, 'stoppingUs', 'stoppingParts')}.`,
    'Case 5: "time to listen" counts from process start (performance.now() in the app). The module\'s share is its import plus the difference in Nest\'s create() + listen() against the app with ScheduleModule only, paired within a round; whole-process times differ by tens of ms from start to start on this machine, far more than the module costs. Memory is read after a forced full GC (--expose-gc).',
  ];
  return { rows, notes };
}
