#!/usr/bin/env node
// Installs the library the way users do: `npm pack`, then the tarball into two throwaway apps
// in a temp folder (ESM on Nest 12, CommonJS on Nest 11), each compiled with tsc against the
// packed types, then booted under a stand-in systemd with a passed socket: READY=1 once it
// serves that socket, pings, pings withheld while a @nestjs/terminus check of the app's database
// fails (Terminus 11 on Nest 11, 12 on Nest 12) and resumed once it passes, STOPPING=1,
// journal-format logs.
//
// Needs the library built (npm run build) and the npm registry. Exit code 0 means all passed.
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { copyFile, cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { checkTarballFiles } from './tarball-files.mjs';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const APP_SOURCES = fileURLToPath(new URL('./app', import.meta.url));
const USER_TSCONFIG = fileURLToPath(new URL('../user-app.tsconfig.json', import.meta.url));
const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
/** `WatchdogSec=` of 0.4 s: the app pings every 200 ms. */
const WATCHDOG_USEC = 400_000;
const PINGS_EXPECTED = 3;
const READY_TIMEOUT_MS = 20_000;
/** How long the database stays down once the watchdog said so: three periods without a ping. */
const DOWN_WINDOW_MS = 600;
const UNHEALTHY_PREFIX = 'Unhealthy, watchdog pings withheld: ';
/**
 * What `STATUS=` must name while the database is down: the Terminus indicator class (named by
 * its class) and the `health.check([...])` check named `terminus`, each with the indicator's
 * key and message.
 */
const FAILING_CHECKS = [
  'DbHealthIndicator: db: connection refused',
  'terminus: db: connection refused',
];

/**
 * @typedef {object} AppSpec
 * @property {string} name
 * @property {'module' | 'commonjs'} type
 * @property {Record<string, string>} nest the Nest packages and their ranges
 * @property {string} terminus the range of @nestjs/terminus, the major that pairs with this Nest
 * @property {string} loadTesting a script proving `nestjs-systemd/testing` loads in this format
 */

/** @type {AppSpec[]} */
const APPS = [
  {
    name: 'esm-nest12',
    type: 'module',
    nest: {
      '@nestjs/common': '^12.0.0',
      '@nestjs/core': '^12.0.0',
      '@nestjs/platform-express': '^12.0.0',
      '@nestjs/schedule': '^12.0.0',
    },
    terminus: '^12.0.0',
    loadTesting:
      "import { NotifyListener } from 'nestjs-systemd/testing'; if (typeof NotifyListener.start !== 'function') process.exit(1);",
  },
  {
    name: 'cjs-nest11',
    type: 'commonjs',
    nest: {
      '@nestjs/common': '^11.0.0',
      '@nestjs/core': '^11.0.0',
      '@nestjs/platform-express': '^11.0.0',
      // @nestjs/schedule 6 is the major that pairs with Nest 11.
      '@nestjs/schedule': '^6.0.0',
    },
    // Terminus 11 pairs with Nest 11 (the repo's own Nest 12 rules it out as a devDependency).
    terminus: '^11.0.0',
    loadTesting:
      "const { NotifyListener } = require('nestjs-systemd/testing'); if (typeof NotifyListener.start !== 'function') process.exit(1);",
  },
];

const log = (/** @type {string} */ text) => process.stdout.write(`[pack] ${text}\n`);

/** @param {string} command @param {string[]} args @param {string} cwd */
function run(command, args, cwd) {
  return execFileSync(command, args, {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
}

/** @param {string} dir */
function pack(dir) {
  const [result] = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', dir], ROOT));
  checkTarballFiles(result.files.map((/** @type {{ path: string }} */ file) => file.path));
  log(`packed ${result.filename}: ${result.files.length} files, ${result.size} bytes`);
  return join(dir, result.filename);
}

/** @param {AppSpec} spec @param {string} dir @param {string} tarball */
async function createApp(spec, dir, tarball) {
  await cp(APP_SOURCES, join(dir, 'src'), { recursive: true });
  const packageJson = {
    name: `nestjs-systemd-pack-${spec.name}`,
    private: true,
    type: spec.type,
    dependencies: {
      ...spec.nest,
      '@nestjs/terminus': spec.terminus,
      'nestjs-systemd': `file:${tarball}`,
      'reflect-metadata': '^0.2.0',
      rxjs: '^7.8.0',
    },
    devDependencies: { '@types/node': '^20.19.0' },
    // What the README tells users to allow: unix-dgram's native build.
    allowScripts: { 'unix-dgram': true },
  };
  await writeFile(join(dir, 'package.json'), `${JSON.stringify(packageJson, null, 2)}\n`);
  // The tsconfig of a typical user app: with package.json "type", nodenext emits ESM or
  // CommonJS from the same sources.
  await copyFile(USER_TSCONFIG, join(dir, 'tsconfig.json'));
}

/** @param {string} dir */
async function install(dir) {
  const child = spawn('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline'], {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const [code] = await once(child, 'exit');
  if (code !== 0) throw new Error(`npm install failed in ${dir}:\n${output}`);
}

/**
 * The one installed version of `pkg`. Nest must not be installed twice (the library's copy
 * would not see the app's modules), nor Terminus (its services would not be the app's).
 * @param {string} dir @param {string} pkg
 */
function checkSingle(dir, pkg) {
  const tree = JSON.parse(run('npm', ['ls', '--all', '--json', pkg], dir));
  const versions = new Set();
  const visit = (/** @type {{ dependencies?: Record<string, { version: string }> }} */ node) => {
    for (const [name, child] of Object.entries(node.dependencies ?? {})) {
      if (name === pkg) versions.add(child.version);
      visit(child);
    }
  };
  visit(tree);
  if (versions.size !== 1) throw new Error(`expected one ${pkg}, found ${[...versions]}`);
  return [...versions][0];
}

/** The descriptor of a listening server, to pass to a child process. @param {import('node:net').Server} server */
function socketFd(server) {
  // Node has no public API for a server's descriptor.
  // oxlint-disable-next-line no-underscore-dangle
  return /** @type {{ _handle: { fd: number } }} */ (/** @type {unknown} */ (server))._handle.fd;
}

/** @typedef {import('../../dist/testing/index.js').NotifyListener} NotifyListener */
/** @typedef {import('../../dist/testing/index.js').NotifyRecord} NotifyRecord */

const isPing = (/** @type {NotifyRecord} */ record) => record.lines.includes('WATCHDOG=1');
const describe = (/** @type {NotifyRecord[]} */ records) =>
  `[${records.map((record) => JSON.stringify(record.raw)).join(', ')}]`;
const sleep = (/** @type {number} */ ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Switches the app's database over its HTTP endpoint. @param {string} base @param {'up' | 'down'} state */
async function switchDatabase(base, state) {
  const response = await fetch(`${base}/db/${state}`, { method: 'POST' });
  if (response.status !== 204) throw new Error(`POST /db/${state}: ${response.status}`);
}

/**
 * Takes the app's database down, then brings it back, and checks what systemd would see: pings
 * withheld, and `STATUS=` naming the failing Terminus checks once; then pings again, the first
 * of them with the app's own status back.
 * @param {NotifyListener} systemd @param {string} base @param {string | undefined} appStatus
 */
async function checkHealthGating(systemd, base, appStatus) {
  const beforeDown = systemd.messages.length;
  await switchDatabase(base, 'down');
  const unhealthy = await systemd.waitFor(
    (record) => record.assignments.STATUS?.startsWith(UNHEALTHY_PREFIX) ?? false,
    { since: beforeDown, timeoutMs: 2_000 },
  );
  const status = unhealthy.assignments.STATUS ?? '';
  const unnamed = FAILING_CHECKS.filter((check) => !status.includes(check));
  if (unnamed.length > 0) {
    throw new Error(`the unhealthy STATUS= should name ${unnamed.join(' and ')}: ${unhealthy.raw}`);
  }
  if (isPing(unhealthy))
    throw new Error(`a ping came with the unhealthy STATUS=: ${unhealthy.raw}`);
  // Long enough for systemd to have killed the app: no ping, and the STATUS= is not repeated.
  await sleep(DOWN_WINDOW_MS);
  const whileDown = systemd.messages.slice(systemd.messages.indexOf(unhealthy) + 1);
  if (whileDown.length > 0) {
    throw new Error(
      `nothing should reach systemd in the ${DOWN_WINDOW_MS} ms after ${JSON.stringify(unhealthy.raw)}: ${describe(whileDown)}`,
    );
  }
  const beforeUp = systemd.messages.length;
  await switchDatabase(base, 'up');
  const recovered = await systemd.waitFor(isPing, { since: beforeUp, timeoutMs: 2_000 });
  if (recovered.assignments.STATUS !== appStatus) {
    throw new Error(
      `the first ping after recovery should bring back STATUS=${appStatus}: ${describe(systemd.messages.slice(beforeUp))}`,
    );
  }
  await systemd.waitFor(
    () => systemd.messages.slice(beforeUp).filter(isPing).length >= PINGS_EXPECTED,
    { since: beforeUp, timeoutMs: 2_000 },
  );
  return `db down: ${JSON.stringify(status)} and no datagram for ${DOWN_WINDOW_MS} ms, db up: pings resumed with STATUS=${appStatus}`;
}

const TERMINUS_FAILURE = /^<3>(?:\[HealthCheckService\] )?Health Check has failed! /;
const UNHEALTHY_LOG = `<4>[SystemdModule] health check failed, withholding the watchdog ping: ${FAILING_CHECKS.join('; ')}`;
const RECOVERED_LOG = '<6>[SystemdModule] health checks pass again, watchdog pings resumed';

/**
 * Checks the app's stderr: every line in the journal format, and besides Nest's info lines only
 * what the database's outage explains: the library's warning, its recovery line, and Terminus'
 * own error for each failed `health.check()` (its report as JSON: one line in the default
 * `errorLogStyle`, every line at priority 3 in the `'pretty'` one).
 * Returns how many of Terminus' errors it found.
 * @param {string} errors
 */
function checkStderr(errors) {
  const lines = errors.trimEnd().split('\n');
  if (!lines.includes('<6>[NestApplication] Nest application successfully started')) {
    throw new Error(`JournaldLogger did not log Nest's start in the journal format:\n${errors}`);
  }
  for (const expected of [UNHEALTHY_LOG, RECOVERED_LOG]) {
    const count = lines.filter((line) => line === expected).length;
    if (count !== 1) throw new Error(`expected once on stderr, found ${count} times: ${expected}`);
  }
  /** @type {string[][]} */
  const terminusErrors = [];
  const unexpected = [];
  for (const line of lines) {
    if (TERMINUS_FAILURE.test(line)) terminusErrors.push([line.replace(TERMINUS_FAILURE, '')]);
    else if (line.startsWith('<3>') && terminusErrors.length > 0) {
      terminusErrors.at(-1)?.push(line.slice('<3>'.length));
    } else if (!line.startsWith('<6>[') && line !== UNHEALTHY_LOG) unexpected.push(line);
  }
  if (unexpected.length > 0) {
    throw new Error(`unexpected output on stderr:\n${unexpected.join('\n')}`);
  }
  if (terminusErrors.length === 0) {
    throw new Error(`no error from Terminus' HealthCheckService on stderr:\n${errors}`);
  }
  // Each of Terminus' errors is its JSON report, split into journal lines.
  for (const block of terminusErrors) {
    /** @type {{ db?: { status?: string, message?: string } } | undefined} */
    let report;
    try {
      report = JSON.parse(block.join('\n'));
    } catch {
      report = undefined;
    }
    if (report?.db?.status !== 'down' || report.db.message !== 'connection refused') {
      throw new Error(`Terminus' error should report db down: ${block.join('\n')}`);
    }
  }
  return terminusErrors.length;
}

/** Boots the compiled app under the packed NotifyListener and checks what systemd would see. @param {string} dir */
async function bootUnderListener(dir) {
  const requireFromApp = createRequire(join(dir, 'package.json'));
  /** @type {typeof import('../../dist/testing/index.js')} */
  const testing = await import(
    pathToFileURL(requireFromApp.resolve('nestjs-systemd/testing')).href
  );
  const systemd = await testing.NotifyListener.start({ watchdogUsec: WATCHDOG_USEC });
  // Socket activation as systemd does it: a bound, listening socket as descriptor 3, and
  // LISTEN_PID set by a shell that then execs node.
  const socket = createServer();
  await new Promise((resolve) => socket.listen(0, '127.0.0.1', () => resolve(undefined)));
  const passedPort = /** @type {import('node:net').AddressInfo} */ (socket.address()).port;
  const env = { ...process.env, ...systemd.env(), LISTEN_FDS: '1', LISTEN_FDNAMES: 'http' };
  const child = spawn(
    '/bin/sh',
    ['-c', 'LISTEN_PID=$$ exec "$0" "$@"', process.execPath, 'dist/main.js'],
    { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe', socketFd(socket)] },
  );
  socket.close();
  let output = '';
  let errors = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => {
    output += chunk;
    errors += chunk;
  });
  const exited = once(child, 'exit');
  try {
    const ready = await systemd.waitFor('READY=1', { timeoutMs: READY_TIMEOUT_MS });
    // The port was bound before READY was sent, so a connection made now must be answered.
    const port = /:(\d+)$/.exec(ready.assignments.STATUS ?? '')?.[1];
    if (port !== String(passedPort)) {
      throw new Error(`READY=1 should name the passed socket (port ${passedPort}): ${ready.raw}`);
    }
    const response = await fetch(`http://127.0.0.1:${port}/`);
    const body = await response.json();
    if (response.status !== 200 || body.supervised !== true) {
      throw new Error(`GET / right after READY=1: ${response.status} ${JSON.stringify(body)}`);
    }
    await systemd.waitFor(() => systemd.received('WATCHDOG=1').length >= PINGS_EXPECTED, {
      timeoutMs: 2_000,
    });
    const gating = await checkHealthGating(
      systemd,
      `http://127.0.0.1:${port}`,
      ready.assignments.STATUS,
    );
    child.kill('SIGTERM');
    await systemd.waitFor('STOPPING=1', { timeoutMs: 2_000 });
    const [code, signal] = await exited;
    // Nest re-raises the stop signal once shut down, as it does without this library.
    if (!(signal === 'SIGTERM' || code === 0))
      throw new Error(`exit: code ${code}, signal ${signal}`);
    // The journal format throughout: no warning from Node (require of ESM) or from us beyond
    // the outage's, and JournaldLogger works on this Nest major (Terminus' logger included).
    const terminusErrors = checkStderr(errors);
    return `passed socket served, READY=1 (${ready.assignments.STATUS}), GET / 200, ${PINGS_EXPECTED} pings, ${gating}, STOPPING=1, exit by ${signal ?? code}; stderr: journal format, ${terminusErrors} Terminus errors`;
  } catch (error) {
    child.kill('SIGKILL');
    throw new Error(`${/** @type {Error} */ (error).message}\n--- app output ---\n${output}`, {
      cause: error,
    });
  } finally {
    await systemd.close();
  }
}

/** @param {AppSpec} spec @param {string} workDir @param {string} tarball */
async function prepareApp(spec, workDir, tarball) {
  const dir = join(workDir, spec.name);
  await createApp(spec, dir, tarball);
  await install(dir);
  log(`${spec.name}: installed`);
  return dir;
}

/** @param {AppSpec} spec @param {string} dir */
async function checkApp(spec, dir) {
  const nest = checkSingle(dir, '@nestjs/core');
  const terminus = checkSingle(dir, '@nestjs/terminus');
  if (terminus.split('.')[0] !== spec.terminus.replace(/^\^/, '').split('.')[0]) {
    throw new Error(`${spec.name}: expected @nestjs/terminus ${spec.terminus}, found ${terminus}`);
  }
  // Type-checks the app against the packed declarations, then emits ESM or CommonJS.
  run(process.execPath, [TSC, '-p', 'tsconfig.json'], dir);
  const evalFlags = spec.type === 'module' ? ['--input-type=module'] : [];
  run(process.execPath, [...evalFlags, '-e', spec.loadTesting], dir);
  const result = await bootUnderListener(dir);
  log(`${spec.name} (@nestjs/core ${nest}, @nestjs/terminus ${terminus}, ${spec.type}): ${result}`);
}

const workDir = await mkdtemp(join(tmpdir(), 'nestjs-systemd-pack-'));
let passed = false;
try {
  const tarball = pack(workDir);
  // Installing is mostly waiting on the network, so both apps install at once.
  const dirs = await Promise.all(APPS.map((spec) => prepareApp(spec, workDir, tarball)));
  for (const [index, spec] of APPS.entries()) {
    // oxlint-disable-next-line no-await-in-loop -- one app at a time: their ports and output stay apart
    await checkApp(spec, dirs[index]);
  }
  passed = true;
  log('all packaging checks passed');
} finally {
  if (passed) await rm(workDir, { recursive: true, force: true });
  else log(`failed; the apps are kept in ${workDir}`);
}
