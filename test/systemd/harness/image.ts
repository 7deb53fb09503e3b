import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { privateScriptCommand } from './command.js';
import { BUILD_IMAGE_SCRIPT, CACHE_DIR } from './paths.js';
import { settlesWithin } from './poll.js';

/** debootstrap plus systemd from backports: about 30 s with a nearby mirror; room for a slow one. */
export const IMAGE_BUILD_TIMEOUT_MS = 240_000;

export interface Image {
  readonly rootDir: string;
  /** How long building it took, or undefined when it was already there. */
  readonly builtInMs: number | undefined;
}

/**
 * The root file system with systemd 254+ (Debian 12 plus bookworm-backports), built by
 * build-image.sh on first use and kept in the working tree's `.systemd-test/` (gitignored). Its
 * name carries a hash of the build script, so that a changed recipe builds a new image.
 */
export async function backportsImage(): Promise<Image> {
  const recipe = createHash('sha256')
    .update(await readFile(BUILD_IMAGE_SCRIPT))
    .digest('hex')
    .slice(0, 12);
  const rootDir = join(CACHE_DIR, 'images', `debian-bookworm-backports-${recipe}`);
  if (await exists(rootDir)) return { rootDir, builtInMs: undefined };
  const started = performance.now();
  await runBuildScript(rootDir);
  return { rootDir, builtInMs: performance.now() - started };
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

/**
 * Runs build-image.sh in a private mount namespace and a process group of its own, which it kills
 * as a whole on SIGTERM; the parent-death signal sends that SIGTERM if the test runner dies.
 */
async function runBuildScript(rootDir: string): Promise<void> {
  const [command, args] = privateScriptCommand(BUILD_IMAGE_SCRIPT, [rootDir]);
  const child = spawn(command, args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const output: Buffer[] = [];
  child.stdout.on('data', (chunk: Buffer) => output.push(chunk));
  child.stderr.on('data', (chunk: Buffer) => output.push(chunk));
  // 'close': the exit status, and all the output read.
  const exit = once(child, 'close') as Promise<[number | null, NodeJS.Signals | null]>;
  if (!(await settlesWithin(exit, IMAGE_BUILD_TIMEOUT_MS))) {
    child.kill('SIGTERM');
    await exit;
    throw new Error(`building the image took over ${IMAGE_BUILD_TIMEOUT_MS} ms; stopped`);
  }
  const [code, signal] = await exit;
  if (code !== 0) {
    const text = Buffer.concat(output).toString('utf8').slice(-8000);
    throw new Error(`build-image.sh failed (${signal ?? `exit status ${code}`}):\n${text}`);
  }
}
