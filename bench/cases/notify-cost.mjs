// Case 1: what one notification costs the sending process, against the alternatives.
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { ensureSdNotify } from '../lib/optional-deps.mjs';
import { pairedRatios, summarize } from '../lib/stats.mjs';

/**
 * @typedef {import('../lib/table.mjs').Row} Row
 * @typedef {import('../apps/notify-sender.mjs').CostRequest} CostRequest
 * @typedef {import('../apps/notify-sender.mjs').VariantRun} VariantRun
 */

const SENDER = fileURLToPath(new URL('../apps/notify-sender.mjs', import.meta.url));
const RAW = 'raw unix-dgram';
const OURS = 'SystemdNotifier.notify()';
const SD_NOTIFY = 'sd-notify (libsystemd)';
const CLI = 'systemd-notify CLI (spawn)';

/**
 * @param {CostRequest} request
 * @returns {Promise<{ rows: Row[], notes: string[] }>}
 */
export async function runNotifyCost(request) {
  const sdNotifySkipped = ensureSdNotify();
  const sender = fork(SENDER, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  await once(sender, 'message');
  sender.send(request);
  const [result] =
    /** @type {[{ runs: Record<string, VariantRun[]>, isolated: Record<string, VariantRun[]>, reopened: number[], unavailable: string[] }]} */ (
      await once(sender, 'message')
    );
  await once(sender, 'exit');

  const runs = result.runs;
  const us = (/** @type {string} */ name, /** @type {'callNs' | 'deliveredNs'} */ key) =>
    runs[name]?.map((run) => run[key] / 1000) ?? [];
  const single = (/** @type {string} */ name, /** @type {'callNs' | 'deliveredNs'} */ key) =>
    result.isolated[name]?.map((run) => run[key] / 1000) ?? [];
  const lost = [...Object.values(runs), ...Object.values(result.isolated)]
    .flat()
    .reduce((sum, run) => sum + (run.sent - run.received) + run.stuck, 0);

  const oursOverRaw = summarize(pairedRatios(us(OURS, 'callNs'), us(RAW, 'callNs')));
  const isolatedOverRaw = summarize(pairedRatios(single(OURS, 'callNs'), single(RAW, 'callNs')));
  // Against the isolated send, the dearer of ours: the comparison a watchdog ping faces.
  const cliOverOurs = summarize(pairedRatios(us(CLI, 'callNs'), single(OURS, 'callNs')));
  /** @type {Row[]} */
  const rows = [
    { id: '1', label: `${RAW}: send call (µs/msg)`, summary: summarize(us(RAW, 'callNs')) },
    { id: '1', label: `${OURS}: send call (µs/msg)`, summary: summarize(us(OURS, 'callNs')) },
  ];
  if (runs[SD_NOTIFY]) {
    rows.push({
      id: '1',
      label: `${SD_NOTIFY}: send call (µs/msg)`,
      summary: summarize(us(SD_NOTIFY, 'callNs')),
    });
  }
  rows.push(
    { id: '1', label: `${CLI}: spawn to exit (µs/msg)`, summary: summarize(us(CLI, 'callNs')) },
    {
      id: '1',
      label: `${RAW}: first send to arrival (µs/msg)`,
      summary: summarize(us(RAW, 'deliveredNs')),
    },
    {
      id: '1',
      label: `${OURS}: first send to arrival (µs/msg)`,
      summary: summarize(us(OURS, 'deliveredNs')),
    },
    {
      id: '1',
      label: 'ours / raw unix-dgram, send call in bursts',
      kind: 'ratio',
      summary: oursOverRaw,
      goal: '≤ 1.5x',
      met: oursOverRaw.median <= 1.5,
    },
    {
      id: '1',
      label: 'ours / raw unix-dgram, to arrival',
      kind: 'ratio',
      summary: summarize(pairedRatios(us(OURS, 'deliveredNs'), us(RAW, 'deliveredNs'))),
    },
  );
  if (runs[SD_NOTIFY]) {
    rows.push({
      id: '1',
      label: 'sd-notify / ours, send call',
      kind: 'ratio',
      summary: summarize(pairedRatios(us(SD_NOTIFY, 'callNs'), us(OURS, 'callNs'))),
    });
  }
  for (const name of [RAW, OURS, SD_NOTIFY]) {
    if (!result.isolated[name]) continue;
    rows.push({
      id: '1',
      label: `${name}: isolated send after ${request.idleMs} ms idle (µs)`,
      summary: summarize(single(name, 'callNs')),
    });
  }
  rows.push({
    id: '1',
    label: `${OURS}: send on a socket reopened after its idle close (µs)`,
    summary: summarize(result.reopened.map((ns) => ns / 1000)),
  });
  rows.push({
    id: '1',
    label: 'ours / raw unix-dgram, isolated send',
    kind: 'ratio',
    summary: isolatedOverRaw,
    goal: '≤ 1.5x',
    met: isolatedOverRaw.median <= 1.5,
  });
  rows.push({
    id: '1',
    label: 'systemd-notify CLI / ours (send call in bursts)',
    kind: 'ratio',
    summary: summarize(pairedRatios(us(CLI, 'callNs'), us(OURS, 'callNs'))),
  });
  rows.push({
    id: '1',
    label: 'systemd-notify CLI / ours (isolated send)',
    kind: 'ratio',
    summary: cliOverOurs,
    goal: '≥ 100x',
    met: cliOverOurs.median >= 100,
  });

  const notes = [
    `Case 1: WATCHDOG=1 to a unix-dgram receiver in another process, ${request.runs} runs, variants interleaved in rotating order within each run. In-process variants: ${request.messages} messages per run in bursts of ${request.burst} (below the receiver's queue of 10), the next burst once the receiver has counted the last one, so no send meets EAGAIN; "send call" is the time inside the send calls, "to arrival" runs from a burst's first send to its last datagram's arrival and so includes the receiver waking up. Isolated: ${request.isolated} single sends per variant and run, each after ${request.idleMs} ms asleep (how a watchdog ping is sent), per-run median; ours on a socket held open (holdOpen(), as the module holds it while the app serves), since in the rotation each socket idles 60 to 100 ms between its own sends, around the notifier's default idle close (100 ms). "Reopened": one send per run after 150 ms asleep, past that close, on a notifier of its own, so socket(2) and connect(2) are in it: what a script that notifies now and then pays. CLI: ${request.cliMessages} spawns per run, each awaited. Datagrams lost or left queued: ${lost}. In bursts the send-call figures also reflect the sender racing the receiver as it wakes (raw, the tighter loop, collides more and can come out dearer than ours); "to arrival" and the isolated sends are the steadier comparisons.`,
    // When sd-notify was skipped on purpose, that reason says more than "cannot find module".
    ...(sdNotifySkipped
      ? [sdNotifySkipped, ...result.unavailable.filter((reason) => !reason.startsWith('sd-notify'))]
      : result.unavailable
    ).map((reason) => `Case 1: ${reason}.`),
  ];
  return { rows, notes };
}
