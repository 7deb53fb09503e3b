#!/usr/bin/env node
// Runs the measurements of issue #7 in one go and prints one markdown table; after a full run
// the same text goes to bench/results/latest.md. Needs the library built (npm run build).
//
//   node bench/run.mjs                 all cases (three to five minutes on this machine)
//   node bench/run.mjs notify scale    only some: notify, lifecycle, overhead, scale, journal
//   node bench/run.mjs least           case 5 against the least module (not in the full run)
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { runJournalCost } from './cases/journal-cost.mjs';
import { runLeastModule } from './cases/least-module.mjs';
import { runLifecycle } from './cases/lifecycle.mjs';
import { runNotifyCost } from './cases/notify-cost.mjs';
import { runScale } from './cases/scale.mjs';
import { runWatchdogOverhead } from './cases/watchdog-overhead.mjs';
import { machineFacts, packagesFact } from './lib/machine.mjs';
import { unsetStartUpVariables } from './lib/start-up-env.mjs';
import { renderTable } from './lib/table.mjs';

/** @typedef {{ rows: import('./lib/table.mjs').Row[], notes: string[] }} CaseResult */

/** The issue asks for figures on 2 cores; a bigger machine is narrowed to two with taskset. */
const CORES = 2;
/** The budget for the whole run. */
const BUDGET_S = 180;

/**
 * The cases, in the order they run. `optional`: run only when named, not in the full run.
 * @type {Record<string, { title: string, optional?: boolean, run: () => Promise<CaseResult> }>}
 */
const CASES = {
  notify: {
    title: '1 notification cost',
    run: () =>
      runNotifyCost({
        runs: 15,
        messages: 2000,
        burst: 8,
        cliMessages: 20,
        isolated: 6,
        idleMs: 20,
      }),
  },
  lifecycle: {
    title: '2, 3, 5 READY, STOPPING, bootstrap',
    // 15 cold rounds: 30 starts of the module's apps (the issue asks for 30 or more), and room
    // in the 3 min budget, which 16 rounds came within a second of on a slow day.
    run: () => runLifecycle({ rounds: 15, warmRounds: 1500 }),
  },
  overhead: {
    title: '4 watchdog overhead',
    run: () =>
      runWatchdogOverhead({
        defaultSet: { windows: 10, windowMs: 1000 },
        fastSet: { windows: 6, windowMs: 400 },
        eldResolutionMs: 1,
      }),
  },
  journal: {
    title: '7 journal cost per log line',
    run: () =>
      runJournalCost({ runs: 10, lines: 2000, burst: 8, isolated: 10, idleMs: 20, reopened: 5 }),
  },
  scale: {
    title: '6 scale',
    run: () =>
      runScale({ counts: [10, 100, 1000], ticks: 1000, longTicks: 10_000, sampleEvery: 1000 }),
  },
  least: {
    title: '5 bootstrap, against the least module',
    optional: true,
    // About 1 s a process: 80 processes.
    run: () => runLeastModule({ rounds: 20 }),
  },
};

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const RESULTS = fileURLToPath(new URL('./results/latest.md', import.meta.url));

function pinToCores() {
  if (os.availableParallelism() <= CORES || process.env.BENCH_PINNED) return;
  const cpus = Array.from({ length: CORES }, (_, i) => i).join(',');
  const child = spawnSync('taskset', ['-c', cpus, process.execPath, ...process.argv.slice(1)], {
    stdio: 'inherit',
    env: { ...process.env, BENCH_PINNED: cpus },
  });
  if (child.error) {
    console.error(`taskset unavailable (${child.error.message}): running on every core`);
    return;
  }
  process.exit(child.status ?? 1);
}

/**
 * Aligns the table the way the repo's Prettier would, so that the results file passes
 * `prettier --check .` and pastes into bench/README.md unchanged.
 * @param {string} markdown
 */
async function formatMarkdown(markdown) {
  try {
    const prettier = await import('prettier');
    const config = await prettier.resolveConfig(RESULTS);
    return await prettier.format(markdown, { ...config, parser: 'markdown' });
  } catch (error) {
    progress(`not formatted with Prettier: ${/** @type {Error} */ (error).message}`);
    return markdown;
  }
}

/** @param {string} text */
function progress(text) {
  process.stderr.write(`[bench ${(performance.now() / 1000).toFixed(0)} s] ${text}\n`);
}

async function main() {
  pinToCores();
  const unset = unsetStartUpVariables();
  if (!existsSync(`${ROOT}/dist/index.js`)) {
    console.error('dist/ is missing: run npm run build first (npm run bench does).');
    process.exit(1);
  }
  const wanted = process.argv.slice(2);
  const unknown = wanted.filter((name) => !(name in CASES));
  if (unknown.length > 0) {
    console.error(`unknown case(s) ${unknown.join(', ')}; known: ${Object.keys(CASES).join(', ')}`);
    process.exit(1);
  }
  const facts = machineFacts();
  if (unset.length > 0) facts.push(["Unset for the bench's processes", unset.join(', ')]);
  /** @type {CaseResult[]} */
  const results = [];
  for (const [name, entry] of Object.entries(CASES)) {
    if (wanted.length > 0 ? !wanted.includes(name) : entry.optional) continue;
    progress(`case ${entry.title}`);
    results.push(await entry.run());
  }
  const elapsedS = performance.now() / 1000;
  progress('done');
  facts.push(packagesFact());

  // Rows in the order, whatever order the cases ran in.
  const rows = results
    .flatMap((result) => result.rows)
    .toSorted((a, b) => a.id.localeCompare(b.id));
  const missed = rows.filter((row) => row.met === false).map((row) => `${row.id}: ${row.label}`);
  const markdown = [
    '### Benchmark results',
    '',
    ...facts.map(([label, value]) => `- ${label}: ${value}`),
    `- Whole run: ${elapsedS.toFixed(0)} s (budget ${BUDGET_S} s), load average at end ${os
      .loadavg()
      .map((value) => value.toFixed(2))
      .join(', ')}`,
    '',
    renderTable(rows),
    '',
    "Median, min and max are over repeated runs (n); p99 is given where n is hundreds of single events or more. Ratios are taken run by run (both sides measured in the same run) and then summarised, except the ratio rows of cases 2 and 3, where each column is one side's statistic over the other's, both from the same interleaved rounds.",
    '',
    ...results.flatMap((result) => result.notes).map((note) => `- ${note}`),
    '',
    missed.length === 0 ? 'Every goal met.' : `Goals missed: ${missed.join('; ')}.`,
    '',
  ].join('\n');

  const formatted = await formatMarkdown(markdown);
  process.stdout.write(formatted);
  // Only a full run stands for bench/README.md; a run of some cases leaves the file as it was.
  if (wanted.length === 0) {
    mkdirSync(fileURLToPath(new URL('./results/', import.meta.url)), { recursive: true });
    writeFileSync(RESULTS, formatted);
  }
  if (elapsedS > BUDGET_S) progress(`over the ${BUDGET_S} s budget`);
}

await main();
