import { sampleFor } from './poll.js';
import type { SystemdContainer } from './container.js';

/** `systemctl show` of the given properties, as strings exactly as systemctl prints them. */
export async function showUnit<const P extends string>(
  container: SystemdContainer,
  unit: string,
  properties: readonly P[],
): Promise<Record<P, string>> {
  const output = await container.systemctl('show', unit, `--property=${properties.join(',')}`);
  const values = new Map<string, string>();
  for (const line of output.split('\n')) {
    const separator = line.indexOf('=');
    if (separator > 0) values.set(line.slice(0, separator), line.slice(separator + 1));
  }
  const missing = properties.filter((property) => !values.has(property));
  if (missing.length > 0) {
    throw new Error(`systemctl show ${unit} printed no ${missing.join(', ')}:\n${output}`);
  }
  return Object.fromEntries(
    properties.map((property) => [property, values.get(property)]),
  ) as Record<P, string>;
}

/** Runs a systemctl verb that waits for its job (start, stop, restart, reload) and measures how long it took. */
export async function timedSystemctl(
  container: SystemdContainer,
  verb: 'start' | 'stop' | 'restart' | 'reload',
  unit: string,
): Promise<number> {
  const started = performance.now();
  await container.systemctl(verb, unit);
  return performance.now() - started;
}

/** The uid a process runs as, from /proc inside the container. */
export async function processUid(container: SystemdContainer, pid: number): Promise<number> {
  const status = await container.run(['cat', `/proc/${pid}/status`]);
  const uid = /^Uid:\s+(\d+)/m.exec(status)?.[1];
  if (uid === undefined) throw new Error(`no Uid: line for pid ${pid}`);
  return Number(uid);
}

/**
 * Watches a healthy unit for three watchdog periods: systemd's record of the last `WATCHDOG=1`
 * must keep moving (a ping every WatchdogSec/2: about six distinct times), and the unit must
 * end as it began, active with the same main process and no restart.
 */
export async function expectPingsWithoutRestart(
  container: SystemdContainer,
  unit: string,
  watchdogSec: number,
): Promise<void> {
  const first = await showUnit(container, unit, ['MainPID', 'NRestarts']);
  const samples = await sampleFor(
    async () =>
      (await showUnit(container, unit, ['WatchdogTimestampMonotonic'])).WatchdogTimestampMonotonic,
    { durationMs: 3 * watchdogSec * 1000, intervalMs: 250 },
  );
  const last = await showUnit(container, unit, ['MainPID', 'NRestarts', 'ActiveState']);
  expect(new Set(samples).size).toBeGreaterThanOrEqual(5);
  expect(first.NRestarts).toBe('0');
  expect(last).toEqual({ MainPID: first.MainPID, NRestarts: '0', ActiveState: 'active' });
}
