// The bench's handle on bench/apps/lifecycle-worker.mjs: one warm process in which app after
// app is created, listens, is sent SIGTERM and closes.
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

const WORKER = fileURLToPath(new URL('../apps/lifecycle-worker.mjs', import.meta.url));

export class LifecycleWorker {
  /** @type {string[]} */
  #stderr = [];

  /** Rejects when the worker reports an error or exits: see {@link guard}. */
  #failure;

  /** @param {import('node:child_process').ChildProcess} child */
  constructor(child) {
    this.child = child;
    this.child.stderr?.on('data', (chunk) => this.#stderr.push(String(chunk)));
    this.exited = once(this.child, 'exit');
    this.#failure = new Promise((_, reject) => {
      this.child.on('message', (/** @type {any} */ message) => {
        if (message?.type === 'error') reject(new Error(`lifecycle worker: ${message.message}`));
      });
      void this.exited.then(([code, signal]) =>
        reject(new Error(`lifecycle worker exited (${signal ?? code}):\n${this.stderr}`)),
      );
    });
    // Only ever awaited through guard(): an exit after stop() is no failure.
    this.#failure.catch(() => undefined);
  }

  /** @param {Record<string, string>} notifyEnv NOTIFY_SOCKET and WATCHDOG_USEC, for every app */
  static async start(notifyEnv) {
    const child = fork(WORKER, [], {
      env: { ...process.env, ...notifyEnv },
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      // For the minor collection before each signal (see the worker's 'idle').
      execArgv: ['--expose-gc'],
    });
    const worker = new LifecycleWorker(child);
    await worker.next('ready');
    return worker;
  }

  /** What the worker wrote to stderr: shown when something goes wrong. */
  get stderr() {
    return this.#stderr.join('');
  }

  /**
   * `promise` (an arrival the worker's app should cause), or the worker's failure if that
   * comes first, so that a broken app ends the run with its error rather than a timeout.
   * @template T @param {Promise<T>} promise @returns {Promise<T>}
   */
  guard(promise) {
    return Promise.race([promise, this.#failure]);
  }

  /** @param {{ type: string, [option: string]: unknown }} message */
  send(message) {
    this.child.send(message);
  }

  /**
   * The worker's next message of `type`; rejects on an 'error' message or if it exits.
   * @param {string} type @param {number} [timeoutMs]
   * @returns {Promise<any>}
   */
  next(type, timeoutMs = 10_000) {
    return new Promise((resolve, reject) => {
      const onMessage = (/** @type {any} */ message) => {
        if (message?.type !== type && message?.type !== 'error') return;
        cleanup();
        if (message.type === 'error') reject(new Error(`lifecycle worker: ${message.message}`));
        else resolve(message);
      };
      const onExit = (/** @type {number | null} */ code, /** @type {string | null} */ signal) => {
        cleanup();
        reject(
          new Error(
            `lifecycle worker exited (${signal ?? code}) before '${type}':\n${this.stderr}`,
          ),
        );
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`lifecycle worker: no '${type}' within ${timeoutMs} ms:\n${this.stderr}`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        this.child.off('message', onMessage);
        this.child.off('exit', onExit);
      };
      this.child.on('message', onMessage);
      this.child.on('exit', onExit);
    });
  }

  async stop() {
    if (this.child.connected) this.child.send({ type: 'exit' });
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5000);
    await this.exited;
    clearTimeout(timer);
  }
}
