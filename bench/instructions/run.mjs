#!/usr/bin/env node
// Counts the instructions a Nest app's start executes, up to its server's 'listening', with and
// without the library, under valgrind (see "Start-up work, counted" in bench/README.md). Needs valgrind and the library built:
//
//   npm run bench:instructions            3 processes per variant
//   node bench/instructions/run.mjs 5     5 per variant
import { execFile, spawnSync } from 'node:child_process';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { NotifySink } from '../lib/notify-sink.mjs';
import { unsetStartUpVariables } from '../lib/start-up-env.mjs';

const runs = Number(process.argv[2] ?? 3);

/**
 * The variants, each the start of an app in ./apps/ (`app`: its file's name). Each app
 * imports what it uses statically, Nest and the library in one module graph, as an app's
 * compiled main does: Node's ES module loader walks the whole graph once for each import() of
 * a module, which charged the library, imported on its own after Nest, about 4 million
 * instructions that no app pays (a file importing nothing but the three Nest packages, 7.5
 * million). `supervised`: NOTIFY_SOCKET names the sink
 * (and WATCHDOG_USEC is 10 s); otherwise neither is set. `base`: the variant whose count this
 * one's "Added" is taken from (ScheduleModule alone unless given).
 */
const VARIANTS = [
  { name: 'bare', app: 'bare', supervised: true },
  { name: 'schedule', app: 'schedule', supervised: true },
  { name: 'import only', app: 'import', supervised: true },
  { name: 'module, no NOTIFY_SOCKET', app: 'module', supervised: false },
  { name: 'module', app: 'module', supervised: true },
  { name: 'least module, no NOTIFY_SOCKET', app: 'least', supervised: false },
  { name: 'least module', app: 'least', supervised: true },
  { name: 'schedule, 5 feature modules', app: 'schedule-features', supervised: true },
  {
    name: 'module, 5 feature modules importing forFeature()',
    app: 'features',
    supervised: true,
    base: 'schedule, 5 feature modules',
  },
];

if (spawnSync('valgrind', ['--version']).status !== 0) {
  console.error('bench:instructions needs valgrind (Debian: apt install valgrind)');
  process.exit(1);
}

// As in npm run bench: counts without the work a CA bundle adds to every start.
const unset = unsetStartUpVariables();
const sink = new NotifySink();

/**
 * Node's flags for a count that is the same from run to run (within about 0.5 million):
 * - --jitless keeps V8 from generating code, which valgrind would have to re-translate (and
 *   which makes counts vary with the JIT's timing); start-up code runs in the interpreter
 *   either way, most of it once;
 * - a young generation of 64 MB, so that no garbage collection runs before 'listening' in any
 *   variant: whether a scavenge fell inside the start moved a count by up to 20 million, more
 *   than what is measured. What a variant allocates is collected later in the process's life;
 * - --predictable and fixed seeds: no background threads, the same hashes in every run.
 */
const NODE_FLAGS = [
  '--jitless',
  '--min-semi-space-size=64',
  '--max-semi-space-size=64',
  '--predictable',
  '--hash-seed=1',
  '--random-seed=1',
];

/**
 * One start under cachegrind without its cache simulation: the count of instructions executed
 * ("I refs").
 * @param {(typeof VARIANTS)[number]} variant @returns {Promise<number>}
 */
async function count(variant) {
  const env = { ...process.env };
  delete env.NOTIFY_SOCKET;
  delete env.WATCHDOG_USEC;
  if (variant.supervised)
    Object.assign(env, { NOTIFY_SOCKET: sink.path, WATCHDOG_USEC: '10000000' });
  const { stderr } = await promisify(execFile)(
    'valgrind',
    [
      '--tool=cachegrind',
      '--cache-sim=no',
      '--cachegrind-out-file=/dev/null',
      process.execPath,
      ...NODE_FLAGS,
      fileURLToPath(new URL(`./apps/${variant.app}.mjs`, import.meta.url)),
    ],
    { env, maxBuffer: 16 * 1024 * 1024 },
  );
  const refs = /I\s+refs:\s+([\d,]+)/.exec(stderr)?.[1];
  if (!refs) throw new Error(`no instruction count from valgrind:\n${stderr}`);
  return Number(refs.replaceAll(',', ''));
}

/** @param {number[]} values */
const median = (values) => values.toSorted((a, b) => a - b)[Math.floor(values.length / 2)];
/** @param {number} value */
const millions = (value) => (value / 1e6).toFixed(1);

// Rounds of every variant, in an order that rotates, as many at once as there are cores: a
// count does not depend on timing as a duration does, so they need not run alone.
/** @type {Map<string, number[]>} */
const counts = new Map(VARIANTS.map((variant) => [variant.name, []]));
const jobs = [];
for (let round = 0; round < runs; round++) {
  for (let k = 0; k < VARIANTS.length; k++) jobs.push(VARIANTS[(round + k) % VARIANTS.length]);
}
const parallel = Math.max(1, Math.min(os.availableParallelism(), 4));
const began = performance.now();
await Promise.all(
  Array.from({ length: parallel }, async () => {
    for (let job = jobs.shift(); job; job = jobs.shift()) {
      // oxlint-disable-next-line no-await-in-loop -- one valgrind at a time per worker
      counts.get(job.name)?.push(await count(job));
    }
  }),
);
sink.close();

/** @param {string} name */
const medianOf = (name) => median(/** @type {number[]} */ (counts.get(name)));
const bare = medianOf('bare');
console.log(
  `Instructions executed from process start to the server's 'listening', under valgrind, Node ${process.version} ${NODE_FLAGS.join(' ')}, ${runs} processes per variant (${((performance.now() - began) / 1000).toFixed(0)} s); medians, in millions, what each adds to the app with ScheduleModule alone (or to its base, the same app with five empty feature modules), and that as a share of the bare app's count (case 5 of \`npm run bench\` takes the module's share of a bare app's time to listen)${unset.length > 0 ? `; ${unset.join(', ')} unset` : ''}:\n`,
);
console.log('| Variant | Instructions (M) | Added (M) | Share of the bare app (%) | Spread (M) |');
console.log('| --- | ---: | ---: | ---: | ---: |');
for (const variant of VARIANTS) {
  const { name } = variant;
  const values = /** @type {number[]} */ (counts.get(name));
  const spread = Math.max(...values) - Math.min(...values);
  // What the variant adds to its baseline: ScheduleModule alone, or the same feature modules.
  const added = median(values) - medianOf('base' in variant ? variant.base : 'schedule');
  const share = name === 'bare' ? '' : ((100 * added) / bare).toFixed(2);
  console.log(
    `| ${name} | ${millions(median(values))} | ${millions(added)} | ${share} | ${millions(spread)} |`,
  );
}
