/**
 * Spins on the CPU for `ms` milliseconds without yielding: timers, I/O and the watchdog
 * interval all stall, exactly like a hot loop or a huge synchronous JSON.parse would.
 */
export function blockEventLoop(ms: number): number {
  const start = performance.now();
  while (performance.now() - start < ms) {
    // Busy-wait on purpose.
  }
  return Math.round(performance.now() - start);
}
