import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import type { NamedSystemdHealthCheck } from '../health-indicator.interface.js';

/** Options of {@link eventLoopDelayCheck}. */
export interface EventLoopDelayCheckOptions {
  /** Percentile of the delays seen since the previous round that is compared. Default 99. */
  readonly percentile?: number;
  /** Down when that percentile exceeds this many ms. Default 1000. */
  readonly thresholdMs?: number;
  /** How often the loop's delay is sampled, in ms (`monitorEventLoopDelay`'s resolution). Default 20. */
  readonly resolutionMs?: number;
  /** Name in `STATUS=` and logs. Default `'event loop'`. */
  readonly name?: string;
}

/**
 * A liveness check for a loop that is not blocked but drowning: down when the chosen
 * percentile of the event loop's delay since the previous round (one watchdog period) exceeds
 * the threshold, so a service whose every callback waits seconds is restarted too. A loop
 * blocked outright needs no check: the watchdog's own timer cannot fire.
 *
 * Sampling starts on the first round; each round reads and resets the window, so give each
 * instance to one consumer (the watchdog) only.
 *
 * ```ts
 * SystemdModule.forRoot({ healthIndicators: [eventLoopDelayCheck(), heapPressureCheck()] })
 * ```
 */
export function eventLoopDelayCheck(
  options: EventLoopDelayCheckOptions = {},
): NamedSystemdHealthCheck {
  const percentile = options.percentile ?? 99;
  const thresholdMs = options.thresholdMs ?? 1000;
  const resolution = options.resolutionMs ?? 20;
  if (!(percentile > 0 && percentile <= 100))
    throw new RangeError(`percentile must be in (0, 100], got ${percentile}`);
  if (!(thresholdMs > 0)) throw new RangeError(`thresholdMs must be positive, got ${thresholdMs}`);
  let histogram: IntervalHistogram | undefined;
  return {
    name: options.name ?? 'event loop',
    check() {
      if (!histogram) {
        histogram = monitorEventLoopDelay({ resolution });
        histogram.enable();
        return true;
      }
      // An empty window (no sample yet) reads as 0.
      const delayMs = histogram.count > 0 ? histogram.percentile(percentile) / 1e6 : 0;
      histogram.reset();
      if (delayMs <= thresholdMs) return true;
      throw new Error(
        `p${percentile} delay ${Math.round(delayMs)} ms over the last round, above ${thresholdMs} ms`,
      );
    },
  };
}
