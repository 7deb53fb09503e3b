// Gives one process a core of its own while others share the rest, with taskset(1): the warm
// lifecycles' app, so that the bench and the receiver, busy right after each signal, never
// hold the core the app wakes up on.
import { spawnSync } from 'node:child_process';

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
 * Pins `alone` (all its threads) to the last CPU this process may use, and `others` to the
 * rest; `restore()` gives `others` every CPU back. Nothing is changed with fewer than 2 CPUs
 * or without taskset (`description` says so).
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
  return {
    description: pinned
      ? `the app's process alone on CPU ${own.join(',')}, the bench and the receiver on CPU ${rest.join(',')}`
      : 'not separated (taskset failed)',
    restore: () => {
      for (const pid of others) pin(pid, cpus);
    },
  };
}
