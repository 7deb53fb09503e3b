// systemd's side of the notify socket, in the bench process itself. Unlike the library's
// NotifyListener (which stamps performance.now(), a per-process clock), it stamps arrivals with
// process.hrtime.bigint(): CLOCK_MONOTONIC, which every process on the machine shares, so an
// arrival can be compared with a timestamp taken in the app (see checkSharedClock).
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const require = createRequire(import.meta.url);
/** @type {{ createSocket(type: 'unix_dgram'): import('../../lib/notify/unix-dgram-transport.js').UnixDgramSocket }} */
export const unixDgram = require('unix-dgram');

/**
 * @typedef {object} Arrival
 * @property {string} text the datagram
 * @property {bigint} at when its 'message' event ran, on CLOCK_MONOTONIC
 */

export class NotifySink {
  /** @type {Arrival[]} */
  arrivals = [];
  /** @type {Set<() => void>} */
  #waiters = new Set();

  constructor() {
    this.dir = mkdtempSync(join(tmpdir(), 'nestjs-systemd-bench-'));
    this.path = join(this.dir, 'notify.sock');
    this.socket = unixDgram.createSocket('unix_dgram');
    this.socket.on('message', (data) => {
      this.arrivals.push({ text: data.toString('latin1'), at: process.hrtime.bigint() });
      for (const wake of this.#waiters) wake();
    });
    this.socket.bind(this.path);
  }

  /**
   * Resolves with the first arrival from index `since` on whose lines include `line`.
   * @param {string} line @param {{ since?: number, timeoutMs?: number }} [options]
   * @returns {Promise<Arrival>}
   */
  waitFor(line, { since = 0, timeoutMs = 10_000 } = {}) {
    return new Promise((resolve, reject) => {
      let checked = since;
      const check = () => {
        for (; checked < this.arrivals.length; checked++) {
          const arrival = this.arrivals[checked];
          if (arrival.text.split('\n').includes(line)) {
            done();
            resolve(arrival);
            return;
          }
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`no ${line} on ${this.path} within ${timeoutMs} ms`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        this.#waiters.delete(check);
      };
      this.#waiters.add(check);
      check();
    });
  }

  /** @param {string} line */
  count(line) {
    return this.arrivals.filter((arrival) => arrival.text.split('\n').includes(line)).length;
  }

  close() {
    this.socket.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
