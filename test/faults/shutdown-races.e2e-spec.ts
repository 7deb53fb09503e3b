// Shutdown at awkward moments: STOPPING=1 once, the process exits by itself, and it ends the
// way the same app without SystemdModule ends (the module must not change the exit status).
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { NotifyListener } from '../../lib/testing/notify-listener.js';
import { exitedAndRead, exitWithin } from '../e2e/helpers.js';
import { fixture } from '../notify/helpers.js';

interface Outcome {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly output: string;
}

/** `performance.now()` at each SIGTERM sent by the last {@link runFixture}. */
let signalledAt: number[] = [];

/** Runs the fixture, sending SIGTERM each time it prints one of `signalOn`. */
async function runFixture(
  mode: string,
  variant: 'with-systemd' | 'nest-only',
  env: Record<string, string>,
  ...signalOn: string[]
): Promise<Outcome> {
  const child = spawn(process.execPath, [fixture('shutdown-races'), mode, variant], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exit = exitedAndRead(child);
  let output = '';
  signalledAt = [];
  child.stderr!.on('data', (chunk) => (output += chunk));
  createInterface({ input: child.stdout! }).on('line', (line) => {
    output += `${line}\n`;
    if (!signalOn.includes(line)) return;
    signalledAt.push(performance.now());
    child.kill('SIGTERM');
  });
  const { code, signal } = await exitWithin(child, exit, 10_000);
  return { code, signal, output };
}

describe('shutdown races', () => {
  let systemd: NotifyListener;

  beforeEach(async () => {
    systemd = await NotifyListener.start({ watchdogUsec: 400_000 });
  });
  afterEach(async () => {
    await systemd.close();
  });

  it('SIGTERM during bootstrap: STOPPING once, no READY after it, ends as Nest alone does', async () => {
    const nestOnly = await runFixture('slow-bootstrap', 'nest-only', {}, 'initialising');
    const outcome = await runFixture(
      'slow-bootstrap',
      'with-systemd',
      systemd.env(),
      'initialising',
    );
    expect({ code: outcome.code, signal: outcome.signal }).toEqual({
      code: nestOnly.code,
      signal: nestOnly.signal,
    });
    expect(outcome.output).toBe(nestOnly.output);
    expect(systemd.received('STOPPING=1')).toHaveLength(1);
    // The app said nothing yet: the module's first word says how far the start had got.
    expect(systemd.received('STOPPING=1')[0]!.raw).toBe(
      'STOPPING=1\nSTATUS=Shutting down (not ready yet: Starting)',
    );
    const stopping = systemd.messages.indexOf(systemd.received('STOPPING=1')[0]!);
    expect(systemd.messages.slice(stopping).filter((r) => 'READY' in r.assignments)).toEqual([]);
    expect(systemd.received('WATCHDOG=1')).toEqual([]);
  }, 30_000);

  // Nest's shutdown listener does not exist before enableShutdownHooks(): a SIGTERM during
  // NestFactory.create() that only the app's own listener takes leaves the app starting, and
  // a STOPPING=1 then would be false (and final since systemd 259).
  it("SIGTERM during NestFactory.create() taken by the app's own listener: no STOPPING, READY once it serves, STOPPING at the next", async () => {
    const env = { OWN_SIGTERM_LISTENER: '1' };
    const nestOnly = await runFixture('slow-create', 'nest-only', env, 'creating', 'listening');
    const outcome = await runFixture(
      'slow-create',
      'with-systemd',
      { ...systemd.env(), ...env },
      'creating',
      'listening',
    );
    expect(nestOnly.output).toBe('creating\nown listener\nlistening\nown listener\n');
    expect(outcome).toEqual(nestOnly);
    const [first, second, ...rest] = systemd.messages.filter(
      (r) => 'READY' in r.assignments || 'STOPPING' in r.assignments,
    );
    expect(first?.raw).toBe('READY=1');
    expect(second?.raw).toBe('STOPPING=1\nSTATUS=Shutting down');
    expect(rest).toEqual([]);
  }, 30_000);

  it("an app's own SIGTERM listener added before Nest's: STOPPING=1 goes out before it runs", async () => {
    const env = { OWN_SIGTERM_LISTENER: '1', OWN_LISTENER_BUSY_MS: '500' };
    const outcome = await runFixture(
      'listen',
      'with-systemd',
      { ...systemd.env(), ...env },
      'listening',
    );
    expect(outcome).toMatchObject({ code: 0, signal: null });
    const [stopping] = systemd.received('STOPPING=1');
    // Sent after the app's 500 ms of work, it would arrive 500 ms after the signal at least.
    expect(stopping!.receivedAt - signalledAt[0]!).toBeLessThan(250);
  }, 30_000);

  it('SIGTERM during NestFactory.create() without a listener of the app: killed as by Node, no STOPPING', async () => {
    const nestOnly = await runFixture('slow-create', 'nest-only', {}, 'creating');
    const outcome = await runFixture('slow-create', 'with-systemd', systemd.env(), 'creating');
    expect(outcome).toEqual(nestOnly);
    expect(outcome).toMatchObject({ code: null, signal: 'SIGTERM' });
    expect(systemd.received('STOPPING=1')).toEqual([]);
    expect(systemd.received('READY=1')).toEqual([]);
  }, 30_000);

  it('app.close() twice at once, then again: STOPPING once, exits by itself as Nest alone does', async () => {
    const nestOnly = await runFixture('close-twice', 'nest-only', {});
    const outcome = await runFixture('close-twice', 'with-systemd', systemd.env());
    expect(outcome).toEqual(nestOnly);
    expect(outcome).toMatchObject({ code: 0, signal: null });
    expect(systemd.received('READY=1')).toHaveLength(1);
    expect(systemd.received('STOPPING=1')).toHaveLength(1);
  }, 30_000);
});
