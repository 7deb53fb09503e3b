import { readFile } from 'node:fs/promises';

/**
 * Names a process for good: pid plus start time (field 22 of /proc/PID/stat), so a recycled pid
 * is never taken for the test run that used it before.
 */
async function startTime(pid: number): Promise<string | undefined> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
  // The command name (field 2) may contain spaces and parentheses: count from its closing one.
  return stat?.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
}

/** `<pid>.<start time>` of this process, the prefix of every name the harness creates. */
export async function ownerTag(): Promise<string> {
  const started = await startTime(process.pid);
  if (started === undefined) throw new Error('cannot read /proc/self/stat');
  return `${process.pid}.${started}`;
}

/** Whether the process that created `name` (see {@link ownerTag}) is still running. */
export async function ownerAlive(name: string): Promise<boolean> {
  const match = /^(\d+)\.(\d+)(?:-|$)/.exec(name);
  if (!match) return false;
  return (await startTime(Number(match[1]))) === match[2];
}
