// The notify socket drives unix-dgram's addon directly for the 2.0 releases (skipping the
// package's `bindings` lookup and node:dgram) and goes through the package's own front for any
// other. Both are checked in a child process that loads the built package from a folder of its
// own, with a copy of unix-dgram whose version the test sets: which files Node loaded tells the
// path taken, and the datagram's arrival that it works. Where it cannot be loaded (a worker
// thread, a bundle copied without node_modules), the error says what to do.
import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { NotifyListener } from '../../lib/testing/notify-listener.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const run = promisify(execFile);

const SCRIPT = [
  "import { createRequire } from 'node:module';",
  "const { SystemdNotifier } = await import('nestjs-systemd/protocol');",
  'const notifier = new SystemdNotifier();',
  "notifier.notify({ ready: true, status: 'sent' });",
  'await notifier.close();',
  'const loaded = Object.keys(createRequire(import.meta.url).cache);',
  // An app (or its tests) may load the package's front after the module loaded the addon: the
  // addon must then be found where require() keeps it, not loaded again (which would fail with
  // "Module did not self-register").
  "createRequire(import.meta.url)('unix-dgram').createSocket('unix_dgram').close();",
  'console.log(JSON.stringify({',
  "  front: loaded.some((file) => file.endsWith('/unix-dgram/lib/unix_dgram.js')),",
  "  addon: loaded.some((file) => file.endsWith('/unix_dgram.node')),",
  '}));',
].join('\n');

describe('the unix-dgram transport', () => {
  let dir: string;
  let systemd: NotifyListener;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'nestjs-systemd-addon-'));
    const modules = join(dir, 'node_modules');
    await mkdir(join(modules, 'nestjs-systemd'), { recursive: true });
    await cp(join(ROOT, 'dist'), join(modules, 'nestjs-systemd', 'dist'), { recursive: true });
    await cp(join(ROOT, 'package.json'), join(modules, 'nestjs-systemd', 'package.json'));
    // A copy, so that its version can be changed; its own dependencies as they are.
    await cp(join(ROOT, 'node_modules', 'unix-dgram'), join(modules, 'unix-dgram'), {
      recursive: true,
      dereference: true,
    });
    for (const name of ['bindings', 'file-uri-to-path']) {
      // oxlint-disable-next-line no-await-in-loop -- two links, made in order
      await symlink(join(ROOT, 'node_modules', name), join(modules, name));
    }
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));
  beforeEach(async () => {
    systemd = await NotifyListener.start();
  });
  afterEach(() => systemd.close());

  async function setVersion(version: string, modules = join(dir, 'node_modules')): Promise<void> {
    const manifest = join(modules, 'unix-dgram', 'package.json');
    const pkg = JSON.parse(await readFile(manifest, 'utf8')) as { version: string };
    await writeFile(manifest, JSON.stringify({ ...pkg, version }));
  }

  async function send(env: NodeJS.ProcessEnv = {}): Promise<{ front: boolean; addon: boolean }> {
    const { stdout, stderr } = await run(process.execPath, ['--input-type=module', '-e', SCRIPT], {
      cwd: dir,
      env: { ...process.env, ...systemd.env(), ...env },
    });
    expect(stderr).toBe('');
    await systemd.waitFor((record) => record.raw === 'READY=1\nSTATUS=sent');
    return JSON.parse(stdout) as { front: boolean; addon: boolean };
  }

  it("unix-dgram 2.0.x: the addon alone, without the package's front", async () => {
    await setVersion('2.0.7');
    await expect(send()).resolves.toEqual({ front: false, addon: true });
  });

  it("any other version: through the package's own front", async () => {
    await setVersion('2.1.0');
    await expect(send()).resolves.toEqual({ front: true, addon: true });
  });

  // The package is looked for in the node_modules folders above the library before Node's
  // resolver is asked; the one found must be the one the resolver would find.
  it('a copy inside the package wins over the hoisted one, as for require()', async () => {
    await setVersion('2.0.7');
    const nested = join(dir, 'node_modules', 'nestjs-systemd', 'node_modules');
    await mkdir(nested, { recursive: true });
    await cp(join(dir, 'node_modules', 'unix-dgram'), join(nested, 'unix-dgram'), {
      recursive: true,
    });
    try {
      await setVersion('2.1.0', nested);
      await expect(send()).resolves.toEqual({ front: true, addon: true });
    } finally {
      await rm(nested, { recursive: true, force: true });
    }
  });

  it('a package that no node_modules folder holds is still found where Node finds it', async () => {
    await setVersion('2.0.7');
    const elsewhere = join(dir, 'elsewhere');
    await mkdir(elsewhere, { recursive: true });
    await rename(join(dir, 'node_modules', 'unix-dgram'), join(elsewhere, 'unix-dgram'));
    try {
      await expect(send({ NODE_PATH: elsewhere })).resolves.toEqual({ front: false, addon: true });
    } finally {
      await rename(join(elsewhere, 'unix-dgram'), join(dir, 'node_modules', 'unix-dgram'));
    }
  });

  // Vitest's 'threads' pool runs each test file in a worker thread.
  it('NotifyListener in a worker thread: an error that names what to run the tests in', async () => {
    const worker = join(dir, 'listener-in-worker.mjs');
    await writeFile(
      worker,
      [
        "import { parentPort } from 'node:worker_threads';",
        "import { NotifyListener } from 'nestjs-systemd/testing';",
        'const outcome = await NotifyListener.start().then(',
        "  (listener) => listener.close().then(() => 'started'),",
        '  (error) => error.message,',
        ');',
        'parentPort.postMessage(outcome);',
      ].join('\n'),
    );
    const script = [
      "import { Worker } from 'node:worker_threads';",
      "import { once } from 'node:events';",
      // Without the parent's --input-type, which Node refuses for a file.
      `const thread = new Worker(${JSON.stringify(worker)}, { execArgv: [] });`,
      "const [outcome] = await once(thread, 'message');",
      'console.log(outcome);',
    ].join('\n');
    const { stdout, stderr } = await run(process.execPath, ['--input-type=module', '-e', script], {
      cwd: dir,
    });
    expect(stderr).toBe('');
    expect(stdout).toBe(
      'NotifyListener needs the main thread: unix-dgram, which binds its socket, is not ' +
        'context-aware and cannot be loaded in a worker thread. Run the tests in child ' +
        "processes instead (Jest does; Vitest with pool: 'forks', its default, not 'threads' " +
        "or 'vmThreads')\n",
    );
  });

  // A bundle (webpack, esbuild) holding the library, copied without node_modules: no install
  // script is to blame, and the error must not send the user to allow one.
  it('a package that no folder holds: one error that names the bundle, and no crash', async () => {
    const away = join(dir, 'away');
    await mkdir(away, { recursive: true });
    await rename(join(dir, 'node_modules', 'unix-dgram'), join(away, 'unix-dgram'));
    try {
      const script = [
        "const { SystemdNotifier } = await import('nestjs-systemd/protocol');",
        'const notifier = new SystemdNotifier();',
        "const sent = [notifier.notify({ ready: true }), notifier.notify({ status: 'x' })];",
        'await notifier.close();',
        'console.log(JSON.stringify({ enabled: notifier.enabled, sent }));',
      ].join('\n');
      const { stdout, stderr } = await run(
        process.execPath,
        ['--input-type=module', '-e', script],
        { cwd: dir, env: { ...process.env, ...systemd.env() } },
      );
      expect(JSON.parse(stdout)).toEqual({ enabled: false, sent: [false, false] });
      const lines = stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(
        /^\[nestjs-systemd\] systemd will not be notified: the unix-dgram package, which holds the native addon, is not installed where \S+\/node_modules\/nestjs-systemd\/dist\/protocol-layer\.js finds its dependencies\. A bundle/,
      );
      expect(lines[0]).not.toContain('allowScripts');
      expect(systemd.messages).toEqual([]);
    } finally {
      await rename(join(away, 'unix-dgram'), join(dir, 'node_modules', 'unix-dgram'));
    }
  });
});
