// Child processes for the packaging test: commands run to their end, with their output kept
// for the failure message, in an environment without an outer systemd's variables.
import { spawn } from 'node:child_process';

/**
 * What systemd (or a test runner around this one) may have set for this process: a child that
 * inherited them would notify the wrong socket, or run with `--experimental-vm-modules` and
 * print an ExperimentalWarning the test would blame on the library.
 */
const INHERITED = [
  'NOTIFY_SOCKET',
  'WATCHDOG_USEC',
  'WATCHDOG_PID',
  'LISTEN_FDS',
  'LISTEN_PID',
  'LISTEN_FDNAMES',
  'NODE_OPTIONS',
];

/** This process's environment without {@link INHERITED}, plus `extra`. @param {NodeJS.ProcessEnv} [extra] */
export function cleanEnv(extra = {}) {
  const env = { ...process.env };
  for (const key of INHERITED) delete env[key];
  return { ...env, ...extra };
}

/**
 * @typedef {object} RunResult
 * @property {number | null} code
 * @property {NodeJS.Signals | null} signal
 * @property {string} stdout
 * @property {string} stderr
 * @property {string} output stdout and stderr interleaved as they came
 */

/**
 * Runs `command` to its end. Rejects with its output on a non-zero exit unless `allowFailure`.
 * @param {string} command @param {string[]} args
 * @param {{ cwd: string, env?: NodeJS.ProcessEnv, allowFailure?: boolean }} options
 * @returns {Promise<RunResult>}
 */
export function runAsync(command, args, { cwd, env = cleanEnv(), allowFailure = false }) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let output = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      output += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
      output += chunk;
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (code === 0 || allowFailure) resolve({ code, signal, stdout, stderr, output });
      else {
        const how = signal ? `signal ${signal}` : `exit code ${code}`;
        reject(new Error(`\`${[command, ...args].join(' ')}\` failed (${how}):\n${output}`));
      }
    });
  });
}

/** Seconds since `start` (a `performance.now()`), for the timing lines. @param {number} start */
export function secondsSince(start) {
  return `${((performance.now() - start) / 1000).toFixed(1)} s`;
}
