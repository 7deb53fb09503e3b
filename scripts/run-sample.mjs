#!/usr/bin/env node
// Plays systemd for the sample app: binds a notify socket, starts the app under it with a 2 s
// watchdog, breaks the app in the two ways the watchdog exists to catch (a failing health
// check, a blocked event loop), stops it as `systemctl stop` would, and prints what systemd
// receives and would decide, as one timeline.
//
// Needs the library and the sample built: npm run build && npx tsc -p sample/tsconfig.json
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { followDatagrams } from './run-sample/follow-datagrams.mjs';
import { startSampleApp } from './run-sample/sample-app-process.mjs';
import { createTimeline } from './run-sample/timeline.mjs';
import { WatchdogClock } from './run-sample/watchdog-clock.mjs';

/** @typedef {import('./run-sample/sample-app-process.mjs').AppExit} AppExit */
/** @typedef {import('../dist/testing.js').NotifyListener} NotifyListener */
/** @typedef {import('../dist/testing.js').NotifyMatcher} NotifyMatcher */

/** `WatchdogSec=2`: short, so the demo is quick; the app then pings every second. */
const WATCHDOG_USEC = 2_000_000;
const WATCHDOG_TIMEOUT_MS = WATCHDOG_USEC / 1000;
const READY_TIMEOUT_MS = 10_000;
const STOPPING_TIMEOUT_MS = 5_000;
const EXIT_TIMEOUT_MS = 10_000;
const HTTP_TIMEOUT_MS = 5_000;
/** Pings to show in the healthy phase (the first right after READY=1). */
const HEALTHY_PINGS = 3;
/** Longer than the watchdog timeout, so the blocked app visibly misses it. */
const BLOCK_MS = 3_000;
/** One watchdog expiry per fault: the failing health check, then the blocked event loop. */
const EXPECTED_EXPIRIES = 2;
const ENTRY = fileURLToPath(new URL('../sample/dist/main.js', import.meta.url));
const VERDICT =
  'systemd would now kill the app with SIGABRT (Watchdog timeout) and restart it (Restart=on-failure)';

class DemoFailure extends Error {}

const color = Boolean(process.stdout.isTTY) && !process.env.NO_COLOR;
const timeline = createTimeline({ color });
const say = (/** @type {string} */ text) => timeline.line('demo >', text, 'bold');

/**
 * `PORT` if set, else one that nothing listens on now: a developer's machine often has
 * something on 3000 already, and the demo would fail on EADDRINUSE.
 */
async function readPort() {
  if (process.env.PORT === undefined) {
    const server = createServer();
    await new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(undefined)));
    const { port } = /** @type {import('node:net').AddressInfo} */ (server.address());
    await new Promise((resolve) => server.close(() => resolve(undefined)));
    return port;
  }
  const raw = process.env.PORT;
  const port = Number(raw);
  if (!/^\d+$/.test(raw) || port < 1 || port > 65_535) {
    throw new DemoFailure(`PORT must be an integer from 1 to 65535, got ${JSON.stringify(raw)}`);
  }
  return port;
}

async function loadNotifyListener() {
  try {
    return (await import('../dist/testing.js')).NotifyListener;
  } catch (error) {
    throw new DemoFailure(
      `cannot load dist/testing.js (${String(error)}); build the library first: npm run build`,
    );
  }
}

/** @param {AppExit} exit */
function describeExit(exit) {
  return exit.signal ? `signal ${exit.signal}` : `exit code ${exit.code}`;
}

/**
 * @template T
 * @param {Promise<T>} promise @param {number} ms @param {string} message
 * @returns {Promise<T>}
 */
function withTimeout(promise, ms, message) {
  /** @type {NodeJS.Timeout | undefined} */
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new DemoFailure(message)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * The scripted demo. Each step waits for what systemd would see, and fails with a message
 * saying what did not happen.
 * @param {{ systemd: NotifyListener, clock: WatchdogClock, app: ReturnType<typeof startSampleApp>, port: number }} context
 */
async function runDemo({ systemd, clock, app, port }) {
  /** Fails the step at once if the app dies meanwhile, instead of waiting for a timeout. */
  const whileAlive = (/** @type {Promise<unknown>} */ promise) =>
    Promise.race([
      promise,
      app.exited.then((exit) => {
        throw new DemoFailure(
          `the app exited unexpectedly (${describeExit(exit)}); see its output above`,
        );
      }),
    ]);

  /** @param {NotifyMatcher} matcher @param {number} since @param {number} timeoutMs @param {string} failure */
  const datagram = async (matcher, since, timeoutMs, failure) => {
    try {
      const record = /** @type {import('../dist/testing.js').NotifyRecord} */ (
        await whileAlive(systemd.waitFor(matcher, { since, timeoutMs }))
      );
      return { record, next: systemd.messages.indexOf(record) + 1 };
    } catch (error) {
      throw error instanceof DemoFailure ? error : new DemoFailure(`${failure} (${String(error)})`);
    }
  };

  /** @param {number} index @param {number} timeoutMs @param {string} failure */
  const expiry = async (index, timeoutMs, failure) => {
    try {
      return await whileAlive(clock.expiry(index, timeoutMs));
    } catch (error) {
      throw error instanceof DemoFailure ? error : new DemoFailure(failure);
    }
  };

  /** @param {'GET' | 'POST'} method @param {string} path @param {number} expected */
  const request = async (method, path, expected, timeoutMs = HTTP_TIMEOUT_MS) => {
    timeline.line('demo >', `${method} ${path}`, 'cyan');
    const response = await fetch(`http://127.0.0.1:${port}${path}`, {
      method,
      signal: AbortSignal.timeout(timeoutMs),
    });
    const body = await response.text();
    timeline.line('demo <', `${response.status} ${body}`, 'cyan');
    if (response.status !== expected) {
      throw new DemoFailure(`${method} ${path} answered ${response.status}, expected ${expected}`);
    }
  };

  // 1. Start-up: READY=1 only once the port is bound.
  say(`waiting for READY=1 (TimeoutStartSec: ${READY_TIMEOUT_MS / 1000} s here)`);
  let { next } = await datagram(
    'READY=1',
    0,
    READY_TIMEOUT_MS,
    `READY=1 never arrived within ${READY_TIMEOUT_MS / 1000} s: systemd would fail the start`,
  );
  // READY=1 leaves alone; the app's status follows in the next datagram.
  let readyStatus;
  ({ record: readyStatus, next } = await datagram(
    (record) => record.assignments.STATUS !== undefined,
    next,
    WATCHDOG_TIMEOUT_MS,
    'no STATUS= after READY=1',
  ));
  await request('GET', '/', 200);
  await request('GET', '/health', 200);

  // 2. Healthy: regular pings.
  say(
    `healthy: a ping every ${WATCHDOG_TIMEOUT_MS / 2000} s (half of WatchdogSec) resets systemd's timer`,
  );
  for (let i = 0; i < HEALTHY_PINGS; i++) {
    // oxlint-disable-next-line no-await-in-loop -- each ping is looked for after the previous one
    ({ next } = await datagram(
      'WATCHDOG=1',
      next,
      WATCHDOG_TIMEOUT_MS,
      'the app stopped pinging while healthy',
    ));
  }

  // 3. A reload, as `systemctl reload` of a Type=notify-reload unit asks for it.
  say('systemctl reload (Type=notify-reload) sends SIGHUP: the app re-reads its configuration');
  app.child.kill('SIGHUP');
  ({ next } = await datagram(
    'RELOADING=1',
    next,
    WATCHDOG_TIMEOUT_MS,
    'no RELOADING=1 after SIGHUP',
  ));
  ({ next } = await datagram(
    'READY=1',
    next,
    WATCHDOG_TIMEOUT_MS,
    'no READY=1 after RELOADING=1: `systemctl reload` would hang',
  ));
  await request('GET', '/', 200);

  // 4. A failing health check: pings withheld, STATUS= explains, the watchdog expires.
  say('fault 1: the demo health check starts failing');
  await request('POST', '/chaos/unhealthy', 200);
  ({ next } = await datagram(
    (record) => record.assignments.STATUS?.startsWith('Unhealthy') ?? false,
    next,
    WATCHDOG_TIMEOUT_MS,
    'no STATUS= explaining the failed health check',
  ));
  say('pings are withheld and STATUS= says why (what `systemctl status` shows)');
  await request('GET', '/health', 503);
  say(`no ping for ${WATCHDOG_TIMEOUT_MS / 1000} s means the watchdog expires...`);
  await expiry(
    0,
    WATCHDOG_TIMEOUT_MS * 2,
    'the watchdog never expired although the app was unhealthy',
  );

  // 5. Recovery: pings resume with the app's own status restored.
  say('the health check passes again');
  await request('POST', '/chaos/healthy', 200);
  let resumed;
  ({ record: resumed, next } = await datagram(
    'WATCHDOG=1',
    next,
    WATCHDOG_TIMEOUT_MS,
    'pings did not resume after recovery',
  ));
  if (resumed.assignments.STATUS !== readyStatus.assignments.STATUS) {
    throw new DemoFailure(
      `STATUS= after recovery is ${JSON.stringify(resumed.assignments.STATUS)}, expected the one sent after READY=1`,
    );
  }
  say('pings resumed, and the STATUS= from before the failure is back');
  ({ next } = await datagram(
    'WATCHDOG=1',
    next,
    WATCHDOG_TIMEOUT_MS,
    'pings stopped again after recovery',
  ));

  // 6. A blocked event loop: nothing runs, not even the ping interval.
  say(`fault 2: a request busy-waits the event loop for ${BLOCK_MS / 1000} s`);
  const blocked = request('POST', `/chaos/block?ms=${BLOCK_MS}`, 200, BLOCK_MS + HTTP_TIMEOUT_MS);
  // Settled below; until then a rejection must not count as unhandled.
  blocked.catch(() => {});
  await expiry(
    1,
    BLOCK_MS + WATCHDOG_TIMEOUT_MS,
    'the watchdog never expired although the event loop was blocked',
  );
  say('the app is still blocked: it cannot even notice, only the missing pings tell');
  await blocked;
  ({ next } = await datagram(
    'WATCHDOG=1',
    next,
    WATCHDOG_TIMEOUT_MS,
    'pings did not resume after the block',
  ));

  if (clock.expiries.length !== EXPECTED_EXPIRIES) {
    throw new DemoFailure(
      `the watchdog expired ${clock.expiries.length} times, expected ${EXPECTED_EXPIRIES} (once per fault)`,
    );
  }

  // 7. Shutdown: STOPPING=1 first, then the process exits by itself.
  say('SIGTERM, as `systemctl stop` sends it');
  const stopSentAt = performance.now();
  app.child.kill('SIGTERM');
  const stopping = await systemd
    .waitFor('STOPPING=1', { since: next, timeoutMs: STOPPING_TIMEOUT_MS })
    .catch(() => {
      throw new DemoFailure(
        `STOPPING=1 never arrived within ${STOPPING_TIMEOUT_MS / 1000} s of SIGTERM`,
      );
    });
  const exit = await withTimeout(
    app.exited,
    EXIT_TIMEOUT_MS,
    `the app did not exit within ${EXIT_TIMEOUT_MS / 1000} s of SIGTERM: systemd would SIGKILL it after TimeoutStopSec=`,
  );
  const stoppingIndex = systemd.messages.indexOf(stopping);
  if (systemd.messages.slice(stoppingIndex).some((record) => record.lines.includes('WATCHDOG=1'))) {
    throw new DemoFailure('a WATCHDOG=1 ping was sent after STOPPING=1');
  }
  const clean = exit.code === 0 || exit.signal === 'SIGTERM';
  timeline.lineAt(
    exit.at,
    'demo >',
    `the app exited by itself ${timeline.secondsSince(stopSentAt)} after SIGTERM: ${describeExit(exit)}` +
      (exit.signal === 'SIGTERM'
        ? ' (Nest re-raises the signal once shut down; systemd counts it as clean)'
        : ''),
    clean ? 'bold' : 'red',
  );
  if (!clean)
    throw new DemoFailure(`systemd would record this stop as a failure (${describeExit(exit)})`);
}

async function main() {
  const port = await readPort();
  const NotifyListener = await loadNotifyListener();
  if (!existsSync(ENTRY)) {
    throw new DemoFailure(
      `${ENTRY} is missing; build the sample first: npx tsc -p sample/tsconfig.json`,
    );
  }

  const systemd = await NotifyListener.start({ watchdogUsec: WATCHDOG_USEC });
  const clock = new WatchdogClock(WATCHDOG_TIMEOUT_MS, (expiry) =>
    timeline.lineAt(
      expiry.at,
      'systemd !',
      expiry.cause === 'timeout'
        ? `no WATCHDOG=1 for ${expiry.silentFor / 1000} s (WatchdogSec=${WATCHDOG_TIMEOUT_MS / 1000}): ${VERDICT}`
        : 'WATCHDOG=trigger: systemd would now kill the app with SIGABRT (watchdog request) and restart it (Restart=on-failure)',
      'red',
    ),
  );
  const feed = followDatagrams({ listener: systemd, clock, timeline });
  timeline.setBeforeLine(feed.catchUp);
  /** @type {ReturnType<typeof startSampleApp> | undefined} */
  let app;

  const cleanUp = async () => {
    feed.stop();
    if (app?.running) {
      app.child.kill('SIGKILL');
      say('killed the app (SIGKILL)');
    }
    await systemd.close();
  };
  // Ctrl-C: leave no app behind and no socket directory in /tmp.
  process.once('SIGINT', () => {
    say('interrupted');
    void cleanUp().finally(() => process.exit(130));
  });

  try {
    say(`playing systemd: NOTIFY_SOCKET=${systemd.path} WATCHDOG_USEC=${WATCHDOG_USEC}`);
    app = startSampleApp({
      entry: ENTRY,
      supervisionEnv: systemd.env(),
      appEnv: {
        SAMPLE_CHAOS: '1',
        PORT: String(port),
        HOST: '127.0.0.1',
        ...(color ? {} : { NO_COLOR: '1' }),
      },
      timeline,
    });
    say(`started node sample/dist/main.js (pid ${app.child.pid}) with SAMPLE_CHAOS=1 PORT=${port}`);
    await runDemo({ systemd, clock, app, port });
    say(
      'done: READY, health-gated pings, a watchdog verdict for each fault, STOPPING, a clean exit',
    );
  } catch (error) {
    reportFailure(error);
  } finally {
    await cleanUp();
  }
}

/** @param {unknown} error */
function reportFailure(error) {
  const message =
    error instanceof DemoFailure
      ? error.message
      : error instanceof Error
        ? (error.stack ?? error.message)
        : String(error);
  timeline.line('demo !', `FAILED: ${message}`, 'red');
  process.exitCode = 1;
}

try {
  await main();
} catch (error) {
  reportFailure(error);
}
// A failed step can leave a NotifyListener.waitFor() timer pending (it takes no AbortSignal);
// the app and the socket are gone by now, so do not wait for it.
process.exit();
