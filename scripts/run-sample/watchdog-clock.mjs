// systemd's side of the watchdog, played by the clock of this process.

/** @typedef {import('../../dist/testing.js').NotifyRecord} NotifyRecord */

/**
 * @typedef {object} WatchdogExpiry
 * @property {number} at        when systemd would act (`performance.now()` time)
 * @property {number} silentFor ms since the last WATCHDOG=1 (or READY=1)
 * @property {'timeout' | 'trigger'} cause
 */

/**
 * Enforces the watchdog the way systemd's service.c does: only between READY=1 and
 * STOPPING=1, reset by every WATCHDOG=1, failing the service when no ping came within the
 * timeout or on WATCHDOG=trigger. Unlike systemd it does not kill anything: it records each
 * expiry once (per silence) and tells whoever waits for it.
 */
export class WatchdogClock {
  /** @type {WatchdogExpiry[]} */
  expiries = [];
  #timeoutMs;
  /** @type {number | undefined} */
  #lastResetAt;
  #expired = false;
  /** @type {Set<() => void>} */
  #waiters = new Set();
  #onExpire;

  /**
   * @param {number} timeoutMs `WATCHDOG_USEC` in ms
   * @param {(expiry: WatchdogExpiry) => void} onExpire called once per expiry, as it happens
   */
  constructor(timeoutMs, onExpire) {
    this.#timeoutMs = timeoutMs;
    this.#onExpire = onExpire;
  }

  get timeoutMs() {
    return this.#timeoutMs;
  }

  /** Feeds one datagram, in arrival order. */
  observe(/** @type {NotifyRecord} */ record) {
    const { lines, receivedAt } = record;
    if (lines.includes('STOPPING=1')) {
      this.#lastResetAt = undefined;
    } else if (lines.includes('WATCHDOG=trigger') && this.#lastResetAt !== undefined) {
      this.#expire({ at: receivedAt, silentFor: receivedAt - this.#lastResetAt, cause: 'trigger' });
    } else if (lines.includes('READY=1') || lines.includes('WATCHDOG=1')) {
      this.#lastResetAt = receivedAt;
      this.#expired = false;
    }
  }

  /** Looks at the clock: records an expiry if the deadline has just passed. */
  check(now = performance.now()) {
    if (this.#lastResetAt === undefined || this.#expired) return;
    const deadline = this.#lastResetAt + this.#timeoutMs;
    if (now >= deadline) {
      this.#expire({ at: deadline, silentFor: this.#timeoutMs, cause: 'timeout' });
    }
  }

  /** Resolves with expiry number `index` (0-based) once it has happened; rejects after `timeoutMs`. */
  expiry(/** @type {number} */ index, /** @type {number} */ timeoutMs) {
    return new Promise((resolve, reject) => {
      const onExpiry = () => {
        if (this.expiries.length <= index) return;
        clearTimeout(timer);
        this.#waiters.delete(onExpiry);
        resolve(this.expiries[index]);
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(onExpiry);
        reject(new Error(`no watchdog expiry within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#waiters.add(onExpiry);
      onExpiry();
    });
  }

  #expire(/** @type {WatchdogExpiry} */ expiry) {
    this.#expired = true;
    this.expiries.push(expiry);
    this.#onExpire(expiry);
    for (const waiter of this.#waiters) waiter();
  }
}
