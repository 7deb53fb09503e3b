import type { Cluster } from 'node:cluster';
import { parseSystemdPid } from '../notify/systemd-integer.js';

/** Who this process is to systemd, as far as the environment tells. */
export type ProcessRole =
  /** The service's main process (or not supervised at all): notify as usual. */
  | { readonly role: 'main' }
  /**
   * `WATCHDOG_PID` names another process (a wrapper that started node) and the app declared
   * with `sendMainPid` that it is the real main process: notify, with `MAINPID=` on READY, and
   * keep the watchdog that was meant for the wrapper.
   */
  | { readonly role: 'behind-wrapper'; readonly wrapperPid: string }
  /** Certainly not the main process: stay silent, for the reason given. */
  | { readonly role: 'child'; readonly reason: string };

/**
 * Children inherit `NOTIFY_SOCKET`: a `cluster` worker, or a process whose `WATCHDOG_PID`
 * (which systemd sets to the main process's own pid) names another process. libsystemd would
 * let such a child send READY or STOPPING on the parent's behalf; the module keeps them quiet
 * instead, because under `NotifyAccess=main` systemd rejects (and logs) every such message, and
 * under `NotifyAccess=all` it would believe them. The one exception is an app that says it is
 * the main process behind a wrapper (`sendMainPid: true`).
 */
export function processRole(
  sendMainPid: boolean,
  env: Readonly<Record<string, string | undefined>> = process.env,
  pid: number = process.pid,
  isClusterWorker: () => boolean = isWorkerOfCluster,
): ProcessRole {
  if (env.NOTIFY_SOCKET === undefined) return { role: 'main' };
  if (isClusterWorker()) {
    return {
      role: 'child',
      reason: 'this is a cluster worker; the primary process is the one systemd supervises',
    };
  }
  const watchdogPid = env.WATCHDOG_PID;
  if (watchdogPid === undefined) return { role: 'main' };
  const target = parseSystemdPid(watchdogPid);
  if (!target.ok || target.value === BigInt(pid)) return { role: 'main' };
  if (sendMainPid) return { role: 'behind-wrapper', wrapperPid: watchdogPid };
  return {
    role: 'child',
    reason:
      `WATCHDOG_PID=${watchdogPid} names the service's main process, and this is pid ${pid}. ` +
      'If node runs behind a wrapper (NotifyAccess=all) and this is the real service, set ' +
      'sendMainPid: true; otherwise start node directly in ExecStart=',
  };
}

/**
 * node:cluster is loaded only in a process that may be a worker: cluster gives every worker
 * `NODE_UNIQUE_ID` (which is how `cluster.isWorker` itself decides), and loading the module
 * costs every other app's start about half a millisecond.
 */
function isWorkerOfCluster(): boolean {
  if (process.env.NODE_UNIQUE_ID === undefined) return false;
  return (process.getBuiltinModule('node:cluster') as unknown as Cluster).isWorker;
}
