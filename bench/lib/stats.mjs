/**
 * Summary statistics over repeated measurements. Percentiles use the nearest-rank method, so
 * every reported figure is a value that was actually observed.
 */

/**
 * @typedef {object} Summary
 * @property {number} n
 * @property {number} median
 * @property {number} p99
 * @property {number} min
 * @property {number} max
 */

/** @param {readonly number[]} values @returns {number[]} */
function sorted(values) {
  return values.toSorted((a, b) => a - b);
}

/**
 * Nearest-rank percentile of already sorted values.
 * @param {readonly number[]} ascending @param {number} p 0..100
 */
function rank(ascending, p) {
  if (ascending.length === 0) return Number.NaN;
  const index = Math.ceil((p / 100) * ascending.length) - 1;
  return ascending[Math.min(ascending.length - 1, Math.max(0, index))];
}

/** @param {readonly number[]} values @param {number} p 0..100 */
export function percentile(values, p) {
  return rank(sorted(values), p);
}

/** @param {readonly number[]} values @returns {Summary} */
export function summarize(values) {
  const ascending = sorted(values);
  // The median is the usual midpoint (not nearest-rank) so that even counts are not biased low.
  const mid = ascending.length >> 1;
  const median =
    ascending.length === 0
      ? Number.NaN
      : ascending.length % 2 === 1
        ? ascending[mid]
        : (ascending[mid - 1] + ascending[mid]) / 2;
  return {
    n: ascending.length,
    median,
    p99: rank(ascending, 99),
    min: ascending[0] ?? Number.NaN,
    max: ascending.at(-1) ?? Number.NaN,
  };
}

/**
 * Element-wise ratio of two series measured side by side (run i of `a` over run i of `b`), so
 * that noise common to both runs cancels before summarising.
 * @param {readonly number[]} a @param {readonly number[]} b
 */
export function pairedRatios(a, b) {
  return a.map((value, i) => value / b[i]);
}

/**
 * Least-squares slope of y over x.
 * @param {readonly number[]} xs @param {readonly number[]} ys
 */
export function slope(xs, ys) {
  const n = xs.length;
  const meanX = xs.reduce((sum, x) => sum + x, 0) / n;
  const meanY = ys.reduce((sum, y) => sum + y, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += (xs[i] - meanX) * (ys[i] - meanY);
    den += (xs[i] - meanX) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

/**
 * Nanoseconds between two `process.hrtime.bigint()` readings, as a float.
 * @param {bigint} from @param {bigint} to
 */
export function nsBetween(from, to) {
  return Number(to - from);
}
