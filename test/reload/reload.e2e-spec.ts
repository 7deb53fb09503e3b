// systemctl reload for Type=notify-reload, with real SIGHUPs to a real child process.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { NotifyListener } from '../../lib/testing/notify-listener.js';
import { exitedAndRead, exitWithin, expectReady, sleep } from '../e2e/helpers.js';
import { fixture } from '../notify/helpers.js';

interface RunningApp {
  readonly child: ChildProcess;
  readonly events: Record<string, unknown>[];
  readonly stderr: () => string;
  readonly stop: () => Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

async function startApp(env: Record<string, string>, args: string[] = []): Promise<RunningApp> {
  const child = spawn(process.execPath, [fixture('reload-app'), ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exit = exitedAndRead(child);
  const events: Record<string, unknown>[] = [];
  let stderr = '';
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  const lines = createInterface({ input: child.stdout! });
  // Nest's warnings (an unhealthy check's) go to stdout too.
  lines.on('line', (line) => {
    if (line.startsWith('{')) events.push(JSON.parse(line) as Record<string, unknown>);
  });
  await once(lines, 'line');
  return {
    child,
    events,
    stderr: () => stderr,
    stop: () => {
      child.kill('SIGTERM');
      return exitWithin(child, exit, 10_000);
    },
  };
}

describe('reload (Type=notify-reload)', () => {
  let systemd: NotifyListener;
  let app: RunningApp | undefined;

  beforeEach(async () => {
    systemd = await NotifyListener.start();
  });
  afterEach(async () => {
    await app?.stop();
    app = undefined;
    await systemd.close();
  });

  it('SIGHUP: RELOADING=1 with a fresh MONOTONIC_USEC in one datagram, handlers, then READY=1', async () => {
    app = await startApp(systemd.env());
    await expectReady(systemd, 'Serving');
    const since = systemd.messages.length;
    // CLOCK_MONOTONIC is shared by all processes: the timestamp must not predate the signal.
    const signalledAt = process.hrtime.bigint() / 1000n;
    app.child.kill('SIGHUP');
    const reloading = await systemd.waitFor('RELOADING=1', { since });
    expect(BigInt(reloading.assignments.MONOTONIC_USEC!)).toBeGreaterThanOrEqual(signalledAt);
    expect(reloading.assignments.STATUS).toBe('Reloading');
    const ready = await systemd.waitFor('READY=1', { since, timeoutMs: 3000 });
    expect(ready.raw).toBe('READY=1\nSTATUS=Serving');
    expect(app.events.filter((e) => e.done !== undefined).map((e) => e.handler)).toEqual([
      'reread',
      'flush',
    ]);
    expect(app.stderr()).toBe('');
    // Still running: SIGHUP did not stop it.
    expect(app.child.exitCode).toBeNull();
  });

  it('three SIGHUPs during a reload: one follow-up reload, never two at once', async () => {
    app = await startApp(systemd.env());
    await systemd.waitFor('READY=1');
    app.child.kill('SIGHUP');
    await systemd.waitFor('RELOADING=1');
    for (const _ of [1, 2, 3]) app.child.kill('SIGHUP');
    await sleep(1500);
    const starts = app.events.filter((e) => e.start);
    expect(starts).toHaveLength(2);
    expect(starts.every((e) => e.concurrent === 1)).toBe(true);
    expect(systemd.received('RELOADING=1')).toHaveLength(2);
    expect(systemd.received('READY=1')).toHaveLength(3);
  });

  it.each([
    ['throws ENOENT', { RELOAD_FAIL: '1' }, /CacheService\.flush: ENOENT/, '2', true],
    ['hangs', { RELOAD_HANG: '1' }, /CacheService\.flush: no answer within 500 ms/, '110', false],
  ])(
    'a handler that %s: READY=1 all the same, STATUS and ERRNO say what failed',
    async (_case, env, reason, errno, threw) => {
      app = await startApp({ ...systemd.env(), ...env });
      await systemd.waitFor('READY=1');
      const since = systemd.messages.length;
      app.child.kill('SIGHUP');
      const ready = await systemd.waitFor('READY=1', { since, timeoutMs: 3000 });
      expect(ready.assignments.STATUS).toMatch(/^Reload failed: /);
      expect(ready.assignments.STATUS).toMatch(reason);
      expect(ready.assignments.ERRNO).toBe(errno);
      expect(app.stderr()).toMatch(/reload failed, READY=1 sent all the same/);
      // A handler that threw: logged where it failed, with its stack.
      if (threw) {
        expect(app.stderr()).toMatch(
          /reload handler CacheService\.flush failed: ENOENT[^\n]*\n(?:.*\n)*?\s+at /,
        );
      }
    },
  );

  // STATUS= is readable by every local user (systemctl status); the log is not.
  it("a handler's error that names credentials: masked in STATUS=, whole in the log", async () => {
    const message = 'cannot reach amqp://orders:hunter2@broker:5672/ with password=hunter2';
    app = await startApp({ ...systemd.env(), RELOAD_FAIL_MESSAGE: message });
    await systemd.waitFor('READY=1');
    const since = systemd.messages.length;
    app.child.kill('SIGHUP');
    const ready = await systemd.waitFor('READY=1', { since, timeoutMs: 3000 });
    expect(ready.assignments.STATUS).toBe(
      'Reload failed: CacheService.flush: cannot reach amqp://orders:***@broker:5672/ with password=***',
    );
    expect(systemd.messages.some((m) => m.raw.includes('hunter2'))).toBe(false);
    expect(app.stderr()).toContain(
      `reload failed, READY=1 sent all the same: CacheService.flush: ${message}`,
    );
  });

  // JSON.parse's SyntaxError quotes the file, newlines and all: the module's own status must
  // not set off the warning meant for an app's status with a newline in it.
  it("a handler's error over several lines: one line in STATUS=, and no warning of it", async () => {
    app = await startApp({ ...systemd.env(), RELOAD_FAIL_MESSAGE: 'bad config:\n  line 2\r\n' });
    await systemd.waitFor('READY=1');
    const since = systemd.messages.length;
    app.child.kill('SIGHUP');
    const ready = await systemd.waitFor('READY=1', { since, timeoutMs: 3000 });
    expect(ready.assignments.STATUS).toBe('Reload failed: CacheService.flush: bad config: line 2 ');
    expect(app.stderr()).toContain('reload failed, READY=1 sent all the same');
    expect(app.stderr()).not.toContain('control characters');
  });

  it("a failed reload's ERRNO is cleared by the next READY, which systemd would show until told", async () => {
    app = await startApp({ ...systemd.env(), RELOAD_FAIL: 'once' });
    await systemd.waitFor('READY=1');
    const reload = async (): Promise<Record<string, string>> => {
      const since = systemd.messages.length;
      app!.child.kill('SIGHUP');
      return (await systemd.waitFor('READY=1', { since, timeoutMs: 3000 })).assignments;
    };
    const failed = await reload();
    expect(failed.STATUS).toMatch(/^Reload failed: /);
    expect(failed.ERRNO).toBe('2');
    expect(await reload()).toEqual({ READY: '1', STATUS: 'Serving', ERRNO: '0' });
    // Once cleared, nothing more to clear.
    expect(await reload()).toEqual({ READY: '1', STATUS: 'Serving' });
  });

  // systemd shows a STATUS= until the next one: "Reloading" must not outlive the reload while
  // a failing check withholds the pings, nor hide why systemd is about to kill the service.
  it.each([
    ['succeeds', {}, /^Unhealthy, watchdog pings withheld: flag: /],
    [
      'fails',
      { RELOAD_FAIL: '1' },
      /^Reload failed: CacheService\.flush: .*; Unhealthy, watchdog pings withheld: flag: /,
    ],
  ])(
    'a reload that %s while a check fails ends with the verdict on show, and recovery restores the app status',
    async (_, env, status) => {
      app = await startApp({
        ...systemd.env(),
        ...env,
        HEALTH_TOGGLE: '1',
        WATCHDOG_USEC: '400000',
      });
      await expectReady(systemd, 'Serving');
      app.child.kill('SIGUSR2');
      const verdict = await systemd.waitFor(
        (record) => record.assignments.STATUS?.startsWith('Unhealthy') === true,
        { timeoutMs: 3000 },
      );
      const since = systemd.messages.length;
      app.child.kill('SIGHUP');
      expect((await systemd.waitFor('RELOADING=1', { since })).assignments.STATUS).toBe(
        'Reloading',
      );
      const ready = await systemd.waitFor('READY=1', { since, timeoutMs: 3000 });
      expect(ready.assignments.STATUS).toMatch(status);
      expect(ready.assignments.STATUS).toContain(verdict.assignments.STATUS);
      // Still unhealthy: no ping between the verdict and recovery.
      const recoveredSince = systemd.messages.length;
      app.child.kill('SIGUSR2');
      const recovered = await systemd.waitFor('WATCHDOG=1', {
        since: recoveredSince,
        timeoutMs: 3000,
      });
      expect(recovered.assignments.STATUS).toBe('Serving');
      const withheld = systemd.messages.slice(
        systemd.messages.indexOf(verdict) + 1,
        systemd.messages.indexOf(recovered),
      );
      expect(withheld.filter((record) => record.assignments.WATCHDOG !== undefined)).toEqual([]);
    },
  );

  it('without reload support, SIGHUP is left alone: Nest and Node decide', async () => {
    app = await startApp(systemd.env(), ['no-reload']);
    await systemd.waitFor('READY=1');
    app.child.kill('SIGHUP');
    const { signal } = await app.stop();
    // SIGHUP's default action ended the process before SIGTERM could; no reload happened.
    expect(signal).toBe('SIGHUP');
    expect(systemd.received('RELOADING=1')).toEqual([]);
    app = undefined;
  });

  it('not under systemd: no signal handler is installed', async () => {
    app = await startApp({});
    app.child.kill('SIGHUP');
    const { signal } = await app.stop();
    expect(signal).toBe('SIGHUP');
    app = undefined;
  });
});
