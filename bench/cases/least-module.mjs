// Case 5 against the least module (not part of the default run: `node bench/run.mjs least`).
// What the library adds to an app's start, next to what a module doing the least for systemd
// adds (../instructions/apps/least-module.mjs: STATUS, READY, STOPPING and WATCHDOG through
// unix-dgram's own front, with no health checks, reload, app shapes or checks of its input),
// by case 5's method (see ../apps/module-cost.mjs), in the same rounds: what the bootstrap goal
// would cost any module, and what the library's features add to it.
//
// Each round starts, one at a time and in rotating order, the bare app (the share's
// denominator, as in case 5) and ../apps/module-cost.mjs as the library's side, the least
// module's side and the control.
import { AppProcess } from '../lib/app-process.mjs';
import { measureModuleCost } from '../lib/module-cost-process.mjs';
import { ReceiverProcess } from '../lib/receiver-process.mjs';
import { summarize } from '../lib/stats.mjs';
import { medianInterval } from '../lib/table.mjs';

/** @typedef {import('../lib/table.mjs').Row} Row */
/** @typedef {import('../lib/module-cost-process.mjs').ModuleCost} ModuleCost */

/** As in case 5: every process has NOTIFY_SOCKET and a 10 s watchdog. */
const WATCHDOG_USEC = '10000000';
/** Case 5's goal (issue #14), the library's share of a bare app's time to listen. */
const LISTEN_SHARE_GOAL_PERCENT = 1.5;

/** @typedef {'bare' | 'module' | 'least' | 'control'} Kind */
/** @type {readonly Kind[]} */
const KINDS = ['bare', 'module', 'least', 'control'];

/**
 * The bare app's time to listen from process start, in ms.
 * @param {string} socket @returns {Promise<number>}
 */
async function bareListenMs(socket) {
  const app = new AppProcess({
    adapter: 'express',
    modules: 'bare',
    notifyEnv: { NOTIFY_SOCKET: socket, WATCHDOG_USEC },
  });
  try {
    return (await app.listening()).listenMs;
  } finally {
    await app.kill();
  }
}

/**
 * @param {{ rounds: number }} options
 * @returns {Promise<{ rows: Row[], notes: string[] }>}
 */
export async function runLeastModule({ rounds }) {
  const receiver = await ReceiverProcess.start();
  /** @type {number[]} */
  const bare = [];
  /** @type {Record<'module' | 'least' | 'control', ModuleCost[]>} */
  const costs = { module: [], least: [], control: [] };
  try {
    for (let round = 0; round < rounds; round++) {
      for (let k = 0; k < KINDS.length; k++) {
        const kind = KINDS[(round + k) % KINDS.length];
        const socket = await receiver.open();
        try {
          if (kind === 'bare') bare.push(await bareListenMs(socket));
          else costs[kind].push(await measureModuleCost(kind, socket, WATCHDOG_USEC));
        } finally {
          await receiver.close(socket);
        }
      }
    }
  } finally {
    await receiver.stop();
  }

  /** ms added by a side, import and start, against the control of the same round. */
  const added = (/** @type {'module' | 'least'} */ side) =>
    costs[side].map(
      (cost, i) =>
        cost.importMs + cost.startMs - costs.control[i].importMs - costs.control[i].startMs,
    );
  const share = (/** @type {readonly number[]} */ ms) =>
    ms.map((value, i) => (100 * value) / bare[i]);
  const library = added('module');
  const least = added('least');
  const beyond = library.map((value, i) => value - least[i]);
  const libraryShare = summarize(share(library));
  const leastShare = summarize(share(least));
  /** @type {Row[]} */
  const rows = [
    {
      id: '5',
      label: 'time to listen from process start, bare app (ms)',
      summary: summarize(bare),
    },
    {
      id: '5',
      label: 'added by SystemdModule: import + create/listen, in-process (ms)',
      summary: summarize(library),
    },
    {
      id: '5',
      label: 'added by the least module: import + create/listen, in-process (ms)',
      summary: summarize(least),
    },
    {
      id: '5',
      label: 'added by SystemdModule beyond the least module, same round (ms)',
      summary: summarize(beyond),
    },
    {
      id: '5',
      label: "added by SystemdModule, share of the bare app's time to listen (%)",
      summary: libraryShare,
      goal: `≤ ${LISTEN_SHARE_GOAL_PERCENT} % (median)`,
      met: libraryShare.median <= LISTEN_SHARE_GOAL_PERCENT,
    },
    {
      id: '5',
      label: "added by the least module, share of the bare app's time to listen (%)",
      summary: leastShare,
    },
  ];
  const notes = [
    `Case 5 against the least module: ${rounds} rounds of four processes, one at a time, in rotating order: the bare app, and ../apps/module-cost.mjs as the library's side, the least module's side (../instructions/apps/least-module.mjs, imported with the same Nest packages as the library) and the control. Each side's import and create/listen are taken against the control of the same round, as in case 5; shares are of the same round's bare app. The least module loads unix-dgram through the package's own front (its \`bindings\` probe included), which the library bypasses. 90 % bootstrap intervals of the medians (1000 resamples of the rounds): SystemdModule ${medianInterval(library)} ms, least module ${medianInterval(least)} ms, beyond the least module ${medianInterval(beyond)} ms; shares ${medianInterval(share(library))} % and ${medianInterval(share(least))} %.`,
  ];
  return { rows, notes };
}
