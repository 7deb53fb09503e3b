// Cases 2, 3 and 5 share their app starts. READY (case 2) and STOPPING (case 3) are held
// against a floor: the same app without the module, telling systemd the same two things by
// hand (raw unix-dgram, from its own server 'listening' and process 'SIGTERM' listeners; see
// ../apps/nest-app.mjs). Absolute times are not stable on a shared 2-core machine, so the goals
// are ratios of the module's latency to the floor's, both measured in the same run, the kinds
// of start interleaved round by round (in rotating order) so that slow phases of the machine
// hit all alike. Case 5 (bootstrap) compares the module's app with two apps without it.
//
// Starts are sequential: a second app booting on the other core would compete with the
// receiver for CPU and inflate the very latencies measured. The receiver is a process of its
// own (../apps/notify-receiver.mjs), as systemd is, so that its arrival stamps do not wait for
// the bench's own work, and it is told what to wait for before each event, so that no request
// reaches it while a datagram is on its way.
//
// STOPPING is measured as a service usually meets it: idle. The module closes its notify
// socket after 1 s without traffic (pings come every 5 s with WatchdogSec=10 s), so an app is
// sent SIGTERM only once it has been idle IDLE_MS after READY, and before its next ping. To
// keep the run short, apps wait for that while the next ones start; one stop is measured
// between two starts, when no other app is busy.
import { setTimeout as sleep } from 'node:timers/promises';
import { AppProcess } from '../lib/app-process.mjs';
import { ReceiverProcess } from '../lib/receiver-process.mjs';
import { percentile, summarize } from '../lib/stats.mjs';
import { formatNumber } from '../lib/table.mjs';

/**
 * @typedef {import('../lib/table.mjs').Row} Row
 * @typedef {import('../lib/stats.mjs').Summary} Summary
 * @typedef {import('../lib/app-process.mjs').AppOptions} AppOptions
 * @typedef {'module' | 'floor'} Side who sends READY and STOPPING
 * @typedef {object} Start
 * @property {string} name
 * @property {AppOptions} app
 * @property {Side} [side] unset: nobody notifies, and the app is killed once it listens
 * @typedef {object} Sample
 * @property {number} listenMs
 * @property {Record<string, number>} phases
 * @property {number} rss
 * @property {number} heapUsed
 * @property {number} [readyUs] 'listening' to READY's arrival
 * @property {Parts} [readyParts]
 * @property {number} [stoppingUs] kill(SIGTERM) to STOPPING's arrival
 * @property {number} [stoppingFromSignalUs] the app's SIGTERM listener to STOPPING's arrival
 * @property {Parts} [stoppingParts]
 * @property {boolean} [stoppingFreshSocket] whether STOPPING went out on a socket made for it
 * @typedef {Record<string, number>} Parts µs per part of a latency, in order
 * @typedef {object} Waiting an app that is READY and idles until its stop is measured
 * @property {AppProcess} app
 * @property {string} socket
 * @property {number} readyIndex
 * @property {bigint} readyAt
 * @property {Sample} sample
 */

/** WatchdogSec=10 as in the README's systemd-run example: pings every 5 s, none during a start. */
const WATCHDOG_USEC = '10000000';
/** The module's socket closes after 1 s idle; SIGTERM comes after this much, before the 5 s ping. */
const IDLE_MS = 1500;
/** Time for the receiver to take its request before the signal is sent. */
const SETTLE_MS = 20;
/**
 * The module's and the floor's apps alike have a module whose onModuleDestroy takes this
 * long: the app reports its STOPPING stamps meanwhile, and exits soon after, while the next
 * app boots and long before that one listens, so that no exit falls into a measurement.
 */
const DESTROY_MS = 100;
/** The ratio goal of cases 2 and 3, at the median and at p99. */
const RATIO_GOAL = 1.2;

/** @type {Start[]} */
const STARTS = [
  {
    name: 'express, module',
    app: { adapter: 'express', modules: 'systemd', destroyMs: DESTROY_MS, probeSends: true },
    side: 'module',
  },
  {
    name: 'fastify, module',
    app: { adapter: 'fastify', modules: 'systemd', destroyMs: DESTROY_MS, probeSends: true },
    side: 'module',
  },
  {
    name: 'express, floor',
    app: {
      adapter: 'express',
      modules: 'schedule',
      destroyMs: DESTROY_MS,
      rawNotify: true,
      probeSends: true,
    },
    side: 'floor',
  },
  {
    name: 'fastify, floor',
    app: {
      adapter: 'fastify',
      modules: 'schedule',
      destroyMs: DESTROY_MS,
      rawNotify: true,
      probeSends: true,
    },
    side: 'floor',
  },
  { name: 'schedule', app: { adapter: 'express', modules: 'schedule' } },
  { name: 'bare', app: { adapter: 'express', modules: 'bare' } },
];

/**
 * @typedef {object} Shared
 * @property {ReceiverProcess} receiver
 * @property {number} clockViolations
 * @property {number} orderViolations a stamp listener that did not run first
 * @property {Promise<unknown>[]} exits
 * @property {Waiting[]} waiting
 */

/**
 * Starts an app and, if it notifies, measures its READY; the app then waits for its stop.
 * @param {Start} start @param {Shared} shared
 * @returns {Promise<Sample>}
 */
async function measureStart(start, shared) {
  const { receiver } = shared;
  const socket = await receiver.open();
  let socketHandedOver = false;
  // Asked before the app exists: the receiver is idle when READY comes.
  const readyArrival = start.side ? receiver.waitFor(socket, 'READY=1') : undefined;
  const spawnedAt = process.hrtime.bigint();
  const app = new AppProcess({
    ...start.app,
    notifyEnv: { NOTIFY_SOCKET: socket, WATCHDOG_USEC },
  });
  try {
    const listening = await app.listening();
    const { listening: listeningAt } = listening.stamps;
    // The app's 'listening' stamp must fall between spawning it and hearing back from it,
    // or process.hrtime.bigint() would not be one clock across processes.
    if (listeningAt < spawnedAt || listeningAt > process.hrtime.bigint()) shared.clockViolations++;
    if (!listening.listeningFirst) shared.orderViolations++;
    /** @type {Sample} */
    const sample = {
      listenMs: listening.listenMs,
      phases: listening.phases,
      rss: listening.rss,
      heapUsed: listening.heapUsed,
    };
    if (!readyArrival) {
      await app.kill();
      return sample;
    }
    const ready = await readyArrival;
    sample.readyUs = us(listeningAt, ready.at);
    const at = listening.stamps;
    sample.readyParts = parts([
      ["'listening'", listeningAt],
      ['supervisor.notify()', at.readyNotify],
      ['createSocket()', at.readySocket],
      ['send()', at.readyCalled],
      ['send() returned', at.readyReturned],
      ['arrival', ready.at],
    ]);
    shared.waiting.push({ app, socket, readyIndex: ready.index, readyAt: ready.at, sample });
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
 * Sends SIGTERM to a waiting app and measures its STOPPING; the app then finishes its
 * shutdown while the bench goes on.
 * @param {Waiting} waiting @param {Shared} shared
 */
async function measureStop({ app, socket, readyIndex, sample }, shared) {
  const { receiver } = shared;
  const arrival = receiver.waitFor(socket, 'STOPPING=1', { since: readyIndex + 1 });
  const report = app.stoppingReport(2000);
  await sleep(SETTLE_MS);
  const killedAt = process.hrtime.bigint();
  app.child.kill('SIGTERM');
  const stopping = await arrival;
  sample.stoppingUs = us(killedAt, stopping.at);
  const sent = await report;
  if (sent !== undefined) {
    const at = sent.stamps;
    if (!sent.signalFirst) shared.orderViolations++;
    sample.stoppingFromSignalUs = us(at.signal, stopping.at);
    sample.stoppingFreshSocket = at.stoppingSocket !== undefined;
    sample.stoppingParts = parts([
      ['kill()', killedAt],
      ['SIGTERM listener', at.signal],
      ['beforeClose()', at.beforeClose],
      ['supervisor.notify()', at.stoppingNotify],
      ['createSocket()', at.stoppingSocket],
      ['send()', at.stoppingCalled],
      ['send() returned', at.stoppingReturned],
      ['arrival', stopping.at],
    ]);
  }
  shared.exits.push(app.exited.finally(() => receiver.close(socket)));
}

/**
 * Measures the stop of the oldest app if it has idled long enough; with `all`, of every app
 * left, waiting as needed, each after the one before has exited.
 * @param {Shared} shared @param {{ all?: boolean }} [options]
 */
async function stopIdleApp(shared, { all = false } = {}) {
  while (shared.waiting.length > 0) {
    const next = shared.waiting[0];
    const idleMs = Number(process.hrtime.bigint() - next.readyAt) / 1e6;
    if (idleMs < IDLE_MS) {
      if (!all) return;
      await sleep(IDLE_MS - idleMs);
    }
    shared.waiting.shift();
    await measureStop(next, shared);
    if (!all) return;
    await next.app.exited;
  }
}

/**
 * A latency split at the checkpoints that were stamped (in order; unstamped ones are left
 * out): "a to b" µs for each consecutive pair. Arrival is the receiver's 'message' callback,
 * so its part includes the receiver waking up; it can even come before send() returns (a
 * negative part) when the receiver runs before the sender is scheduled again.
 * @param {[string, bigint | undefined][]} checkpoints
 * @returns {Parts}
 */
function parts(checkpoints) {
  const stamped = /** @type {[string, bigint][]} */ (
    checkpoints.filter(([, at]) => at !== undefined)
  );
  /** @type {Parts} */
  const result = {};
  for (let i = 1; i < stamped.length; i++) {
    result[`${stamped[i - 1][0]} to ${stamped[i][0]}`] = us(stamped[i - 1][1], stamped[i][1]);
  }
  return result;
}

/** Nest's part of a bootstrap, where the module's work happens. @param {Sample} s */
function nestBoot(s) {
  return s.phases.create + s.phases.listen;
}

/** Differences run by run (a[i] - b[i]), summarised. @param {number[]} a @param {number[]} b */
function paired(a, b) {
  return summarize(a.map((value, i) => value - b[i]));
}

/**
 * The module's latency over the floor's, statistic by statistic: both distributions come from
 * the same interleaved rounds, and each start gives one event, so there is nothing to pair.
 * @param {Summary} module @param {Summary} floor @returns {Summary}
 */
function ratioOf(module, floor) {
  return {
    n: Math.min(module.n, floor.n),
    median: module.median / floor.median,
    p99: module.p99 / floor.p99,
    min: module.min / floor.min,
    max: module.max / floor.max,
  };
}

/** @param {number} bytes */
function mb(bytes) {
  return bytes / 2 ** 20;
}

/** @param {bigint} from @param {bigint} to */
function us(from, to) {
  return Number(to - from) / 1000;
}

/** @param {number} value */
function usText(value) {
  return `${formatNumber(value)} µs`;
}

/**
 * "part a µs, part b µs" for the median of each part, then the same for the slowest sample.
 * @param {readonly Sample[]} samples @param {'readyUs' | 'stoppingUs'} total
 * @param {'readyParts' | 'stoppingParts'} key
 */
function describeParts(samples, total, key) {
  const withParts = samples.filter((s) => s[key] !== undefined && Object.keys(s[key]).length > 0);
  if (withParts.length === 0) return 'no breakdown received';
  const names = [...new Set(withParts.flatMap((s) => Object.keys(/** @type {Parts} */ (s[key]))))];
  const list = (/** @type {(name: string) => number | undefined} */ value) =>
    names
      .map((name) => /** @type {const} */ ([name, value(name)]))
      .filter(([, part]) => part !== undefined)
      .map(([name, part]) => `${name} ${usText(/** @type {number} */ (part))}`)
      .join(', ');
  const medians = list((name) => {
    const seen = values(withParts, (s) => s[key]?.[name]);
    return seen.length > 0 ? summarize(seen).median : undefined;
  });
  const slowest = withParts.reduce((a, b) => ((b[total] ?? 0) > (a[total] ?? 0) ? b : a));
  const worst = list((name) => slowest[key]?.[name]);
  return `medians ${medians}; slowest (${usText(slowest[total] ?? 0)}): ${worst}`;
}

/** @param {readonly Sample[]} samples @param {(s: Sample) => number | undefined} pick */
function values(samples, pick) {
  return /** @type {number[]} */ (samples.map(pick).filter((value) => value !== undefined));
}

/**
 * @param {{ rounds: number }} options
 * @returns {Promise<{ rows: Row[], notes: string[] }>}
 */
export async function runLifecycle({ rounds }) {
  /** @type {Record<string, Sample[]>} */
  const samples = Object.fromEntries(STARTS.map((start) => [start.name, []]));
  /** @type {Shared} */
  const shared = {
    receiver: await ReceiverProcess.start(),
    clockViolations: 0,
    orderViolations: 0,
    exits: [],
    waiting: [],
  };
  // Unrecorded starts first, one with the module and Express, one of the floor with Fastify:
  // the disk cache and the bench's own code are warm after them.
  const warmups = [STARTS[0], STARTS[3]];
  for (const start of warmups) await measureStart(start, shared);
  await stopIdleApp(shared, { all: true });
  for (let round = 0; round < rounds; round++) {
    for (let k = 0; k < STARTS.length; k++) {
      const start = STARTS[(round + k) % STARTS.length];
      await stopIdleApp(shared);
      samples[start.name].push(await measureStart(start, shared));
    }
  }
  await stopIdleApp(shared, { all: true });
  await Promise.all(shared.exits);
  await shared.receiver.stop();
  const starts = rounds * STARTS.length + warmups.length;

  const side = (/** @type {string} */ adapter, /** @type {Side} */ who) =>
    samples[`${adapter}, ${who}`];
  /** @type {Row[]} */
  const rows = [];
  const notes = [
    `Cases 2, 3, 5: ${rounds} rounds of ${STARTS.length} app starts (${STARTS.map((s) => s.name).join('; ')}), one at a time, order rotating per round, after ${warmups.length} unrecorded starts; every app gets NOTIFY_SOCKET and WATCHDOG_USEC=10 s and enableShutdownHooks(['SIGTERM', 'SIGINT']). "module": ScheduleModule + SystemdModule; "floor": the same app with ScheduleModule only, whose own server.on('listening') and process.once('SIGTERM') listeners each create a unix-dgram socket, send READY=1 or STOPPING=1 to NOTIFY_SOCKET and close it (the SIGTERM one registered before Nest's). READY is timed from the server's 'listening' event (stamped in the app by a listener prepended before all others) to the datagram's arrival at the receiver (a process of its own); STOPPING from just before kill(SIGTERM), sent ${IDLE_MS / 1000} s or more after READY (the module's socket has closed itself by then), to its arrival. Both ends read CLOCK_MONOTONIC (process.hrtime.bigint()); the app's stamp fell between spawn and reply in ${starts - shared.clockViolations} of ${starts} starts, and a stamp listener was not first in ${shared.orderViolations} cases.`,
  ];

  for (const adapter of ['express', 'fastify']) {
    const name = adapter === 'express' ? 'Express' : 'Fastify';
    const module = summarize(values(side(adapter, 'module'), (s) => s.readyUs));
    const floor = summarize(values(side(adapter, 'floor'), (s) => s.readyUs));
    const ratio = ratioOf(module, floor);
    rows.push(
      { id: '2', label: `READY latency, module, ${name} (µs)`, summary: module, p99: true },
      { id: '2', label: `READY latency, raw floor, ${name} (µs)`, summary: floor, p99: true },
      {
        id: '2',
        label: `READY latency, module / floor, ${name}`,
        summary: ratio,
        kind: 'ratio',
        p99: true,
        goal: `≤ ${RATIO_GOAL}x at median and p99`,
        met: ratio.median <= RATIO_GOAL && ratio.p99 <= RATIO_GOAL,
      },
    );
  }
  for (const adapter of ['express', 'fastify']) {
    const name = adapter === 'express' ? 'Express' : 'Fastify';
    const module = summarize(values(side(adapter, 'module'), (s) => s.stoppingUs));
    const floor = summarize(values(side(adapter, 'floor'), (s) => s.stoppingUs));
    const ratio = ratioOf(module, floor);
    const fromSignal = ratioOf(
      summarize(values(side(adapter, 'module'), (s) => s.stoppingFromSignalUs)),
      summarize(values(side(adapter, 'floor'), (s) => s.stoppingFromSignalUs)),
    );
    rows.push(
      { id: '3', label: `STOPPING latency, module, ${name} (µs)`, summary: module, p99: true },
      { id: '3', label: `STOPPING latency, raw floor, ${name} (µs)`, summary: floor, p99: true },
      {
        id: '3',
        label: `STOPPING latency, module / floor, ${name}`,
        summary: ratio,
        kind: 'ratio',
        p99: true,
        goal: `≤ ${RATIO_GOAL}x at median and p99`,
        met: ratio.median <= RATIO_GOAL && ratio.p99 <= RATIO_GOAL,
      },
      {
        id: '3',
        label: `STOPPING from the app's SIGTERM listener, module / floor, ${name}`,
        summary: fromSignal,
        kind: 'ratio',
        p99: true,
        goal: `≤ ${RATIO_GOAL}x at median and p99`,
        met: fromSignal.median <= RATIO_GOAL && fromSignal.p99 <= RATIO_GOAL,
      },
    );
  }

  const tails = (/** @type {'readyUs' | 'stoppingUs'} */ key) =>
    ['express', 'fastify']
      .map((adapter) => {
        const p90 = (/** @type {Side} */ who) =>
          percentile(
            values(side(adapter, who), (s) => s[key]),
            90,
          );
        return `${adapter} ${formatNumber(p90('module') / p90('floor'))}x`;
      })
      .join(', ');
  const fresh = (/** @type {Side} */ who) =>
    ['express', 'fastify']
      .flatMap((adapter) => side(adapter, who))
      .filter((s) => s.stoppingFreshSocket).length;
  const stopped = ['express', 'fastify'].flatMap((adapter) => side(adapter, 'module')).length;
  notes.push(
    `Cases 2 and 3, ratio rows: each column is the module's statistic over the floor's (median over median, p99 over p99, and so on), from the same rounds; with n < 100 the nearest-rank p99 is the largest value, a single start. For a steadier view of the tail, p90 over p90: READY ${tails('readyUs')}; STOPPING ${tails('stoppingUs')}. The probes that split the latencies into parts (see bench/apps/nest-app.mjs) wrap unix-dgram's createSocket() and send() on both sides, and the module's supervisor.notify() and the adapter's beforeClose() on the module's; compiled before anything is measured, each costs about 1 µs.`,
  );
  for (const adapter of ['express', 'fastify']) {
    notes.push(
      `Case 2, READY parts, ${adapter}, module: ${describeParts(side(adapter, 'module'), 'readyUs', 'readyParts')}. Floor: ${describeParts(side(adapter, 'floor'), 'readyUs', 'readyParts')}.`,
    );
  }
  for (const adapter of ['express', 'fastify']) {
    notes.push(
      `Case 3, STOPPING parts, ${adapter}, module: ${describeParts(side(adapter, 'module'), 'stoppingUs', 'stoppingParts')}. Floor: ${describeParts(side(adapter, 'floor'), 'stoppingUs', 'stoppingParts')}.`,
    );
  }
  notes.push(
    `Case 3: STOPPING went out on a socket opened for it in ${fresh('module')} of ${stopped} stops of the module's apps (its socket had closed itself after 1 s idle) and in ${fresh('floor')} of ${stopped} of the floor's.`,
  );

  // Case 5. Paired by round: each start against the baseline of the same round. What a module
  // adds is its import plus the difference in Nest's create() + listen(); the rest of the
  // process (Node's start-up, importing Nest) is the same in both and only adds noise.
  const series = (/** @type {string} */ name, /** @type {(s: Sample) => number} */ pick) =>
    samples[name].map(pick);
  const withModule = 'express, module';
  const systemdMs = paired(
    series(withModule, (s) => s.phases.importSystemd + nestBoot(s)),
    series('schedule', nestBoot),
  );
  const scheduleMs = paired(
    series('schedule', (s) => s.phases.importSchedule + nestBoot(s)),
    series('bare', nestBoot),
  );
  const rss = (/** @type {string} */ name) => series(name, (s) => mb(s.rss));
  const systemdRss = paired(rss(withModule), rss('schedule'));
  const scheduleRss = paired(rss('schedule'), rss('bare'));
  const systemdHeap = paired(
    series(withModule, (s) => mb(s.heapUsed)),
    series('schedule', (s) => mb(s.heapUsed)),
  );
  rows.push(
    {
      id: '5',
      label: 'time to listen from process start, bare app (ms)',
      summary: summarize(series('bare', (s) => s.listenMs)),
    },
    {
      id: '5',
      label: 'time to listen, + ScheduleModule + SystemdModule (ms)',
      summary: summarize(series(withModule, (s) => s.listenMs)),
    },
    {
      id: '5',
      label: "import('nestjs-systemd') (ms)",
      summary: summarize(series(withModule, (s) => s.phases.importSystemd)),
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
  );
  notes.push(
    `Case 5: "time to listen" counts from process start (performance.now() in the app), the module's app being "${withModule}" above. The module's share is its import plus the difference in Nest's create() + listen() against the app with ScheduleModule only, paired within a round; whole-process times differ by tens of ms from start to start on this machine, far more than the module costs. Memory is read after a forced full GC (--expose-gc), once the app has been quiet for 30 ms after listening.`,
  );
  return { rows, notes };
}
