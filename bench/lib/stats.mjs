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
 * A bootstrap interval: `statistic` computed on `resamples` resamples of the indices
 * 0..count-1 drawn with replacement, and the central `level` % of those values. The generator
 * is seeded, so the same data give the same interval.
 * @param {number} count
 * @param {(indices: Uint32Array) => number} statistic
 * @param {{ resamples?: number, level?: number, seed?: number }} [options]
 * @returns {[number, number]}
 */
export function bootstrapInterval(
  count,
  statistic,
  { resamples = 1000, level = 90, seed = 1 } = {},
) {
  let state = seed >>> 0;
  // mulberry32: small, fast, and good enough to draw indices.
  const random = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
  const indices = new Uint32Array(count);
  const values = [];
  for (let r = 0; r < resamples; r++) {
    for (let i = 0; i < count; i++) indices[i] = Math.floor(random() * count);
    values.push(statistic(indices));
  }
  const tail = (100 - level) / 2;
  return [percentile(values, tail), percentile(values, 100 - tail)];
}

/**
 * Nearest-rank percentile of `values` at the given indices (with repeats), as
 * {@link percentile} over that selection.
 * @param {readonly number[]} values @param {Uint32Array} indices @param {number} p 0..100
 */
export function percentileAt(values, indices, p) {
  const picked = new Float64Array(indices.length);
  for (let i = 0; i < indices.length; i++) picked[i] = values[indices[i]];
  picked.sort();
  if (picked.length === 0) return Number.NaN;
  const index = Math.ceil((p / 100) * picked.length) - 1;
  return picked[Math.min(picked.length - 1, Math.max(0, index))];
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
