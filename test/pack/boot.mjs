// Boots a compiled consumer app under a stand-in systemd (the packed NotifyListener) with a
// passed socket, as a .socket unit would, and checks what systemd would see and what the app
// writes to stderr (the journal).
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { cleanEnv } from './processes.mjs';

/** `WatchdogSec=` of 0.4 s: the app pings every 200 ms. */
const WATCHDOG_USEC = 400_000;
const PINGS_EXPECTED = 3;
const READY_TIMEOUT_MS = 20_000;
/** How long the database stays down once the watchdog said so: three periods without a ping. */
const DOWN_WINDOW_MS = 600;
const UNHEALTHY_PREFIX = 'Unhealthy, watchdog pings withheld: ';
/** How long the app's own SIGTERM listener, added before Nest's, keeps the event loop busy. */
const SLOW_SIGTERM_LISTENER_MS = 300;
/**
 * What `STATUS=` must name while the database is down: the Terminus indicator class (named by
 * its class) and the `health.check([...])` check named `terminus`, each with the indicator's
 * key and message.
 */
const FAILING_CHECKS = [
  'DbHealthIndicator: db: connection refused',
  'terminus: db: connection refused',
];

/** @typedef {import('../../dist/types/testing/index.js').NotifyListener} NotifyListener */
/** @typedef {import('../../dist/types/testing/index.js').NotifyRecord} NotifyRecord */
/** @typedef {typeof import('../../dist/types/testing/index.js')} TestingModule */

const isPing = (/** @type {NotifyRecord} */ record) => record.lines.includes('WATCHDOG=1');
const describe = (/** @type {NotifyRecord[]} */ records) =>
  `[${records.map((record) => JSON.stringify(record.raw)).join(', ')}]`;
const sleep = (/** @type {number} */ ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** A TCP port on 127.0.0.1 that nothing listens on now. */
async function freePort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(undefined)));
  const { port } = /** @type {import('node:net').AddressInfo} */ (server.address());
  await new Promise((resolve) => server.close(() => resolve(undefined)));
  return port;
}

/** The descriptor of a listening server, to pass to a child process. @param {import('node:net').Server} server */
function socketFd(server) {
  // Node has no public API for a server's descriptor.
  // oxlint-disable-next-line no-underscore-dangle
  return /** @type {{ _handle: { fd: number } }} */ (/** @type {unknown} */ (server))._handle.fd;
}

/**
 * Starts `dist/main.js` under `execPath` (with `nodeArgs` before it) with a bound, listening
 * socket as descriptor 3 and LISTEN_PID set by a shell that then execs node, as systemd's socket
 * activation does.
 * @param {string} dir @param {string} execPath @param {NodeJS.ProcessEnv} env
 * @param {string[]} [nodeArgs]
 */
async function startApp(dir, execPath, env, nodeArgs = []) {
  const socket = createServer();
  await new Promise((resolve) => socket.listen(0, '127.0.0.1', () => resolve(undefined)));
  const port = /** @type {import('node:net').AddressInfo} */ (socket.address()).port;
  const startedAt = performance.now();
  const child = spawn(
    '/bin/sh',
    ['-c', 'LISTEN_PID=$$ exec "$0" "$@"', execPath, ...nodeArgs, 'dist/main.js'],
    {
      cwd: dir,
      env: { ...env, LISTEN_FDS: '1', LISTEN_FDNAMES: 'http' },
      stdio: ['ignore', 'pipe', 'pipe', socketFd(socket)],
    },
  );
  socket.close();
  // 'close', not 'exit': the output is read to its end before the checks look at it.
  const app = { child, port, startedAt, output: '', errors: '', exited: once(child, 'close') };
  child.stdout.on('data', (chunk) => (app.output += chunk));
  child.stderr.on('data', (chunk) => {
    app.output += chunk;
    app.errors += chunk;
  });
  return app;
}

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
}

const TERMINUS_FAILURE = /^<3>(?:\[HealthCheckService\] )?Health Check has failed! /;
const UNHEALTHY_LOG = `<4>[SystemdModule] health check failed, withholding the watchdog ping: ${FAILING_CHECKS.join('; ')}`;
const RECOVERED_LOG = '<6>[SystemdModule] health checks pass again, watchdog pings resumed';
const STARTED_LOG = '<6>[NestApplication] Nest application successfully started';
/** What Node writes for a process warning (ExperimentalWarning, DeprecationWarning, …). */
const NODE_WARNING = /^\(node:\d+\) |Warning: /;

/**
 * Throws when Node printed a warning: the app must load the library without any, on every
 * Node (on 22.12 to 23, `require()` of an ES module prints an ExperimentalWarning).
 * @param {string[]} lines
 */
function checkNoNodeWarnings(lines) {
  const warnings = lines.filter((line) => NODE_WARNING.test(line));
  if (warnings.length > 0) {
    throw new Error(`expected no warning from Node on stderr, found:\n${warnings.join('\n')}`);
  }
}

/**
 * Checks the app's stderr: no warning from Node, every line in the journal format, and besides
 * Nest's info lines only what the database's outage explains: the library's warning, its
 * recovery line, and Terminus' own error for each failed `health.check()` (its report as JSON:
 * one line in the default `errorLogStyle`, every line at priority 3 in the `'pretty'` one).
 * Returns how many of Terminus' errors it found.
 * @param {string} errors
 */
function checkStderr(errors) {
  const lines = errors.trimEnd().split('\n');
  checkNoNodeWarnings(lines);
  // oxlint-disable-next-line no-control-regex -- the escape character is what this looks for
  const coloured = lines.filter((line) => /\u001b\[/.test(line));
  if (coloured.length > 0) {
    throw new Error(
      `expected no colour codes in journal lines, found ${coloured.length} lines such as ${JSON.stringify(coloured[0])}`,
    );
  }
  if (!lines.includes(STARTED_LOG)) {
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

/**
 * Boots the compiled app under `testing`'s NotifyListener and checks what systemd would see:
 * READY=1 once the passed socket is served, pings, pings withheld while a Terminus check fails
 * and resumed after, STOPPING=1 on SIGTERM, the journal format and no warning on stderr.
 * @param {string} dir @param {TestingModule} testing @param {string} execPath
 * @param {string[]} [nodeArgs] node's options before the entry
 */
export async function bootSupervised(dir, testing, execPath, nodeArgs = []) {
  const systemd = await testing.NotifyListener.start({ watchdogUsec: WATCHDOG_USEC });
  const env = { ...systemd.env(), SLOW_SIGTERM_LISTENER_MS: String(SLOW_SIGTERM_LISTENER_MS) };
  const app = await startApp(dir, execPath, cleanEnv(env), nodeArgs);
  /** What passed so far, for the failure message. */
  const passed = [];
  try {
    const died = app.exited.then(([code, signal]) => {
      throw new Error(`the app exited (${signal ?? `code ${code}`}) before READY=1`);
    });
    died.catch(() => {});
    const ready = await Promise.race([
      systemd.waitFor('READY=1', { timeoutMs: READY_TIMEOUT_MS }),
      died,
    ]);
    const readyMs = Math.round(ready.receivedAt - app.startedAt);
    // READY=1 leaves alone, and the app's status follows in the very next datagram.
    if (ready.raw !== 'READY=1') {
      throw new Error(`READY=1 should come alone: ${JSON.stringify(ready.raw)}`);
    }
    const afterReady = await systemd.waitFor(() => true, {
      since: systemd.messages.indexOf(ready) + 1,
      timeoutMs: 2_000,
    });
    if (!/^STATUS=[^\n]*$/.test(afterReady.raw)) {
      throw new Error(`STATUS= alone should follow READY=1: ${JSON.stringify(afterReady.raw)}`);
    }
    const appStatus = afterReady.assignments.STATUS;
    // The port was bound before READY was sent, so a connection made now must be answered.
    const port = /:(\d+)$/.exec(appStatus ?? '')?.[1];
    if (port !== String(app.port)) {
      throw new Error(
        `the status after READY=1 should name the passed socket (port ${app.port}): ${afterReady.raw}`,
      );
    }
    passed.push(`READY=1 ${readyMs} ms after start on the passed socket`);
    const response = await fetch(`http://127.0.0.1:${port}/`);
    const body = await response.json();
    if (response.status !== 200 || body.supervised !== true) {
      throw new Error(`GET / right after READY=1: ${response.status} ${JSON.stringify(body)}`);
    }
    passed.push('GET / 200');
    await systemd.waitFor(() => systemd.received('WATCHDOG=1').length >= PINGS_EXPECTED, {
      timeoutMs: 2_000,
    });
    passed.push(`${PINGS_EXPECTED} pings`);
    await checkHealthGating(systemd, `http://127.0.0.1:${port}`, appStatus);
    passed.push('pings withheld while db down and resumed');
    const signalledAt = performance.now();
    app.child.kill('SIGTERM');
    const stopping = await systemd.waitFor('STOPPING=1', { timeoutMs: 2_000 });
    // Nest's shutdown listener is known to the module under this Nest major: STOPPING=1 leaves
    // before the app's own listener, registered first, has run.
    const stoppingMs = Math.round(stopping.receivedAt - signalledAt);
    if (stoppingMs >= SLOW_SIGTERM_LISTENER_MS) {
      throw new Error(`STOPPING=1 came ${stoppingMs} ms after SIGTERM, after the app's listener`);
    }
    const [code, signal] = await app.exited;
    // Nest re-raises the stop signal once shut down, as it does without this library (an app
    // with a SIGTERM listener of its own, as this one, then exits with code 0).
    if (!(signal === 'SIGTERM' || code === 0))
      throw new Error(`exit: code ${code}, signal ${signal}`);
    passed.push(`STOPPING=1 ${stoppingMs} ms after SIGTERM, exit by ${signal ?? code}`);
    const terminusErrors = checkStderr(app.errors);
    passed.push(`stderr: journal only (${terminusErrors} Terminus errors), no Node warning`);
    return passed.join(', ');
  } catch (error) {
    app.child.kill('SIGKILL');
    const before = passed.length > 0 ? `passed before: ${passed.join(', ')}\n` : '';
    throw new Error(
      `${/** @type {Error} */ (error).message}\n${before}--- app output ---\n${app.output}`,
      { cause: error },
    );
  } finally {
    await systemd.close();
  }
}

/**
 * Waits until the app answers GET / on its passed socket (which queues connections until the
 * app accepts them), or has exited, or the deadline passed.
 * @param {number} port @param {Promise<unknown>} exited
 */
async function whenServing(port, exited) {
  const deadline = performance.now() + READY_TIMEOUT_MS;
  const state = { exited: false };
  void exited.then(() => (state.exited = true));
  /** @returns {Promise<{ status: number, body: { supervised?: boolean } }>} */
  const attempt = async () => {
    if (state.exited) throw new Error('the app exited before serving GET /');
    const left = Math.ceil(deadline - performance.now());
    if (left <= 0) throw new Error(`the app did not serve GET / within ${READY_TIMEOUT_MS} ms`);
    try {
      const response = await fetch(`http://127.0.0.1:${port}/`, {
        signal: AbortSignal.timeout(left),
      });
      return { status: response.status, body: await response.json() };
    } catch {
      await sleep(100);
      return attempt();
    }
  };
  return attempt();
}

/** What the one error names, by why the addon cannot be loaded. */
export const ADDON_FIX = {
  /** Never built: pnpm 10 without onlyBuiltDependencies. */
  unbuilt: 'onlyBuiltDependencies',
  /** Built for another Node's ABI: Node was switched after the install. */
  otherNode: 'npm rebuild unix-dgram',
  /** Never built: Yarn 4 without dependenciesMeta. */
  yarn: 'dependenciesMeta',
};

/**
 * Boots the app whose unix-dgram addon cannot be loaded (never built: pnpm 10 without
 * onlyBuiltDependencies; or built for another Node): under systemd it must serve all the same,
 * log one error naming the fix and send nothing; outside systemd (no NOTIFY_SOCKET) it never
 * loads the addon, so it logs no error at all.
 * @param {string} dir @param {TestingModule} testing @param {string} execPath
 * @param {string} [fix] what the error must name
 * @param {string[]} [nodeArgs] node's options before the entry
 */
export async function bootUnbuilt(dir, testing, execPath, fix = ADDON_FIX.unbuilt, nodeArgs = []) {
  const systemd = await testing.NotifyListener.start({ watchdogUsec: WATCHDOG_USEC });
  let app = await startApp(dir, execPath, cleanEnv(systemd.env()), nodeArgs);
  try {
    const { status, body } = await whenServing(app.port, app.exited);
    if (status !== 200) throw new Error(`GET / under systemd: ${status} ${JSON.stringify(body)}`);
    // Three watchdog periods: a ping would have come by now.
    await sleep(3 * (WATCHDOG_USEC / 1000));
    app.child.kill('SIGTERM');
    const [code, signal] = await app.exited;
    if (!(signal === 'SIGTERM' || code === 0))
      throw new Error(`exit: code ${code}, signal ${signal}`);
    if (systemd.messages.length > 0) {
      throw new Error(`expected nothing sent to systemd, received ${describe(systemd.messages)}`);
    }
    const lines = app.errors.trimEnd().split('\n');
    checkNoNodeWarnings(lines);
    // Anything above info (priorities 0 to 5), or not in the journal format.
    const notInfo = lines.filter((line) => !/^<[67]>\[/.test(line));
    const naming = notInfo.filter((line) => line.includes(fix));
    if (notInfo.length !== 1 || naming.length !== 1) {
      throw new Error(
        `expected exactly one error line on stderr, naming ${fix}; found ${notInfo.length} line(s) above info, ${naming.length} naming it:\n${notInfo.join('\n')}`,
      );
    }
    const underSystemd = `under systemd: served (supervised: ${body.supervised}), nothing sent in ${(3 * WATCHDOG_USEC) / 1e6} s, one error: ${JSON.stringify(naming[0].slice(0, 120))}…`;

    app = await startApp(dir, execPath, cleanEnv(), nodeArgs);
    const outside = await whenServing(app.port, app.exited);
    app.child.kill('SIGTERM');
    await app.exited;
    if (outside.status !== 200) throw new Error(`GET / outside systemd: ${outside.status}`);
    const outsideLines = app.errors.trimEnd().split('\n');
    checkNoNodeWarnings(outsideLines);
    const loud = outsideLines.filter((line) => !/^<[67]>\[/.test(line));
    if (loud.length > 0) {
      throw new Error(`outside systemd the app should log nothing above info:\n${loud.join('\n')}`);
    }
    return `${underSystemd}; outside systemd: served, nothing above info`;
  } catch (error) {
    app.child.kill('SIGKILL');
    throw new Error(`${/** @type {Error} */ (error).message}\n--- app output ---\n${app.output}`, {
      cause: error,
    });
  } finally {
    await systemd.close();
  }
}

/** What the module says at start-up on Nest 10, where a microservice's transport is unseen. */
const TRANSPORTS_UNSEEN = 'does not announce microservice transports';

/**
 * Boots the app's TCP microservice (dist/micro.js) on Nest 10, which has no registry of
 * transports: READY follows bootstrap, with one warning that says so and names
 * `readyOn: 'manual'`; a SIGTERM gives STOPPING=1 and ends the process.
 * @param {string} dir @param {TestingModule} testing @param {string} execPath
 */
export async function bootMicroservice(dir, testing, execPath) {
  const systemd = await testing.NotifyListener.start({ watchdogUsec: WATCHDOG_USEC });
  const child = spawn(execPath, ['dist/micro.js'], {
    cwd: dir,
    env: cleanEnv({ ...systemd.env(), PORT: String(await freePort()) }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  // 'close', not 'exit': the output is read to its end before the checks look at it.
  const exited = once(child, 'close');
  try {
    await systemd.waitFor('READY=1', { timeoutMs: READY_TIMEOUT_MS });
    await systemd.waitFor('WATCHDOG=1');
    const lines = output.trimEnd().split('\n');
    checkNoNodeWarnings(lines);
    const warnings = lines.filter((line) => line.includes(TRANSPORTS_UNSEEN));
    if (warnings.length !== 1 || !warnings[0]?.includes("readyOn: 'manual'")) {
      throw new Error(
        `expected one warning that the transport is unseen, found ${warnings.length}`,
      );
    }
    child.kill('SIGTERM');
    await systemd.waitFor('STOPPING=1');
    const [code, signal] = await exited;
    if (!(signal === 'SIGTERM' || code === 0))
      throw new Error(`exit: code ${code}, signal ${signal}`);
    return `READY after bootstrap, pings, one warning naming readyOn: 'manual'; SIGTERM: STOPPING, exit by ${signal ?? `code ${code}`}`;
  } catch (error) {
    child.kill('SIGKILL');
    throw new Error(`${/** @type {Error} */ (error).message}\n--- app output ---\n${output}`, {
      cause: error,
    });
  } finally {
    await systemd.close();
  }
}
