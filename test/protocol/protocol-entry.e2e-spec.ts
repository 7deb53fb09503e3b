// `nestjs-systemd/protocol` is for scripts, workers and other frameworks: it must load without
// Nest. The built package is copied where no @nestjs package can be resolved (a symlink would
// resolve from this repository's node_modules), and the entry point imported and used there.
import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const ROOT = new URL('../..', import.meta.url).pathname;
const run = promisify(execFile);

describe('nestjs-systemd/protocol', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'nestjs-systemd-protocol-'));
    const pkg = join(dir, 'node_modules', 'nestjs-systemd');
    await mkdir(pkg, { recursive: true });
    await cp(join(ROOT, 'dist'), join(pkg, 'dist'), { recursive: true });
    await cp(join(ROOT, 'package.json'), join(pkg, 'package.json'));
    // The transport is the protocol layer's one dependency.
    await symlink(
      join(ROOT, 'node_modules', 'unix-dgram'),
      join(dir, 'node_modules', 'unix-dgram'),
    );
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('loads and works where Nest cannot be resolved; the main entry point does not', async () => {
    const script = [
      "const { SystemdNotifier, planWatchdog } = await import('nestjs-systemd/protocol');",
      'const notifier = new SystemdNotifier({ env: {} });',
      'const plan = planWatchdog({ timeoutUsec: 1000000n, intervalMs: undefined, checkTimeoutMs: undefined, hasChecks: false });',
      'console.log(JSON.stringify({ enabled: notifier.enabled, period: plan.periodMs }));',
      "try { await import('nestjs-systemd'); console.log('main loaded'); } catch (error) { console.log(error.code); }",
    ].join('\n');
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], {
      cwd: dir,
    });
    expect(stdout.trim().split('\n')).toEqual([
      JSON.stringify({ enabled: false, period: 500 }),
      // The proof that this folder cannot reach Nest: the full entry point fails to load here.
      'ERR_MODULE_NOT_FOUND',
    ]);
  });
});
