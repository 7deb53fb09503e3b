// READY and STOPPING for every shape of Nest app, each a real process (test/fixtures/app-shapes.ts)
// talking to a real notify socket, stopped with real signals. The tests run concurrently: most of
// their time is spent waiting for slow hooks and transports.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readdir, readFile, readlink } from 'node:fs/promises';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { createInterface } from 'node:readline';
import { NotifyListener, type NotifyRecord } from '../../lib/testing/notify-listener.js';
import {
  acceptsConnections,
  exitedAndRead,
  exitWithin,
  expectReady,
  fixturePath,
  sleep,
} from '../e2e/helpers.js';

interface OutputLine {
  readonly text: string;
  /** `performance.now()` of this process when the line arrived. */
  readonly at: number;
}

interface ShapeApp {
  readonly child: ChildProcess;
  readonly exit: Promise<[number | null, NodeJS.Signals | null]>;
  /** `performance.now()` when the process exited. */
  readonly exitedAt: Promise<number>;
  /** Everything the app wrote to stdout and stderr so far. */
  output(): string;
  /** The first line (stdout or stderr) matching `pattern`; rejects after `timeoutMs`. */
  line(pattern: RegExp, timeoutMs?: number): Promise<OutputLine>;
  /** The port the app printed once listening. */
  port(): Promise<number>;
}

/** Starts the fixture with `shape`, as systemd would start the service: `systemd`'s environment. */
function launch(
  shape: string,
  systemd: NotifyListener,
  env: Record<string, string> = {},
): ShapeApp {
  const child = spawn(process.execPath, [fixturePath('app-shapes'), shape], {
    // No colour codes in the log lines the tests read.
    env: { ...process.env, NO_COLOR: '1', ...systemd.env(), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exit = exitedAndRead(child);
  const exitedAt = once(child, 'exit').then(() => performance.now());
  const lines: OutputLine[] = [];
  const waiters = new Set<() => void>();
  for (const stream of [child.stdout!, child.stderr!]) {
    createInterface({ input: stream }).on('line', (text) => {
      lines.push({ text, at: performance.now() });
      for (const wake of waiters) wake();
    });
  }
  const line = (pattern: RegExp, timeoutMs = 10_000): Promise<OutputLine> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        const found = lines.find((candidate) => pattern.test(candidate.text));
        if (!found) return;
        done();
        resolve(found);
      };
      const timer = setTimeout(() => {
        done();
        reject(
          new Error(`no output line matching ${pattern} within ${timeoutMs} ms:\n${output()}`),
        );
      }, timeoutMs);
      const done = (): void => {
        clearTimeout(timer);
        waiters.delete(check);
      };
      waiters.add(check);
      check();
    });
  const output = (): string => lines.map((entry) => entry.text).join('\n');
  const port = async (): Promise<number> =>
    Number(/^port (\d+)$/.exec((await line(/^port \d+$/)).text)![1]);
  return { child, exit, exitedAt, output, line, port };
}

/**
 * Runs `body` against a fresh stand-in systemd (watchdog of 300 ms, so pings are frequent) and
 * the fixture with `shape`; kills the process and closes the socket whatever happens.
 */
async function withShape(
  shape: string,
  env: Record<string, string>,
  body: (systemd: NotifyListener, app: ShapeApp) => Promise<void>,
  { watchdogUsec = 300_000 }: { watchdogUsec?: number } = {},
): Promise<void> {
  const systemd = await NotifyListener.start(watchdogUsec > 0 ? { watchdogUsec } : {});
  const app = launch(shape, systemd, env);
  try {
    await body(systemd, app);
  } finally {
    if (app.child.exitCode === null && app.child.signalCode === null) {
      app.child.kill('SIGKILL');
      await app.exit;
    }
    await systemd.close();
  }
}

/**
 * The lines among `lines` that systemd received, in order of arrival: one assertion on it checks
 * order and count at once, and a failure shows what came when.
 */
const sequence = (systemd: NotifyListener, ...lines: string[]): string[] =>
  systemd.messages.flatMap((record) => record.lines.filter((line) => lines.includes(line)));

/** Resolves once `count` more pings than the `since` first datagrams hold have arrived. */
async function morePings(systemd: NotifyListener, since: number, count: number): Promise<void> {
  let from = since;
  for (let i = 0; i < count; i++) {
    // oxlint-disable-next-line no-await-in-loop -- one ping after another
    const ping = await systemd.waitFor('WATCHDOG=1', { since: from, timeoutMs: 2000 });
    from = systemd.messages.indexOf(ping) + 1;
  }
}

/** A port nothing listens on (free a moment ago). */
async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  server.close();
  await once(server, 'close');
  return port;
}

/** Resolves once `port` accepts connections; rejects after `timeoutMs`. */
async function acceptingWithin(port: number, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  // oxlint-disable-next-line no-await-in-loop -- polling
  while (!(await acceptsConnections(port))) {
    if (performance.now() > deadline)
      throw new Error(`port ${port} not accepting within ${timeoutMs} ms`);
    // oxlint-disable-next-line no-await-in-loop -- polling
    await sleep(20);
  }
}

const readies = (systemd: NotifyListener): NotifyRecord[] => systemd.received('READY=1');

const startFailure = (record: NotifyRecord): boolean =>
  record.assignments.STATUS?.startsWith('Failed to start') === true;

const crashed = (record: NotifyRecord): boolean =>
  record.assignments.STATUS?.startsWith('Exiting on an uncaught error: ') === true;

/** What `STATUS=` says a second after bootstrap while READY waits for the slow transport. */
const WAITING_TEXT = 'Waiting for SlowTransport to listen (app.listen() / startAllMicroservices())';
const WAITING_FOR_TRANSPORT = `STATUS=${WAITING_TEXT}`;

describe("an app's own signal listeners are the app's business", () => {
  it.concurrent.each([
    ['SIGHUP', 'SIGTERM,SIGINT'],
    ['SIGINT', 'SIGTERM'],
    ['SIGQUIT', 'SIGTERM,SIGINT'],
  ])(
    'own %s listener (shutdown hooks on %s): no STOPPING, pings go on, HTTP serves; SIGTERM then stops once',
    async (signal, hooks) => {
      await withShape('own-signal', { OWN_SIGNAL: signal, HOOKS: hooks }, async (systemd, app) => {
        const port = await app.port();
        await systemd.waitFor('WATCHDOG=1', { timeoutMs: 10_000 });
        app.child.kill(signal as NodeJS.Signals);
        await app.line(new RegExp(`^${signal} handled$`), 2000);
        // Pings sent after the app handled the signal: any STOPPING sent for it came before them.
        const pinged = await morePings(systemd, systemd.messages.length, 2).then(
          () => true,
          () => false,
        );
        expect(systemd.received('STOPPING=1')).toEqual([]);
        expect(pinged).toBe(true);
        const response = await fetch(`http://127.0.0.1:${port}/`);
        expect(await response.text()).toBe('pong');

        app.child.kill('SIGTERM');
        await systemd.waitFor('STOPPING=1', { timeoutMs: 1000 });
        // Nest re-raises SIGTERM once shut down: the own listener did not end the process.
        expect(await exitWithin(app.child, app.exit, 5000)).toEqual({
          code: null,
          signal: 'SIGTERM',
        });
        expect(systemd.received('STOPPING=1')).toHaveLength(1);
      });
    },
    20_000,
  );
});

describe('STOPPING=1 when Nest begins to shut down', () => {
  it.concurrent(
    'shutdown hooks enabled after an await: no warning; SIGTERM gives STOPPING before a slow root-module destroy',
    async () => {
      await withShape('late-hooks', {}, async (systemd, app) => {
        await app.line(/^hooks settled$/);
        await systemd.waitFor('READY=1', { timeoutMs: 10_000 });
        // The module looks for shutdown hooks 1 s after READY.
        await sleep(1300);
        expect(app.output()).not.toMatch(/without shutdown hooks/);

        app.child.kill('SIGTERM');
        await systemd.waitFor('STOPPING=1', { timeoutMs: 1000 });
        await systemd.waitFor('X_SLOW_DESTROY_DONE=1', { timeoutMs: 5000 });
        expect(await exitWithin(app.child, app.exit, 5000)).toEqual({
          code: null,
          signal: 'SIGTERM',
        });
        expect(sequence(systemd, 'READY=1', 'STOPPING=1', 'X_SLOW_DESTROY_DONE=1')).toEqual([
          'READY=1',
          'STOPPING=1',
          'X_SLOW_DESTROY_DONE=1',
        ]);
        expect(app.output()).not.toMatch(/without shutdown hooks/);
      });
    },
    20_000,
  );

  it.concurrent(
    'shutdown hooks never enabled: the warning the test above must not see does appear',
    async () => {
      await withShape('late-hooks', { HOOKS: 'none' }, async (systemd, app) => {
        const ready = await systemd.waitFor('READY=1', { timeoutMs: 10_000 });
        const warning = await app.line(/without shutdown hooks/, 5000);
        expect(warning.text).toMatch(/WARN.*\[SystemdModule\]/);
        expect(warning.at - ready.receivedAt).toBeGreaterThan(800);
      });
    },
    20_000,
  );

  it.concurrent(
    'SIGTERM during a slow onModuleInit: never READY, one STOPPING, before the slow destroy',
    async () => {
      await withShape('slow-init', {}, async (systemd, app) => {
        await app.line(/^initialising$/);
        app.child.kill('SIGTERM');
        // Nest holds the shutdown until the 1.5 s init is over.
        await systemd.waitFor('STOPPING=1', { timeoutMs: 4000 });
        await systemd.waitFor('X_SLOW_DESTROY_DONE=1', { timeoutMs: 5000 });
        expect(await exitWithin(app.child, app.exit, 5000)).toEqual({
          code: null,
          signal: 'SIGTERM',
        });
        expect(sequence(systemd, 'READY=1', 'STOPPING=1', 'X_SLOW_DESTROY_DONE=1')).toEqual([
          'STOPPING=1',
          'X_SLOW_DESTROY_DONE=1',
        ]);
        expect(systemd.received('READY')).toEqual([]);
        expect(systemd.received('WATCHDOG=1')).toEqual([]);
        // What a failed start leaves on show in systemctl status: what the app was waiting for.
        expect(systemd.received('STOPPING=1').map((record) => record.raw)).toEqual([
          'STOPPING=1\nSTATUS=Shutting down (not ready yet: Waiting for the database)',
        ]);
      });
    },
    20_000,
  );

  it.concurrent(
    'createApplicationContext + app.close(): STOPPING before the root module’s slow destroy; exits by itself',
    async () => {
      await withShape('context-close', {}, async (systemd, app) => {
        expect(await exitWithin(app.child, app.exit, 10_000)).toEqual({ code: 0, signal: null });
        await systemd.waitFor('X_SLOW_DESTROY_DONE=1');
        expect(sequence(systemd, 'READY=1', 'STOPPING=1', 'X_SLOW_DESTROY_DONE=1')).toEqual([
          'READY=1',
          'STOPPING=1',
          'X_SLOW_DESTROY_DONE=1',
        ]);
      });
    },
    20_000,
  );

  it.concurrent(
    'createMicroservice + app.close(): STOPPING before the transport closes and before the slow destroy',
    async () => {
      await withShape('microservice-close', {}, async (systemd, app) => {
        expect(await exitWithin(app.child, app.exit, 10_000)).toEqual({ code: 0, signal: null });
        await systemd.waitFor('X_SLOW_DESTROY_DONE=1');
        const order = [
          'X_TRANSPORT_LISTENING=1',
          'READY=1',
          'STOPPING=1',
          'X_TRANSPORT_CLOSED=1',
          'X_SLOW_DESTROY_DONE=1',
        ];
        expect(sequence(systemd, ...order)).toEqual(order);
        // Nest 11+ announces its transports: no Nest 10 warning (test/pack checks that one).
        expect(app.output()).not.toMatch(/does not announce microservice transports/);
      });
    },
    20_000,
  );
});

describe('two applications in one process', () => {
  it.concurrent('SIGTERM: one READY, one STOPPING, before either app begins to close', async () => {
    await withShape('two-apps', {}, async (systemd, app) => {
      await app.port();
      await app.line(/stands by: AppModule, another Nest application of this process/);
      await morePings(systemd, 0, 2);
      app.child.kill('SIGTERM');
      const [code, signal] = await app.exit;
      expect(signal ?? code).toBe('SIGTERM');
      await systemd.waitFor('X_SLOW_DESTROY_DONE=1');
      expect(sequence(systemd, 'READY=1', 'STOPPING=1', 'X_SLOW_DESTROY_DONE=1')).toEqual([
        'READY=1',
        'STOPPING=1',
        'X_SLOW_DESTROY_DONE=1',
      ]);
    });
  });

  it.concurrent(
    'the first closes while the second serves: handed over, no STOPPING until SIGTERM',
    async () => {
      await withShape('two-apps', { CLOSE_FIRST: '1' }, async (systemd, app) => {
        const port = await app.port();
        // The second takes over with READY and its status in one datagram (the first's READY
        // came alone).
        const takeOver = await systemd.waitFor(
          (record) => record.lines.includes('READY=1') && record.assignments.STATUS !== undefined,
          { timeoutMs: 5000 },
        );
        expect(takeOver.assignments.STATUS).toMatch(/^Listening on /);
        // The first app's slow onModuleDestroy (1.5 s) is over: it has closed (its own marker
        // goes unsent, as all it says once it has handed over), and the service runs on.
        await sleep(1800);
        expect(systemd.received('X_SLOW_DESTROY_DONE=1')).toEqual([]);
        const since = systemd.messages.length;
        await morePings(systemd, since, 2);
        expect(await acceptsConnections(port)).toBe(true);
        expect(systemd.received('STOPPING=1')).toEqual([]);

        app.child.kill('SIGTERM');
        await app.exit;
        await systemd.waitFor('STOPPING=1');
        expect(sequence(systemd, 'STOPPING=1')).toEqual(['STOPPING=1']);
      });
    },
  );
});

describe('READY=1 once every transport serves', () => {
  it.concurrent(
    'custom transport serving 1.5 s after listen(): READY from its callback, not before',
    async () => {
      await withShape('slow-transport', {}, async (systemd, app) => {
        await expectReady(systemd, 'SlowTransport listening', { timeoutMs: 10_000 });
        await app.line(/^listening$/);
        await morePings(systemd, systemd.messages.length, 2);
        // A second after bootstrap, systemctl status says what READY waits for.
        expect(
          sequence(systemd, WAITING_FOR_TRANSPORT, 'X_TRANSPORT_LISTENING=1', 'READY=1'),
        ).toEqual([WAITING_FOR_TRANSPORT, 'X_TRANSPORT_LISTENING=1', 'READY=1']);
      });
    },
    20_000,
  );

  it.concurrent(
    'SIGTERM while READY waits for a transport: STOPPING repeats what it waited for',
    async () => {
      const env = { TRANSPORT_DELAY_MS: '60000', HOOKS: '1' };
      await withShape('slow-transport', env, async (systemd, app) => {
        // A second after bootstrap, which this file's concurrent starts can delay by seconds.
        await systemd.waitFor(WAITING_FOR_TRANSPORT, { timeoutMs: 10_000 });
        app.child.kill('SIGTERM');
        const stopping = await systemd.waitFor('STOPPING=1', { timeoutMs: 4000 });
        expect(stopping.raw).toBe(
          `STOPPING=1\nSTATUS=Shutting down (not ready yet: ${WAITING_TEXT})`,
        );
        expect(await exitWithin(app.child, app.exit, 5000)).toEqual({
          code: null,
          signal: 'SIGTERM',
        });
        expect(readies(systemd)).toEqual([]);
      });
    },
    30_000,
  );

  it.concurrent(
    'custom transport whose listen() calls back with an error: no READY, STATUS says why, exit',
    async () => {
      await withShape('failing-transport', {}, async (systemd, app) => {
        const failure = await systemd.waitFor(startFailure, { timeoutMs: 10_000 });
        // The error has no errno: no ERRNO= line.
        expect(failure.raw).toBe('STATUS=Failed to start FailingTransport: broker unreachable');
        // Nest's listen() rejects with the transport's error, which nobody catches.
        expect(await exitWithin(app.child, app.exit, 5000)).toEqual({ code: 1, signal: null });
        expect(readies(systemd)).toEqual([]);
        expect(systemd.received(startFailure)).toHaveLength(1);
      });
    },
    20_000,
  );

  it.concurrent(
    'a transport error that wraps the socket error as its cause: ERRNO= from the cause',
    async () => {
      await withShape('failing-transport', { FAILURE_CAUSE: '1' }, async (systemd, app) => {
        const failure = await systemd.waitFor(startFailure, { timeoutMs: 10_000 });
        expect(failure.raw).toBe(
          'ERRNO=111\nSTATUS=Failed to start FailingTransport: broker unreachable',
        );
        expect(await exitWithin(app.child, app.exit, 5000)).toEqual({ code: 1, signal: null });
      });
    },
    20_000,
  );

  it.concurrent(
    'a start failure whose error names credentials: masked in STATUS=, whole in the log',
    async () => {
      const env = { FAILURE_MESSAGE: 'cannot reach amqp://orders:s3cret@broker:5672/' };
      await withShape('failing-transport', env, async (systemd, app) => {
        const failure = await systemd.waitFor(startFailure, { timeoutMs: 10_000 });
        expect(failure.raw).toBe(
          'STATUS=Failed to start FailingTransport: cannot reach amqp://orders:***@broker:5672/',
        );
        expect(await exitWithin(app.child, app.exit, 5000)).toEqual({ code: 1, signal: null });
        expect(app.output()).toContain('amqp://orders:s3cret@broker');
      });
    },
    20_000,
  );

  it.concurrent(
    "Nest's TCP transport: READY only once its port accepts connections",
    async () => {
      const port = await freePort();
      // A bootstrap hook of 1.8 s: listen() has been called, and waits for it, not for the app
      // (a "Waiting for ServerTCP to listen (app.listen() …)" status would mislead): the status
      // says what holds the start, as a stranger's worker waiting for Redis there wanted.
      await withShape('tcp', { PORT: String(port), BOOTSTRAP_MS: '1800' }, async (systemd) => {
        await systemd.waitFor('READY=1', { timeoutMs: 10_000 });
        expect(
          systemd.messages.flatMap((r) =>
            r.assignments.STATUS?.startsWith('Waiting') ? [r.raw] : [],
          ),
        ).toEqual(["STATUS=Waiting for the app's onApplicationBootstrap() hooks"]);
        expect(await acceptsConnections(port)).toBe(true);
        // Its address, as an HTTP server's is shown.
        await expectReady(systemd, `ServerTCP listening on 127.0.0.1:${port}`);
      });
    },
    20_000,
  );

  it.concurrent.each(['microservices-first', 'http-first'])(
    'hybrid app (%s): one READY, once the HTTP server and the slow transport both serve',
    async (order) => {
      const port = await freePort();
      const env = { ORDER: order, PORT: String(port), TRANSPORT_DELAY_MS: '2500' };
      await withShape('hybrid', env, async (systemd, app) => {
        if (order === 'http-first') {
          // HTTP serves 2.5 s before the transport does: READY must not come with it.
          await acceptingWithin(port, 10_000);
          expect(readies(systemd)).toEqual([]);
        }
        // Either way the start waits for the transport a while, bootstrap done (http-first) or
        // still ahead (microservices-first: listen() runs the bootstrap hooks after it).
        const waiting = await systemd.waitFor(
          (record) => record.assignments.STATUS?.startsWith('Waiting for SlowTransport') === true,
          { timeoutMs: 10_000 },
        );
        expect(waiting.raw).toBe(
          'STATUS=Waiting for SlowTransport to listen (app.listen() / startAllMicroservices())',
        );
        await systemd.waitFor('READY=1', { timeoutMs: 10_000 });
        expect(await acceptsConnections(port)).toBe(true);
        const { status } = await expectReady(systemd, /listening/i);
        expect(status.assignments.STATUS).toContain(`Listening on 127.0.0.1:${port}`);
        expect(status.assignments.STATUS).toContain('SlowTransport listening');
        await app.line(/^serving$/);
        await morePings(systemd, systemd.messages.length, 2);
        expect(sequence(systemd, 'X_TRANSPORT_LISTENING=1', 'READY=1')).toEqual([
          'X_TRANSPORT_LISTENING=1',
          'READY=1',
        ]);
      });
    },
    20_000,
  );
});

/**
 * How many AF_UNIX datagram sockets without a path of their own `pid` holds: a notify client's
 * (the kernel's socket table, matched with the process's descriptors).
 */
async function unnamedDatagramSockets(pid: number): Promise<number> {
  const unnamed = new Set<string>();
  for (const row of (await readFile('/proc/net/unix', 'utf8')).split('\n').slice(1)) {
    // Num RefCount Protocol Flags Type St Inode [Path]; type 0002 is SOCK_DGRAM.
    const [, , , , type, , inode, path] = row.trim().split(/\s+/);
    if (type === '0002' && inode !== undefined && path === undefined) unnamed.add(inode);
  }
  const targets = await Promise.all(
    (await readdir(`/proc/${pid}/fd`)).map((fd) =>
      readlink(`/proc/${pid}/fd/${fd}`).catch(() => ''),
    ),
  );
  return targets.filter((target) => unnamed.has(/^socket:\[(\d+)\]$/.exec(target)?.[1] ?? ''))
    .length;
}

describe('the notify socket while the HTTP server listens', () => {
  it.concurrent(
    'stays open past its 1 s idle close, and STOPPING=1 leaves on it at SIGTERM',
    async () => {
      await withShape(
        'serving',
        {},
        async (systemd, app) => {
          await systemd.waitFor('READY=1', { timeoutMs: 10_000 });
          await sleep(1300);
          expect(await unnamedDatagramSockets(app.child.pid!)).toBe(1);
          app.child.kill('SIGTERM');
          await systemd.waitFor('STOPPING=1', { timeoutMs: 1000 });
          expect(await exitWithin(app.child, app.exit, 5000)).toEqual({
            code: null,
            signal: 'SIGTERM',
          });
        },
        // No watchdog: its pings would keep any socket from idling.
        { watchdogUsec: 0 },
      );
    },
    20_000,
  );

  it.concurrent(
    'is let go when the app closes its server by hand: the process still exits by itself',
    async () => {
      await withShape(
        'serving',
        { SERVER_CLOSE_MS: '1300' },
        async (systemd, app) => {
          await systemd.waitFor('READY=1', { timeoutMs: 10_000 });
          await app.line(/^server closed$/);
          // The socket closes 1 s after its last message; nothing else holds the process.
          expect(await exitWithin(app.child, app.exit, 3000)).toEqual({ code: 0, signal: null });
          expect(systemd.received('STOPPING=1')).toEqual([]);
        },
        // No watchdog: its interval would keep the process alive.
        { watchdogUsec: 0 },
      );
    },
    20_000,
  );
});

describe('an app that does not serve', () => {
  it.concurrent(
    "app.init() without listen(): no READY, and after 10 s a warning naming readyOn: 'manual'",
    async () => {
      await withShape('init-only', {}, async (systemd, app) => {
        const initialised = await app.line(/^initialised$/);
        const warning = await app.line(/readyOn: 'manual'/, 13_000);
        expect(warning.text).toMatch(
          /WARN.*\[SystemdModule\] READY=1 not sent 10 s after bootstrap/,
        );
        expect(warning.at - initialised.at).toBeGreaterThan(9000);
        expect(warning.at - initialised.at).toBeLessThan(11_500);
        expect(readies(systemd)).toEqual([]);
        expect(systemd.received('WATCHDOG=1')).toEqual([]);
      });
    },
    30_000,
  );

  it.concurrent.each(['unhandled', 'handled'])(
    'port in use (listen() rejection %s): STATUS and ERRNO=98, no READY, the process exits at once',
    async (failure) => {
      const blocker: Server = createServer().listen(0, '127.0.0.1');
      await once(blocker, 'listening');
      const { port } = blocker.address() as AddressInfo;
      try {
        await withShape(
          'port-taken',
          { PORT: String(port), FAILURE: failure },
          async (systemd, app) => {
            const failed = await systemd.waitFor(startFailure, { timeoutMs: 10_000 });
            // Two assignments and nothing else (their order means nothing to systemd).
            expect(failed.lines).toHaveLength(2);
            expect(failed.assignments.STATUS).toMatch(
              /^Failed to start the HTTP server: .*EADDRINUSE/,
            );
            expect(failed.assignments.ERRNO).toBe('98');
            const logged = await app.line(/failed to start/);
            expect(logged.text).toMatch(/EADDRINUSE.*\): READY=1 withheld, systemd told why$/);
            const { code, signal } = await exitWithin(app.child, app.exit, 5000);
            expect({ code, signal }).toEqual({ code: 1, signal: null });
            // Nothing of the module's (socket, timer) holds the process once start-up failed.
            expect((await app.exitedAt) - failed.receivedAt).toBeLessThan(500);
            expect(readies(systemd)).toEqual([]);
            expect(systemd.received(startFailure)).toHaveLength(1);
          },
        );
      } finally {
        blocker.close();
      }
    },
    20_000,
  );
});

describe('an error nothing catches', () => {
  it.concurrent(
    "a server of the app's own on a port in use (a gateway's): STATUS and ERRNO say why it dies",
    async () => {
      const blocker = createServer().listen(0, '127.0.0.1');
      await once(blocker, 'listening');
      const { port } = blocker.address() as AddressInfo;
      try {
        await withShape('crash', { CRASH: 'port', PORT: String(port) }, async (systemd, app) => {
          const crash = await systemd.waitFor(crashed, { timeoutMs: 10_000 });
          expect(crash.assignments.STATUS).toBe(
            `Exiting on an uncaught error: listen EADDRINUSE: address already in use 127.0.0.1:${port}`,
          );
          expect(crash.assignments.ERRNO).toBe('98');
          // Node's own ending is unchanged: its report, and exit code 1.
          expect(await exitWithin(app.child, app.exit, 5000)).toEqual({ code: 1, signal: null });
          expect(app.output()).toMatch(/Error: listen EADDRINUSE/);
          expect(systemd.received(crashed)).toHaveLength(1);
        });
      } finally {
        blocker.close();
      }
    },
    20_000,
  );

  it.concurrent(
    'an error thrown from a timer while serving: the last STATUS says why, credentials masked',
    async () => {
      await withShape('crash', { CRASH: 'serving' }, async (systemd, app) => {
        await systemd.waitFor('READY=1', { timeoutMs: 10_000 });
        const crash = await systemd.waitFor(crashed, { timeoutMs: 5000 });
        expect(crash.raw).toBe(
          'STATUS=Exiting on an uncaught error: cache refresh failed, token=***',
        );
        expect(await exitWithin(app.child, app.exit, 5000)).toEqual({ code: 1, signal: null });
        expect(app.output()).toContain('token=s3cret');
        expect(systemd.messages.at(-1)).toBe(crash);
      });
    },
    20_000,
  );

  it.concurrent(
    "the app's own 'uncaughtException' listener keeps it alive: nothing said of the error",
    async () => {
      await withShape('crash', { CRASH: 'handled' }, async (systemd, app) => {
        await systemd.waitFor('READY=1', { timeoutMs: 10_000 });
        await app.line(/^uncaught handled$/, 5000);
        // A ping after it: the app lives, and is still supervised.
        const after = systemd.messages.length;
        await systemd.waitFor('WATCHDOG=1', { since: after, timeoutMs: 2000 });
        app.child.kill('SIGTERM');
        await systemd.waitFor('STOPPING=1', { timeoutMs: 4000 });
        expect(await exitWithin(app.child, app.exit, 5000)).toEqual({
          code: null,
          signal: 'SIGTERM',
        });
        expect(systemd.received(crashed)).toEqual([]);
      });
    },
    20_000,
  );
});
