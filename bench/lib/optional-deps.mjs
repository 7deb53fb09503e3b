// Comparison targets the bench measures against but nothing else needs: kept out of the
// project's dependencies, so `npm ci` works on a machine without their native build
// prerequisites, and installed here on demand when the machine has them.
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { networkEnv } from './start-up-env.mjs';

const BENCH_DIR = fileURLToPath(new URL('..', import.meta.url));
/** sd-notify compiles against libsystemd's headers (Debian: libsystemd-dev). */
const SD_NOTIFY = 'sd-notify@2.8.0';

function resolvable(name) {
  try {
    createRequire(new URL('../apps/', import.meta.url)).resolve(name);
    return true;
  } catch {
    return false;
  }
}

function hasLibsystemdHeaders() {
  try {
    execFileSync('pkg-config', ['--exists', 'libsystemd'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * Makes `sd-notify` loadable by the bench's apps (installed into bench/node_modules, which git
 * ignores), or says why it cannot be: the libsystemd row is then left out with that note.
 *
 * @returns {string | undefined} why sd-notify is unavailable, or undefined when it is
 */
export function ensureSdNotify() {
  if (resolvable('sd-notify')) return undefined;
  if (!hasLibsystemdHeaders()) {
    return 'sd-notify skipped: it builds against libsystemd headers, which this machine lacks (apt install libsystemd-dev pkg-config)';
  }
  try {
    execFileSync(
      'npm',
      [
        'install',
        '--no-save',
        '--no-audit',
        '--no-fund',
        '--no-package-lock',
        '--prefix',
        BENCH_DIR,
        SD_NOTIFY,
      ],
      { stdio: ['ignore', 'ignore', 'inherit'], env: networkEnv() },
    );
  } catch (error) {
    return `sd-notify skipped: installing ${SD_NOTIFY} failed (${/** @type {Error} */ (error).message.split('\n')[0]})`;
  }
  return resolvable('sd-notify')
    ? undefined
    : `sd-notify skipped: ${SD_NOTIFY} installed but not loadable`;
}
