// The warm half of cases 2 and 3: READY and STOPPING of many apps, one after another, in one
// process (../apps/lifecycle-worker.mjs), for enough samples to give a p99 some meaning.
import { giveOwnCore } from './core-split.mjs';
import { LifecycleWorker } from './lifecycle-worker-process.mjs';

/**
 * @typedef {'module' | 'floor'} Side
 * @typedef {object} WarmKind
 * @property {string} name
 * @property {'express' | 'fastify'} adapter
 * @property {Side} side
 * @typedef {object} WarmSample
 * @property {number} readyUs the server's 'listening' to READY's arrival
 * @property {number} stoppingUs kill(SIGTERM) to STOPPING's arrival
 * @property {number} stoppingFromSignalUs the app's first SIGTERM listener to STOPPING's arrival
 * @typedef {object} WarmResult
 * @property {Record<string, WarmSample[]>} samples by kind, in round order (index i: round i)
 * @property {number} lifecycles apps created and closed, warm-up included
 * @property {number} seconds
 * @property {number} orderViolations a stamp listener that did not run first
 * @property {string} cores how the CPUs were shared during the rounds
 */

/**
 * One app's lifecycle: created and listening (READY), then sent SIGTERM (STOPPING) once idle,
 * then closed. Nothing of the bench's runs while a datagram is on its way: the receiver is
 * told what to wait for first (and sync() confirms it has been), and the worker replies only
 * once READY has arrived.
 * @param {LifecycleWorker} worker @param {import('./receiver-process.mjs').ReceiverProcess} receiver
 * @param {string} path @param {number} since the receiver's index of the first new datagram
 * @param {WarmKind} kind
 */
async function lifecycle(worker, receiver, path, since, kind) {
  const readyArrival = receiver.waitFor(path, 'READY=1', { since });
  await receiver.sync();
  worker.send({ type: 'start', adapter: kind.adapter, side: kind.side });
  const ready = await worker.guard(readyArrival);
  const stoppingArrival = receiver.waitFor(path, 'STOPPING=1', { since: ready.index + 1 });
  await receiver.sync();
  const idle = worker.next('idle');
  worker.send({ type: 'idle' });
  const { listening } = await idle;
  // No pause: the reply is the worker's last act, so by the time the bench has read it the
  // worker is asleep in its event loop, as an idle service is when systemd stops it.
  const closed = worker.next('closed');
  const killedAt = process.hrtime.bigint();
  worker.child.kill('SIGTERM');
  const stopping = await worker.guard(stoppingArrival);
  const report = await closed;
  /** @type {WarmSample} */
  const sample = {
    readyUs: Number(ready.at - BigInt(listening)) / 1000,
    stoppingUs: Number(stopping.at - killedAt) / 1000,
    stoppingFromSignalUs: Number(stopping.at - BigInt(report.signal)) / 1000,
  };
  return {
    sample,
    next: stopping.index + 1,
    inOrder: Boolean(report.listeningFirst && report.signalFirst),
  };
}

/**
 * The kinds in round `round`'s order: rotated by one every two rounds, and reversed in every
 * odd round, so that of any two kinds each comes first in as many rounds as the other.
 * @param {WarmKind[]} kinds @param {number} round
 */
function roundOrder(kinds, round) {
  const shift = Math.floor(round / 2) % kinds.length;
  const rotated = [...kinds.slice(shift), ...kinds.slice(0, shift)];
  return round % 2 === 1 ? rotated.toReversed() : rotated;
}

/**
 * Runs `warmup` unrecorded rounds, then `rounds` recorded ones; each round has one lifecycle
 * of every kind, in an order that rotates from round to round.
 * @param {{ receiver: import('./receiver-process.mjs').ReceiverProcess, kinds: WarmKind[],
 *   rounds: number, warmup: number, watchdogUsec: string }} options
 * @returns {Promise<WarmResult>}
 */
export async function measureWarmLifecycles({ receiver, kinds, rounds, warmup, watchdogUsec }) {
  const path = await receiver.open();
  const worker = await LifecycleWorker.start({ NOTIFY_SOCKET: path, WATCHDOG_USEC: watchdogUsec });
  // On 2 cores, the bench finishing its turn after kill() and the receiver woken by a datagram
  // held the core the app woke up on in about one sample in ten (stalls of about 100 µs before
  // its send): the app gets a core of its own, as a service on a quiet machine, and its own
  // helper threads give way to its main thread there (see core-split).
  const cores = giveOwnCore(/** @type {number} */ (worker.child.pid), [
    process.pid,
    /** @type {number} */ (receiver.child.pid),
  ]);
  /** @type {Record<string, WarmSample[]>} */
  const samples = Object.fromEntries(kinds.map((kind) => [kind.name, []]));
  let since = 0;
  let lifecycles = 0;
  let orderViolations = 0;
  const began = performance.now();
  try {
    for (let round = 0; round < warmup + rounds; round++) {
      for (const kind of roundOrder(kinds, round)) {
        const result = await lifecycle(worker, receiver, path, since, kind);
        since = result.next;
        lifecycles++;
        if (round < warmup) continue;
        samples[kind.name].push(result.sample);
        if (!result.inOrder) orderViolations++;
      }
    }
  } finally {
    cores.restore();
    await worker.stop();
    await receiver.close(path);
  }
  return {
    samples,
    lifecycles,
    seconds: (performance.now() - began) / 1000,
    orderViolations,
    cores: cores.description,
  };
}
