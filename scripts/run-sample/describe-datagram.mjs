// Turns a datagram into the line an operator would want to read.

/** @typedef {import('../../dist/testing.js').NotifyRecord} NotifyRecord */

/** @param {string} line */
function describeLine(line) {
  const eq = line.indexOf('=');
  if (eq <= 0) return JSON.stringify(line);
  const key = line.slice(0, eq);
  const value = line.slice(eq + 1);
  // Quoted so spaces, and any character the library failed to sanitise, stay visible.
  return key === 'STATUS' ? `STATUS=${JSON.stringify(value)}` : line;
}

/** `KEY=value` assignments of one datagram, joined, with STATUS quoted. */
export function describeDatagram(/** @type {NotifyRecord} */ record) {
  return record.lines.map(describeLine).join('  ');
}

/** What systemd makes of the datagram, or undefined when it is just a status update. */
export function meaningOf(/** @type {NotifyRecord} */ record) {
  const { lines } = record;
  // In one datagram STOPPING=1 beats READY=1, as in systemd's service.c.
  if (lines.includes('STOPPING=1')) return 'shutdown has begun: the watchdog is off from now on';
  if (lines.includes('RELOADING=1')) return 'reload begun: `systemctl reload` waits for READY=1';
  if (lines.includes('READY=1'))
    return 'ready: `systemctl start` (or `reload`) returns; the watchdog is armed';
  if (lines.includes('WATCHDOG=trigger')) return 'the app asks to be treated as failed right now';
  return undefined;
}
