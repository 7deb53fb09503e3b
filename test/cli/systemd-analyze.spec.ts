// What systemd itself makes of the generated units, offline: `systemd-analyze verify` loads
// them without a warning, and `systemd-analyze security` rates the service SAFE (the sample's
// 0.9 is the bar) or at worst OK. Needs systemd-analyze (the systemd package; systemd need not
// be running); where it is missing the suite is skipped with a note (and fails under CI=true).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateUnits } from '../../lib/cli/unit-generator.js';
import type { UnitOptions } from '../../lib/cli/unit-options.js';
import { BASE_OPTIONS } from './unit-text.js';

function systemdAnalyzeVersion(): string | undefined {
  try {
    return execFileSync('systemd-analyze', ['--version'], { encoding: 'utf8' }).split('\n')[0];
  } catch (error) {
    if (process.env.CI) throw error;
    console.warn(`systemd-analyze checks skipped (no systemd-analyze): ${String(error)}`);
    return undefined;
  }
}

const version = systemdAnalyzeVersion();
const describeIf = version === undefined ? describe.skip : describe;

/**
 * verify opens each man: link of Documentation= with man(1), as on a user's server. Where man
 * cannot find systemd's own pages (no man-db) that check says nothing about the unit: `--man=no`.
 */
const MAN_CHECK = spawnSync('man', ['-w', 'systemd.service.5']).status === 0 ? [] : ['--man=no'];
if (MAN_CHECK.length > 0) console.warn('systemd-analyze verify: man pages not checked (no man)');

const root = mkdtempSync(join(tmpdir(), 'nestjs-systemd-unit-analyze-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Real paths on this machine: verify checks that ExecStart='s binary exists. */
const app = join(root, 'app');
mkdirSync(join(app, 'dist'), { recursive: true });
writeFileSync(join(app, 'dist', 'main.js'), '');
const REAL: Partial<UnitOptions> = {
  nodePath: process.execPath,
  workingDirectory: app,
  entryPath: join(app, 'dist', 'main.js'),
};

const VARIANTS: ReadonlyArray<[string, Partial<UnitOptions>, 'SAFE' | 'OK']> = [
  ['the defaults', {}, 'SAFE'],
  ['--socket', { socket: true }, 'SAFE'],
  ['--instances', { instances: true }, 'SAFE'],
  // --reload's Type=notify-reload needs systemd 253; the analyzer here may be older.
  ['--reload-kill', { reload: 'kill' }, 'SAFE'],
  ['--oneshot', { oneshot: true, watchdogSec: 2 }, 'SAFE'],
  ['--no-port', { noPort: true }, 'SAFE'],
  [
    'every option',
    {
      socket: true,
      port: 443,
      user: 'my-app',
      stateDirectory: 'my-app',
      cacheDirectory: 'my-app',
      environmentFile: '/etc/my-app/env',
      environment: [{ name: 'GREETING', value: 'hello "world" 100%' }],
      credentials: [{ name: 'db-password', path: '/etc/my-app/db-password' }],
      ipAllow: ['10.0.0.5', '192.168.0.0/16'],
      // Units this host may not have: Wants= does not need them to exist.
      after: ['redis-server.service', 'postgresql@15-main.service'],
      watchdogSec: 0,
      timeoutStopSec: 60,
    },
    'OK',
  ],
  ['--host 0.0.0.0 (no IP allow list)', { host: '0.0.0.0' }, 'OK'],
  [
    '--instances --host :: --ip-allow',
    { instances: true, host: '::', ipAllow: ['fd00::/8'] },
    'OK',
  ],
];

interface Rating {
  readonly exposure: number;
  readonly level: string;
}

function analyze(args: readonly string[], cwd: string) {
  const result = spawnSync('systemd-analyze', args, { cwd, encoding: 'utf8' });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

function securityRating(serviceFile: string, cwd: string): Rating {
  const { status, output } = analyze(['security', '--offline=true', serviceFile], cwd);
  const match = /Overall exposure level for \S+: (\d+\.\d) (\w+)/.exec(output);
  if (status !== 0 || !match) throw new Error(`systemd-analyze security failed:\n${output}`);
  return { exposure: Number(match[1]), level: match[2]! };
}

describeIf('generated units under systemd-analyze', () => {
  beforeAll(() => console.info(`checked with ${version}`));

  describe.each(VARIANTS)('%s', (name, overrides, atWorst) => {
    const dir = join(root, name.replace(/\W+/g, '-'));
    const units = generateUnits({ ...BASE_OPTIONS, ...REAL, ...overrides });
    beforeAll(() => {
      mkdirSync(dir, { recursive: true });
      for (const unit of units) writeFileSync(join(dir, unit.fileName), unit.text);
    });

    it('passes systemd-analyze verify without a word', () => {
      const files = units.map((unit) => unit.fileName);
      // Its man: links too: sd_notify(3) comes with libsystemd's headers, which this host may
      // lack, as most servers do; verify failed on it ("Command 'man sd_notify(3)' failed").
      const { status, output } = analyze(['verify', ...MAN_CHECK, ...files], dir);
      expect(output).toBe('');
      expect(status).toBe(0);
    });

    it(`is rated ${atWorst} or better by systemd-analyze security --offline=true`, () => {
      const rating = securityRating(units[0]!.fileName, dir);
      console.info(`${name}: exposure ${rating.exposure} ${rating.level}`);
      expect(['PERFECT', 'SAFE', ...(atWorst === 'OK' ? ['OK'] : [])]).toContain(rating.level);
      if (atWorst === 'SAFE') expect(rating.exposure).toBeLessThanOrEqual(0.9);
    });
  });

  it('tells a broken unit apart: verify names a missing ExecStart= binary', () => {
    const dir = join(root, 'broken');
    mkdirSync(dir, { recursive: true });
    const [unit] = generateUnits({ ...BASE_OPTIONS, ...REAL, nodePath: join(root, 'no-node') });
    writeFileSync(join(dir, unit!.fileName), unit!.text);
    const { status, output } = analyze(['verify', '--man=no', unit!.fileName], dir);
    expect(status).not.toBe(0);
    expect(output).toContain('no-node is not executable');
  });
});
