// Starts the sample app as systemd would start it, and shows its output in the timeline.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';

/** @typedef {import('./timeline.mjs').Timeline} Timeline */

/**
 * @typedef {object} AppExit
 * @property {number | null} code
 * @property {NodeJS.Signals | null} signal
 * @property {number} at `performance.now()` when it exited
 */

/** Variables a parent supervisor may have given this shell that must not leak into the app. */
const INHERITED_SUPERVISION = [
  'NOTIFY_SOCKET',
  'WATCHDOG_USEC',
  'WATCHDOG_PID',
  'LISTEN_PID',
  'LISTEN_FDS',
  'LISTEN_FDNAMES',
];

/**
 * Spawns `node <entry>` directly (as `ExecStart=` must), with systemd's variables from
 * `supervisionEnv` and nothing inherited from whoever supervises this script.
 * @param {{ entry: string, supervisionEnv: Record<string, string>, appEnv: Record<string, string>, timeline: Timeline }} options
 */
export function startSampleApp({ entry, supervisionEnv, appEnv, timeline }) {
  /** @type {NodeJS.ProcessEnv} */
  const env = { ...process.env };
  for (const name of INHERITED_SUPERVISION) delete env[name];
  const child = spawn(process.execPath, [entry], {
    env: { ...env, ...supervisionEnv, ...appEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  showLines(child.stdout, 'app |', timeline);
  showLines(child.stderr, 'app err |', timeline);

  /** @type {Promise<AppExit>} */
  const exited = once(child, 'exit').then(
    ([code, signal]) => ({ code, signal, at: performance.now() }),
    // `once` rejects on 'error': the process could not be started at all.
    (error) => {
      throw new Error(`could not start ${entry}: ${error.message}`);
    },
  );
  // Awaited by every step; this only keeps an early failure from counting as unhandled.
  exited.catch(() => {});
  return {
    child,
    /** Settles when the process has exited (or could not be started). */
    exited,
    get running() {
      return child.exitCode === null && child.signalCode === null;
    },
  };
}

/** @param {import('node:stream').Readable} stream @param {string} source @param {Timeline} timeline */
function showLines(stream, source, timeline) {
  createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) =>
    timeline.line(source, line, 'dim'),
  );
}
