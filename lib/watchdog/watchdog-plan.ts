import { MAX_TIMER_MS } from '../notify/watchdog-env.js';

/**
 * Share of systemd's watchdog timeout that the longest possible gap between two pings may use.
 * The rest (a fifth) absorbs what no plan controls: a late timer, a busy event loop, the
 * scheduler of a loaded host.
 */
export const WATCHDOG_GAP_BUDGET = 0.8;

/** Whatever the timeout, at least this much of it is left for jitter: Node's timers count whole ms. */
const MIN_MARGIN_MS = 1;

/** What a plan is computed from: systemd's timeout and the module's options. */
export interface WatchdogPlanInput {
  /** `WatchdogSec=` as systemd passed it (`WATCHDOG_USEC`, or a later `WATCHDOG_USEC=`), in µs. */
  readonly timeoutUsec: bigint;
  /** `watchdogIntervalMs`, if set. */
  readonly intervalMs: number | undefined;
  /** `healthCheckTimeoutMs`, if set. */
  readonly checkTimeoutMs: number | undefined;
  /** Whether any health check gates the pings (without one, a round takes no time). */
  readonly hasChecks: boolean;
}

/** When and how the watchdog pings. */
export interface WatchdogPlan {
  /** systemd's timeout, in ms. */
  readonly timeoutMs: number;
  /** A round of health checks (then a ping) starts this often. */
  readonly periodMs: number;
  /** How long a round's checks may take before they count as failed; 0 without checks. */
  readonly checkDeadlineMs: number;
  /** The longest possible gap between two pings of a healthy service: period plus deadline. */
  readonly worstGapMs: number;
  /** What the gap may be at most: {@link WATCHDOG_GAP_BUDGET} of the timeout. */
  readonly budgetMs: number;
  /**
   * Set when the options did not fit systemd's timeout and the plan was shortened to fit (or
   * the timeout is too short for any plan): says what was asked, what is done, what to change.
   */
  readonly adjusted?: string;
}

const floorMs = (value: number): number => Math.max(1, Math.floor(value));

/**
 * The one place where the watchdog's timing is decided. Pure: systemd's timeout and the
 * options in, the plan out.
 *
 * A healthy service pings at the end of each round, so two pings can be as far apart as one
 * period plus one round's deadline (a round that answers at once, then one that answers just
 * in time). That worst gap must stay within {@link WATCHDOG_GAP_BUDGET} of the timeout.
 * Defaults: the period is half the timeout (as `sd_watchdog_enabled(3)` advises) and the
 * deadline a quarter, so the worst gap is three quarters. Options that do not fit the timeout
 * are shortened to fit rather than refused: the timeout comes from the unit, and an operator
 * who shortens `WatchdogSec=` must not turn a healthy service into a crash loop.
 */
export function planWatchdog(input: WatchdogPlanInput): WatchdogPlan {
  // Timers cannot wait longer than MAX_TIMER_MS; the comparisons use the real timeout.
  const timeoutMs = Number(input.timeoutUsec) / 1000;
  const budgetMs = Math.floor(timeoutMs * WATCHDOG_GAP_BUDGET);
  const defaultPeriod = Math.min(floorMs(timeoutMs / 2), MAX_TIMER_MS);
  const periodMs = input.intervalMs ?? defaultPeriod;
  const checkDeadlineMs = input.hasChecks
    ? (input.checkTimeoutMs ??
      Math.min(
        input.intervalMs === undefined ? floorMs(timeoutMs / 4) : floorMs(periodMs / 2),
        MAX_TIMER_MS,
      ))
    : 0;
  // Whole ms, or µs precision for the sub-10 ms timeouts no plan fits.
  const shown = timeoutMs >= 10 ? Math.round(timeoutMs) : Math.round(timeoutMs * 1000) / 1000;
  const fits = (gap: number): boolean => gap <= budgetMs && timeoutMs - gap >= MIN_MARGIN_MS;
  if (fits(periodMs + checkDeadlineMs)) {
    return {
      timeoutMs: shown,
      periodMs,
      checkDeadlineMs,
      worstGapMs: periodMs + checkDeadlineMs,
      budgetMs,
    };
  }

  // Shorten what was asked for until it fits: the period first, to half the timeout, then the
  // deadline to what is left of the budget.
  const fitPeriod = Math.min(periodMs, defaultPeriod);
  const fitDeadline = input.hasChecks
    ? Math.max(1, Math.min(checkDeadlineMs, budgetMs - fitPeriod))
    : 0;
  const fitted = { periodMs: fitPeriod, checkDeadlineMs: fitDeadline };
  return {
    timeoutMs: shown,
    ...fitted,
    worstGapMs: fitPeriod + fitDeadline,
    budgetMs,
    adjusted: describeAdjustment(
      input,
      shown,
      budgetMs,
      { periodMs, checkDeadlineMs },
      fitted,
      fits(fitPeriod + fitDeadline),
    ),
  };
}

interface Timing {
  readonly periodMs: number;
  readonly checkDeadlineMs: number;
}

function describeAdjustment(
  input: WatchdogPlanInput,
  timeoutMs: number,
  budgetMs: number,
  asked: Timing,
  fitted: Timing,
  fitsNow: boolean,
): string {
  const askedText = [
    `watchdogIntervalMs=${asked.periodMs}${input.intervalMs === undefined ? ' (default)' : ''}`,
    ...(input.hasChecks
      ? [
          `healthCheckTimeoutMs=${asked.checkDeadlineMs}${input.checkTimeoutMs === undefined ? ' (default)' : ''}`,
        ]
      : []),
  ].join(' + ');
  const doing = input.hasChecks
    ? `pinging every ${fitted.periodMs} ms with health checks cut off after ${fitted.checkDeadlineMs} ms`
    : `pinging every ${fitted.periodMs} ms`;
  const toChange = [
    ...(input.intervalMs === undefined ? [] : ['watchdogIntervalMs']),
    ...(input.checkTimeoutMs === undefined ? [] : ['healthCheckTimeoutMs']),
  ];
  const fix = !fitsNow
    ? 'raise WatchdogSec= in the unit: no plan can keep up with this timeout'
    : toChange.length > 0
      ? `lower ${toChange.join(' and ')}, or raise WatchdogSec= in the unit`
      : 'raise WatchdogSec= in the unit';
  return (
    `systemd's watchdog timeout is ${timeoutMs} ms, and ${askedText} = ` +
    `${asked.periodMs + asked.checkDeadlineMs} ms could leave a longer gap between pings than the ` +
    `${budgetMs} ms (${WATCHDOG_GAP_BUDGET * 100}% of the timeout) that is safe: ${doing} ` +
    `instead; ${fix}`
  );
}
