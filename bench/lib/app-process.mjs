// Starts bench/apps/nest-app.mjs as a child process and talks to it over the IPC channel.
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

const APP = fileURLToPath(new URL('../apps/nest-app.mjs', import.meta.url));

/**
 * @typedef {object} AppOptions
 * @property {'express' | 'fastify'} [adapter]
 * @property {'bare' | 'schedule' | 'systemd'} [modules]
 * @property {number} [destroyMs]
 * @property {number} [indicators]
 * @property {'sync' | 'immediate'} [indicatorKind]
 * @property {boolean} [liveness] eventLoopDelayCheck() and heapPressureCheck() as indicators too
 * @property {number} [monitorMs] without the module: a bare monitorEventLoopDelay() of this resolution
 * @property {boolean} [rawNotify] the floor: READY=1 and STOPPING=1 by hand (use without the module)
 * @property {boolean} [probeSends] stamp each notify socket's creation and send() call
 * @property {Record<string, string>} [notifyEnv] NOTIFY_SOCKET and WATCHDOG_USEC, as systemd sets them
 * @property {string[]} [execArgv] besides --expose-gc
 * @typedef {object} Listening
 * @property {Record<string, bigint>} stamps CLOCK_MONOTONIC readings in the app: `listening`
 *   (the HTTP server's event) and, with probeSends, `readySocket` (createSocket() called for
 *   READY=1, if a socket was created for it), `readyCalled` / `readyReturned` (its send()) and,
 *   with the module, `readyNotify` (its supervisor's notify())
 * @property {boolean} listeningFirst whether no 'listening' listener was put ahead of the stamp
 * @property {number} listenMs ms from process start to 'listening'
 * @property {Record<string, number>} phases ms per bootstrap phase (see nest-app.mjs)
 * @property {number} rss
 * @property {number} heapUsed
 */

export class AppProcess {
  /** @type {string[]} */
  #stderr = [];

  /**
   * @param {AppOptions} options
   * @param {{ script?: string, env?: Record<string, string> }} [other] another app of ../apps
   *   than nest-app.mjs (it reads `env` rather than `options`)
   */
  constructor(options, other = {}) {
    this.child = fork(other.script ?? APP, [], {
      env: {
        ...process.env,
        BENCH_ADAPTER: options.adapter ?? 'express',
        BENCH_MODULES: options.modules ?? 'systemd',
        BENCH_DESTROY_MS: String(options.destroyMs ?? 0),
        BENCH_INDICATORS: String(options.indicators ?? 0),
        BENCH_INDICATOR_KIND: options.indicatorKind ?? 'sync',
        BENCH_LIVENESS: options.liveness ? '1' : '0',
        BENCH_MONITOR_MS: String(options.monitorMs ?? 0),
        BENCH_RAW_NOTIFY: options.rawNotify ? '1' : '0',
        BENCH_PROBE_SENDS: options.probeSends ? '1' : '0',
        ...options.notifyEnv,
        ...other.env,
      },
      // --expose-gc: memory is read after a full collection, so figures are what is retained.
      execArgv: ['--expose-gc', ...(options.execArgv ?? [])],
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    this.child.stderr?.on('data', (chunk) => this.#stderr.push(String(chunk)));
    this.exited = once(this.child, 'exit');
  }

  /** What the app wrote to stderr: shown when something goes wrong. */
  get stderr() {
    return this.#stderr.join('');
  }

  /**
   * The next message of this type the app sends. @param {string} type
   * @returns {Promise<any>}
   */
  report(type) {
    return this.#next(type);
  }

  /** @returns {Promise<Listening>} */
  async listening() {
    const message = await this.#next('listening');
    const stamps = Object.entries(/** @type {Record<string, string>} */ (message.stamps));
    return {
      ...message,
      stamps: Object.fromEntries(stamps.map(([name, at]) => [name, BigInt(at)])),
    };
  }

  /**
   * What the app stamped around STOPPING=1 (with probeSends): `signal` (its SIGTERM listener
   * ran), `stoppingSocket`, `stoppingCalled`, `stoppingReturned`, on CLOCK_MONOTONIC; undefined
   * if the app does not say so in time. Call it before the app can answer (before the signal).
   * @param {number} timeoutMs
   * @returns {Promise<{ stamps: Record<string, bigint>, signalFirst: boolean } | undefined>}
   */
  async stoppingReport(timeoutMs) {
    const timeout = new Promise((resolve) => setTimeout(resolve, timeoutMs, undefined).unref());
    const message = await Promise.race([this.#next('stopping').catch(() => undefined), timeout]);
    if (!message) return undefined;
    const stamps = Object.entries(/** @type {Record<string, string>} */ (message.stamps));
    return {
      signalFirst: message.signalFirst,
      stamps: Object.fromEntries(stamps.map(([name, at]) => [name, BigInt(at)])),
    };
  }

  /**
   * Sends a measurement request and resolves with the app's reply.
   * @param {{ type: string, [option: string]: unknown }} request
   * @returns {Promise<any>}
   */
  async request(request) {
    this.child.send(request);
    return this.#next(request.type);
  }

  /** @param {string} type */
  #next(type) {
    return new Promise((resolve, reject) => {
      const onMessage = (/** @type {any} */ message) => {
        if (message?.type !== type && message?.type !== 'error') return;
        cleanup();
        if (message.type === 'error') reject(new Error(message.message));
        else resolve(message);
      };
      const onExit = (/** @type {number | null} */ code, /** @type {string | null} */ signal) => {
        cleanup();
        reject(new Error(`bench app exited (${signal ?? code}) before '${type}':\n${this.stderr}`));
      };
      const cleanup = () => {
        this.child.off('message', onMessage);
        this.child.off('exit', onExit);
      };
      this.child.on('message', onMessage);
      this.child.on('exit', onExit);
    });
  }

  /** SIGKILL, for apps whose graceful shutdown is not what is measured. */
  async kill() {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    await this.exited;
  }
}
