// Whether the app's unix-dgram addon loads under the unit's node: without it the app runs
// unsupervised, and under Type=notify systemd fails its start, which a unit written now cannot
// mend.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { addonAbiMismatch, type AddonAbiMismatch } from '../notify/addon-abi-mismatch.js';

/** What keeps the app's addon from loading. */
export type AddonProblem =
  /** Not built: its install script did not run (a package manager that gates scripts). */
  | { readonly kind: 'unbuilt'; readonly dir: string }
  /** Built for another Node.js than the unit's (a switch of Node after install). */
  | ({ readonly kind: 'otherNode'; readonly file: string } & AddonAbiMismatch)
  /** Built, but the unit's node cannot load it for another reason (Node's words). */
  | { readonly kind: 'unloadable'; readonly file: string; readonly reason: string };

/** Long enough for a node to start on a busy machine; a node that hangs is not judged. */
const LOAD_TIMEOUT_MS = 10_000;

/**
 * What keeps unix-dgram's addon, as the app's nestjs-systemd finds it, from loading under
 * `nodePath`; undefined when nothing does, or when this process cannot tell: the app not
 * installed here, a Yarn Plug'n'Play app read without Yarn's resolver, or a node that is not on
 * this machine (the target's own).
 */
export function addonProblem(appDir: string, nodePath: string): AddonProblem | undefined {
  let unixDgram: string;
  try {
    const library = createRequire(join(appDir, 'package.json')).resolve(
      'nestjs-systemd/package.json',
    );
    unixDgram = dirname(createRequire(library).resolve('unix-dgram/package.json'));
  } catch {
    return undefined;
  }
  // Where unix-dgram's own loader (the bindings package) looks first.
  const file = ['Release', 'Debug']
    .map((kind) => join(unixDgram, 'build', kind, 'unix_dgram.node'))
    .find((candidate) => existsSync(candidate));
  if (file === undefined) return { kind: 'unbuilt', dir: unixDgram };
  // Loaded by the unit's node itself, in a process of its own: only that node's refusal says
  // whether the addon was built for it. A node that cannot be run here (the target's own, not on
  // this machine) fails to spawn, and is not judged.
  const loaded = spawnSync(
    nodePath,
    ['-e', 'process.dlopen({ exports: {} }, process.argv[1])', file],
    {
      encoding: 'utf8',
      timeout: LOAD_TIMEOUT_MS,
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  if (loaded.error !== undefined || loaded.status === 0 || loaded.status === null) return undefined;
  const abi = addonAbiMismatch(loaded.stderr);
  if (abi) return { kind: 'otherNode', file, ...abi };
  // Node prints the stack of what it threw: its message is the first "Error: " line.
  const thrown = /^Error: (.+)$/m.exec(loaded.stderr)?.[1];
  const reason = thrown?.replace(`${file}: `, '') ?? `exit code ${loaded.status}`;
  return { kind: 'unloadable', file, reason };
}
