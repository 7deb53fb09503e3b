import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rm, rmdir, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isPopulated, killCgroup, ownCgroup2Dir, removeCgroup } from './cgroup.js';
import { ownerAlive, ownerTag } from './run-owner.js';

/** Every cgroup and directory the harness creates lives under a directory of this name. */
const HARNESS_NAME = 'nestjs-systemd-test';

/** What one container boot owns on the host. */
export interface RunDirs {
  /** nspawn's own cgroup; nspawn creates `payload/` (the container) and `supervisor/` (itself) in it. */
  readonly cgroupDir: string;
  /** Host directory holding the console log and the mount point. */
  readonly stateDir: string;
  /** Mount point of the tmpfs with the overlay; mounted only inside the boot script's namespace. */
  readonly mountDir: string;
  /** The container's console and the boot script's own messages. */
  readonly consoleLog: string;
}

async function roots(): Promise<{ cgroupRoot: string; stateRoot: string }> {
  return {
    cgroupRoot: join(await ownCgroup2Dir(), HARNESS_NAME),
    stateRoot: join(tmpdir(), HARNESS_NAME),
  };
}

async function listDir(dir: string): Promise<string[]> {
  return readdir(dir).catch(() => []);
}

/**
 * Removes a state directory. Its mount point must be a plain directory here: if a mount were
 * visible, a recursive delete would go through into the container's files.
 */
async function removeStateDir(stateDir: string): Promise<void> {
  const mountDir = join(stateDir, 'mnt');
  const [outer, inner] = await Promise.all([
    stat(stateDir).catch(() => undefined),
    stat(mountDir).catch(() => undefined),
  ]);
  if (outer === undefined) return;
  if (inner !== undefined && inner.dev !== outer.dev) {
    throw new Error(`${mountDir} is a mount point on the host; not removing it`);
  }
  await rm(stateDir, { recursive: true, force: true });
}

/** Kills and removes what runs that crashed left behind: only those whose test process is gone. */
async function removeStaleRuns(cgroupRoot: string, stateRoot: string): Promise<void> {
  await Promise.all(
    (await listDir(cgroupRoot)).map(async (name) => {
      if (await ownerAlive(name)) return;
      await killCgroup(join(cgroupRoot, name));
      await removeCgroup(join(cgroupRoot, name));
    }),
  );
  await Promise.all(
    (await listDir(stateRoot)).map(async (name) => {
      if (!(await ownerAlive(name))) await removeStateDir(join(stateRoot, name));
    }),
  );
}

/** Cleans up after crashed runs, then names and creates the directories for a new boot. */
export async function allocateRunDirs(): Promise<RunDirs> {
  const { cgroupRoot, stateRoot } = await roots();
  await removeStaleRuns(cgroupRoot, stateRoot);
  // Jest reloads this module for every test file, so a counter would repeat: use randomness.
  const id = `${await ownerTag()}-${randomBytes(4).toString('hex')}`;
  const stateDir = join(stateRoot, id);
  const mountDir = join(stateDir, 'mnt');
  await mkdir(mountDir, { recursive: true });
  await mkdir(cgroupRoot, { recursive: true });
  return {
    cgroupDir: join(cgroupRoot, id),
    stateDir,
    mountDir,
    consoleLog: join(stateDir, 'console.log'),
  };
}

/**
 * Removes what a boot owned once its boot script has exited. Returns what had been left behind
 * (the boot script is expected to clean up itself), after removing that too.
 */
export async function releaseRunDirs(dirs: RunDirs): Promise<string[]> {
  const leftovers: string[] = [];
  if ((await stat(dirs.cgroupDir).catch(() => undefined)) !== undefined) {
    if (await isPopulated(dirs.cgroupDir)) leftovers.push(`processes in ${dirs.cgroupDir}`);
    leftovers.push(`cgroup ${dirs.cgroupDir}`);
    await killCgroup(dirs.cgroupDir);
    await removeCgroup(dirs.cgroupDir);
  }
  await removeStateDir(dirs.stateDir);
  // The shared parents go once no other run uses them; busy is fine.
  const { cgroupRoot, stateRoot } = await roots();
  await rmdir(cgroupRoot).catch(() => undefined);
  await rmdir(stateRoot).catch(() => undefined);
  return leftovers;
}
