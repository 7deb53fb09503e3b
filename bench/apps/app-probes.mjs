// Measurements taken inside a bench app on the parent's request. Watchdog ticks are observed
// white-box: the module's SystemdWatchdogService instance has its tick() and its health gate's
// evaluate() wrapped (a counter and two hrtime readings per call), because the module exposes
// no tick hook and the interval callback looks tick() up on the instance each time.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { summarize } from '../lib/stats.mjs';
import { internalProvider } from './nest-internals.mjs';

/**
 * @typedef {{ type: 'overhead', windows: number, windowMs: number, eldResolutionMs: number }} OverheadRequest
 * @typedef {{ type: 'scale', ticks: number, sampleEvery: number }} ScaleRequest
 * @typedef {object} OverheadWindow
 * @property {number} cpuUs CPU time (user + system) of this process during the CPU window
 * @property {number} ticks watchdog ticks during the CPU window
 * @property {number} eldP99Ns event-loop delay p99 during the delay window
 * @property {number} eldMaxNs
 * @property {number} eldTicks watchdog ticks during the delay window
 * @typedef {object} TickCounter
 * @property {number} calls tick() calls (interval firings)
 * @property {number} overlapCalls calls made while an earlier tick was still running
 * @property {number} evaluations health rounds actually run
 * @property {number} unhealthy rounds judged down, ping withheld (a check failed or missed the deadline)
 * @property {number} maxConcurrentEvaluations
 * @property {number[]} tickNs durations of ticks that ran a round
 * @property {number} running tick() calls not yet settled
 * @property {boolean} observesRounds whether the health gate was found (it is a private field)
 * @property {(() => void) | undefined} onTick called as each tick() call settles
 */

/**
 * Wraps the watchdog's tick() and its gate's evaluate() to count and time them.
 * @param {import('@nestjs/common').INestApplication} app
 * @returns {TickCounter}
 */
function observeTicks(app) {
  // An internal on purpose: the service is not exported, and only a bench looks inside.
  const watchdog = internalProvider(app, 'SYSTEMD_SUPERVISION').watchdog;
  /** @type {TickCounter} */
  const counter = {
    calls: 0,
    overlapCalls: 0,
    evaluations: 0,
    unhealthy: 0,
    maxConcurrentEvaluations: 0,
    tickNs: [],
    running: 0,
    observesRounds: false,
    onTick: undefined,
  };
  let evaluating = 0;
  const tick = watchdog.tick.bind(watchdog);
  watchdog.tick = async () => {
    counter.calls++;
    if (counter.running > 0) counter.overlapCalls++;
    const solo = counter.running === 0;
    counter.running++;
    const start = process.hrtime.bigint();
    try {
      await tick();
    } finally {
      counter.running--;
      if (solo) counter.tickNs.push(Number(process.hrtime.bigint() - start));
      counter.onTick?.();
    }
  };
  // Private in TypeScript, a plain property at run time.
  /** @type {{ evaluate(): Promise<{ status: string }> } | undefined} */
  const gate = watchdog.gate;
  if (gate) {
    counter.observesRounds = true;
    const evaluate = gate.evaluate.bind(gate);
    gate.evaluate = async () => {
      counter.evaluations++;
      evaluating++;
      counter.maxConcurrentEvaluations = Math.max(counter.maxConcurrentEvaluations, evaluating);
      try {
        const verdict = await evaluate();
        if (verdict.status === 'down') counter.unhealthy++;
        return verdict;
      } finally {
        evaluating--;
      }
    };
  }
  return counter;
}

/** @param {TickCounter | undefined} counter */
const ticksSoFar = (counter) => counter?.calls ?? 0;

/**
 * CPU windows and event-loop-delay windows alternate, so that the delay monitor's own timer
 * (one wake-up per resolution period) is not counted as watchdog CPU.
 * @param {OverheadRequest} request @param {TickCounter | undefined} counter
 */
async function measureOverhead(request, counter) {
  /** @type {OverheadWindow[]} */
  const windows = [];
  for (let i = 0; i < request.windows; i++) {
    const ticksBefore = ticksSoFar(counter);
    const cpu = process.cpuUsage();
    await sleep(request.windowMs);
    const used = process.cpuUsage(cpu);
    const ticks = ticksSoFar(counter) - ticksBefore;

    const delay = monitorEventLoopDelay({ resolution: request.eldResolutionMs });
    const eldTicksBefore = ticksSoFar(counter);
    delay.enable();
    await sleep(request.windowMs);
    delay.disable();
    windows.push({
      cpuUs: used.user + used.system,
      ticks,
      eldP99Ns: delay.percentile(99),
      eldMaxNs: delay.max,
      eldTicks: ticksSoFar(counter) - eldTicksBefore,
    });
  }
  return { type: 'overhead', windows };
}

/** Heap after a full collection, so that the figure is what is retained, not garbage. */
function retainedMemory() {
  globalThis.gc?.();
  const memory = process.memoryUsage();
  return { heapUsed: memory.heapUsed, rss: memory.rss };
}

/**
 * Lets the watchdog tick `request.ticks` times at its own pace, sampling retained memory every
 * `sampleEvery` ticks, as a round ends and none is running: a sample taken while a round is in
 * flight would count its thousand pending checks as retained.
 * @param {ScaleRequest} request @param {TickCounter} counter
 */
async function measureScale(request, counter) {
  counter.tickNs.length = 0;
  const start = {
    calls: counter.calls,
    overlap: counter.overlapCalls,
    evals: counter.evaluations,
    unhealthy: counter.unhealthy,
  };
  counter.maxConcurrentEvaluations = 0;
  /** @type {{ ticks: number, heapUsed: number, rss: number }[]} */
  const memory = [{ ticks: 0, ...retainedMemory() }];
  const began = process.hrtime.bigint();
  let nextSample = request.sampleEvery;
  await new Promise((resolve) => {
    counter.onTick = () => {
      const done = counter.evaluations - start.evals;
      if (done < nextSample || counter.running > 0) return;
      nextSample += request.sampleEvery;
      memory.push({ ticks: done, ...retainedMemory() });
      if (done >= request.ticks) resolve(undefined);
    };
  });
  counter.onTick = undefined;
  const elapsedNs = Number(process.hrtime.bigint() - began);
  return {
    type: 'scale',
    tickNs: summarize(counter.tickNs),
    evaluations: counter.evaluations - start.evals,
    unhealthy: counter.unhealthy - start.unhealthy,
    calls: counter.calls - start.calls,
    overlapCalls: counter.overlapCalls - start.overlap,
    maxConcurrentEvaluations: counter.maxConcurrentEvaluations,
    elapsedNs,
    memory,
  };
}

/**
 * @param {import('@nestjs/common').INestApplication} app
 * @param {{ observeTicks: boolean }} options
 */
export async function installProbes(app, options) {
  const counter = options.observeTicks ? observeTicks(app) : undefined;
  return {
    /** @param {OverheadRequest | ScaleRequest} request */
    async handle(request) {
      if (request.type === 'overhead') return measureOverhead(request, counter);
      if (request.type === 'scale' && counter?.observesRounds)
        return measureScale(request, counter);
      return { type: 'error', message: `unknown request ${JSON.stringify(request)}` };
    },
  };
}
