// Starts ../apps/module-cost.mjs as one side of case 5's in-process comparison and returns
// what it measured.
import { fileURLToPath } from 'node:url';
import { AppProcess } from './app-process.mjs';

const MODULE_COST_APP = fileURLToPath(new URL('../apps/module-cost.mjs', import.meta.url));

/**
 * @typedef {'module' | 'least' | 'control'} CostSide
 * @typedef {{ importMs: number, startMs: number, rss: number, heapUsed: number }} ModuleCost
 */

/**
 * One side's import step and its measured app's start, in ms, and the memory it retains, with
 * NOTIFY_SOCKET at `socket` and the watchdog at `watchdogUsec`.
 * @param {CostSide} side @param {string} socket @param {string} watchdogUsec
 * @returns {Promise<ModuleCost>}
 */
export async function measureModuleCost(side, socket, watchdogUsec) {
  const app = new AppProcess(
    { notifyEnv: { NOTIFY_SOCKET: socket, WATCHDOG_USEC: watchdogUsec } },
    { script: MODULE_COST_APP, env: { BENCH_SIDE: side } },
  );
  try {
    const { importMs, startMs, rss, heapUsed } = await app.report('measured');
    return { importMs, startMs, rss, heapUsed };
  } finally {
    await app.kill();
  }
}
