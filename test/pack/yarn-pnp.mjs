// The Nest 11 starter app installed by Yarn 4 with Plug'n'Play, as the README says to: no
// node_modules, packages in zip archives in the project's .yarn/cache (the README's .yarnrc.yml,
// written by createApp), unix-dgram's build allowed (dependenciesMeta) with node-gyp as a dev
// dependency. Its unit from
// `yarn nestjs-systemd unit` must start it: the command line of its ExecStart= boots the app
// under the stand-in systemd.
import { existsSync } from 'node:fs';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createApp } from './apps.mjs';
import { ADDON_FIX, bootSupervised, bootUnbuilt } from './boot.mjs';
import { cleanEnv, runAsync } from './processes.mjs';

/** @typedef {import('./apps.mjs').AppSpec} AppSpec */
/** @typedef {import('./boot.mjs').TestingModule} TestingModule */

const YARN_RANGE = '4';

/**
 * Yarn 4, from the npm registry (Yarn's own download site may be out of reach, as corepack's
 * default is here), into the temp folder.
 * @param {string} workDir
 */
export async function installYarn(workDir) {
  const prefix = join(workDir, 'tools', 'yarn');
  await runAsync(
    'npm',
    ['install', '--prefix', prefix, '--no-audit', '--no-fund', `@yarnpkg/cli-dist@${YARN_RANGE}`],
    { cwd: workDir },
  );
  return join(prefix, 'node_modules', '@yarnpkg', 'cli-dist', 'bin', 'yarn.js');
}

/** npm's setting `key`, or undefined where it has none. @param {string} key @param {string} cwd */
async function npmConfig(key, cwd) {
  const { stdout } = await runAsync('npm', ['config', 'get', key], { cwd });
  const value = stdout.trim();
  return value === '' || value === 'undefined' || value === 'null' ? undefined : value;
}

/**
 * What Yarn needs from this machine: npm's registry (Yarn's default is registry.yarnpkg.com),
 * the Node headers npm's nodedir names where builds are offline (Yarn does not read .npmrc;
 * node-gyp reads the variable), installs that may write the lockfile (CI=true makes Yarn's
 * immutable), and no telemetry.
 * @param {string} cwd
 */
async function yarnEnv(cwd) {
  const [registry, nodedir] = await Promise.all([
    npmConfig('registry', cwd),
    npmConfig('nodedir', cwd),
  ]);
  return cleanEnv({
    YARN_ENABLE_TELEMETRY: '0',
    YARN_ENABLE_IMMUTABLE_INSTALLS: 'false',
    ...(registry ? { YARN_NPM_REGISTRY_SERVER: registry } : {}),
    ...(nodedir ? { npm_config_nodedir: nodedir } : {}),
  });
}

/**
 * Creates the app and installs it with Yarn; returns what the install left.
 * @param {AppSpec} spec @param {string} dir @param {string} tarball @param {string} yarn
 */
export async function installYarnApp(spec, dir, tarball, yarn) {
  await mkdir(dir, { recursive: true });
  await createApp(spec, dir, tarball);
  await writeFile(join(dir, 'yarn.lock'), '');
  await runAsync(process.execPath, [yarn, 'install'], { cwd: dir, env: await yarnEnv(dir) });
  if (existsSync(join(dir, 'node_modules'))) throw new Error('Yarn made a node_modules folder');
  if (!existsSync(join(dir, '.pnp.cjs'))) throw new Error('Yarn wrote no .pnp.cjs');
  const unplugged = join(dir, '.yarn', 'unplugged');
  const folder = (await readdir(unplugged)).find((name) => name.startsWith('unix-dgram-npm-'));
  const addon = folder
    ? join(unplugged, folder, 'node_modules', 'unix-dgram', 'build', 'Release', 'unix_dgram.node')
    : undefined;
  const built = addon !== undefined && existsSync(addon);
  if (built !== (spec.boot !== 'unbuilt')) {
    throw new Error(`unix-dgram's addon should ${built ? 'not ' : ''}have been built`);
  }
  const archives = (await readdir(join(dir, '.yarn', 'cache'))).length;
  return `yarn install: Plug'n'Play, no node_modules, ${archives} archives in .yarn/cache, unix-dgram's addon ${built ? 'built (unplugged)' : 'not built'}`;
}

/** `yarn <args>` in the app. @param {string} dir @param {string} yarn @param {string[]} args */
async function yarnRun(dir, yarn, args) {
  return runAsync(process.execPath, [yarn, ...args], {
    cwd: dir,
    env: await yarnEnv(dir),
    allowFailure: true,
  });
}

/** The starter's build, through Yarn. @param {string} dir @param {string} yarn */
export async function compileYarnApp(dir, yarn) {
  const result = await yarnRun(dir, yarn, ['tsc', '-p', 'tsconfig.build.json']);
  if (result.code !== 0) throw new Error(`tsc exited with ${result.code}:\n${result.output}`);
  return "yarn tsc -p tsconfig.build.json (the starter's): no errors";
}

/** The starter's Jest 29 + ts-jest, through Yarn, on the README's spec. @param {string} dir @param {string} yarn */
export async function jestYarnApp(dir, yarn) {
  const result = await yarnRun(dir, yarn, ['jest']);
  const tests = /^Tests:\s+(.*)$/m.exec(result.output)?.[1];
  if (result.code !== 0 || !tests || !/\b1 passed\b/.test(tests) || /failed/.test(tests)) {
    throw new Error(
      `expected the spec to pass, yarn jest exited ${result.code}:\n${result.output}`,
    );
  }
  return `yarn jest: src/app.module.spec.ts passed under the starter's jest config (${tests.trim()})`;
}

/** What the generator says of an app whose unix-dgram has no addon. */
const ADDON_UNBUILT = "unix-dgram's native addon is not built";

/**
 * The unit `yarn nestjs-systemd unit` writes for the app: the header names Yarn, and its
 * ExecStart= preloads .pnp.cjs; where unix-dgram's addon is not built, a warning says so.
 * Returns node's arguments before the entry.
 * @param {AppSpec} spec @param {string} dir @param {string} yarn
 */
export async function unitOfYarnApp(spec, dir, yarn) {
  const result = await yarnRun(dir, yarn, ['nestjs-systemd', 'unit', '--port', '3000']);
  if (result.code !== 0) throw new Error(`exit ${result.code}:\n${result.output}`);
  if (!result.stdout.includes('#   yarn nestjs-systemd unit --port 3000')) {
    throw new Error(`expected the header to repeat the yarn command:\n${result.stdout}`);
  }
  // The app is in the temp folder, which the generator rightly says the service cannot see.
  const warnings = result.stderr
    .split('\n')
    .filter((line) => line !== '' && !line.includes('is under /tmp or /var/tmp'));
  const warned = spec.boot === 'unbuilt' ? [ADDON_UNBUILT] : [];
  if (
    warnings.length !== warned.length ||
    !warned.every((text, i) => warnings[i]?.includes(text))
  ) {
    throw new Error(
      `expected ${warned.length === 0 ? 'no other warning' : `one other warning: ${warned[0]}`}:\n${result.stderr}`,
    );
  }
  const execStart = /^ExecStart=(.*)$/m.exec(result.stdout)?.[1]?.split(' ') ?? [];
  const [, ...args] = execStart;
  const entry = args.pop();
  const expected = ['--require', join(dir, '.pnp.cjs')];
  if (entry !== join(dir, 'dist', 'main.js') || args.join(' ') !== expected.join(' ')) {
    throw new Error(
      `expected ExecStart=<node> ${expected.join(' ')} ${join(dir, 'dist', 'main.js')}, got ${execStart.join(' ')}`,
    );
  }
  return args;
}

/**
 * Boots the app as its unit's ExecStart= starts it, under the stand-in systemd: supervised, or
 * (unix-dgram never built) serving with one error that names Yarn's fix.
 * @param {AppSpec} spec @param {string} dir @param {TestingModule} testing @param {string[]} nodeArgs
 */
export async function bootYarnApp(spec, dir, testing, nodeArgs) {
  const booted =
    spec.boot === 'unbuilt'
      ? await bootUnbuilt(dir, testing, process.execPath, ADDON_FIX.yarn, nodeArgs)
      : await bootSupervised(dir, testing, process.execPath, nodeArgs);
  return `as ExecStart= starts it (node ${nodeArgs.join(' ')} dist/main.js): ${booted}`;
}
