// Issues #8 and #15: JournaldLogger under a real systemd. The sample's output is the journal
// (JOURNAL_STREAM names it), so every log call becomes one native journal entry, sent to
// /run/systemd/journal/socket with its fields: PRIORITY (`journalctl -p warning` shows exactly the
// app's warnings and errors), NEST_CONTEXT (`journalctl NEST_CONTEXT=ChaosController`), a
// structured call's keys (`ORDER_ID=42`), and a stack trace as one entry with a STACK field.
import type { SystemdContainer } from './harness/container.js';
import { warningLines, withUnitJournals } from './harness/journal.js';
import { freePort, httpRequest } from './harness/net.js';
import { pollUntil } from './harness/poll.js';
import { showUnit } from './harness/unit-state.js';
import { installSampleUnit } from './harness/units.js';
import { CONTAINER_REPO_DIR } from './harness/paths.js';
import { useContainer } from './harness/use-container.js';

const SAMPLE = 'nestjs-systemd-sample.service';
/** The sample with a greeting file that does not exist: it fails at start-up with a stack trace. */
const BROKEN = 'nestjs-systemd-sample-broken.service';
/** test/systemd/journal-fixture.mjs under the sample's unit file: one log call of each kind. */
const CALLS = 'nestjs-systemd-journal-calls.service';

const WARNING = '4';
const ERROR = '3';
const INFO = '6';

/** Logged at every start of the sample with SAMPLE_CHAOS=1. */
const CHAOS_WARNING =
  '[ChaosModule] SAMPLE_CHAOS=1: /chaos endpoints can block, crash and fail this app; never enable in production';
const STARTED = '[NestApplication] Nest application successfully started';

/** journald's own fields (`_` for what it established itself, not what the app sent). */
const TRANSPORT = '_TRANSPORT';
const COMM = '_COMM';
const UNIT = '_SYSTEMD_UNIT';

/** An entry as `journalctl -o json` prints it, every field as text. */
type Entry = Readonly<Record<string, string>>;

/** journalctl prints a value that is not valid UTF-8 text as bytes, a repeated field as a list. */
function text(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) {
    if (value.every((item) => typeof item === 'number')) {
      return Buffer.from(value as number[]).toString('utf8');
    }
    return value.map(text).join('|');
  }
  return String(value);
}

/**
 * `journalctl --boot -o json --all ARGS`, every field of every entry, after having journald
 * write out what it has received. The container is fresh: the boot holds this file's runs only.
 */
async function journal(container: SystemdContainer, args: readonly string[]): Promise<Entry[]> {
  await container.run(['journalctl', '--sync']);
  const output = await container.run([
    'journalctl',
    '--no-pager',
    '--boot',
    '--all',
    '--output=json',
    ...args,
  ]);
  return output
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) =>
      Object.fromEntries(
        Object.entries(JSON.parse(line) as Record<string, unknown>).map(([k, v]) => [k, text(v)]),
      ),
    );
}

/** What the app itself logged, as opposed to systemd's messages about the unit. */
const fromApp = (entries: readonly Entry[]): Entry[] =>
  entries.filter((entry) => entry[COMM] === 'node');

const brief = ({ PRIORITY, MESSAGE }: Entry) => ({ priority: PRIORITY, message: MESSAGE });

/** Sends `request` and waits until systemd has restarted the service under a new main pid. */
async function restartedAfter(
  container: SystemdContainer,
  request: () => Promise<unknown>,
): Promise<void> {
  const before = await showUnit(container, SAMPLE, ['MainPID']);
  // The process may die before it answers: the restart is what counts.
  await request().catch(() => undefined);
  await pollUntil(
    async () => {
      const now = await showUnit(container, SAMPLE, ['MainPID', 'ActiveState']);
      const restarted = now.MainPID !== '0' && now.MainPID !== before.MainPID;
      return restarted && now.ActiveState === 'active' ? true : undefined;
    },
    // Watchdog: a health round (1 s) and the 2 s timeout, RestartSec=1, then start-up.
    { timeoutMs: 20_000, intervalMs: 50, what: `${SAMPLE} to be restarted` },
  );
}

describe('the journal under a real systemd: priorities, fields, one entry per log call', () => {
  const container = useContainer();

  beforeAll(
    withUnitJournals(container, [SAMPLE, BROKEN, CALLS], async () => {
      const port = await freePort();
      await installSampleUnit(container(), SAMPLE, {
        Environment: ['SAMPLE_CHAOS=1', `PORT=${port}`],
        WatchdogSec: '2',
      });
      await installSampleUnit(container(), BROKEN, {
        Environment: [`PORT=${await freePort()}`, 'SAMPLE_GREETING_FILE=/nonexistent'],
        // One failed start is the whole story; no restarts.
        Restart: 'no',
      });
      await installSampleUnit(container(), CALLS, {
        Type: 'oneshot',
        ExecStart: ['', `/usr/bin/node ${CONTAINER_REPO_DIR}/test/systemd/journal-fixture.mjs`],
        WatchdogSec: '0',
        Restart: 'no',
      });

      // Warnings, errors and info lines from three processes of the sample: started, killed by the
      // watchdog after a failing health check, crashed, restarted each time.
      await container().systemctl('start', SAMPLE);
      await httpRequest(port, 'POST', '/chaos/block?ms=50');
      await httpRequest(port, 'POST', '/chaos/healthy');
      await restartedAfter(container(), () => httpRequest(port, 'POST', '/chaos/unhealthy'));
      await restartedAfter(container(), () => httpRequest(port, 'POST', '/chaos/crash'));
      await container().systemctl('stop', SAMPLE);
      // Fails: the greeting file is missing.
      await container().exec(['systemctl', 'start', BROKEN]);
      // Runs its log calls and ends (Type=oneshot: start returns when it has).
      await container().systemctl('start', CALLS);
    }),
    90_000,
  );

  it(
    'journalctl -p warning shows exactly the warnings and errors the app logged, in order',
    withUnitJournals(container, [SAMPLE], async () => {
      const warnings = await journal(container(), ['-u', SAMPLE, '-p', 'warning']);

      expect(fromApp(warnings).map(brief)).toEqual([
        { priority: WARNING, message: CHAOS_WARNING },
        { priority: WARNING, message: '[ChaosController] blocking the event loop for 50 ms' },
        { priority: WARNING, message: '[ChaosController] demo health indicator forced down' },
        {
          priority: WARNING,
          message: expect.stringMatching(/^\[SystemdModule\] health check failed.*: demo: /),
        },
        // The process the watchdog started.
        { priority: WARNING, message: CHAOS_WARNING },
        { priority: ERROR, message: '[ChaosController] exiting with status 1 on purpose' },
        // The process after the crash.
        { priority: WARNING, message: CHAOS_WARNING },
      ]);
    }),
  );

  it(
    'the same as an operator reads it (-o cat): no info line among them',
    withUnitJournals(container, [SAMPLE], async () => {
      const lines = await warningLines(container(), SAMPLE);
      const entries = await journal(container(), ['-u', SAMPLE, '-p', 'warning']);

      // The app's lines above, and systemd's own warnings about the unit (the watchdog kill).
      expect(lines).toEqual(entries.map((entry) => entry.MESSAGE));
      expect(lines).toContain("nestjs-systemd-sample.service: Failed with result 'watchdog'.");
      expect(lines).not.toContain(STARTED);
      expect(lines).not.toContain('[ChaosController] demo health indicator back up');
      expect(lines).not.toContainEqual(
        expect.stringMatching(/^\[(RouterExplorer|InstanceLoader)\]/),
      );
    }),
  );

  it(
    'every line came over the native protocol, none fell back to stderr; info lines at 6',
    withUnitJournals(container, [SAMPLE, BROKEN], async () => {
      const entries = fromApp(await journal(container(), ['-u', SAMPLE]));
      const broken = fromApp(await journal(container(), ['-u', BROKEN]));

      expect(entries.length).toBeGreaterThan(50);
      expect(new Set([...entries, ...broken].map((entry) => entry[TRANSPORT]))).toEqual(
        new Set(['journal']),
      );
      expect(entries.filter((entry) => entry.MESSAGE === STARTED).map(brief)).toEqual(
        Array.from({ length: 3 }, () => ({ priority: INFO, message: STARTED })),
      );
      expect(entries.map(brief)).toContainEqual({
        priority: INFO,
        message: '[ChaosController] demo health indicator back up',
      });
      for (const entry of [...entries, ...broken]) expect(entry.MESSAGE).not.toMatch(/^<\d>/);
    }),
  );

  it(
    'journalctl -o json: the context, the priority and the unit name on the entry itself',
    withUnitJournals(container, [SAMPLE], async () => {
      const entries = fromApp(await journal(container(), ['-u', SAMPLE]));
      const forcedDown = entries.filter(
        (entry) => entry.MESSAGE === '[ChaosController] demo health indicator forced down',
      );

      expect(forcedDown).toEqual([
        expect.objectContaining({
          PRIORITY: WARNING,
          NEST_CONTEXT: 'ChaosController',
          SYSLOG_IDENTIFIER: 'nestjs-systemd-sample',
          [UNIT]: SAMPLE,
          [TRANSPORT]: 'journal',
        }),
      ]);
    }),
  );

  it(
    'journalctl NEST_CONTEXT=ChaosController (and -p warning) select exactly its lines',
    withUnitJournals(container, [SAMPLE], async () => {
      const all = await journal(container(), ['-u', SAMPLE, 'NEST_CONTEXT=ChaosController']);
      const warnings = await journal(container(), [
        '-u',
        SAMPLE,
        '-p',
        'warning',
        'NEST_CONTEXT=ChaosController',
      ]);

      expect(all.map(brief)).toEqual([
        { priority: WARNING, message: '[ChaosController] blocking the event loop for 50 ms' },
        { priority: INFO, message: '[ChaosController] demo health indicator back up' },
        { priority: WARNING, message: '[ChaosController] demo health indicator forced down' },
        { priority: ERROR, message: '[ChaosController] exiting with status 1 on purpose' },
      ]);
      expect(warnings.map(brief)).toEqual(
        all.map(brief).filter((entry) => entry.priority !== INFO),
      );
    }),
  );

  it(
    'a stack trace is one entry: the error in MESSAGE, the trace in STACK, ERRNO and the code',
    withUnitJournals(container, [BROKEN], async () => {
      const all = fromApp(await journal(container(), ['-u', BROKEN]));
      const warnings = fromApp(await journal(container(), ['-u', BROKEN, '-p', 'warning']));

      // Nest's start-up line first, the error Nest logs for the failed bootstrap last. Between
      // them, the module's own line when its provider was built before the sample's failing one:
      // Nest builds the modules' providers concurrently, and which gets there first is Nest's
      // business (it changed when the module stopped importing DiscoveryModule).
      const error = all.at(-1);
      expect(all.map(brief)[0]).toEqual({
        priority: INFO,
        message: '[NestFactory] Starting Nest application...',
      });
      for (const entry of all.slice(1, -1)) {
        expect(brief(entry)).toEqual({
          priority: INFO,
          message: expect.stringMatching(/^\[SystemdModule\] /),
        });
      }
      expect(brief(error!)).toEqual({
        priority: ERROR,
        message: "[ExceptionHandler] Error: ENOENT: no such file or directory, open '/nonexistent'",
      });
      expect(warnings).toEqual([error]);
      expect(error).toMatchObject({
        NEST_CONTEXT: 'ExceptionHandler',
        ERRNO: '2',
        ERROR_CODE: 'ENOENT',
        ERROR_SYSCALL: 'open',
        ERROR_PATH: '/nonexistent',
        [UNIT]: BROKEN,
      });
      const stack = error!.STACK!;
      expect(stack).toMatch(/^Error: ENOENT: no such file or directory, open '\/nonexistent'\n/);
      expect(stack.match(/\n {4}at /g)?.length).toBeGreaterThanOrEqual(3);
    }),
  );

  it(
    'a structured call: its keys are fields of the entry, and journalctl selects by them',
    withUnitJournals(container, [CALLS], async () => {
      const all = fromApp(await journal(container(), ['-u', CALLS]));
      const byOrder = await journal(container(), ['-u', CALLS, 'ORDER_ID=42']);
      const byRequest = await journal(container(), ['REQUEST_ID=req-7']);

      expect(all.find((entry) => entry.MESSAGE === '[OrdersService] paid')).toMatchObject({
        PRIORITY: INFO,
        NEST_CONTEXT: 'OrdersService',
        ORDER_ID: '42',
        REQUEST_ID: 'req-7',
        SYSLOG_IDENTIFIER: 'nestjs-systemd-journal-calls',
        [UNIT]: CALLS,
        [TRANSPORT]: 'journal',
      });
      expect(byOrder.map((entry) => entry.MESSAGE)).toEqual(['[OrdersService] paid']);
      expect(byRequest.map((entry) => entry.MESSAGE)).toEqual(['[OrdersService] paid']);
      expect(all.find((entry) => entry.MESSAGE === '[OrdersService] stock low')).toMatchObject({
        PRIORITY: WARNING,
        ITEM_ID: '4',
        REMAINING: '1',
      });
      expect(all.find((entry) => entry.MESSAGE === '[OrdersService] payment failed')).toMatchObject(
        {
          PRIORITY: ERROR,
          ORDER_ID: '43',
          ERRNO: '104',
          ERROR_CODE: 'ECONNRESET',
          STACK: expect.stringMatching(/^Error: connection reset by the payment gateway\n {4}at /),
        },
      );
      expect(all.find((entry) => entry.MESSAGE?.startsWith('[OrdersService] first'))).toMatchObject(
        {
          MESSAGE: '[OrdersService] first line\nsecond line',
        },
      );
      // (Not necessarily the last entry: journald reads its stream and its socket in turns.)
      expect(all.find((entry) => entry.NEST_CONTEXT === 'Shutdown')).toMatchObject({
        MESSAGE: '[Shutdown] done',
        PRIORITY: INFO,
      });
    }),
  );

  it(
    'size: 150 kB arrive as one entry; over the datagram limit, stderr with the priority kept',
    withUnitJournals(container, [CALLS], async () => {
      const all = fromApp(await journal(container(), ['-u', CALLS]));
      const warnings = fromApp(await journal(container(), ['-u', CALLS, '-p', 'warning']));

      const large = all.filter((entry) => entry.MESSAGE?.startsWith('[OrdersService] large '));
      expect(large.map((entry) => [entry[TRANSPORT], entry.MESSAGE!.length])).toEqual([
        ['journal', '[OrdersService] large '.length + 150_000],
      ]);

      // The entry too big for a datagram: a warning, then the text in pieces journald keeps whole.
      const tooBig = warnings.filter((entry) => entry[TRANSPORT] === 'stdout');
      expect(tooBig[0]!.MESSAGE).toMatch(
        /^\[JournaldLogger\] a journal entry of \d+ bytes is more than one datagram to the journal socket can carry \(EMSGSIZE\)/,
      );
      const pieces = tooBig.slice(1);
      expect(pieces.length).toBeGreaterThan(1);
      expect(new Set(pieces.map((entry) => entry.PRIORITY))).toEqual(new Set([WARNING]));
      expect(pieces.map((entry) => entry.MESSAGE).join('')).toBe(
        `[OrdersService] too large ${'y'.repeat(300_000)}`,
      );
      // Nothing else of the app went to stderr.
      expect(all.filter((entry) => entry[TRANSPORT] === 'stdout')).toEqual(tooBig);
    }),
  );
});
