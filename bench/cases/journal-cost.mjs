// Case 7: what one log line costs the logging process under systemd: JournaldLogger sending it
// natively to a journal socket, JournaldLogger writing `<N>` lines to stderr (native: false, the
// fallback), and Nest's ConsoleLogger writing to a pipe. The loggers run in a child process of
// their own (this file, started with --journal-cost-child) whose stdout and stderr are pipes
// this process drains; the journal socket is bound by a drain receiver in a third process
// (bench/apps/drain-receiver.mjs), standing in for journald.
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { pairedRatios, summarize } from '../lib/stats.mjs';

/**
 * @typedef {import('../lib/table.mjs').Row} Row
 * @typedef {object} JournalCostRequest
 * @property {number} runs
 * @property {number} lines per variant, call shape and run
 * @property {number} burst lines logged back to back (below the receiver's queue of 10)
 * @property {number} isolated single lines per variant and run, each after idling
 * @property {number} idleMs how long the logger idles before each isolated line
 * @property {number} reopened native lines per run on a socket closed just before
 * @typedef {'native' | 'prefixes' | 'console'} Variant
 * @typedef {'plain' | 'structured'} Shape
 * @typedef {object} JournalCostResult
 * @property {Record<string, number[]>} perLineNs `${variant}/${shape}` → per-run ns per line
 * @property {Record<Variant, number[]>} isolatedNs per-run median of the isolated lines
 * @property {number[]} reopenedNs per-run median of a native line on a fresh socket
 * @property {{ sent: number, received: number, toStderr: number, queuedMax: number }} native
 */

const SELF = fileURLToPath(import.meta.url);
const RECEIVER = fileURLToPath(new URL('../apps/drain-receiver.mjs', import.meta.url));
const CHILD_FLAG = '--journal-cost-child';
const VARIANTS = /** @type {const} */ (['native', 'prefixes', 'console']);
const SHAPES = /** @type {const} */ (['plain', 'structured']);
/** @param {number[]} values ns → µs */
const us = (values) => values.map((ns) => ns / 1000);
const LABEL = {
  native: 'JournaldLogger, native entry to the journal socket',
  prefixes: 'JournaldLogger, <N> lines to a stderr pipe (native: false)',
  console: "Nest's ConsoleLogger to a stdout pipe",
};

/**
 * @param {JournalCostRequest} request
 * @returns {Promise<{ rows: Row[], notes: string[] }>}
 */
export async function runJournalCost(request) {
  const child = fork(SELF, [CHILD_FLAG], { stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
  let pipedBytes = 0;
  // Drained as fast as they come, as journald drains a service's stream.
  child.stdout?.on('data', (chunk) => (pipedBytes += chunk.length));
  child.stderr?.on('data', (chunk) => (pipedBytes += chunk.length));
  await once(child, 'message');
  child.send(request);
  const [result] = /** @type {[JournalCostResult]} */ (await once(child, 'message'));
  await once(child, 'exit');

  const series = (/** @type {Variant} */ variant, /** @type {Shape} */ shape) =>
    us(result.perLineNs[`${variant}/${shape}`] ?? []);

  /** @type {Row[]} */
  const rows = [];
  for (const shape of SHAPES) {
    for (const variant of VARIANTS) {
      rows.push({
        id: '7',
        label: `${LABEL[variant]}: ${shape} line (µs/line)`,
        summary: summarize(series(variant, shape)),
      });
    }
  }
  for (const shape of SHAPES) {
    const nativeOverConsole = summarize(
      pairedRatios(series('native', shape), series('console', shape)),
    );
    rows.push(
      {
        id: '7',
        label: `native / ConsoleLogger to a pipe, ${shape} line`,
        kind: 'ratio',
        summary: nativeOverConsole,
        goal: '≤ 1x',
        met: nativeOverConsole.median <= 1,
      },
      {
        id: '7',
        label: `native / <N> lines to a pipe, ${shape} line`,
        kind: 'ratio',
        summary: summarize(pairedRatios(series('native', shape), series('prefixes', shape))),
      },
    );
  }
  for (const variant of VARIANTS) {
    rows.push({
      id: '7',
      label: `${LABEL[variant]}: plain line after ${request.idleMs} ms idle (µs)`,
      summary: summarize(us(result.isolatedNs[variant])),
    });
  }
  const isolatedRatio = summarize(
    pairedRatios(us(result.isolatedNs.native), us(result.isolatedNs.console)),
  );
  rows.push(
    {
      id: '7',
      label: 'native / ConsoleLogger to a pipe, plain line after idling',
      kind: 'ratio',
      summary: isolatedRatio,
      goal: '≤ 1x',
      met: isolatedRatio.median <= 1,
    },
    {
      id: '7',
      label: 'native: plain line on a socket reopened after the idle close (µs)',
      summary: summarize(us(result.reopenedNs)),
    },
  );

  const { sent, received, toStderr, queuedMax } = result.native;
  const notes = [
    `Case 7: one process logs through each logger in turn, ${request.runs} runs, the variants interleaved in rotating order burst by burst (${request.burst} lines per burst, ${request.lines} lines per variant, call shape and run); figures are the time inside the log calls per line, per run. Plain: \`logger.log('order 17 accepted', 'OrdersService')\`. Structured: \`logger.log('paid', { orderId: 42, requestId: 'r-1', amount: 12.5 })\` (Nest 12's structured params: fields ORDER_ID, REQUEST_ID, AMOUNT natively, printed after the message by the other two). stdout and stderr of the logging process are pipes drained by the bench (${pipedBytes} bytes); the journal socket is bound by a receiver process that only counts, so journald's own work per entry is not in these figures (it is journald's CPU, not the app's). After each burst the next waits until the receiver has every entry: no native entry met a full queue (largest queue seen: ${queuedMax}; entries sent ${sent}, received ${received}, written to stderr instead ${toStderr}). Idle: ${request.isolated} single lines per variant and run after ${request.idleMs} ms asleep, per-run median. Reopened: ${request.reopened} lines per run, each right after the socket was closed, as it closes itself after 100 ms without entries: socket(), connect() and the send.`,
  ];
  return { rows, notes };
}

// ----- The logging process -----

/** @param {JournalCostRequest} request @returns {Promise<JournalCostResult>} */
async function measure(request) {
  const { ConsoleLogger } = await import('@nestjs/common');
  const { JournaldLogger } = await import('nestjs-systemd/journal');

  const dir = mkdtempSync(join(tmpdir(), 'nestjs-systemd-bench-journal-'));
  const path = join(dir, 'journal.sock');
  const receiver = fork(RECEIVER, [path], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  await once(receiver, 'message');
  let asked = 0;
  /** @param {number} count @returns {Promise<number>} resolves with the receiver's total */
  const receivedAtLeast = (count) =>
    new Promise((resolve) => {
      const id = ++asked;
      const timer = setTimeout(() => receiver.send({ type: 'expect', id, count: 0 }), 2000);
      /** @param {{ id: number, received: number }} reply */
      const onReply = (reply) => {
        if (reply.id !== id) return;
        clearTimeout(timer);
        receiver.off('message', onReply);
        resolve(reply.received);
      };
      receiver.on('message', onReply);
      receiver.send({ type: 'expect', id, count });
    });

  process.env.NESTJS_SYSTEMD_TEST_JOURNAL_SOCKET = path;
  const options = { journal: /** @type {const} */ ('always'), syslogIdentifier: 'bench' };
  /** @type {Record<Variant, import('@nestjs/common').LoggerService>} */
  const loggers = {
    native: new JournaldLogger(options),
    prefixes: new JournaldLogger({ ...options, native: false }),
    // As an app gets it by default: colours off (a pipe), timestamps, pid.
    console: new ConsoleLogger(),
  };
  delete process.env.NESTJS_SYSTEMD_TEST_JOURNAL_SOCKET;
  /** The native logger's socket, to check that nothing waited or went to stderr. */
  const socket =
    /** @type {{ counts: { sent: number, toStderr: number }, pending: number, close(): void }} */ (
      /** @type {Record<string, unknown>} */ (/** @type {unknown} */ (loggers.native)).socket
    );
  /** @type {Record<Shape, (logger: import('@nestjs/common').LoggerService) => void>} */
  const calls = {
    plain: (logger) => logger.log('order 17 accepted', 'OrdersService'),
    structured: (logger) =>
      logger.log('paid', { orderId: 42, requestId: 'r-1', amount: 12.5 }, 'OrdersService'),
  };

  let queuedMax = 0;
  let expected = 0;
  /** Logs `count` lines through `variant`; returns the ns spent in the calls. */
  const burst = (/** @type {Variant} */ variant, /** @type {Shape} */ shape, count) => {
    const logger = loggers[variant];
    const call = calls[shape];
    const start = process.hrtime.bigint();
    for (let i = 0; i < count; i++) call(logger);
    const ns = Number(process.hrtime.bigint() - start);
    if (variant === 'native') {
      expected += count;
      queuedMax = Math.max(queuedMax, socket.pending);
    }
    return ns;
  };

  /** One run: every variant and shape, burst by burst, the order rotating. */
  const run = async (/** @type {number} */ lines) => {
    const keys = VARIANTS.flatMap((variant) => SHAPES.map((shape) => ({ variant, shape })));
    const ns = keys.map(() => 0);
    for (let round = 0; round * request.burst < lines; round++) {
      const size = Math.min(request.burst, lines - round * request.burst);
      for (let k = 0; k < keys.length; k++) {
        const index = (round + k) % keys.length;
        ns[index] += burst(keys[index].variant, keys[index].shape, size);
        if (keys[index].variant === 'native') await receivedAtLeast(expected);
      }
      // Let the pipes drain too before the next round.
      await new Promise((resolve) => setImmediate(resolve));
    }
    return Object.fromEntries(
      keys.map(({ variant, shape }, i) => [`${variant}/${shape}`, ns[i] / lines]),
    );
  };

  // An unrecorded pass first: every path compiled, the socket open.
  await run(request.burst * 20);

  /** @type {Record<string, number[]>} */
  const perLineNs = {};
  /** @type {Record<Variant, number[]>} */
  const isolatedNs = { native: [], prefixes: [], console: [] };
  /** @type {number[]} */
  const reopenedNs = [];
  for (let r = 0; r < request.runs; r++) {
    for (const [key, value] of Object.entries(await run(request.lines))) {
      (perLineNs[key] ??= []).push(value);
    }
    /** @type {Record<Variant, number[]>} */
    const single = { native: [], prefixes: [], console: [] };
    for (let i = 0; i < request.isolated; i++) {
      for (let k = 0; k < VARIANTS.length; k++) {
        const variant = VARIANTS[(i + k) % VARIANTS.length];
        await sleep(request.idleMs);
        single[variant].push(burst(variant, 'plain', 1));
        if (variant === 'native') await receivedAtLeast(expected);
      }
    }
    for (const variant of VARIANTS) isolatedNs[variant].push(summarize(single[variant]).median);
    /** @type {number[]} */
    const fresh = [];
    for (let i = 0; i < request.reopened; i++) {
      socket.close();
      await sleep(request.idleMs);
      fresh.push(burst('native', 'plain', 1));
      await receivedAtLeast(expected);
    }
    reopenedNs.push(summarize(fresh).median);
  }
  const received = await receivedAtLeast(expected);
  socket.close();
  receiver.send({ type: 'close' });
  await once(receiver, 'exit');
  rmSync(dir, { recursive: true, force: true });
  return {
    perLineNs,
    isolatedNs,
    reopenedNs,
    native: { sent: socket.counts.sent, received, toStderr: socket.counts.toStderr, queuedMax },
  };
}

if (process.argv[2] === CHILD_FLAG) {
  process.once('message', (/** @type {JournalCostRequest} */ request) => {
    void measure(request)
      .then((result) => process.send?.(result))
      .finally(() => process.disconnect());
  });
  process.send?.({ type: 'ready' });
}
