// The liveness checks on their own, with the real event loop histogram and the real V8 heap
// statistics of this process: bad options fail when the check is made (at bootstrap, not at the
// first watchdog round), and the first round is healthy (the event loop's window only opens
// there; the heap must stay high for `rounds` rounds in a row).
import { eventLoopDelayCheck, heapPressureCheck } from '../../lib/index.js';
import { sleep } from '../e2e/helpers.js';

/** Keeps the event loop busy, as a synchronous computation would. */
function blockFor(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // Busy on purpose.
  }
}

describe('eventLoopDelayCheck', () => {
  it.each([0, -1, 100.5, Number.NaN])('refuses percentile %p with a RangeError', (percentile) => {
    expect(() => eventLoopDelayCheck({ percentile })).toThrow(RangeError);
    expect(() => eventLoopDelayCheck({ percentile })).toThrow(/percentile/);
  });

  it.each([0, -5, Number.NaN])('refuses thresholdMs %p with a RangeError', (thresholdMs) => {
    expect(() => eventLoopDelayCheck({ thresholdMs })).toThrow(RangeError);
    expect(() => eventLoopDelayCheck({ thresholdMs })).toThrow(/thresholdMs/);
  });

  it('accepts the edges and the defaults, and names itself', () => {
    expect(eventLoopDelayCheck().name).toBe('event loop');
    expect(eventLoopDelayCheck({ percentile: 100, thresholdMs: 0.5 }).name).toBe('event loop');
    expect(eventLoopDelayCheck({ name: 'loop' }).name).toBe('loop');
  });

  it('samples only after a busy round, then judges the delay within each round', async () => {
    const check = eventLoopDelayCheck({ thresholdMs: 150, rounds: 1 });
    // The first round only starts the clock: what came before is not held against it.
    blockFor(400);
    await sleep(50);
    expect(check.check()).toBe(true);

    // A busy round (the loop occupied most of it) is not sampled yet: it turns sampling on.
    await sleep(20);
    blockFor(400);
    await sleep(20);
    expect(check.check()).toBe(true);

    // Sampled now: a 400 ms stall within the round makes every later sample ~400 ms late.
    await sleep(50);
    blockFor(400);
    await sleep(50);
    expect(() => check.check()).toThrow(/^p90 delay \d+ ms, above 150 ms for 1 round$/);

    // The window was reset: a quiet round is healthy again (and sampling stops after it).
    await sleep(200);
    expect(check.check()).toBe(true);
    await sleep(200);
    expect(check.check()).toBe(true);
    // No longer sampled: a stall in an otherwise idle round is not judged.
    await sleep(400);
    blockFor(150);
    await sleep(20);
    expect(check.check()).toBe(true);
  });
});

describe('heapPressureCheck', () => {
  it.each([0, 1, -0.1, 1.5, Number.NaN])('refuses fraction %p with a RangeError', (fraction) => {
    expect(() => heapPressureCheck({ fraction })).toThrow(RangeError);
    expect(() => heapPressureCheck({ fraction })).toThrow(/fraction/);
  });

  it.each([0, -1, 1.5, Number.NaN])('refuses rounds %p with a RangeError', (rounds) => {
    expect(() => heapPressureCheck({ rounds })).toThrow(RangeError);
    expect(() => heapPressureCheck({ rounds })).toThrow(/rounds/);
  });

  it('accepts the defaults and the edges, and names itself', () => {
    expect(heapPressureCheck().name).toBe('heap');
    expect(heapPressureCheck({ fraction: 0.01, rounds: 1 }).name).toBe('heap');
    expect(heapPressureCheck({ name: 'memory' }).name).toBe('memory');
  });

  it('is healthy on the first rounds above the fraction, down once it stayed there for `rounds` rounds', () => {
    // This process always uses more than 0.1% of its heap limit: every round is "above".
    const check = heapPressureCheck({ fraction: 0.001 });
    expect(check.check()).toBe(true);
    expect(check.check()).toBe(true);
    expect(() => check.check()).toThrow(
      /^\d+ MiB used of a \d+ MiB heap limit for 3 rounds, above 0\.1%$/,
    );
    // Still above: still down, the count going on.
    expect(() => check.check()).toThrow(/for 4 rounds/);
  });

  it('stays healthy while the heap is below the fraction', () => {
    // No test process comes near 99% of V8's limit.
    const check = heapPressureCheck({ fraction: 0.99, rounds: 1 });
    for (let round = 0; round < 5; round++) expect(check.check()).toBe(true);
  });
});
