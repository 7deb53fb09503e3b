import { access, readFile, readdir, rmdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pollUntil } from './poll.js';

/** The cgroup2 directory this process belongs to (on hybrid hosts, under the `unified` mount). */
export async function ownCgroup2Dir(): Promise<string> {
  const mountinfo = await readFile('/proc/self/mountinfo', 'utf8');
  // Fields: id parent dev root mountpoint options [optional...] - fstype source superoptions
  const mountpoint = mountinfo
    .split('\n')
    .map((line) => line.split(' '))
    .find((fields) => fields[fields.indexOf('-') + 1] === 'cgroup2')?.[4];
  const membership = (await readFile('/proc/self/cgroup', 'utf8'))
    .split('\n')
    .find((line) => line.startsWith('0::'));
  if (mountpoint === undefined || membership === undefined) {
    throw new Error('no cgroup2 hierarchy is mounted: systemd-nspawn needs one');
  }
  return join(mountpoint, membership.slice('0::'.length));
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

/** Whether any process is left in the cgroup or below it. */
export async function isPopulated(dir: string): Promise<boolean> {
  const events = await readFile(join(dir, 'cgroup.events'), 'utf8').catch(() => '');
  return /^populated 1$/m.test(events);
}

async function pidsBelow(dir: string): Promise<number[]> {
  const procs = await readFile(join(dir, 'cgroup.procs'), 'utf8').catch(() => '');
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const children = await Promise.all(
    entries.filter((entry) => entry.isDirectory()).map((entry) => pidsBelow(join(dir, entry.name))),
  );
  return [...procs.split('\n').filter(Boolean).map(Number), ...children.flat()];
}

/** SIGKILLs every process in the cgroup's subtree (and nothing else), until it is empty. */
export async function killCgroup(dir: string): Promise<void> {
  if (!(await exists(dir))) return;
  await pollUntil(
    async () => {
      if (!(await isPopulated(dir))) return true;
      if (await exists(join(dir, 'cgroup.kill'))) {
        await writeFile(join(dir, 'cgroup.kill'), '1');
      } else {
        for (const pid of await pidsBelow(dir)) {
          try {
            process.kill(pid, 'SIGKILL');
          } catch {
            // Already gone.
          }
        }
      }
      return undefined;
    },
    { timeoutMs: 10_000, what: `the processes in ${dir} to die` },
  );
}

/** Removes an empty cgroup and its descendants, deepest first (the only order rmdir accepts). */
export async function removeCgroup(dir: string): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => undefined);
  if (entries === undefined) return;
  await Promise.all(
    entries
      .filter((entry) => entry.isDirectory())
      .map((entry) => removeCgroup(join(dir, entry.name))),
  );
  await rmdir(dir);
}
