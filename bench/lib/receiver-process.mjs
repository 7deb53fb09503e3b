// The bench's handle on bench/apps/notify-receiver.mjs: notify sockets living in a process of
// their own, whose arrival stamps (CLOCK_MONOTONIC) come back over IPC.
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

const RECEIVER = fileURLToPath(new URL('../apps/notify-receiver.mjs', import.meta.url));

export class ReceiverProcess {
  #requests = 0;

  /** @param {import('node:child_process').ChildProcess} child */
  constructor(child) {
    this.child = child;
  }

  static async start() {
    const child = fork(RECEIVER, [], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    await once(child, 'message');
    return new ReceiverProcess(child);
  }

  /**
   * @param {Record<string, unknown>} request
   * @param {number} [timeoutMs]
   * @returns {Promise<any>}
   */
  #ask(request, timeoutMs = 10_000) {
    const id = ++this.#requests;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.child.off('message', onReply);
        reject(new Error(`receiver: no answer to ${JSON.stringify(request)} in ${timeoutMs} ms`));
      }, timeoutMs);
      const onReply = (/** @type {{ id: number }} */ reply) => {
        if (reply.id !== id) return;
        clearTimeout(timer);
        this.child.off('message', onReply);
        resolve(reply);
      };
      this.child.on('message', onReply);
      this.child.send({ ...request, id });
    });
  }

  /** Binds a new notify socket; resolves with its path (the NOTIFY_SOCKET to give an app). */
  async open() {
    const reply = await this.#ask({ type: 'open' });
    return /** @type {string} */ (reply.path);
  }

  /**
   * The first datagram on `path`, from index `since` on, that has `line` among its lines.
   * @param {string} path @param {string} line @param {{ since?: number, timeoutMs?: number }} [options]
   * @returns {Promise<{ index: number, at: bigint }>}
   */
  async waitFor(path, line, { since = 0, timeoutMs = 10_000 } = {}) {
    const reply = await this.#ask({ type: 'waitFor', path, line, since }, timeoutMs);
    return { index: reply.index, at: BigInt(reply.at) };
  }

  /**
   * Resolves once the receiver has taken every earlier request: a waitFor() asked before is
   * in place, and the receiver is idle again, so the event it waits for can be set off.
   */
  async sync() {
    await this.#ask({ type: 'sync' });
  }

  /** @param {string} path */
  async close(path) {
    await this.#ask({ type: 'close', path });
  }

  async stop() {
    this.child.disconnect();
    await once(this.child, 'exit');
  }
}
