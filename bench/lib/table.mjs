// One markdown table for every case: a row is a summary over repeated runs (or a single
// figure), with the goal it is held against and whether the goal was met.
import { bootstrapInterval, percentileAt } from './stats.mjs';

/**
 * @typedef {object} Row
 * @property {string} id the measurement number
 * @property {string} label what was measured, with its unit
 * @property {import('./stats.mjs').Summary} [summary]
 * @property {'ratio' | 'number'} [kind] ratios print with an `x`
 * @property {boolean} [p99] whether p99 means something here (enough samples of one distribution)
 * @property {string} [goal]
 * @property {boolean} [met]
 */

/** Three significant digits, without exponent notation for the magnitudes seen here. */
export function formatNumber(/** @type {number} */ value) {
  if (!Number.isFinite(value)) return String(value);
  const magnitude = Math.abs(value);
  if (magnitude === 0) return '0';
  if (magnitude >= 100) return Math.round(value).toLocaleString('en-US');
  const digits = magnitude >= 10 ? 1 : magnitude >= 1 ? 2 : 3;
  return value.toFixed(digits);
}

/** "[low, high]", an interval as the notes give it. @param {[number, number]} interval */
export function intervalText([low, high]) {
  return `[${formatNumber(low)}, ${formatNumber(high)}]`;
}

/**
 * "[low, high]", the 90 % bootstrap interval of the median of `perRound` (one value per round):
 * how far a judged median could move with other rounds of the same code.
 * @param {readonly number[]} perRound
 */
export function medianInterval(perRound) {
  return intervalText(
    bootstrapInterval(perRound.length, (indices) => percentileAt(perRound, indices, 50)),
  );
}

/** @param {Row} row @param {number} value */
function cell(row, value) {
  const text = formatNumber(value);
  return row.kind === 'ratio' ? `${text}x` : text;
}

/** @param {readonly Row[]} rows */
export function renderTable(rows) {
  const lines = [
    '| # | Measurement | Median | p99 | Min | Max | n | Goal | Met? |',
    '| - | ----------- | -----: | --: | --: | --: | -: | ---- | ---- |',
  ];
  for (const row of rows) {
    const s = row.summary;
    const values = s
      ? [cell(row, s.median), row.p99 ? cell(row, s.p99) : '', cell(row, s.min), cell(row, s.max)]
      : ['', '', '', ''];
    const verdict = row.met === undefined ? '' : row.met ? 'met' : '**missed**';
    lines.push(
      `| ${row.id} | ${row.label} | ${values.join(' | ')} | ${s?.n ?? ''} | ${row.goal ?? ''} | ${verdict} |`,
    );
  }
  return lines.join('\n');
}
