// The sending side of the notification-cost case, in a process of its own (a running Node
// app, nothing else loaded). It starts the drain receiver, then sends WATCHDOG=1 through each
// variant in turn, the order rotating from run to run so that every variant meets the same
// machine noise, and reports per-run figures to the bench over IPC.
//
// In-process variants send in bursts smaller than the receiver's queue (10 datagrams by
// default) and wait for the receiver to have all of them before the next burst: every send
// then finds room, nothing waits in the library's retry queue (checked), and what is timed
// is delivery into the receiver's socket, confirmed by its count. They also send isolated
// datagrams after idling, as a watchdog ping is sent: one per period from a sleeping process,
// with caches gone cold, which costs far more than a send in a busy loop.
import { spawn, fork } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { SystemdNotifier } from 'nestjs-systemd';
import { summarize } from '../lib/stats.mjs';
import { unixDgram } from '../lib/notify-sink.mjs';

/**
 * @typedef {object} CostRequest
 * @property {number} runs
 * @property {number} messages per in-process variant and run
 * @property {number} burst
 * @property {number} cliMessages per run for the systemd-notify CLI
 * @property {number} isolated single sends per in-process variant and run, each after idling
 * @property {number} idleMs how long the sender idles before each isolated send
 * @typedef {object} VariantRun
 * @property {number} sent
 * @property {number} received
 * @property {number} callNs time spent in the send calls, per message
 * @property {number} deliveredNs from each burst's first send to its last arrival, per message
 * @property {number} stuck datagrams left in a retry queue or refused (must be 0)
 * @typedef {{ name: string, send: () => boolean, pending: () => number, close: () => void }} InProcessVariant
 */

const RECEIVER = fileURLToPath(new URL('./drain-receiver.mjs', import.meta.url));
const MESSAGE = 'WATCHDOG=1';
const CLI = 'systemd-notify CLI (spawn)';

const dir = mkdtempSync(join(tmpdir(), 'nestjs-systemd-bench-'));
const path = join(dir, 'notify.sock');
const receiver = fork(RECEIVER, [path], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
await once(receiver, 'message');

let requests = 0;

/**
 * Resolves once the receiver has counted `count` datagrams in total, or with what it has after
 * `timeoutMs` (a datagram lost to congestion would otherwise hang the run).
 * @param {number} count @param {number} [timeoutMs]
 * @returns {Promise<{ received: number, lastAt: bigint }>}
 */
function received(count, timeoutMs = 2000) {
  const id = ++requests;
  return new Promise((resolve) => {
    const timer = setTimeout(() => receiver.send({ type: 'expect', id, count: 0 }), timeoutMs);
    /** @param {{ id: number, received: number, lastAt: string }} reply */
    const onReply = (reply) => {
      if (reply.id !== id) return;
      clearTimeout(timer);
      receiver.off('message', onReply);
      resolve({ received: reply.received, lastAt: BigInt(reply.lastAt) });
    };
    receiver.on('message', onReply);
    receiver.send({ type: 'expect', id, count });
  });
}

/** @returns {InProcessVariant} */
function rawVariant() {
  const socket = unixDgram.createSocket('unix_dgram');
  socket.connect(path);
  const bytes = Buffer.from(MESSAGE);
  let refused = 0;
  return {
    name: 'raw unix-dgram',
    send() {
      // The datagram is built once: the floor is the bare socket call from JavaScript.
      socket.send(bytes, (error) => {
        if (error) refused++;
      });
      return true;
    },
    pending: () => refused,
    close: () => socket.close(),
  };
}

/** @returns {InProcessVariant} */
function oursVariant() {
  const notifier = new SystemdNotifier({ env: { NOTIFY_SOCKET: path } });
  // Held open, as the module holds its socket while the app serves: the variants' isolated sends
  // rotate, so each socket idles 60 to 100 ms between two of its own, and the notifier's
  // default idle close (100 ms) would otherwise reopen it at random. The reopen has its own row.
  const release = notifier.holdOpen();
  return {
    name: 'SystemdNotifier.notify()',
    send: () => notifier.notify({ watchdog: true }),
    pending: () => notifier.pending,
    close: () => {
      release();
      void notifier.close();
    },
  };
}

/** Past the notifier's default idle close (100 ms), so that each send opens a fresh socket. */
const REOPEN_IDLE_MS = 150;

/**
 * One send after the notifier's socket closed itself for idling: what a script that notifies
 * now and then pays, the socket(2) and connect(2) included. In nanoseconds.
 * @param {SystemdNotifier} notifier @param {{ total: number }} counted
 */
async function reopenedSend(notifier, counted) {
  await sleep(REOPEN_IDLE_MS);
  const start = process.hrtime.bigint();
  notifier.notify({ watchdog: true });
  const callNs = Number(process.hrtime.bigint() - start);
  counted.total = (await received(counted.total + 1)).received;
  return callNs;
}

/** @returns {InProcessVariant | string} the variant, or why it is unavailable */
function sdNotifyVariant() {
  /** @type {{ watchdog(): void }} */
  let binding;
  try {
    binding = createRequire(import.meta.url)('sd-notify');
  } catch (error) {
    return `sd-notify not loadable: ${/** @type {Error} */ (error).message.split('\n')[0]}`;
  }
  // libsystemd's sd_notify() reads NOTIFY_SOCKET from the C environment on every call.
  process.env.NOTIFY_SOCKET = path;
  return {
    name: 'sd-notify (libsystemd)',
    send() {
      binding.watchdog();
      return true;
    },
    pending: () => 0,
    close: () => {},
  };
}

/**
 * One run of every in-process variant, interleaved burst by burst (the order rotating), so
 * that each variant's figure spans the same stretch of time as the others'.
 * @param {InProcessVariant[]} variants @param {number} messages @param {number} burst
 * @param {{ total: number }} counted running total at the receiver
 * @returns {Promise<VariantRun[]>} in the order of `variants`
 */
async function runInProcess(variants, messages, burst, counted) {
  const runs = variants.map(() => ({ sent: 0, received: 0, callNs: 0, deliveredNs: 0, stuck: 0 }));
  for (let round = 0; round * burst < messages; round++) {
    const size = Math.min(burst, messages - round * burst);
    for (let k = 0; k < variants.length; k++) {
      const index = (round + k) % variants.length;
      const variant = variants[index];
      const run = runs[index];
      const start = process.hrtime.bigint();
      for (let i = 0; i < size; i++) variant.send();
      run.callNs += Number(process.hrtime.bigint() - start);
      run.stuck = Math.max(run.stuck, variant.pending());
      const reply = await received(counted.total + size);
      run.sent += size;
      run.received += reply.received - counted.total;
      counted.total = reply.received;
      run.deliveredNs += Number(reply.lastAt - start);
    }
  }
  for (const run of runs) {
    run.callNs /= run.sent;
    run.deliveredNs /= run.sent;
  }
  return runs;
}

/**
 * What a shell wrapper does: one systemd-notify process per message, waited for.
 * @param {number} messages @param {{ total: number }} counted
 * @returns {Promise<VariantRun>}
 */
async function runCli(messages, counted) {
  let callNs = 0;
  let deliveredNs = 0;
  let got = 0;
  let failed = 0;
  for (let i = 0; i < messages; i++) {
    const start = process.hrtime.bigint();
    // --no-block: systemd 252's CLI otherwise also sends BARRIER=1 and waits for the
    // receiver to close the fd it passes, a second round trip. The cheapest CLI use is compared.
    const child = spawn('systemd-notify', ['--no-block', MESSAGE], {
      env: { ...process.env, NOTIFY_SOCKET: path },
      stdio: 'ignore',
    });
    const [code] = await once(child, 'exit');
    callNs += Number(process.hrtime.bigint() - start);
    if (code !== 0) failed++;
    const reply = await received(counted.total + 1);
    got += reply.received - counted.total;
    counted.total = reply.received;
    deliveredNs += Number(reply.lastAt - start);
  }
  return {
    sent: messages,
    received: got,
    callNs: callNs / messages,
    deliveredNs: deliveredNs / messages,
    stuck: failed,
  };
}

/**
 * Single sends after `idleMs` of sleep, the variants taking turns; the median of each.
 * @param {InProcessVariant[]} variants @param {number} sends @param {number} idleMs
 * @param {{ total: number }} counted
 * @returns {Promise<VariantRun[]>} in the order of `variants`
 */
async function runIsolated(variants, sends, idleMs, counted) {
  const samples = variants.map(() => ({
    callNs: /** @type {number[]} */ ([]),
    deliveredNs: /** @type {number[]} */ ([]),
    received: 0,
    stuck: 0,
  }));
  for (let i = 0; i < sends; i++) {
    for (let k = 0; k < variants.length; k++) {
      const index = (i + k) % variants.length;
      const sample = samples[index];
      await sleep(idleMs);
      const start = process.hrtime.bigint();
      variants[index].send();
      sample.callNs.push(Number(process.hrtime.bigint() - start));
      sample.stuck = Math.max(sample.stuck, variants[index].pending());
      const reply = await received(counted.total + 1);
      sample.received += reply.received - counted.total;
      counted.total = reply.received;
      sample.deliveredNs.push(Number(reply.lastAt - start));
    }
  }
  return samples.map((sample) => ({
    sent: sends,
    received: sample.received,
    callNs: summarize(sample.callNs).median,
    deliveredNs: summarize(sample.deliveredNs).median,
    stuck: sample.stuck,
  }));
}

/** @param {CostRequest} request */
async function measure(request) {
  const sdNotify = sdNotifyVariant();
  /** @type {InProcessVariant[]} */
  const inProcess = [rawVariant(), oursVariant()];
  if (typeof sdNotify !== 'string') inProcess.push(sdNotify);
  const names = [...inProcess.map((variant) => variant.name), CLI];
  /** @type {Record<string, VariantRun[]>} */
  const runs = Object.fromEntries(names.map((name) => [name, []]));
  /** @type {Record<string, VariantRun[]>} */
  const isolated = Object.fromEntries(inProcess.map((variant) => [variant.name, []]));
  const counted = { total: 0 };
  const reopening = new SystemdNotifier({ env: { NOTIFY_SOCKET: path } });
  /** @type {number[]} */
  const reopened = [];

  // One unrecorded pass first, so that every variant's code is compiled and its socket open.
  await runInProcess(inProcess, request.burst * 20, request.burst, counted);
  await runCli(2, counted);
  await reopenedSend(reopening, counted);

  // CLI runs alternate with in-process runs: a spawn costs milliseconds, a send microseconds.
  for (let run = 0; run < request.runs; run++) {
    const cliFirst = run % 2 === 1;
    if (cliFirst) runs[CLI].push(await runCli(request.cliMessages, counted));
    const results = await runInProcess(inProcess, request.messages, request.burst, counted);
    inProcess.forEach((variant, i) => runs[variant.name].push(results[i]));
    if (!cliFirst) runs[CLI].push(await runCli(request.cliMessages, counted));
    const single = await runIsolated(inProcess, request.isolated, request.idleMs, counted);
    inProcess.forEach((variant, i) => isolated[variant.name].push(single[i]));
    reopened.push(await reopenedSend(reopening, counted));
  }
  for (const variant of inProcess) variant.close();
  void reopening.close();
  return {
    type: 'cost',
    runs,
    isolated,
    reopened,
    unavailable: typeof sdNotify === 'string' ? [sdNotify] : [],
  };
}

process.once('message', (/** @type {CostRequest} */ request) => {
  void measure(request)
    .then((result) => process.send?.(result))
    .finally(() => {
      receiver.send({ type: 'close' });
      rmSync(dir, { recursive: true, force: true });
      process.disconnect();
    });
});
process.send?.({ type: 'ready' });
