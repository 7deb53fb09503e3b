// `nestjs-systemd unit` in this process (runCli with captured output), on real app folders:
// how it finds the app's name and built entry, its errors, and writing with --out. The same
// command as a child process: unit-command.e2e-spec.ts.
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { parseJsonc } from '../../lib/cli/app-project.js';
import { runCli, USAGE } from '../../lib/cli/cli.js';
import {
  appFolder,
  BUILT_APP,
  NEST_TSCONFIG,
  removeAppFolder,
  type AppFiles,
} from './app-folder.js';
import { value, values } from './unit-text.js';

const NODE = '/usr/local/bin/node-for-tests';

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function run(cwd: string, ...argv: string[]): Run {
  return runWith({}, cwd, ...argv);
}

/** As `run`, on a machine whose `systemctl --version` says `systemd` (undefined: none). */
function runOn(systemd: number | undefined, cwd: string, ...argv: string[]): Run {
  return runWith({ systemd }, cwd, ...argv);
}

/** As `run`, with that systemd, run by the package manager `userAgent` names. */
function runWith(
  { systemd, userAgent }: { systemd?: number; userAgent?: string },
  cwd: string,
  ...argv: string[]
): Run {
  let stdout = '';
  let stderr = '';
  const code = runCli(argv, {
    cwd,
    execPath: NODE,
    stdout: (text) => void (stdout += text),
    stderr: (text) => void (stderr += text),
    systemdVersion: () => systemd,
    ...(userAgent === undefined ? {} : { userAgent }),
  });
  return { code, stdout, stderr };
}

const folders: string[] = [];
afterAll(() => folders.forEach(removeAppFolder));

function app(files: AppFiles = BUILT_APP): string {
  const dir = appFolder(files);
  folders.push(dir);
  return dir;
}

describe('the app folder', () => {
  it("gives the name, the description, and dist/main.js run by this command's node", () => {
    const dir = app();
    const { code, stdout, stderr } = run(dir, 'unit');
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(stdout).toMatch(/^# my-app\.service, written by `nestjs-systemd unit`/);
    expect(value(stdout, 'Unit', 'Description')).toBe('My Nest app');
    expect(value(stdout, 'Service', 'ExecStart')).toBe(`${NODE} ${dir}/dist/main.js`);
    expect(value(stdout, 'Service', 'WorkingDirectory')).toBe(dir);
  });

  it('prefers <outDir>/<sourceRoot>/<entryFile>.js, as nest start does', () => {
    const dir = app({ ...BUILT_APP, 'dist/src/main.js': '' });
    expect(value(run(dir, 'unit').stdout, 'Service', 'ExecStart')).toBe(
      `${NODE} ${dir}/dist/src/main.js`,
    );
  });

  it("follows nest-cli.json's entryFile and tsConfigPath, and outDir through extends", () => {
    const dir = app({
      'package.json': { name: 'api' },
      'nest-cli.json': {
        sourceRoot: 'apps/api/src',
        entryFile: 'server',
        compilerOptions: { tsConfigPath: 'apps/api/tsconfig.app.json' },
      },
      'tsconfig.json': { compilerOptions: { outDir: './build' } },
      'apps/api/tsconfig.app.json': '{ "extends": "../../tsconfig", // no .json\n }',
      'build/server.js': '',
    });
    expect(value(run(dir, 'unit').stdout, 'Service', 'ExecStart')).toBe(
      `${NODE} ${dir}/build/server.js`,
    );
  });

  it("uses Nest's defaults without nest-cli.json and tsconfig", () => {
    const dir = app({ 'package.json': { name: 'bare' }, 'dist/main.js': '' });
    const { stdout } = run(dir, 'unit');
    expect(value(stdout, 'Service', 'ExecStart')).toBe(`${NODE} ${dir}/dist/main.js`);
    expect(value(stdout, 'Unit', 'Description')).toBe('bare');
  });

  it('names the unit after a scoped package without its @', () => {
    const dir = app({ ...BUILT_APP, 'package.json': { name: '@acme/billing' } });
    expect(run(dir, 'unit').stdout).toMatch(/^# acme-billing\.service/);
  });

  it('takes --entry, --name, --description, --node and --working-directory', () => {
    const dir = app({ ...BUILT_APP, 'out/server.mjs': '' });
    const { stdout, code } = run(
      dir,
      'unit',
      '--entry',
      'out/server.mjs',
      '--name',
      'api',
      '--description',
      'The API',
      '--node',
      '/usr/bin/node',
      '--working-directory',
      '/opt/api',
    );
    expect(code).toBe(0);
    expect(stdout).toMatch(/^# api\.service/);
    expect(value(stdout, 'Unit', 'Description')).toBe('The API');
    expect(value(stdout, 'Service', 'ExecStart')).toBe('/usr/bin/node /opt/api/out/server.mjs');
    expect(value(stdout, 'Service', 'WorkingDirectory')).toBe('/opt/api');
  });

  it('reads the app from --app DIR, relative to the current folder', () => {
    const dir = app();
    const { stdout } = run(join(dir, '..'), 'unit', '--app', 'app');
    expect(value(stdout, 'Service', 'WorkingDirectory')).toBe(dir);
  });

  it('passes every option through, as the usage names them', () => {
    const dir = app();
    const { code, stdout } = run(
      dir,
      'unit',
      '--port=8080',
      '--host',
      '::1',
      '--watchdog-sec',
      '4',
      '--timeout-stop-sec',
      '30',
      '--user',
      'my-app',
      '--state-directory',
      'my-app',
      '--cache-directory',
      'my-app',
      '--environment-file',
      '/etc/my-app/env',
      '--env',
      'LOG_LEVEL=debug',
      '--credential',
      'db-password=/etc/my-app/db=password',
      '--ip-allow',
      '10.0.0.5',
      '--socket',
    );
    expect(code).toBe(0);
    expect(value(stdout, 'Service', 'WatchdogSec')).toBe('4');
    expect(value(stdout, 'Service', 'TimeoutStopSec')).toBe('30');
    expect(value(stdout, 'Service', 'User')).toBe('my-app');
    expect(value(stdout, 'Service', 'StateDirectory')).toBe('my-app');
    expect(value(stdout, 'Service', 'CacheDirectory')).toBe('my-app');
    expect(value(stdout, 'Service', 'EnvironmentFile')).toBe('/etc/my-app/env');
    expect(values(stdout, 'Service', 'Environment')).toEqual([
      'NODE_ENV=production NO_COLOR=1 PORT=8080 HOST=::1',
      '"LOG_LEVEL=debug"',
    ]);
    // Split at the first "=": the path may hold one.
    expect(value(stdout, 'Service', 'LoadCredential')).toBe('db-password:/etc/my-app/db=password');
    expect(value(stdout, 'Service', 'IPAddressAllow')).toBe('localhost 10.0.0.5');
    expect(value(stdout, 'Socket', 'ListenStream')).toBe('[::1]:8080');
    expect(stdout).toContain('--port 8080 --host ::1 --watchdog-sec 4');
  });

  it('writes the template pair with --instances', () => {
    const { stdout } = run(app(), 'unit', '--instances');
    expect(stdout).toMatch(/^# my-app@\.service/);
    expect(stdout).toContain('\n# my-app@.socket, written by');
    expect(value(stdout, 'Socket', 'ReusePort')).toBe('yes');
  });

  it("writes a job's oneshot unit with --oneshot, and repeats it in the header", () => {
    const dir = app({ ...BUILT_APP, 'dist/job.js': '' });
    const job = run(dir, 'unit', '--oneshot', '--entry', 'dist/job.js', '--watchdog-sec', '2');
    expect(job.code).toBe(0);
    expect(job.stderr).toBe('');
    expect(value(job.stdout, 'Service', 'Type')).toBe('oneshot');
    expect(value(job.stdout, 'Service', 'Environment')).toBe('NODE_ENV=production NO_COLOR=1');
    expect(value(job.stdout, 'Service', 'ExecStart')).toBe(`${NODE} ${join(dir, 'dist/job.js')}`);
    expect(job.stdout).toContain('npx nestjs-systemd unit --oneshot --entry dist/job.js');
  });

  it('writes the unit of an app without a port with --no-port, and repeats it in the header', () => {
    const { code, stdout, stderr } = run(app(), 'unit', '--no-port', '--ip-allow', '10.0.0.7');
    expect(code).toBe(0);
    expect(stderr).toBe('');
    expect(value(stdout, 'Service', 'Type')).toBe('notify');
    expect(value(stdout, 'Service', 'Environment')).toBe('NODE_ENV=production NO_COLOR=1');
    expect(value(stdout, 'Service', 'IPAddressAllow')).toBe('localhost 10.0.0.7');
    expect(stdout).toContain('npx nestjs-systemd unit --no-port --ip-allow 10.0.0.7');
  });

  it('orders the unit after local services with --after, and repeats it in the header', () => {
    const argv = ['--after', 'redis-server.service', '--after', 'postgresql.service'];
    const { code, stdout, stderr } = run(app(), 'unit', ...argv);
    expect(code).toBe(0);
    expect(stderr).toBe('');
    expect(values(stdout, 'Unit', 'Wants')).toEqual(['redis-server.service postgresql.service']);
    expect(stdout).toContain(`npx nestjs-systemd unit ${argv.join(' ')}`);
  });

  it('warns, and still writes, when --oneshot runs the default entry (the server)', () => {
    const { code, stdout, stderr } = run(app(), 'unit', '--oneshot');
    expect(code).toBe(0);
    expect(value(stdout, 'Service', 'Type')).toBe('oneshot');
    expect(stderr).toMatch(
      /^nestjs-systemd: warning: --oneshot without --entry runs dist\/main\.js.*--entry/,
    );
  });

  it('warns, and still writes, when an --env holds a secret; names the credential to use', () => {
    const { code, stdout, stderr } = run(
      app(),
      'unit',
      '--env',
      'DATABASE_URL=postgres://orders:s3cret@127.0.0.1/orders',
      '--env',
      'LOG_LEVEL=debug',
      '--env',
      'SMTP_PASSWORD=hunter2',
    );
    expect(code).toBe(0);
    expect(stdout).toContain('DATABASE_URL=postgres://orders:s3cret@127.0.0.1/orders');
    const warnings = stderr.split('\n').filter((line) => line.includes('warning: --env'));
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toContain(
      "--env DATABASE_URL looks like it holds a secret (a password or a token): Environment= is readable by every local user (systemctl show). Pass it as a credential instead: --credential database-url=/etc/<app>/database-url, read with readSystemdCredential('database-url')",
    );
    expect(warnings[1]).toContain('--env SMTP_PASSWORD looks like it holds a secret');
  });

  it("does not warn of a secret's settings (a lifetime, a file's path), unless a value holds one", () => {
    const { code, stderr } = run(
      app(),
      'unit',
      '--env',
      'TOKEN_TTL=3600',
      '--env',
      'JWT_SECRET_FILE=/run/credentials/orders.service/jwt',
      '--env',
      'PASSWORD_MIN_LENGTH=12',
      '--env',
      'JWT_EXPIRES_IN=1h',
      '--env',
      'SECRET_STORE_PATH=https://orders:s3cret@vault.internal/v1/kv',
    );
    expect(code).toBe(0);
    const warnings = stderr.split('\n').filter((line) => line.includes('warning: --env'));
    expect(warnings).toEqual([
      expect.stringContaining('--env SECRET_STORE_PATH looks like it holds a secret'),
    ]);
  });

  it('warns, and still writes, when node or the app is under a home directory', () => {
    const dir = app();
    const { code, stdout, stderr } = run(dir, 'unit', '--node', '/root/.nvm/bin/node');
    expect(code).toBe(0);
    expect(stdout).toContain('ExecStart=/root/.nvm/bin/node');
    expect(stderr).toMatch(
      /^nestjs-systemd: warning: --node \/root\/.nvm\/bin\/node does not exist/,
    );
    expect(stderr).toContain('warning: node /root/.nvm/bin/node is under a home directory');
    expect(stderr).toContain('ProtectHome=yes');
  });

  // systemd 252 (Debian 12) logs "Failed to parse service type, ignoring" and runs the unit as
  // Type=simple: start no longer waits for READY=1, and reload is refused.
  it.each<[string, number | undefined, string[], boolean]>([
    ['--reload on systemd 252', 252, ['--reload'], true],
    ['--reload on systemd 253', 253, ['--reload'], false],
    ['--reload without systemd here', undefined, ['--reload'], false],
    ['--reload-kill on systemd 252', 252, ['--reload-kill'], false],
  ])('%s: a warning only where Type=notify-reload is unknown', (_, systemd, args, warns) => {
    const { code, stdout, stderr } = runOn(systemd, app(), 'unit', ...args);
    expect(code).toBe(0);
    expect(value(stdout, 'Service', 'Type')).toBe(
      args[0] === '--reload' ? 'notify-reload' : 'notify',
    );
    if (warns) {
      expect(stderr).toMatch(
        /^nestjs-systemd: warning: this machine's systemd is 252, which does not know Type=notify-reload/,
      );
      expect(stderr).toContain('--reload-kill');
    } else {
      expect(stderr).toBe('');
    }
  });

  it('warns, and still writes, when the app is under /tmp (PrivateTmp=yes hides it)', () => {
    const dir = app();
    const { code, stdout, stderr } = run(dir, 'unit', '--working-directory', '/tmp/my-app');
    expect(code).toBe(0);
    expect(stdout).toContain('WorkingDirectory=/tmp/my-app');
    expect(stderr).toContain(
      'warning: the working directory /tmp/my-app is under /tmp or /var/tmp',
    );
    expect(stderr).toContain('PrivateTmp=yes');
  });
});

describe('errors: one message, a non-zero exit, nothing written', () => {
  it.each<[string, string[], number, RegExp]>([
    ['an unknown option', ['unit', '--prot', '3000'], 2, /^unknown option --prot\n/],
    ['a missing value', ['unit', '--port'], 2, /^option --port needs a value/],
    ['a value for a flag', ['unit', '--socket=yes'], 2, /^option --socket takes no value/],
    ['a negative number', ['unit', '--port', '-1'], 2, /^option --port is followed by .*"-"/],
    ['a negative number, =', ['unit', '--port=-1'], 2, /^--port "-1" is not a whole number/],
    ['a port out of range', ['unit', '--port', '70000'], 2, /from 1 to 65535/],
    ['a port that is not a number', ['unit', '--port', '3e3'], 2, /"3e3" is not a whole number/],
    ['a privileged port', ['unit', '--port', '443'], 2, /below 1024/],
    ['a credential without a path', ['unit', '--credential', 'db-password'], 2, /name=\/absolute/],
    ['a relative credential path', ['unit', '--credential', 'db=secret'], 2, /name=\/absolute/],
    ['a credential with a slash', ['unit', '--credential', 'a/b=/x'], 2, /contains a slash/],
    ['an --env without =', ['unit', '--env', 'DEBUG'], 2, /--env "DEBUG" must be NAME=value/],
    ['a bad --ip-allow', ['unit', '--ip-allow', 'db.internal'], 2, /--ip-allow "db.internal"/],
    ['an --after without a type', ['unit', '--after', 'redis'], 2, /--after redis\.service/],
    ['both reload flags', ['unit', '--reload', '--reload-kill'], 2, /^--reload and --reload-kill/],
    ['a oneshot with a port', ['unit', '--oneshot', '--port', '80'], 2, /^--oneshot and --port/],
    ['a oneshot with a host', ['unit', '--oneshot', '--host', '::'], 2, /^--oneshot and --host/],
    ['a oneshot with a socket', ['unit', '--oneshot', '--socket'], 2, /^--oneshot and --socket/],
    ['no port with a port', ['unit', '--no-port', '--port', '3000'], 2, /^--no-port and --port/],
    ['no port with a host', ['unit', '--no-port', '--host', '::'], 2, /^--no-port and --host/],
    ['no port with a socket', ['unit', '--no-port', '--socket'], 2, /^--no-port and --socket/],
    ['no command', [], 2, /^no command given/],
    ['another command', ['service'], 2, /^unknown command "service"/],
    ['an extra argument', ['unit', 'extra'], 2, /^unexpected argument "extra"/],
    [
      'a missing --entry',
      ['unit', '--entry', 'dist/nope.js'],
      1,
      /--entry .*nope.js does not exist/,
    ],
    ['a TypeScript --entry', ['unit', '--entry', 'src/main.ts'], 1, /is not JavaScript/],
  ])('%s', (_, argv, exitCode, message) => {
    const dir = app({ ...BUILT_APP, 'src/main.ts': '' });
    const { code, stdout, stderr } = run(dir, '--out', 'units', ...argv);
    expect(code).toBe(exitCode);
    expect(stdout).toBe('');
    expect(stderr.startsWith('nestjs-systemd: ')).toBe(true);
    expect(stderr.slice('nestjs-systemd: '.length)).toMatch(message);
    if (exitCode === 2) expect(stderr).toContain('Run `nestjs-systemd unit --help`');
    expect(existsSync(join(dir, 'units'))).toBe(false);
  });

  it('lists what it tried when the app is not built', () => {
    const { 'dist/main.js': _built, ...unbuilt } = BUILT_APP;
    const dir = app(unbuilt);
    const { code, stderr } = run(dir, 'unit');
    expect(code).toBe(1);
    expect(stderr).toBe(
      'nestjs-systemd: no built entry found: tried dist/src/main.js, dist/main.js (sourceRoot ' +
        '"src" and entryFile "main" from nest-cli.json, outDir "dist" from ' +
        'tsconfig.build.json). Build the app first (npm run build), or name the built file with ' +
        '--entry\n',
    );
    // In the words of the package manager that ran it.
    expect(runWith({ userAgent: 'yarn/4.18.1' }, dir, 'unit').stderr).toContain(
      'Build the app first (yarn build)',
    );
    expect(runWith({ userAgent: 'pnpm/10.34.0' }, dir, 'unit', '--entry', 'x.js').stderr).toBe(
      `nestjs-systemd: --entry ${dir}/x.js does not exist: build the app first (pnpm run build), ` +
        'or fix the path\n',
    );
  });

  it('needs a package.json, and a name', () => {
    const empty = app({ 'dist/main.js': '' });
    expect(run(empty, 'unit').stderr).toMatch(
      /no package.json in .*: run this in your app's folder/,
    );
    const nameless = app({ ...BUILT_APP, 'package.json': { private: true } });
    expect(run(nameless, 'unit').stderr).toMatch(/package.json has no "name": pass --name/);
    expect(run(nameless, 'unit', '--name', 'x').code).toBe(0);
  });

  it('reports a broken nest-cli.json by its path', () => {
    const dir = app({ ...BUILT_APP, 'nest-cli.json': '{ "sourceRoot": ' });
    expect(run(dir, 'unit').stderr).toMatch(/nest-cli.json cannot be read: /);
    // --entry needs nothing of it.
    expect(run(dir, 'unit', '--entry', 'dist/main.js').code).toBe(0);
  });
});

/** A project of nest-cli.json, as the Nest CLI writes it. */
function nestProject(root: string, tsconfig: string, type = 'application'): object {
  return {
    type,
    root,
    entryFile: type === 'library' ? 'index' : 'main',
    sourceRoot: `${root}/src`,
    compilerOptions: { tsConfigPath: `${root}/${tsconfig}` },
  };
}

/** An app's tsconfig.app.json in a monorepo. */
function appTsconfig(name: string): string {
  return `{ "extends": "../../tsconfig.json", "compilerOptions": { "outDir": "../../dist/apps/${name}" } }`;
}

/** As `nest new api` and then `nest g app worker` and `nest g library platform` leave it. */
function monorepo(built: Record<string, string>): string {
  return app({
    'package.json': { name: 'api', description: 'The whole repo' },
    'nest-cli.json': {
      collection: '@nestjs/schematics',
      sourceRoot: 'apps/api/src',
      compilerOptions: { webpack: true, tsConfigPath: 'apps/api/tsconfig.app.json' },
      monorepo: true,
      root: 'apps/api',
      projects: {
        api: nestProject('apps/api', 'tsconfig.app.json'),
        platform: nestProject('libs/platform', 'tsconfig.lib.json', 'library'),
        worker: nestProject('apps/worker', 'tsconfig.app.json'),
      },
    },
    'tsconfig.json': NEST_TSCONFIG,
    'apps/api/tsconfig.app.json': appTsconfig('api'),
    'apps/worker/tsconfig.app.json': appTsconfig('worker'),
    ...built,
  });
}

/** What `nest build api` and `nest build worker` write with webpack, the monorepo's default. */
const WEBPACK_BUILT = { 'dist/apps/api/main.js': '', 'dist/apps/worker/main.js': '' };

describe('a Nest CLI monorepo', () => {
  it('runs the default project, and warns that the monorepo has others', () => {
    const dir = monorepo(WEBPACK_BUILT);
    const { code, stdout, stderr } = run(dir, 'unit');
    expect(code).toBe(0);
    expect(value(stdout, 'Service', 'ExecStart')).toBe(`${NODE} ${dir}/dist/apps/api/main.js`);
    expect(stdout).toMatch(/^# api\.service/);
    expect(stderr).toBe(
      'nestjs-systemd: warning: nest-cli.json is a monorepo of 2 applications (api, worker); ' +
        'this unit runs the default one, api (dist/apps/api/main.js): --project NAME writes ' +
        'the unit of another\n',
    );
  });

  it('runs the --project named, as nest start NAME finds it, and names the unit after it', () => {
    const dir = monorepo(WEBPACK_BUILT);
    const { code, stdout, stderr } = run(dir, 'unit', '--project', 'worker', '--no-port');
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(value(stdout, 'Service', 'ExecStart')).toBe(`${NODE} ${dir}/dist/apps/worker/main.js`);
    expect(stdout).toMatch(/^# worker\.service/);
    // The package's description is the whole repo's.
    expect(value(stdout, 'Unit', 'Description')).toBe('worker');
    expect(stdout).toContain('#   npx nestjs-systemd unit --project worker --no-port\n');
  });

  it('warns when an app of several is given the default port', () => {
    const dir = monorepo(WEBPACK_BUILT);
    expect(run(dir, 'unit', '--project', 'api').stderr).toBe(
      'nestjs-systemd: warning: api gets PORT=3000, the default: each app of a monorepo on one ' +
        'host needs a port of its own (--port N), or none (--no-port)\n',
    );
    expect(run(dir, 'unit', '--project', 'api', '--port', '3001').stderr).toBe('');
    expect(run(dir, 'unit', '--project', 'worker', '--oneshot').stderr).toBe('');
  });

  it('asks for nest build NAME when the app --project names is not built', () => {
    const dir = monorepo({ 'dist/apps/api/main.js': '' });
    expect(run(dir, 'unit', '--project', 'worker', '--no-port')).toEqual({
      code: 1,
      stdout: '',
      stderr:
        'nestjs-systemd: no built entry found: tried dist/apps/worker/apps/worker/src/main.js, ' +
        'dist/apps/worker/main.js (sourceRoot "apps/worker/src" and entryFile "main" from ' +
        'nest-cli.json, outDir "dist/apps/worker" from apps/worker/tsconfig.app.json). Build the ' +
        'app first (nest build worker), or name the built file with --entry\n',
    });
  });

  it("prefers tsc's layout, <outDir>/<sourceRoot>/main.js, as nest start does", () => {
    const dir = monorepo({ ...WEBPACK_BUILT, 'dist/apps/worker/apps/worker/src/main.js': '' });
    const worker = run(dir, 'unit', '--project', 'worker', '--no-port');
    expect(value(worker.stdout, 'Service', 'ExecStart')).toBe(
      `${NODE} ${dir}/dist/apps/worker/apps/worker/src/main.js`,
    );
  });

  it('takes --name and --entry beside --project, and --entry alone without a warning', () => {
    const dir = monorepo({ ...WEBPACK_BUILT, 'dist/apps/worker/other.js': '' });
    const named = run(dir, 'unit', '--project', 'worker', '--no-port', '--name', 'orders-worker');
    expect(named.stdout).toMatch(/^# orders-worker\.service/);
    const entry = run(dir, 'unit', '--entry', 'dist/apps/worker/other.js', '--name', 'w');
    expect({ code: entry.code, stderr: entry.stderr }).toEqual({ code: 0, stderr: '' });
    expect(value(entry.stdout, 'Service', 'ExecStart')).toBe(
      `${NODE} ${dir}/dist/apps/worker/other.js`,
    );
  });

  it('refuses a library, an unknown project, and --project outside a Nest project', () => {
    const dir = monorepo(WEBPACK_BUILT);
    expect(run(dir, 'unit', '--project', 'platform')).toEqual({
      code: 2,
      stdout: '',
      stderr: `nestjs-systemd: --project platform: a library in ${dir}/nest-cli.json, whose applications are api, worker\n`,
    });
    expect(run(dir, 'unit', '--project', 'billing').stderr).toBe(
      `nestjs-systemd: --project billing: no such project in ${dir}/nest-cli.json, whose applications are api, worker\n`,
    );
    const plain = app({ 'package.json': { name: 'bare' }, 'dist/main.js': '' });
    expect(run(plain, 'unit', '--project', 'api')).toEqual({
      code: 2,
      stdout: '',
      stderr: `nestjs-systemd: --project api: ${plain} has no nest-cli.json, whose "projects" name a monorepo's apps\n`,
    });
  });

  it('says which folder and --project to use when --app points at a project inside it', () => {
    const dir = monorepo(WEBPACK_BUILT);
    expect(run(dir, 'unit', '--app', 'apps/worker')).toEqual({
      code: 1,
      stdout: '',
      stderr:
        `nestjs-systemd: no package.json in ${dir}/apps/worker: it is the project "worker" of ` +
        `the Nest monorepo in ${dir}; run this there with --project worker\n`,
    });
  });
});

/**
 * A `.pnp.cjs` as Yarn 4 writes it, cut to what the generator reads: its runtime state, a
 * string with one `"packageLocation"` per package, relative to the file's folder.
 */
function pnpRuntime(...locations: readonly string[]): string {
  const entries = locations.map((location) => `        "packageLocation": "${location}",\\\n`);
  return (
    `#!/usr/bin/env node\n"use strict";\n\nconst RAW_RUNTIME_STATE =\n'{\\\n` +
    `  "packageRegistryData": [\\\n${entries.join('')}  ]\\\n}';\n`
  );
}

/** Packages as Yarn keeps them with enableGlobalCache: false: archives and unplugged, in the project. */
const IN_PROJECT = [
  './',
  './.yarn/cache/rxjs-npm-7.8.2-80ecda9013-10c0.zip/node_modules/rxjs/',
  './.yarn/unplugged/unix-dgram-npm-2.0.7-d85e6865f5/node_modules/unix-dgram/',
];

/** A package of Yarn's global cache in `folder`, relative to the project at `dir`. */
function cached(dir: string, folder: string): string {
  return `${relative(dir, folder)}/rxjs-npm-7.8.2-80ecda9013-10c0.zip/node_modules/rxjs/`;
}

/** A built app installed by Yarn with Plug'n'Play, its packages in the project. */
function pnpApp(files: AppFiles = {}): string {
  const dir = app({ ...BUILT_APP, 'yarn.lock': '', ...files });
  writeFileSync(join(dir, '.pnp.cjs'), pnpRuntime(...IN_PROJECT));
  return dir;
}

/** A Yarn workspace installed with Plug'n'Play and its built app, apps/api: the app's folder. */
function workspaceApp(): string {
  const root = app({ 'package.json': { private: true, workspaces: ['apps/*'] }, 'yarn.lock': '' });
  writeFileSync(join(root, '.pnp.cjs'), pnpRuntime(...IN_PROJECT));
  const api = join(root, 'apps', 'api');
  mkdirSync(join(api, 'dist'), { recursive: true });
  writeFileSync(join(api, 'package.json'), JSON.stringify({ name: 'api' }));
  writeFileSync(join(api, 'dist', 'main.js'), '');
  return api;
}

/** The header's command line, written when `userAgent` ran the command. */
function headerCommand(userAgent?: string): string | undefined {
  const { stdout } = runWith(
    userAgent === undefined ? {} : { userAgent },
    pnpApp(),
    'unit',
    '--port',
    '8080',
  );
  return stdout.split('\n').find((line) => line.includes('nestjs-systemd unit --port'));
}

describe("Yarn Plug'n'Play", () => {
  it("preloads Yarn's resolver (.pnp.cjs), as yarn node does, and says why", () => {
    const dir = pnpApp();
    const { code, stdout, stderr } = run(dir, 'unit');
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(value(stdout, 'Service', 'ExecStart')).toBe(
      `${NODE} --require ${dir}/.pnp.cjs ${dir}/dist/main.js`,
    );
    expect(stdout).toContain("# Installed by Yarn with Plug'n'Play: no node_modules");
  });

  it("adds Yarn's ES module loader for an ES module app, and warns where there is none", () => {
    const esm = { 'package.json': { name: 'my-app', type: 'module' } };
    const dir = pnpApp(esm);
    writeFileSync(join(dir, '.pnp.loader.mjs'), '');
    const { code, stdout, stderr } = run(dir, 'unit');
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(value(stdout, 'Service', 'ExecStart')).toBe(
      `${NODE} --require ${dir}/.pnp.cjs --experimental-loader ${dir}/.pnp.loader.mjs ` +
        `${dir}/dist/main.js`,
    );

    const without = run(pnpApp(esm), 'unit');
    expect(without.code).toBe(0);
    expect(without.stderr).toMatch(
      /^nestjs-systemd: warning: the app is an ES module installed by Yarn with Plug'n'Play, but .* has no \.pnp\.loader\.mjs/,
    );
    expect(without.stderr).toContain('pnpEnableEsmLoader: true');
    // A CommonJS app needs no loader, whether Yarn wrote one or not.
    const commonJs = pnpApp();
    writeFileSync(join(commonJs, '.pnp.loader.mjs'), '');
    expect(value(run(commonJs, 'unit').stdout, 'Service', 'ExecStart')).not.toContain('loader');
  });

  it("finds a workspace's .pnp.cjs at its project's root, and moves it with --working-directory", () => {
    const api = workspaceApp();
    const { code, stdout, stderr } = run(api, 'unit', '--working-directory', '/opt/repo/apps/api');
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(value(stdout, 'Service', 'ExecStart')).toBe(
      `${NODE} --require /opt/repo/.pnp.cjs /opt/repo/apps/api/dist/main.js`,
    );
  });

  it('warns when --working-directory breaks the way from the app to its workspace root', () => {
    const api = workspaceApp();
    const { code, stdout, stderr } = run(api, 'unit', '--working-directory', '/opt/api');
    expect(code).toBe(0);
    expect(value(stdout, 'Service', 'ExecStart')).toBe(
      `${NODE} --require /.pnp.cjs /opt/api/dist/main.js`,
    );
    expect(stderr).toBe(
      "nestjs-systemd: warning: Yarn's resolver is the workspace root's, and the app is " +
        'apps/api in the workspace, but --working-directory /opt/api does not end in apps/api: ' +
        'the unit would preload /.pnp.cjs. Deploy the workspace, and pass --working-directory ' +
        "for the app's folder inside it (/opt/my-repo/apps/api, say)\n",
    );
  });

  it('leaves node alone without PnP: node_modules, or a .pnp.cjs of another project above', () => {
    // Yarn's node-modules linker writes yarn.lock and no .pnp.cjs.
    const nodeModules = app({ ...BUILT_APP, 'yarn.lock': '' });
    expect(value(run(nodeModules, 'unit').stdout, 'Service', 'ExecStart')).toBe(
      `${NODE} ${nodeModules}/dist/main.js`,
    );
    writeFileSync(join(nodeModules, '..', '.pnp.cjs'), pnpRuntime(...IN_PROJECT));
    expect(value(run(nodeModules, 'unit').stdout, 'Service', 'ExecStart')).toBe(
      `${NODE} ${nodeModules}/dist/main.js`,
    );
  });

  it("warns when the packages are in Yarn's global cache where the service cannot read them", () => {
    const underHome = pnpApp();
    writeFileSync(
      join(underHome, '.pnp.cjs'),
      pnpRuntime('./', cached(underHome, '/root/.yarn/berry/cache')),
    );
    const hidden = run(underHome, 'unit');
    expect(hidden.code).toBe(0);
    expect(hidden.stderr).toBe(
      "nestjs-systemd: warning: the app's packages are in Yarn's global cache, " +
        "/root/.yarn/berry/cache, not in the app (Yarn's default), and the service cannot read " +
        'that folder (ProtectHome=yes, PrivateTmp=yes): keep them in the app with ' +
        'enableGlobalCache: false in .yarnrc.yml, then yarn install (they go to .yarn/cache), ' +
        'and ship .yarn/ with the app\n',
    );

    // A cache the service can read is fine on this host, but does not travel with the app.
    const shared = pnpApp();
    writeFileSync(join(shared, '.pnp.cjs'), pnpRuntime('./', cached(shared, '/opt/yarn-cache')));
    expect(run(shared, 'unit').stderr).toBe('');
    expect(run(shared, 'unit', '--working-directory', '/srv/my-app').stderr).toContain(
      "Yarn's global cache, /opt/yarn-cache, not in the app (Yarn's default), which " +
        '--working-directory does not take along',
    );
  });

  it('names the package manager that ran it in the header: yarn, pnpm exec, else npx', () => {
    expect(headerCommand('yarn/4.18.1 npm/? node/v20.20.2 linux x64')).toBe(
      '#   yarn nestjs-systemd unit --port 8080',
    );
    expect(headerCommand('pnpm/10.34.0 npm/? node/v20.20.2 linux x64')).toBe(
      '#   pnpm exec nestjs-systemd unit --port 8080',
    );
    expect(headerCommand('npm/11.6.2 node/v20.20.2 linux x64 workspaces/false')).toBe(
      '#   npx nestjs-systemd unit --port 8080',
    );
    expect(headerCommand()).toBe('#   npx nestjs-systemd unit --port 8080');
  });
});

/** The addon this test process loads: built by the install for the node running the tests. */
const ADDON = join(
  dirname(createRequire(import.meta.url).resolve('unix-dgram/package.json')),
  'build/Release/unix_dgram.node',
);

/**
 * An app with nestjs-systemd and unix-dgram installed, and unix-dgram's addon: `unbuilt`, none;
 * `built`, the one this process loads; `broken`, an empty file in its place.
 */
function installedApp(addon: 'unbuilt' | 'built' | 'broken'): string {
  const dir = app({
    ...BUILT_APP,
    'node_modules/nestjs-systemd/package.json': { name: 'nestjs-systemd', version: '0.1.0' },
    'node_modules/unix-dgram/package.json': { name: 'unix-dgram', version: '2.0.7' },
    ...(addon === 'broken' ? { 'node_modules/unix-dgram/build/Release/unix_dgram.node': '' } : {}),
  });
  if (addon === 'built') {
    const release = join(dir, 'node_modules/unix-dgram/build/Release');
    mkdirSync(release, { recursive: true });
    copyFileSync(ADDON, join(release, 'unix_dgram.node'));
  }
  return dir;
}

describe("unix-dgram's addon", () => {
  it('warns, and still writes, when the app would run unsupervised for want of it', () => {
    const dir = installedApp('unbuilt');
    const { code, stdout, stderr } = runWith({ userAgent: 'yarn/4.18.1' }, dir, 'unit');
    expect(code).toBe(0);
    expect(stdout).toContain('ExecStart=');
    expect(stderr).toBe(
      "nestjs-systemd: warning: unix-dgram's native addon is not built " +
        `(${dir}/node_modules/unix-dgram has no build/Release/unix_dgram.node): the app would ` +
        'run unsupervised, and systemd would fail its start at TimeoutStartSec=. Allow its ' +
        'build and install again: npm "allowScripts", pnpm "onlyBuiltDependencies" (then pnpm ' +
        'install --force), Yarn "dependenciesMeta" with node-gyp, in the root package.json ' +
        '(see "Installation and native build" in the README)\n',
    );
  });

  it("says nothing of an addon that the unit's node loads", () => {
    expect(run(installedApp('built'), 'unit', '--node', process.execPath).stderr).toBe('');
  });

  it("warns of an addon that the unit's node cannot load, in Node's words", () => {
    const dir = installedApp('broken');
    const { code, stdout, stderr } = run(dir, 'unit', '--node', process.execPath);
    expect(code).toBe(0);
    expect(stdout).toContain(`ExecStart=${process.execPath} `);
    expect(stderr).toBe(
      "nestjs-systemd: warning: unix-dgram's native addon, " +
        `${dir}/node_modules/unix-dgram/build/Release/unix_dgram.node, does not load under the ` +
        `unit's node, ${process.execPath} (file too short): the app would run unsupervised, and ` +
        'systemd would fail its start at TimeoutStartSec=. Rebuild it with that node first on ' +
        'PATH: npm rebuild unix-dgram; pnpm install --force --config.side-effects-cache=false; ' +
        'yarn rebuild unix-dgram (see "Installation and native build" in the README)\n',
    );
  });

  it('cannot judge the addon for a node that is not on this machine: only its absence', () => {
    // The unit's node is the target's: the generator warns that it is missing here.
    const { stderr } = run(
      installedApp('broken'),
      'unit',
      '--node',
      '/opt/node-on-target/bin/node',
    );
    expect(stderr).toBe(
      'nestjs-systemd: warning: --node /opt/node-on-target/bin/node does not exist on this ' +
        'machine; make sure it does on the target\n',
    );
  });
});

describe('--out', () => {
  it('writes the files into the folder, creating it', () => {
    const dir = app();
    const { code, stdout } = run(dir, 'unit', '--socket', '--out', 'deploy/systemd');
    const out = join(dir, 'deploy/systemd');
    expect(code).toBe(0);
    expect(stdout).toBe(`wrote ${out}/my-app.service and ${out}/my-app.socket\n`);
    expect(readdirSync(out).toSorted()).toEqual(['my-app.service', 'my-app.socket']);
    expect(readFileSync(join(out, 'my-app.socket'), 'utf8')).toContain('ListenStream=');
    // --out and --force shape the writing, not the unit: not in its header.
    expect(readFileSync(join(out, 'my-app.service'), 'utf8')).toContain(
      '#   npx nestjs-systemd unit --socket\n',
    );
  });

  it('replaces nothing without --force, and says which files are in the way', () => {
    const dir = app();
    const out = join(dir, 'units');
    expect(run(dir, 'unit', '--socket', '--out', out).code).toBe(0);
    writeFileSync(join(out, 'my-app.socket'), 'mine');
    const before = readFileSync(join(out, 'my-app.service'), 'utf8');

    const refused = run(dir, 'unit', '--socket', '--port', '4000', '--out', out);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe(
      `nestjs-systemd: ${out}/my-app.service and ${out}/my-app.socket already exist: nothing ` +
        'written. Pass --force to replace them\n',
    );
    expect(readFileSync(join(out, 'my-app.service'), 'utf8')).toBe(before);
    expect(readFileSync(join(out, 'my-app.socket'), 'utf8')).toBe('mine');

    expect(run(dir, 'unit', '--socket', '--port', '4000', '--out', out, '--force').code).toBe(0);
    expect(readFileSync(join(out, 'my-app.socket'), 'utf8')).toContain('127.0.0.1:4000');
    expect(readdirSync(out).toSorted()).toEqual(['my-app.service', 'my-app.socket']);
  });

  it('refuses a file in place of the folder', () => {
    const dir = app({ ...BUILT_APP, units: 'a file' });
    const { code, stderr } = run(dir, 'unit', '--out', 'units');
    expect(code).toBe(1);
    expect(stderr).toMatch(/--out .*units exists and is not a directory/);
  });
});

describe('help', () => {
  it.each([['--help'], ['-h'], ['unit', '--help']])('%s prints the usage', (...argv) => {
    const { code, stdout, stderr } = run(app(), ...argv);
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(stdout).toBe(USAGE);
  });

  it('names every option it accepts', () => {
    for (const option of [
      '--app',
      '--entry',
      '--project',
      '--name',
      '--description',
      '--node',
      '--working-directory',
      '--port',
      '--host',
      '--socket',
      '--instances',
      '--watchdog-sec',
      '--timeout-stop-sec',
      '--user',
      '--state-directory',
      '--cache-directory',
      '--env',
      '--environment-file',
      '--credential',
      '--ip-allow',
      '--out',
      '--force',
    ]) {
      expect(USAGE).toContain(`  ${option} `);
    }
    expect(USAGE.split('\n').filter((line) => line.length > 100)).toEqual([]);
  });
});

describe('parseJsonc', () => {
  it('reads comments and trailing commas, and leaves strings alone', () => {
    expect(
      parseJsonc('{ "a": "// not a comment, }", /* c */ "b": [1, 2,], // end\n "c": "\\"/*" ,}'),
    ).toEqual({ a: '// not a comment, }', b: [1, 2], c: '"/*' });
  });
});
