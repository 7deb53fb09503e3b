// The watchdog plan as a table, in the manner of go-systemd's SdWatchdogEnabled tests: systemd's
// timeout and the options in, the period, deadline and worst gap out. The rule under test: the
// longest gap between two pings of a healthy service (period + deadline) stays within 80 % of
// the timeout, and options that do not fit are shortened with a message rather than refused.
import { MAX_TIMER_MS } from '../../lib/notify/watchdog-env.js';
import { planWatchdog, WATCHDOG_GAP_BUDGET } from '../../lib/watchdog/watchdog-plan.js';

const ms = (value: number): bigint => BigInt(value) * 1000n;

describe('planWatchdog', () => {
  it.each([
    // timeout, interval, deadline, checks -> period, deadline, adjusted?
    ['defaults, with checks', ms(1000), undefined, undefined, true, 500, 250, false],
    ['defaults, without checks', ms(1000), undefined, undefined, false, 500, 0, false],
    ['WatchdogSec=30', ms(30_000), undefined, undefined, true, 15_000, 7500, false],
    ['a period that fits, deadline half of it', ms(1000), 400, undefined, true, 400, 200, false],
    ['period and deadline that fit exactly', ms(1000), 500, 300, true, 500, 300, false],
    // The cases: both must not be accepted as they are.
    ['watchdogIntervalMs 280 under 400 ms', ms(400), 280, undefined, true, 200, 120, true],
    ['healthCheckTimeoutMs 195, default period', ms(400), undefined, 195, true, 200, 120, true],
    ['a period longer than the timeout', ms(1000), 5000, undefined, false, 500, 0, true],
    ['deadline too long for the default period', ms(1000), undefined, 400, true, 500, 300, true],
  ])('%s', (_name, usec, intervalMs, checkTimeoutMs, hasChecks, period, deadline, adjusted) => {
    const plan = planWatchdog({ timeoutUsec: usec, intervalMs, checkTimeoutMs, hasChecks });
    expect(plan.periodMs).toBe(period);
    expect(plan.checkDeadlineMs).toBe(deadline);
    expect(plan.worstGapMs).toBe(period + deadline);
    expect(plan.adjusted !== undefined).toBe(adjusted);
    if (!adjusted || plan.worstGapMs <= plan.budgetMs) {
      expect(plan.worstGapMs).toBeLessThanOrEqual(Number(usec / 1000n) * WATCHDOG_GAP_BUDGET);
    }
  });

  it('names the options, the numbers and the fix when it shortens them', () => {
    const plan = planWatchdog({
      timeoutUsec: ms(400),
      intervalMs: 280,
      checkTimeoutMs: undefined,
      hasChecks: true,
    });
    expect(plan.adjusted).toBe(
      "systemd's watchdog timeout is 400 ms, and watchdogIntervalMs=280 + healthCheckTimeoutMs=140 " +
        '(default) = 420 ms could leave a longer gap between pings than the 320 ms (80% of the ' +
        'timeout) that is safe: pinging every 200 ms with health checks cut off after 120 ms ' +
        'instead; lower watchdogIntervalMs, or raise WatchdogSec= in the unit',
    );
  });

  it.each([
    ['1 µs', 1n],
    ['1 ms', 1000n],
    ['1.999 ms', 1999n],
  ])('a timeout of %s, shorter than any plan: a plan all the same, saying so', (_name, usec) => {
    const plan = planWatchdog({
      timeoutUsec: usec,
      intervalMs: undefined,
      checkTimeoutMs: undefined,
      hasChecks: true,
    });
    expect(plan.periodMs).toBe(1);
    expect(plan.checkDeadlineMs).toBe(1);
    expect(plan.adjusted).toMatch(/raise WatchdogSec= in the unit: no plan can keep up/);
    expect(plan.adjusted).not.toMatch(/lower watchdogIntervalMs/);
  });

  it('a timeout beyond Node timers: period and deadline within timer range', () => {
    const plan = planWatchdog({
      timeoutUsec: ms(2 ** 42),
      intervalMs: undefined,
      checkTimeoutMs: undefined,
      hasChecks: true,
    });
    expect(plan.periodMs).toBe(MAX_TIMER_MS);
    expect(plan.checkDeadlineMs).toBe(MAX_TIMER_MS);
    expect(plan.adjusted).toBeUndefined();
  });

  it('never leaves a healthy service a gap over the budget unless the timeout is below 3 ms', () => {
    for (let timeout = 3; timeout <= 5000; timeout += 7) {
      for (const interval of [
        undefined,
        1,
        Math.max(1, Math.floor(timeout / 3)),
        timeout,
        timeout * 2,
      ]) {
        for (const deadline of [undefined, 1, Math.max(1, Math.floor(timeout / 5)), timeout]) {
          if (interval !== undefined && deadline !== undefined && deadline >= interval) continue;
          const plan = planWatchdog({
            timeoutUsec: ms(timeout),
            intervalMs: interval,
            checkTimeoutMs: deadline,
            hasChecks: true,
          });
          expect(plan.worstGapMs).toBeLessThanOrEqual(plan.budgetMs + (timeout < 5 ? 1 : 0));
          expect(plan.periodMs).toBeGreaterThanOrEqual(1);
          expect(plan.checkDeadlineMs).toBeGreaterThanOrEqual(1);
        }
      }
    }
  });
});
