import { request } from 'node:http';
import { sleep } from './poll.js';

/** How one request ended: an HTTP status, or the code of the connection error. */
type Outcome = { readonly status: number } | { readonly error: string };

export interface LoadReport {
  readonly requests: number;
  /** Answers by HTTP status. */
  readonly statuses: Readonly<Record<string, number>>;
  /** Failed requests by error code (ECONNREFUSED, ECONNRESET, ...). */
  readonly errors: Readonly<Record<string, number>>;
  /** The longest a request took from connecting to the end of the answer. */
  readonly slowestMs: number;
}

export interface LoadOptions {
  /** Concurrent clients, each sending one request after the other. */
  readonly clients: number;
  /** A request with no answer after this long counts as an error (ETIMEDOUT). */
  readonly requestTimeoutMs: number;
  /** After a failed request, so that refused connections do not spin the CPU. */
  readonly pauseAfterErrorMs?: number;
}

/** GET / on a fresh TCP connection (no keep-alive agent), so every request is a connection attempt. */
function getOnce(port: number, timeoutMs: number): Promise<Outcome> {
  return new Promise((resolve) => {
    const req = request(
      { host: '127.0.0.1', port, path: '/', agent: false, headers: { connection: 'close' } },
      (res) => {
        res.resume();
        res.once('end', () => resolve({ status: res.statusCode ?? 0 }));
        res.once('error', (error: NodeJS.ErrnoException) =>
          resolve({ error: error.code ?? error.message }),
        );
      },
    );
    req.setTimeout(timeoutMs, () =>
      req.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })),
    );
    req.once('error', (error: NodeJS.ErrnoException) =>
      resolve({ error: error.code ?? error.message }),
    );
    req.end();
  });
}

/**
 * Sends requests from `clients` concurrent loops until `work` settles, then reports how every one
 * of them ended. `work` (restarting the service, say) runs while the load is on; its rejection is
 * passed on once the clients have stopped.
 */
export async function underLoad(
  port: number,
  options: LoadOptions,
  work: () => Promise<void>,
): Promise<LoadReport> {
  const statuses: Record<string, number> = {};
  const errors: Record<string, number> = {};
  let requests = 0;
  let slowestMs = 0;
  const stop = new AbortController();

  const client = async (): Promise<void> => {
    while (!stop.signal.aborted) {
      const started = performance.now();
      // oxlint-disable-next-line no-await-in-loop -- each client sends one request after the other
      const outcome = await getOnce(port, options.requestTimeoutMs);
      slowestMs = Math.max(slowestMs, performance.now() - started);
      requests++;
      if ('status' in outcome) {
        statuses[outcome.status] = (statuses[outcome.status] ?? 0) + 1;
      } else {
        errors[outcome.error] = (errors[outcome.error] ?? 0) + 1;
        // oxlint-disable-next-line no-await-in-loop -- pacing after a failure
        await sleep(options.pauseAfterErrorMs ?? 5);
      }
    }
  };

  const clients = Array.from({ length: options.clients }, client);
  try {
    await work();
  } finally {
    stop.abort();
    await Promise.all(clients);
  }
  return { requests, statuses, errors, slowestMs: Math.round(slowestMs) };
}
