// `nestjs-systemd unit` as a user runs it: the bin file, compiled from lib/cli by the project's
// tsc as the build does, started as a child process (through its #! line) in a temporary app
// folder. Checks exit codes, what goes to stdout and stderr, and that a failed run writes
// nothing.
import { execFile, execFileSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { appFolder, BUILT_APP, removeAppFolder } from './app-folder.js';
import { value } from './unit-text.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const build = mkdtempSync(join(tmpdir(), 'nestjs-systemd-unit-generator-bin-'));
const BIN = join(build, 'cli', 'main.js');
let dir: string;

beforeAll(() => {
  execFileSync(
    process.execPath,
    [
      join(ROOT, 'node_modules/typescript/bin/tsc'),
      '--ignoreConfig',
      join(ROOT, 'lib/cli/main.ts'),
      '--outDir',
      build,
      '--rootDir',
      join(ROOT, 'lib'),
      '--module',
      'nodenext',
      '--moduleResolution',
      'nodenext',
      '--target',
      'es2022',
      '--lib',
      'es2024',
      '--types',
      'node',
      '--strict',
      '--skipLibCheck',
    ],
    { cwd: ROOT, stdio: 'pipe' },
  );
  // As npm does for a "bin" on install.
  chmodSync(BIN, 0o755);
  dir = appFolder(BUILT_APP);
}, 60_000);

afterAll(() => {
  rmSync(build, { recursive: true, force: true });
  if (dir !== undefined) removeAppFolder(dir);
});

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the bin file itself, as `npx nestjs-systemd` does, with node first on PATH. */
function nestjsSystemd(cwd: string, ...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    const nodeDir = join(process.execPath, '..');
    execFile(
      BIN,
      args,
      { cwd, env: { PATH: `${nodeDir}:/usr/bin:/bin` } },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

it('writes the service unit to stdout, with the node that runs it', async () => {
  const { code, stdout, stderr } = await nestjsSystemd(dir, 'unit', '--port', '4000');
  expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
  expect(value(stdout, 'Service', 'ExecStart')).toBe(`${process.execPath} ${dir}/dist/main.js`);
  expect(value(stdout, 'Service', 'Environment')).toBe(
    'NODE_ENV=production NO_COLOR=1 PORT=4000 HOST=127.0.0.1',
  );
  expect(value(stdout, 'Service', 'Type')).toBe('notify');
});

it('writes the template pair into --out', async () => {
  const { code, stdout, stderr } = await nestjsSystemd(
    dir,
    'unit',
    '--instances',
    '--credential',
    'db-password=/etc/my-app/db-password',
    '--out',
    'units',
  );
  expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
  const out = join(dir, 'units');
  expect(stdout).toBe(`wrote ${out}/my-app@.service and ${out}/my-app@.socket\n`);
  expect(readdirSync(out).toSorted()).toEqual(['my-app@.service', 'my-app@.socket']);
  const service = readFileSync(join(out, 'my-app@.service'), 'utf8');
  expect(value(service, 'Service', 'LoadCredential')).toBe('db-password:/etc/my-app/db-password');
});

it('warns about --reload where systemctl says this systemd is older than 253, and only there', async () => {
  let systemd: number | undefined;
  try {
    const text = execFileSync('systemctl', ['--version'], { encoding: 'utf8' });
    systemd = Number(/^systemd (\d+)/.exec(text)?.[1]);
  } catch {
    systemd = undefined;
  }
  const here = await nestjsSystemd(dir, 'unit', '--reload');
  expect(here.code).toBe(0);
  if (systemd !== undefined && systemd < 253) {
    expect(here.stderr).toBe(
      `nestjs-systemd: warning: this machine's systemd is ${systemd}, which does not know ` +
        'Type=notify-reload (253 and later do): it would run the service as Type=simple, so ' +
        'systemctl start would not wait for READY=1 and systemctl reload would be refused. For ' +
        'systemd before 253, write the unit with --reload-kill instead\n',
    );
  } else {
    expect(here.stderr).toBe('');
  }
  // Without systemctl on the PATH (a build host without systemd): nothing to say. The PATH holds
  // node alone, which may live beside systemctl in /usr/bin.
  const nodeOnly = mkdtempSync(join(tmpdir(), 'nestjs-systemd-node-only-'));
  symlinkSync(process.execPath, join(nodeOnly, 'node'));
  const bare = await new Promise<Run>((resolve) => {
    execFile(
      BIN,
      ['unit', '--reload'],
      { cwd: dir, env: { PATH: nodeOnly } },
      (error, stdout, stderr) => resolve({ code: error === null ? 0 : -1, stdout, stderr }),
    );
  }).finally(() => rmSync(nodeOnly, { recursive: true, force: true }));
  expect({ code: bare.code, stderr: bare.stderr }).toEqual({ code: 0, stderr: '' });
});

it.each([
  ['an unknown option', ['--bogus'], 2, 'unknown option --bogus'],
  ['a port out of range', ['--port', '0'], 2, '--port "0" must be a whole number from 1 to 65535'],
  ['a bad credential', ['--credential', 'db-password'], 2, '--credential "db-password" must be'],
  ['no built entry', ['--entry', 'dist/missing.js'], 1, '--entry'],
])('fails on %s with one message and writes nothing', async (_, args, exitCode, message) => {
  const out = join(dir, `failed-${exitCode}-${args[0]}`);
  const { code, stdout, stderr } = await nestjsSystemd(dir, 'unit', ...args, '--out', out);
  expect(code).toBe(exitCode);
  expect(stdout).toBe('');
  expect(stderr).toContain(`nestjs-systemd: ${message}`);
  expect(stderr.trimEnd().split('\n').length).toBeLessThanOrEqual(2);
  expect(existsSync(out)).toBe(false);
});

it('fails without a build, naming what it tried', async () => {
  const unbuilt = appFolder({ 'package.json': { name: 'unbuilt' } });
  try {
    const { code, stdout, stderr } = await nestjsSystemd(unbuilt, 'unit');
    expect({ code, stdout }).toEqual({ code: 1, stdout: '' });
    expect(stderr).toMatch(
      /^nestjs-systemd: no built entry found: tried dist\/src\/main.js, dist\/main.js/,
    );
  } finally {
    removeAppFolder(unbuilt);
  }
});

it('leaves an existing unit alone without --force', async () => {
  const out = join(dir, 'existing');
  expect((await nestjsSystemd(dir, 'unit', '--out', out)).code).toBe(0);
  writeFileSync(join(out, 'my-app.service'), 'edited by hand');
  const { code, stderr } = await nestjsSystemd(dir, 'unit', '--port', '5000', '--out', out);
  expect(code).toBe(1);
  expect(stderr).toContain('already exists: nothing written. Pass --force');
  expect(readFileSync(join(out, 'my-app.service'), 'utf8')).toBe('edited by hand');
  expect(readdirSync(out)).toEqual(['my-app.service']);
});

it('prints its usage with --help', async () => {
  const { code, stdout } = await nestjsSystemd(dir, '--help');
  expect(code).toBe(0);
  expect(stdout).toMatch(/^Usage: nestjs-systemd unit \[options\]/);
});
