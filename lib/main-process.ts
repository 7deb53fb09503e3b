import cluster from 'node:cluster';
import { parseSystemdPid } from './notify/systemd-integer.js';

/**
 * Why this process is certainly not the service's main process, or undefined when it may be.
 *
 * Children inherit `NOTIFY_SOCKET`: a `cluster` worker, or a process whose `WATCHDOG_PID`
 * (which systemd sets to the main process's own pid) names another process. libsystemd would
 * let such a child send READY or STOPPING on the parent's behalf; the module keeps them quiet
 * instead, because under `NotifyAccess=main` systemd rejects (and logs) every such message, and
 * under `NotifyAccess=all` it would believe them.
 */
export function notMainProcessReason(
  env: Readonly<Record<string, string | undefined>> = process.env,
  pid: number = process.pid,
  isClusterWorker: boolean = cluster.isWorker,
): string | undefined {
  if (env.NOTIFY_SOCKET === undefined) return undefined;
  if (isClusterWorker)
    return 'this is a cluster worker; the primary process is the one systemd supervises';
  const watchdogPid = env.WATCHDOG_PID;
  if (watchdogPid === undefined) return undefined;
  const target = parseSystemdPid(watchdogPid);
  if (target.ok && target.value !== BigInt(pid)) {
    return `WATCHDOG_PID=${watchdogPid} names the main process, and this is pid ${pid}`;
  }
  return undefined;
}
