// Yarn Plug'n'Play, as a unit must start such an app. There is no node_modules: node finds the
// app's packages only through Yarn's resolver, `.pnp.cjs` (and `.pnp.loader.mjs` for ES
// modules), which `yarn node` preloads. A unit starts node directly instead (under `yarn node`
// node would be a child of Yarn, and systemd would drop its notifications), so it preloads them
// itself. The packages stay in zip archives wherever Yarn's cache is: by default (Yarn 4's
// `enableGlobalCache`) in the installing user's home, which the unit's sandbox hides.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';

/** What an app installed by Yarn with Plug'n'Play needs to start. */
export interface YarnPnp {
  /** The Yarn project's root, where `.pnp.cjs` is: the app's folder or a workspace root above it. */
  readonly root: string;
  /** `.pnp.cjs`, absolute: node's `--require`. */
  readonly runtime: string;
  /** `.pnp.loader.mjs`, absolute, where Yarn wrote one: node's `--experimental-loader`. */
  readonly loader?: string;
  /** Folders outside the project holding its packages' archives (Yarn's global cache). */
  readonly cacheFolders: readonly string[];
}

/** Lockfiles that mark a project's root: above one, a `.pnp.cjs` belongs to another project. */
const LOCKFILES = ['yarn.lock', 'package-lock.json', 'npm-shrinkwrap.json', 'pnpm-lock.yaml'];

/** A package's place in `.pnp.cjs` (or `.pnp.data.json`), relative to the project's root. */
const PACKAGE_LOCATION = /"packageLocation":\s*"([^"]+)"/g;

/** The folders, outside `root`, of the zip archives that the runtime's package locations name. */
function cacheFoldersOutside(root: string, runtimeFiles: readonly string[]): string[] {
  const folders = new Set<string>();
  for (const file of runtimeFiles) {
    for (const [, location] of readFileSync(file, 'utf8').matchAll(PACKAGE_LOCATION)) {
      const zip = /^(.*?\.zip)\//.exec(location ?? '')?.[1];
      if (zip === undefined) continue;
      const folder = dirname(resolve(root, zip));
      const inside = relative(root, folder);
      if (inside.split(sep)[0] === '..' || isAbsolute(inside)) folders.add(folder);
    }
  }
  return [...folders];
}

/**
 * The Plug'n'Play runtime of the Yarn project that `appDir` belongs to, if it has one: the
 * nearest `.pnp.cjs` at or above the app's folder, up to the first folder with a lockfile (a
 * workspace's app has none of its own; its project's root has `yarn.lock`).
 */
export function findYarnPnp(appDir: string): YarnPnp | undefined {
  for (let dir = resolve(appDir); ; dir = dirname(dir)) {
    const runtime = join(dir, '.pnp.cjs');
    if (existsSync(runtime)) {
      const loader = join(dir, '.pnp.loader.mjs');
      // With pnpEnableInlining: false, the package locations are in a file of their own.
      const data = join(dir, '.pnp.data.json');
      return {
        root: dir,
        runtime,
        ...(existsSync(loader) ? { loader } : {}),
        cacheFolders: cacheFoldersOutside(dir, existsSync(data) ? [runtime, data] : [runtime]),
      };
    }
    if (LOCKFILES.some((file) => existsSync(join(dir, file))) || dirname(dir) === dir) {
      return undefined;
    }
  }
}

/** Whether node runs `entry` as an ES module: `.mjs`, or `.js` under a `"type": "module"` package.json. */
export function isEsModuleEntry(entry: string): boolean {
  if (entry.endsWith('.mjs')) return true;
  if (!entry.endsWith('.js')) return false;
  for (let dir = dirname(entry); ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        return (JSON.parse(readFileSync(manifest, 'utf8')) as { type?: unknown }).type === 'module';
      } catch {
        // Node would fail on it too, and the app's own package.json has been read before this.
        return false;
      }
    }
    if (dirname(dir) === dir) return false;
  }
}
