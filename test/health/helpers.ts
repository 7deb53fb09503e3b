// Shared by the health suites: a real Nest app under a real notify socket (systemd's stand-in),
// and the three things the watchdog can be seen doing from systemd's side: pinging, withholding
// its pings with STATUS= saying why, and pinging again with the app's own status back.
import 'reflect-metadata';
import type { INestApplicationContext, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NotifyListener, type NotifyRecord } from '../../lib/testing/notify-listener.js';
import { expectReady, sleep, withSystemdEnv } from '../e2e/helpers.js';
import { RecordingNestLogger } from '../faults/helpers.js';

/** A 200 ms watchdog timeout: a round of checks every 100 ms, each with a 50 ms deadline. */
export const WATCHDOG_USEC = 200_000;
/** Long enough for two rounds: a ping in it would be one the watchdog should have withheld. */
export const QUIET_MS = 250;
/** How a withheld round announces itself. */
export const UNHEALTHY_PREFIX = 'Unhealthy, watchdog pings withheld: ';
export const DEGRADED_PREFIX = 'Degraded, still running: ';

export interface Supervised {
  readonly app: INestApplicationContext;
  readonly systemd: NotifyListener;
  readonly logger: RecordingNestLogger;
}

/**
 * `start(Module)` boots `Module` in this process as systemd would start it (NOTIFY_SOCKET and
 * WATCHDOG_USEC of a fresh listener); whatever was started is closed after each test.
 */
export function supervisedApps(): {
  start: (module: Type) => Promise<Supervised>;
} {
  const open: { systemd: NotifyListener; app?: INestApplicationContext }[] = [];
  afterEach(async () => {
    for (const { app, systemd } of open.splice(0)) {
      // oxlint-disable-next-line no-await-in-loop -- one app after the other, as they were opened
      await app?.close();
      // oxlint-disable-next-line no-await-in-loop -- the socket outlives its app
      await systemd.close();
    }
  });
  return {
    async start(module) {
      const systemd = await NotifyListener.start({ watchdogUsec: WATCHDOG_USEC });
      const entry: { systemd: NotifyListener; app?: INestApplicationContext } = { systemd };
      open.push(entry);
      const logger = new RecordingNestLogger();
      const app = await withSystemdEnv(systemd.env(), () =>
        NestFactory.createApplicationContext(module, { logger, abortOnError: false }),
      );
      entry.app = app;
      return { app, systemd, logger };
    },
  };
}

const indexAfter = (systemd: NotifyListener, record: NotifyRecord): number =>
  systemd.messages.indexOf(record) + 1;

const isUnhealthy = (record: NotifyRecord): boolean =>
  (record.assignments.STATUS ?? '').startsWith(UNHEALTHY_PREFIX);

/** Waits for `count` more WATCHDOG=1 pings (from index `since`) and returns them. */
export async function expectPings(
  systemd: NotifyListener,
  since = systemd.messages.length,
  count = 2,
): Promise<NotifyRecord[]> {
  const pings: NotifyRecord[] = [];
  let from = since;
  for (let i = 0; i < count; i++) {
    // oxlint-disable-next-line no-await-in-loop -- consecutive pings, in order
    const ping = await systemd.waitFor('WATCHDOG=1', { since: from, timeoutMs: 2000 });
    pings.push(ping);
    from = indexAfter(systemd, ping);
  }
  // Healthy all along: nothing said the service was unhealthy meanwhile.
  expect(systemd.messages.slice(since).filter(isUnhealthy)).toEqual([]);
  return pings;
}

/**
 * Waits for the STATUS= that says pings are withheld (from index `since`), then checks that no
 * ping follows it for {@link QUIET_MS}. Returns the STATUS text.
 */
export async function expectWithheld(
  systemd: NotifyListener,
  since = systemd.messages.length,
): Promise<string> {
  const failing = await systemd.waitFor(isUnhealthy, { since, timeoutMs: 2000 });
  // A STATUS of its own: the round that found the failure does not ping.
  expect(failing.lines).toEqual([expect.stringMatching(/^STATUS=Unhealthy/)]);
  const after = indexAfter(systemd, failing);
  await sleep(QUIET_MS);
  expect(systemd.messages.slice(after).map((record) => record.raw)).toEqual([]);
  return failing.assignments.STATUS!;
}

/** Waits for the ping that ends a failure (it carries `status`, the app's own) and one more. */
export async function expectRecovered(
  systemd: NotifyListener,
  status: string,
  since = systemd.messages.length,
): Promise<void> {
  const recovered = await systemd.waitFor('WATCHDOG=1', { since, timeoutMs: 2000 });
  expect(recovered.raw).toBe(`WATCHDOG=1\nSTATUS=${status}`);
  await systemd.waitFor('WATCHDOG=1', { since: indexAfter(systemd, recovered), timeoutMs: 2000 });
}

/**
 * The whole cycle for one check: READY, pings while healthy; `setHealthy(false)` → pings
 * withheld with a STATUS naming the check (`expected`); `setHealthy(true)` → pings again with
 * the app's status (`Running`, a bare context's READY status) back.
 */
export async function expectGated(
  systemd: NotifyListener,
  setHealthy: (healthy: boolean) => void,
  expected: string | RegExp,
): Promise<string> {
  await expectReady(systemd, 'Running');
  await expectPings(systemd);
  setHealthy(false);
  const status = await expectWithheld(systemd);
  if (typeof expected === 'string') expect(status).toBe(`${UNHEALTHY_PREFIX}${expected}`);
  else expect(status).toMatch(expected);
  setHealthy(true);
  await expectRecovered(systemd, 'Running');
  return status;
}
