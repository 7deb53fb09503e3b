// Gives one process a core of its own while others share the rest, with taskset(1): the warm
// lifecycles' app, so that the bench and the receiver, busy right after each signal, never
// hold the core the app wakes up on.
//
// On that core, the app's own helper threads (V8's compiler and GC workers) are given the
// SCHED_IDLE policy (chrt(1)): they run whenever its main thread waits, and never take the
// core from it. Pinned with equal priority, a worker that woke up (concurrent marking after an
// app's creation, an optimising compile) took the core for one of the scheduler's slices, 1 to
// 3 ms, between the server's 'listening' and READY's send, in about 5 of 1,500 READYs of the
// module's apps (stamps inside the app placed the stalls at random points of that path, with
// no GC in it) and none of the floor's: the module's apps allocate more, so their workers wake
// more often. On a machine with a core to spare, as a service has, those threads run beside
// the main thread, not instead of it.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';

/** @param {string} list taskset's CPU list, such as `0-3,6` @returns {number[]} */
function parseCpuList(list) {
  return list.split(',').flatMap((part) => {
    const [from, to = from] = part.split('-').map(Number);
    return Array.from({ length: to - from + 1 }, (_, i) => from + i);
  });
}

/** @param {number} pid @returns {number[] | undefined} the CPUs `pid` may run on */
function affinityOf(pid) {
  const result = spawnSync('taskset', ['-p', '-c', String(pid)], { encoding: 'utf8' });
  const list = /affinity list:\s*(\S+)/.exec(result.stdout ?? '')?.[1];
  return result.status === 0 && list ? parseCpuList(list) : undefined;
}

/** @param {number} pid @param {number[]} cpus @returns {boolean} */
function pin(pid, cpus) {
  const result = spawnSync('taskset', ['-a', '-p', '-c', cpus.join(','), String(pid)]);
  return result.status === 0;
}

/**
 * Gives every thread of `pid` but the main one the SCHED_IDLE policy.
 * @param {number} pid @returns {{ helpers: number, idle: number }} threads found and changed
 */
function idleHelperThreads(pid) {
  let tids;
  try {
    tids = readdirSync(`/proc/${pid}/task`).filter((tid) => tid !== String(pid));
  } catch {
    return { helpers: 0, idle: 0 };
  }
  const idle = tids.filter((tid) => spawnSync('chrt', ['-i', '-p', '0', tid]).status === 0);
  return { helpers: tids.length, idle: idle.length };
}

/**
 * Pins `alone` (all its threads) to the last CPU this process may use, its helper threads at
 * the SCHED_IDLE policy, and `others` to the rest; `restore()` gives `others` every CPU back.
 * Nothing is changed with fewer than 2 CPUs or without taskset (`description` says so).
 * @param {number} alone @param {number[]} others
 * @returns {{ description: string, restore(): void }}
 */
export function giveOwnCore(alone, others) {
  const cpus = affinityOf(process.pid);
  if (!cpus || cpus.length < 2) {
    return { description: 'not separated (taskset unavailable or one CPU)', restore: () => {} };
  }
  const own = cpus.slice(-1);
  const rest = cpus.slice(0, -1);
  const pinned = pin(alone, own) && others.every((pid) => pin(pid, rest));
  const { helpers, idle } = pinned ? idleHelperThreads(alone) : { helpers: 0, idle: 0 };
  return {
    description: pinned
      ? `the app's process alone on CPU ${own.join(',')} (${idle} of its ${helpers} helper threads at SCHED_IDLE, its main thread at the default policy), the bench and the receiver on CPU ${rest.join(',')}`
      : 'not separated (taskset failed)',
    restore: () => {
      for (const pid of others) pin(pid, cpus);
    },
  };
}
