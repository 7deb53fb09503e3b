// Prints the demo as one timeline: seconds since start, who speaks, what happened.

const STYLES = {
  plain: '',
  dim: '\u001b[2m',
  bold: '\u001b[1m',
  green: '\u001b[32m',
  yellow: '\u001b[33m',
  red: '\u001b[1;31m',
  cyan: '\u001b[36m',
};
const RESET = '\u001b[0m';

/** @typedef {keyof typeof STYLES} Style */

/**
 * @param {{ color: boolean, start?: number }} options `color`: ANSI styles (only for a terminal).
 */
export function createTimeline({ color, start = performance.now() }) {
  /** @param {string} text @param {Style} style */
  const paint = (text, style) =>
    color && STYLES[style] ? `${STYLES[style]}${text}${RESET}` : text;

  /**
   * One line stamped with `at` (a `performance.now()` value), so datagrams carry the time
   * they arrived rather than the time they were printed.
   * @param {number} at @param {string} source @param {string} text @param {Style} [style]
   */
  const lineAt = (at, source, text, style = 'plain') => {
    const seconds = `${((at - start) / 1000).toFixed(3)}s`.padStart(8);
    process.stdout.write(`${paint(seconds, 'dim')}  ${source.padStart(9)} ${paint(text, style)}\n`);
  };

  /** @type {(() => void) | undefined} */
  let beforeLine;

  return {
    start,
    lineAt,
    /** A line stamped now; `beforeLine` runs first, so earlier events are printed before it. */
    line: (
      /** @type {string} */ source,
      /** @type {string} */ text,
      /** @type {Style} */ style = 'plain',
    ) => {
      beforeLine?.();
      lineAt(performance.now(), source, text, style);
    },
    /** Sets what must be printed before any line stamped now (events already received). */
    setBeforeLine: (/** @type {() => void} */ hook) => {
      beforeLine = hook;
    },
    /** Seconds since `since` (a `performance.now()` value), for narration. */
    secondsSince: (/** @type {number} */ since) =>
      `${((performance.now() - since) / 1000).toFixed(2)} s`,
  };
}

/** @typedef {ReturnType<typeof createTimeline>} Timeline */
