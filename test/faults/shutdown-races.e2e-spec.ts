// Shutdown at awkward moments: STOPPING=1 once, the process exits by itself, and it ends the
// way the same app without SystemdModule ends (the module must not change the exit status).
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { NotifyListener } from '../../lib/testing/notify-listener.js';
import { exitWithin } from '../e2e/helpers.js';
import { fixture } from '../notify/helpers.js';

interface Outcome {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly output: string;
}

/** Runs the fixture, sending SIGTERM when it prints `signalOn` (if given). */
async function runFixture(
  mode: string,
  variant: 'with-systemd' | 'nest-only',
  env: Record<string, string>,
  signalOn?: string,
): Promise<Outcome> {
  const child = spawn(process.execPath, [fixture('shutdown-races'), mode, variant], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exit = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  let output = '';
  child.stderr!.on('data', (chunk) => (output += chunk));
  createInterface({ input: child.stdout! }).on('line', (line) => {
    output += `${line}\n`;
    if (line === signalOn) child.kill('SIGTERM');
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
    const stopping = systemd.messages.indexOf(systemd.received('STOPPING=1')[0]!);
    expect(systemd.messages.slice(stopping).filter((r) => 'READY' in r.assignments)).toEqual([]);
    expect(systemd.received('WATCHDOG=1')).toEqual([]);
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
