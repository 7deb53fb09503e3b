import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { connect } from 'node:net';
import { createInterface } from 'node:readline';
import { SUPERVISION_VARIABLES } from '../../lib/notify/systemd-notifier.js';
import type { NotifyListener, NotifyRecord } from '../../lib/testing/notify-listener.js';

/**
 * Resolves with the child's exit code and signal once it has exited and its piped stdout and
 * stderr have been read to the end ('close'). 'exit' can come first, before the last lines a
 * test then looks for have been read.
 */
export const exitedAndRead = (
  child: ChildProcess,
): Promise<[number | null, NodeJS.Signals | null]> =>
  once(child, 'close') as Promise<[number | null, NodeJS.Signals | null]>;

/** Sets the supervision variables for the app created in `run`, then restores the environment. */
export async function withSystemdEnv<T>(
  env: Record<string, string>,
  run: () => Promise<T>,
): Promise<T> {
  const saved = Object.fromEntries(SUPERVISION_VARIABLES.map((name) => [name, process.env[name]]));
  for (const name of SUPERVISION_VARIABLES) delete process.env[name];
  Object.assign(process.env, env);
  try {
    return await run();
  } finally {
    for (const name of SUPERVISION_VARIABLES) {
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
    }
  }
}

/** Resolves true if a TCP connection to the port is accepted right now. */
export function acceptsConnections(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, ms));

/** The start-up READY as systemd receives it: two datagrams (see {@link expectReady}). */
export interface ReadyAndStatus {
  /** `READY=1` alone, or with `MAINPID=`. */
  readonly ready: NotifyRecord;
  /** The datagram right after it: `STATUS=<text>` alone, the app's status. */
  readonly status: NotifyRecord;
}

/**
 * Waits for the start-up READY (at index `since` or later) and checks that it came as the
 * module sends it: `READY=1` alone (`READY=1\nMAINPID=<mainPid>` when `mainPid` is given), and
 * then, as the very next datagram, `STATUS=` alone with `status` as its text (or a text that
 * matches it). Returns both datagrams. Not for the READY that ends a reload: that one still
 * carries its status in the same datagram.
 */
export async function expectReady(
  systemd: NotifyListener,
  status: string | RegExp,
  options: { since?: number; timeoutMs?: number; mainPid?: number } = {},
): Promise<ReadyAndStatus> {
  const { since = 0, timeoutMs = 5000, mainPid } = options;
  const ready = await systemd.waitFor('READY=1', { since, timeoutMs });
  expect(ready.raw).toBe(mainPid === undefined ? 'READY=1' : `READY=1\nMAINPID=${mainPid}`);
  const next = await systemd.waitFor(() => true, {
    since: systemd.messages.indexOf(ready) + 1,
    timeoutMs: 2000,
  });
  if (typeof status === 'string') {
    expect(next.raw).toBe(`STATUS=${status}`);
  } else {
    expect(next.raw).toMatch(/^STATUS=[^\n]*$/);
    expect(next.assignments.STATUS).toMatch(status);
  }
  return { ready, status: next };
}

/** Gaps between consecutive records, in ms. */
export function gaps(records: readonly NotifyRecord[]): number[] {
  return records.slice(1).map((record, i) => record.receivedAt - records[i]!.receivedAt);
}

export const fixturePath = (name: string): string =>
  new URL(`../fixtures/dist/${name}.js`, import.meta.url).pathname;

/** Starts a fixture app and resolves once it printed the port it listens on. */
export async function startFixtureApp(
  name: string,
  args: string[],
  env: Record<string, string>,
): Promise<{
  child: ChildProcess;
  port: number;
  exit: Promise<[number | null, NodeJS.Signals | null]>;
}> {
  const child = spawn(process.execPath, [fixturePath(name), ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exit = exitedAndRead(child);
  const lines = createInterface({ input: child.stdout! });
  const port = await new Promise<number>((resolve, reject) => {
    lines.on('line', (line) => {
      const match = /^port (\d+)$/.exec(line);
      if (match) resolve(Number(match[1]));
    });
    void exit.then(([code, signal]) =>
      reject(new Error(`fixture exited early: ${code ?? signal}`)),
    );
  });
  return { child, port, exit };
}

/** Waits for `exit`, failing (and killing the child) if it takes longer than `timeoutMs`. */
export async function exitWithin(
  child: ChildProcess,
  exit: Promise<[number | null, NodeJS.Signals | null]>,
  timeoutMs: number,
): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`process did not exit by itself within ${timeoutMs} ms`));
    }, timeoutMs);
  });
  try {
    const [code, signal] = await Promise.race([exit, timeout]);
    return { code, signal };
  } finally {
    clearTimeout(timer);
  }
}
