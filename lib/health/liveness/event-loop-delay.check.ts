import type { EventLoopUtilization, IntervalHistogram } from 'node:perf_hooks';
import type { NamedSystemdHealthCheck } from '../health-indicator.interface.js';

/**
 * Delay is sampled (a timer every `resolutionMs`, which wakes an idle process 50 times a second
 * at the default) only after a round in which the loop was busy at least this share of the
 * time: an idle or lightly loaded service pays nothing, and a drowning loop is busy all along.
 */
const BUSY_UTILIZATION = 0.5;

/** Options of {@link eventLoopDelayCheck}. */
export interface EventLoopDelayCheckOptions {
  /** Percentile of the delays seen since the previous round that is compared. Default 90. */
  readonly percentile?: number;
  /** Down when that percentile exceeds this many ms... Default 1000. */
  readonly thresholdMs?: number;
  /** ...in this many consecutive rounds. Default 2: one long stall that ended is not drowning. */
  readonly rounds?: number;
  /** How often the loop's delay is sampled, in ms (`monitorEventLoopDelay`'s resolution). Default 20. */
  readonly resolutionMs?: number;
  /** Name in `STATUS=` and logs. Default `'event loop'`. */
  readonly name?: string;
}

/**
 * A liveness check for a loop that is not blocked but drowning: down when the chosen
 * percentile of the event loop's delay within a round (one watchdog period) exceeds the
 * threshold in several rounds in a row, so a service whose every callback waits seconds is
 * restarted too, while one long stall that ended (a big JSON parse, a GC) is not counted
 * against it. A loop blocked outright needs no check: the watchdog's own timer cannot fire.
 *
 * Costs nothing while the loop idles: each round reads the loop's utilization (counters, no
 * timer), and delay is sampled (`monitorEventLoopDelay`) only in rounds that follow a busy
 * one. So a loop that starts drowning is judged from its second round on. Each round reads
 * and resets the window: give each instance to one consumer (the watchdog) only.
 *
 * ```ts
 * SystemdModule.forRoot({ healthIndicators: [eventLoopDelayCheck(), heapPressureCheck()] })
 * ```
 */
export function eventLoopDelayCheck(
  options: EventLoopDelayCheckOptions = {},
): NamedSystemdHealthCheck {
  const percentile = options.percentile ?? 90;
  const rounds = options.rounds ?? 2;
  const thresholdMs = options.thresholdMs ?? 1000;
  const resolution = options.resolutionMs ?? 20;
  if (!(percentile > 0 && percentile <= 100))
    throw new RangeError(`percentile must be in (0, 100], got ${percentile}`);
  if (!(thresholdMs > 0)) throw new RangeError(`thresholdMs must be positive, got ${thresholdMs}`);
  if (!(Number.isInteger(resolution) && resolution >= 1)) {
    throw new RangeError(`resolutionMs must be a positive integer, got ${resolution}`);
  }
  if (!(Number.isInteger(rounds) && rounds >= 1)) {
    throw new RangeError(`rounds must be a positive integer, got ${rounds}`);
  }
  // Fetched here rather than imported: an ES module import of a built-in makes a facade of all
  // its exports at every app's start, whether it uses this check or not.
  const { monitorEventLoopDelay, performance } = process.getBuiltinModule('node:perf_hooks');
  let histogram: IntervalHistogram | undefined;
  let sampling = false;
  let utilization: EventLoopUtilization | undefined;
  let above = 0;
  return {
    name: options.name ?? 'event loop',
    check() {
      const busy = utilization
        ? performance.eventLoopUtilization(utilization).utilization >= BUSY_UTILIZATION
        : false;
      utilization = performance.eventLoopUtilization();
      // An empty or unsampled window reads as 0.
      const delayMs =
        sampling && histogram && histogram.count > 0 ? histogram.percentile(percentile) / 1e6 : 0;
      histogram?.reset();
      if (busy && !sampling) {
        histogram ??= monitorEventLoopDelay({ resolution });
        histogram.enable();
        sampling = true;
      } else if (!busy && sampling && delayMs <= thresholdMs) {
        histogram?.disable();
        sampling = false;
      }
      above = delayMs > thresholdMs ? above + 1 : 0;
      if (above < rounds) return true;
      throw new Error(
        `p${percentile} delay ${Math.round(delayMs)} ms, above ${thresholdMs} ms for ${above} round${above === 1 ? '' : 's'}`,
      );
    },
  };
}
