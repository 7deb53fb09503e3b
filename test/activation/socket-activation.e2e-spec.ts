// Socket activation with real sockets and real processes: the test binds a listening TCP
// socket and passes it as descriptor 3, with LISTEN_PID set by a shell that then execs node,
// exactly as systemd passes sockets to a service.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type Server } from 'node:net';
import { createInterface } from 'node:readline';
import { NotifyListener } from '../../lib/testing/notify-listener.js';
import { acceptsConnections, exitedAndRead, exitWithin, expectReady } from '../e2e/helpers.js';
import { fixture } from '../notify/helpers.js';

interface Report {
  readonly activated: boolean;
  readonly fd?: number;
  readonly name?: string;
  readonly port: number;
  readonly leftBehind: string[];
}

/** A socket bound and listening, as a `.socket` unit's `ListenStream=` leaves it. */
async function boundSocket(): Promise<{ server: Server; fd: number; port: number }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  // Node has no public API for a server's descriptor.
  // oxlint-disable-next-line no-underscore-dangle
  const fd = (server as unknown as { _handle: { fd: number } })._handle.fd;
  return { server, fd, port: (server.address() as { port: number }).port };
}

async function startApp(
  adapter: 'express' | 'fastify',
  env: Record<string, string>,
  passFd?: number,
): Promise<{ report: Report; stop: () => Promise<unknown> }> {
  const child = spawn(
    '/bin/sh',
    ['-c', 'LISTEN_PID=$$ exec "$0" "$@"', process.execPath, fixture('activated-app'), adapter],
    {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'inherit', ...(passFd === undefined ? [] : [passFd])],
    },
  );
  const exit = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  const [line] = (await once(createInterface({ input: child.stdout! }), 'line')) as [string];
  return {
    report: JSON.parse(line) as Report,
    stop: () => {
      child.kill('SIGTERM');
      return exitWithin(child, exit, 10_000);
    },
  };
}

describe.each(['express', 'fastify'] as const)('socket activation, %s', (adapter) => {
  let systemd: NotifyListener;

  beforeEach(async () => {
    systemd = await NotifyListener.start();
  });
  afterEach(async () => {
    await systemd.close();
  });

  it('serves the passed socket; READY names its address once it serves', async () => {
    const { server, fd, port } = await boundSocket();
    const app = await startApp(
      adapter,
      { ...systemd.env(), LISTEN_FDS: '1', LISTEN_FDNAMES: 'http' },
      fd,
    );
    // The app has its own copy; ours must not take connections any more.
    server.close();
    try {
      expect(app.report).toEqual({ activated: true, fd: 3, name: 'http', port, leftBehind: [] });
      await expectReady(systemd, `Listening on 127.0.0.1:${port}`);
      const response = await fetch(`http://127.0.0.1:${port}/`);
      expect(await response.text()).toMatch(/^served by \d+$/);
    } finally {
      await app.stop();
    }
    expect(await acceptsConnections(port)).toBe(false);
  });

  it('not activated: listens on the fallback', async () => {
    const app = await startApp(adapter, systemd.env());
    try {
      expect(app.report).toMatchObject({ activated: false, leftBehind: [] });
      await systemd.waitFor('READY=1');
      expect(await acceptsConnections(app.report.port)).toBe(true);
    } finally {
      await app.stop();
    }
  });
});

describe('socket activation gone wrong', () => {
  it('sockets passed to a shell that did not exec node: not taken, as by libsystemd, but said, and the fallback serves', async () => {
    const { server, fd } = await boundSocket();
    const systemd = await NotifyListener.start();
    // The command after node keeps the shell from exec'ing it: node is the shell's child.
    const child = spawn(
      '/bin/sh',
      [
        '-c',
        'LISTEN_PID=$$ "$0" "$@"; exit $?',
        process.execPath,
        fixture('activated-app'),
        'express',
      ],
      {
        env: { ...process.env, ...systemd.env(), LISTEN_FDS: '1', LISTEN_FDNAMES: 'http' },
        stdio: ['ignore', 'pipe', 'inherit', fd],
        detached: true,
      },
    );
    server.close();
    // Nest's logger writes warnings to stdout, before the fixture's report.
    const lines: string[] = [];
    try {
      for await (const line of createInterface({ input: child.stdout! })) {
        lines.push(line);
        if (line.startsWith('{')) break;
      }
      const report = JSON.parse(lines.at(-1)!) as Report;
      expect(report).toMatchObject({ activated: false });
      await systemd.waitFor('READY=1');
      expect(await acceptsConnections(report.port)).toBe(true);
      const warning = lines.find((line) => line.includes('LISTEN_FDS is set for pid'));
      expect(warning).toContain(
        `LISTEN_FDS is set for pid ${child.pid}, not for this process (pid `,
      );
      expect(warning).toContain(
        "under NotifyAccess=main systemd ignores this process's READY and pings too. Start node directly in ExecStart=, or have the shell exec it; listening on the fallback port instead",
      );
    } finally {
      process.kill(-child.pid!, 'SIGKILL');
      await systemd.close();
    }
  });

  it('fails bootstrap with a message naming the variable, rather than serving nothing', async () => {
    const { server, fd } = await boundSocket();
    const child = spawn(
      '/bin/sh',
      ['-c', 'LISTEN_PID=$$ exec "$0" "$@"', process.execPath, fixture('activated-app'), 'express'],
      {
        env: { ...process.env, LISTEN_FDS: '1', LISTEN_FDNAMES: 'http:admin' },
        stdio: ['ignore', 'pipe', 'pipe', fd],
      },
    );
    server.close();
    let stderr = '';
    child.stderr!.on('data', (chunk) => (stderr += chunk));
    const [code] = await exitedAndRead(child);
    expect(code).not.toBe(0);
    expect(stderr).toMatch(
      /LISTEN_FDNAMES="http:admin" names 2 socket\(s\) but LISTEN_FDS=1 \(EINVAL\)/,
    );
  });
});
