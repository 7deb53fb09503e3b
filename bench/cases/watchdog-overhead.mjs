// Case 4: what the watchdog costs a running app, against the same app without the module.
// All variants of a set run at the same time and measure the same wall-clock windows, so the
// machine's noise lands on each of them alike and per-window comparisons cancel it. Two apps
// without the module run side by side: their difference is what "no measurable difference"
// has to be told apart from. The built-in liveness checks are one more variant, and apps without
// the module running a bare event-loop-delay monitor tell the check's monitor from its rounds.
import { AppProcess } from '../lib/app-process.mjs';
import { NotifySink } from '../lib/notify-sink.mjs';
import { summarize } from '../lib/stats.mjs';
import { formatNumber } from '../lib/table.mjs';

/**
 * @typedef {import('../lib/table.mjs').Row} Row
 * @typedef {import('../apps/app-probes.mjs').OverheadWindow} OverheadWindow
 * @typedef {{ name: string, indicators?: number, liveness?: boolean, monitorMs?: number }} Variant
 * @typedef {{ windows: number, windowMs: number }} WindowPlan
 */

/** The same app without SystemdModule (ScheduleModule kept, so only the module differs). */
const BASELINE = 'none';
const TWIN = 'none, twin';
/** The module with the built-in liveness checks, eventLoopDelayCheck() and heapPressureCheck(). */
const LIVENESS = 'liveness';
/**
 * No module, but a bare monitorEventLoopDelay() at eventLoopDelayCheck()'s default resolution:
 * what the check's monitor costs by itself, apart from the watchdog's rounds; and one at a
 * coarser resolution, to tell whether that cost goes with the monitor's wake-ups.
 */
const MONITOR_MS = 20;
const MONITOR = `none, monitor ${MONITOR_MS} ms`;
const COARSE_MONITOR_MS = 100;
const COARSE_MONITOR = `none, monitor ${COARSE_MONITOR_MS} ms`;
/** @type {Variant[]} */
const VARIANTS = [
  { name: BASELINE },
  { name: TWIN },
  { name: '0', indicators: 0 },
  { name: '10', indicators: 10 },
  { name: '100', indicators: 100 },
  { name: LIVENESS, indicators: 0, liveness: true },
  { name: MONITOR, monitorMs: MONITOR_MS },
  { name: COARSE_MONITOR, monitorMs: COARSE_MONITOR_MS },
];
const WITH_MODULE = ['0', '10', '100', LIVENESS];
/**
 * The 2 ms set gives per-tick CPU only, against the baseline: the twin and the bare monitors,
 * whose figures come from the 1 s set, are not started for it (three app starts fewer).
 */
const FAST_VARIANTS = VARIANTS.filter(
  (variant) => variant.name === BASELINE || WITH_MODULE.includes(variant.name),
);
/** @param {string} name */
const describe = (name) =>
  name === LIVENESS ? 'eventLoopDelayCheck + heapPressureCheck' : `${name} indicators`;

/**
 * Starts the variants under one WATCHDOG_USEC and measures the same windows in all of them.
 * @param {Variant[]} variants
 * @param {string} watchdogUsec
 * @param {WindowPlan & { eldResolutionMs: number }} measure
 * @returns {Promise<Record<string, OverheadWindow[]>>}
 */
async function runSet(variants, watchdogUsec, measure) {
  const sink = new NotifySink();
  const apps = variants.map(
    (variant) =>
      new AppProcess({
        modules: variant.indicators === undefined ? 'schedule' : 'systemd',
        indicators: variant.indicators ?? 0,
        liveness: variant.liveness,
        monitorMs: variant.monitorMs,
        notifyEnv: { NOTIFY_SOCKET: sink.path, WATCHDOG_USEC: watchdogUsec },
      }),
  );
  try {
    await Promise.all(apps.map((app) => app.listening()));
    const replies = await Promise.all(
      apps.map((app) => app.request({ type: 'overhead', ...measure })),
    );
    return Object.fromEntries(variants.map((variant, i) => [variant.name, replies[i].windows]));
  } finally {
    await Promise.all(apps.map((app) => app.kill()));
    sink.close();
  }
}

/**
 * Per window, `a` minus `b` of some figure.
 * @param {OverheadWindow[]} a @param {OverheadWindow[]} b
 * @param {(w: OverheadWindow) => number} pick
 */
function paired(a, b, pick) {
  return a.map((w, i) => pick(w) - pick(b[i]));
}

/** @param {OverheadWindow} w */
function cpu(w) {
  return w.cpuUs;
}

/**
 * µs of CPU per wake-up of a monitor of `resolutionMs` that costs `percent` of a core.
 * @param {number} percent @param {number} resolutionMs
 */
function perWakeUp(percent, resolutionMs) {
  return formatNumber(((percent / 100) * 1e6) / (1000 / resolutionMs));
}

/** @param {OverheadWindow[]} windows */
function ticks(windows) {
  return windows.reduce((sum, w) => sum + w.ticks, 0);
}

/**
 * @param {{ defaultSet: WindowPlan, fastSet: WindowPlan, eldResolutionMs: number }} options
 * @returns {Promise<{ rows: Row[], notes: string[] }>}
 */
export async function runWatchdogOverhead({ defaultSet, fastSet, eldResolutionMs }) {
  // WatchdogSec=2 s: the module's default period is half of it, the 1 s of the goal.
  const slow = await runSet(VARIANTS, '2000000', { ...defaultSet, eldResolutionMs });
  // WatchdogSec=4 ms: a tick every 2 ms, so a window holds hundreds of ticks to divide by.
  const fast = await runSet(FAST_VARIANTS, '4000', { ...fastSet, eldResolutionMs });

  // p99 of the delay beyond the monitor's own sampling interval.
  const p99 = (/** @type {OverheadWindow} */ w) => w.eldP99Ns / 1000 - eldResolutionMs * 1000;
  /**
   * CPU of `name` beyond `against`'s, window by window, at the 1 s period, in % of one core.
   * @param {string} name @param {string} [against]
   */
  const corePercent = (name, against = BASELINE) =>
    summarize(
      paired(slow[name], slow[against], cpu).map((us) => (us / (defaultSet.windowMs * 1000)) * 100),
    );
  const percentOfCore = corePercent('10');
  const livenessPercent = corePercent(LIVENESS);
  const monitorPercent = corePercent(MONITOR);
  const coarsePercent = corePercent(COARSE_MONITOR);
  // The module, its round and both checks' work, without the monitor's wake-ups.
  const beyondMonitor = corePercent(LIVENESS, MONITOR);
  const noiseBand = summarize(paired(slow[TWIN], slow[BASELINE], p99));
  // The largest difference between two identical apps: what "measurable" has to exceed.
  const noise = Math.max(Math.abs(noiseBand.min), Math.abs(noiseBand.max));
  const cpuNoise = corePercent(TWIN);

  /**
   * CPU per tick beyond the idle app's, window by window (windows without a tick skipped).
   * @param {Record<string, OverheadWindow[]>} set @param {string} name
   */
  const perTick = (set, name) =>
    summarize(
      paired(set[name], set[BASELINE], cpu)
        .map((us, i) => us / set[name][i].ticks)
        .filter(Number.isFinite),
    );
  /** @type {Row[]} */
  const rows = [];
  for (const [period, set] of /** @type {const} */ ([
    ['1 s', slow],
    ['2 ms', fast],
  ])) {
    for (const name of WITH_MODULE) {
      rows.push({
        id: '4',
        label: `CPU per tick at a ${period} period, ${describe(name)} (µs)`,
        summary: perTick(set, name),
      });
    }
  }
  rows.push(
    {
      id: '4',
      label: 'CPU at a 1 s period, 10 indicators, per 1 s window (% of one core)',
      summary: percentOfCore,
      goal: '< 0.1 %',
      met: percentOfCore.median < 0.1,
    },
    {
      id: '4',
      label:
        'CPU at a 1 s period, eventLoopDelayCheck + heapPressureCheck, per 1 s window (% of one core)',
      summary: livenessPercent,
      goal: '< 0.1 %',
      met: livenessPercent.median < 0.1,
    },
    {
      id: '4',
      label: `app without the module, bare monitorEventLoopDelay (${MONITOR_MS} ms, the check's default), per 1 s window (% of one core)`,
      summary: monitorPercent,
    },
    {
      id: '4',
      label: `app without the module, bare monitorEventLoopDelay (${COARSE_MONITOR_MS} ms), per 1 s window (% of one core)`,
      summary: coarsePercent,
    },
    {
      id: '4',
      label: `eventLoopDelayCheck + heapPressureCheck beyond the bare ${MONITOR_MS} ms monitor, paired, per 1 s window (% of one core)`,
      summary: beyondMonitor,
    },
    {
      id: '4',
      label: 'event-loop delay p99, 1 s period, app without the module (µs)',
      summary: summarize(slow[BASELINE].map(p99)),
    },
    {
      id: '4',
      label: 'p99 difference between two apps without the module, paired (µs)',
      summary: noiseBand,
    },
  );
  for (const name of WITH_MODULE) {
    const added = summarize(paired(slow[name], slow[BASELINE], p99));
    rows.push({
      id: '4',
      label: `p99 delay added, 1 s period, ${describe(name)}, paired (µs)`,
      summary: added,
      goal: `within ±${formatNumber(noise)} µs (no-module pair)`,
      met: Math.abs(added.median) <= noise,
    });
  }
  rows.push({
    id: '4',
    label: 'p99 delay added, 2 ms period, 100 indicators, paired (µs)',
    summary: summarize(paired(fast['100'], fast[BASELINE], p99)),
  });

  const notes = [
    `Case 4: eight apps at once (two without the module; three with it and 0, 10, 100 synchronous indicators; one with it and the built-in liveness checks, eventLoopDelayCheck() and heapPressureCheck() with their defaults; two without it, each running a bare monitorEventLoopDelay(), at ${MONITOR_MS} ms, the check's default resolution, and at ${COARSE_MONITOR_MS} ms; the 2 ms set below starts only the first of these and the four with the module), each measuring the same alternating windows: CPU (process.cpuUsage) with the bench's own delay monitor off, then event-loop delay (monitorEventLoopDelay, ${eldResolutionMs} ms resolution; figures are beyond that interval). Default settings: WATCHDOG_USEC=2 s, so a 1 s period: ${defaultSet.windows} windows of ${defaultSet.windowMs} ms (${ticks(slow['10'])} ticks with 10 indicators). Per-tick CPU at WATCHDOG_USEC=4 ms (a 2 ms period, ${ticks(fast['10'])} ticks with 10 indicators over ${fastSet.windows} windows of ${fastSet.windowMs} ms), minus the idle app's CPU in the same window. At a 1 s period each tick wakes an idle process, and on this machine that wake-up alone costs a few hundred µs of CPU (a bare 1 s timer in an idle Node process measures about 250 µs per wake-up here), so a tick there costs many times what it costs at 2 ms, where the process never sleeps long: the goal is judged on the 1 s figure. For scale, the two apps without the module differ by a median ${cpuNoise.median.toFixed(3)} % (${cpuNoise.min.toFixed(3)} to ${cpuNoise.max.toFixed(3)} %) of a core per window. "Within ± … (no-module pair)": the median delay added is no larger than the largest difference, either way, between the two apps without the module in any window, i.e. not measurable against the noise.`,
    `Case 4, liveness checks: eventLoopDelayCheck() reads the loop's utilization each round and starts its monitorEventLoopDelay() (${MONITOR_MS} ms resolution) only after a busy round, so in these idle windows it does not run; at a 2 ms period the round's own work shows (compare 10 indicators). For scale, that monitor is a libuv timer that wakes the process every ${MONITOR_MS} ms (${1000 / MONITOR_MS} times in a 1 s window, against the watchdog's one tick). The bare monitor, in an app without the module, costs a median ${formatNumber(monitorPercent.median)} % of a core, about ${perWakeUp(monitorPercent.median, MONITOR_MS)} µs per wake-up, of the checks' ${formatNumber(livenessPercent.median)} %; at ${COARSE_MONITOR_MS} ms it costs ${formatNumber(coarsePercent.median)} %, about ${perWakeUp(coarsePercent.median, COARSE_MONITOR_MS)} µs per wake-up (fewer wake-ups, each dearer after a longer sleep, as with the watchdog's own tick); the app with the checks costs ${formatNumber(beyondMonitor.median)} % against it (the watchdog's tick, its round and both checks; 10 synchronous indicators: ${formatNumber(percentOfCore.median)} %). ${ticks(slow[LIVENESS])} ticks with the checks over the 1 s windows, ${ticks(fast[LIVENESS])} at 2 ms.`,
  ];
  return { rows, notes };
}
