// The bench's handle on bench/apps/notify-receiver.py: notify sockets living in a process of
// their own, whose arrival stamps (the kernel's, on CLOCK_MONOTONIC) come back as JSON lines.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const RECEIVER = fileURLToPath(new URL('../apps/notify-receiver.py', import.meta.url));

export class ReceiverProcess {
  #requests = 0;
  /** @type {import('node:events').EventEmitter} replies, one 'message' event per line */
  #replies;

  /** @param {import('node:child_process').ChildProcessWithoutNullStreams} child */
  constructor(child) {
    this.child = child;
    this.#replies = createInterface({ input: child.stdout });
  }

  static async start() {
    const child = spawn('python3', [RECEIVER], { stdio: ['pipe', 'pipe', 'inherit'] });
    const receiver = new ReceiverProcess(child);
    await once(receiver.#replies, 'line');
    return receiver;
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
        this.#replies.off('line', onReply);
        reject(new Error(`receiver: no answer to ${JSON.stringify(request)} in ${timeoutMs} ms`));
      }, timeoutMs);
      const onReply = (/** @type {string} */ line) => {
        const reply = JSON.parse(line);
        if (reply.id !== id) return;
        clearTimeout(timer);
        this.#replies.off('line', onReply);
        resolve(reply);
      };
      this.#replies.on('line', onReply);
      this.child.stdin.write(`${JSON.stringify({ ...request, id })}\n`);
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
    const exited = once(this.child, 'exit');
    this.child.stdin.end();
    await exited;
  }
}
