// The facts a reader needs to judge the figures: what machine, how busy, which versions.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** @param {string} name */
function packageVersion(name) {
  try {
    return /** @type {{ version: string }} */ (require(`${name}/package.json`)).version;
  } catch {
    return 'not installed';
  }
}

function cpuModel() {
  try {
    const info = readFileSync('/proc/cpuinfo', 'utf8');
    const line = info.split('\n').find((entry) => entry.startsWith('model name'));
    // Said because wake-up costs, which dominate an idle app's watchdog tick, depend on it.
    const virtual = /^flags\s*:.*\bhypervisor\b/m.test(info) ? ' (virtual machine)' : '';
    if (line) return `${line.split(':')[1].trim()}${virtual}`;
  } catch {
    // Not Linux, or no /proc: os.cpus() below still says something.
  }
  return os.cpus()[0]?.model ?? 'unknown';
}

/** Which library the figures are for: dist/ is built from the work tree at this commit. */
function libraryRevision() {
  try {
    const git = (/** @type {string[]} */ ...args) =>
      execFileSync('git', args, {
        cwd: ROOT,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      }).trim();
    const dirty = git('status', '--porcelain', '--', 'lib').length > 0;
    return `${git('rev-parse', '--short', 'HEAD')}${dirty ? ' (lib/ has uncommitted changes)' : ''}`;
  } catch {
    return 'unknown (not a git checkout)';
  }
}

function systemdNotifyVersion() {
  try {
    return execFileSync('systemd-notify', ['--version'], { encoding: 'utf8' }).split('\n')[0];
  } catch {
    return 'not found';
  }
}

/** @returns {[string, string][]} label, value */
export function machineFacts() {
  const load = os.loadavg().map((value) => value.toFixed(2));
  return [
    ['Date', new Date().toISOString()],
    ['CPU', `${cpuModel()}, ${os.availableParallelism()} cores available to the bench`],
    ['Memory', `${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`],
    ['Kernel', `${os.type()} ${os.release()}`],
    ['Node', process.version],
    ['nestjs-systemd', `dist/ built from commit ${libraryRevision()}`],
    ['Load average at start (1, 5, 15 min)', load.join(', ')],
    ['net.unix.max_dgram_qlen', readSysctl('/proc/sys/net/unix/max_dgram_qlen')],
    ['systemd-notify', systemdNotifyVersion()],
  ];
}

/**
 * The compared packages' versions, read once the cases have run: case 1 installs sd-notify on
 * demand.
 * @returns {[string, string]} label, value
 */
export function packagesFact() {
  return [
    'Packages',
    ['@nestjs/core', '@nestjs/schedule', 'unix-dgram', 'sd-notify']
      .map((name) => `${name} ${packageVersion(name)}`)
      .join(', '),
  ];
}

/** @param {string} path */
function readSysctl(path) {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return 'unknown';
  }
}
