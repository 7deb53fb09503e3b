// Case 6: the watchdog with many health indicators. The module ticks on its own interval (a
// 1 ms period, from WATCHDOG_USEC=2 ms), far faster than any real WatchdogSec, so that
// 10,000 ticks fit in seconds. Each check answers asynchronously, from a setImmediate, as a
// check waiting on I/O would (not synchronously, which would let a round finish inside one
// microtask queue), yet within the same event-loop turn, so the 1 ms deadline (half the
// period, the module's default) is not what is being measured.
import { AppProcess } from '../lib/app-process.mjs';
import { NotifySink } from '../lib/notify-sink.mjs';
import { slope } from '../lib/stats.mjs';

/**
 * @typedef {import('../lib/table.mjs').Row} Row
 * @typedef {object} ScaleResult
 * @property {import('../lib/stats.mjs').Summary} tickNs
 * @property {number} evaluations
 * @property {number} unhealthy
 * @property {number} calls
 * @property {number} overlapCalls
 * @property {number} maxConcurrentEvaluations
 * @property {number} elapsedNs
 * @property {{ ticks: number, heapUsed: number, rss: number }[]} memory
 */

/**
 * @param {number} indicators @param {number} ticks @param {number} sampleEvery
 * @returns {Promise<ScaleResult>}
 */
async function runApp(indicators, ticks, sampleEvery) {
  const sink = new NotifySink();
  const app = new AppProcess({
    indicators,
    indicatorKind: 'immediate',
    notifyEnv: { NOTIFY_SOCKET: sink.path, WATCHDOG_USEC: '2000' },
  });
  try {
    await app.listening();
    return await app.request({ type: 'scale', ticks, sampleEvery });
  } finally {
    await app.kill();
    sink.close();
  }
}

/**
 * @param {{ counts: number[], ticks: number, longTicks: number, sampleEvery: number }} options
 * @returns {Promise<{ rows: Row[], notes: string[] }>}
 */
export async function runScale({ counts, ticks, longTicks, sampleEvery }) {
  const largest = Math.max(...counts);
  /** @type {Map<number, ScaleResult>} */
  const results = new Map();
  // One app at a time: tick time is wall time, and a neighbour on the other core would add to it.
  for (const count of counts) {
    const n = count === largest ? longTicks : ticks;
    results.set(count, await runApp(count, n, count === largest ? sampleEvery : n));
  }

  /** @type {Row[]} */
  const rows = counts.map((count) => ({
    id: '6',
    label: `tick time, ${count} indicators (µs)`,
    summary: scaleSummary(/** @type {ScaleResult} */ (results.get(count)).tickNs, 1 / 1000),
    p99: true,
  }));

  // At most linear growth: the time per indicator does not rise with the count (fixed costs per
  // round make it fall at first, which is fine).
  const perIndicator = (/** @type {number} */ count) =>
    /** @type {ScaleResult} */ (results.get(count)).tickNs.median / count;
  const smallest = Math.min(...counts);
  const middle = counts.find((count) => count !== smallest && count !== largest) ?? smallest;
  const growth = perIndicator(largest) / perIndicator(middle);
  rows.push({
    id: '6',
    label: `per-indicator tick time, ${largest} vs ${middle} indicators`,
    kind: 'ratio',
    summary: { n: 1, median: growth, p99: growth, min: growth, max: growth },
    goal: 'at most linear: ≤ 2x',
    met: growth <= 2,
  });

  const big = /** @type {ScaleResult} */ (results.get(largest));
  const overlapping = Math.max(...[...results.values()].map((r) => r.maxConcurrentEvaluations));
  rows.push({
    id: '6',
    label: `health rounds running at once, at most (${largest} indicators)`,
    summary: single(overlapping),
    goal: '1 (no overlap)',
    met: overlapping === 1,
  });

  // Retained heap after a full GC, from the first sample on (the first rounds warm caches up).
  const samples = big.memory.filter((m) => m.ticks >= sampleEvery);
  const kbPer1000 =
    slope(
      samples.map((m) => m.ticks),
      samples.map((m) => m.heapUsed),
    ) / 1024;
  const growthKb = ((samples.at(-1)?.heapUsed ?? 0) - (samples[0]?.heapUsed ?? 0)) / 1024;
  rows.push(
    {
      id: '6',
      label: `retained heap growth over ${big.evaluations.toLocaleString('en-US')} ticks, ${largest} indicators (KB)`,
      summary: single(growthKb),
      goal: '< 100 KB (flat)',
      met: growthKb < 100,
    },
    {
      id: '6',
      label: 'retained heap trend (bytes per tick, least squares)',
      summary: single(kbPer1000 * 1024),
    },
  );

  const notes = [
    `Case 6: ${counts.join(', ')} health indicators, ${ticks.toLocaleString('en-US')} ticks each and ${longTicks.toLocaleString('en-US')} with ${largest}; each app alone on the machine. Tick time: tick() call to settled promise, health round plus ping, for ticks not skipped (white-box timing, see bench/apps/app-probes.mjs). With ${largest} indicators the 1 ms interval fired ${big.calls.toLocaleString('en-US')} times for ${big.evaluations.toLocaleString('en-US')} rounds in ${(big.elapsedNs / 1e9).toFixed(1)} s: ${big.overlapCalls.toLocaleString('en-US')} firings came while a round was running and were skipped by the module, and ${big.unhealthy.toLocaleString('en-US')} rounds were judged unhealthy (a round the machine delays past the 1 ms deadline times out). Heap is read after a forced full GC every ${sampleEvery.toLocaleString('en-US')} ticks (${big.memory.map((m) => (m.heapUsed / 2 ** 20).toFixed(2)).join(', ')} MB).`,
  ];
  return { rows, notes };
}

/** @param {number} value */
function single(value) {
  return { n: 1, median: value, p99: value, min: value, max: value };
}

/**
 * @param {import('../lib/stats.mjs').Summary} summary @param {number} factor
 * @returns {import('../lib/stats.mjs').Summary}
 */
function scaleSummary(summary, factor) {
  return {
    n: summary.n,
    median: summary.median * factor,
    p99: summary.p99 * factor,
    min: summary.min * factor,
    max: summary.max * factor,
  };
}
