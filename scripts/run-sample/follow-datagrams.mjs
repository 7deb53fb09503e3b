// Prints every datagram the listener receives, as it arrives, and keeps the watchdog clock.
import { describeDatagram, meaningOf } from './describe-datagram.mjs';

/** @typedef {import('../../dist/testing.js').NotifyListener} NotifyListener */
/** @typedef {import('../../dist/testing.js').NotifyRecord} NotifyRecord */
/** @typedef {import('./timeline.mjs').Timeline} Timeline */
/** @typedef {import('./watchdog-clock.mjs').WatchdogClock} WatchdogClock */

/** Often enough that the timeline reads in order; each line carries its arrival time anyway. */
const POLL_MS = 10;

/**
 * NotifyListener records datagrams but has no event per datagram, so this polls its
 * `messages` (and is asked to catch up before any other line is printed); each line is
 * stamped with the datagram's own `receivedAt`.
 * @param {{ listener: NotifyListener, clock: WatchdogClock, timeline: Timeline }} options
 */
export function followDatagrams({ listener, clock, timeline }) {
  let next = 0;
  let pings = 0;
  /** @type {number | undefined} */
  let previousPingAt;

  /** @param {NotifyRecord} record */
  const annotate = (record) => {
    if (!record.lines.includes('WATCHDOG=1')) return meaningOf(record);
    pings++;
    const previous = previousPingAt;
    previousPingAt = record.receivedAt;
    if (previous === undefined) return `ping #${pings}`;
    const gapMs = record.receivedAt - previous;
    const late =
      gapMs > clock.timeoutMs ? ': too late, under systemd the app was already killed' : '';
    return `ping #${pings}, ${(gapMs / 1000).toFixed(3)} s after the previous${late}`;
  };

  const catchUp = () => {
    while (next < listener.messages.length) {
      const record = listener.messages[next++];
      if (record === undefined) break;
      // Before the clock sees it, so a late ping's gap is measured from the previous ping.
      const note = annotate(record);
      // A ping arriving after the deadline must not hide the expiry that came first.
      clock.check(record.receivedAt);
      clock.observe(record);
      const text = describeDatagram(record) + (note ? `   -- ${note}` : '');
      timeline.lineAt(
        record.receivedAt,
        'systemd <',
        text,
        record.lines.includes('WATCHDOG=1') ? 'green' : 'yellow',
      );
    }
    clock.check();
  };

  const timer = setInterval(catchUp, POLL_MS);
  return {
    /** Prints what has arrived but is not printed yet (lines use `lineAt`, so no recursion). */
    catchUp,
    /** Prints what is still unread and stops polling. */
    stop() {
      catchUp();
      clearInterval(timer);
    },
  };
}
