// JournaldLogger in a real child process whose stderr is a pipe. A shell sets JOURNAL_STREAM to
// that pipe's device:inode and then execs node, as systemd does for a journal stream. The journal
// socket is a datagram socket bound by the test (NESTJS_SYSTEMD_TEST_JOURNAL_SOCKET), or a path
// where there is none.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { exitedAndRead } from '../e2e/helpers.js';
import { ChildReceiver, fixture } from '../notify/helpers.js';
import { JournalReceiver, runFile } from './helpers.js';

/** Runs the fixture with `JOURNAL_STREAM` naming its stderr (`'stderr'`), its stdout, or unset. */
async function logWith(
  logger: 'journald' | 'console',
  stream: 'stderr' | 'stdout' | 'unset',
  journalSocket: string,
): Promise<{ stdout: string; stderr: string }> {
  const setStream =
    stream === 'unset'
      ? 'unset JOURNAL_STREAM'
      : `export JOURNAL_STREAM=$(stat -L -c %d:%i /proc/$$/fd/${stream === 'stderr' ? 2 : 1})`;
  return runFile(
    '/bin/sh',
    ['-c', `${setStream}; exec "$0" "$@"`, process.execPath, fixture('journal-logger'), logger],
    {
      env: { ...process.env, NO_COLOR: '', NESTJS_SYSTEMD_TEST_JOURNAL_SOCKET: journalSocket },
    },
  );
}

/** Nest's output with the parts that change from run to run (pid, time, timings) masked. */
const mask = (text: string): string =>
  text
    .replace(/\[Nest\] \d+/g, '[Nest] PID')
    .replace(/\d{1,2}\/\d{1,2}\/\d{4}, \d{1,2}:\d{2}:\d{2} [AP]M/g, 'TIME')
    .replace(/\+\d+ms/g, '+Nms');

/** What the fixture logs, as `<N>` lines: today's stderr format, and the fallback's. */
const PREFIXED_LINES = [
  '<6>[Orders] order 17 accepted',
  '<4>[Orders] stock low for item 4',
  '<3>[Orders] payment failed',
  '<3>Error: database unreachable',
  '<3>    at connect (db.js:1:1)',
  '<3>    at main (app.js:2:2)',
  '<7>[Orders] cache hit',
  '<7>[Orders] request details',
  '<2>[Orders] out of memory',
  '<6>[Orders] first line',
  '<6>[Orders] second line',
  '<6>[Orders] Object(2) {',
  '<6>[Orders]   order: 17,',
  '<6>[Orders]   items: 2',
  '<6>[Orders] }',
  '<6>[Billing] from another context',
];

const BURST = fileURLToPath(new URL('./fixtures/journal-burst.mjs', import.meta.url));

describe('JournaldLogger', () => {
  let receiver: JournalReceiver;
  beforeEach(async () => {
    receiver = await JournalReceiver.start();
  });
  afterEach(() => receiver.close());

  it('sends one native entry per call when stderr is the journal stream, and writes nothing', async () => {
    const { stdout, stderr } = await logWith('journald', 'stderr', receiver.path);
    expect(stdout).toBe('done\n');
    expect(stderr).toBe('');

    await receiver.waitForCount(9);
    const entries = receiver.entries();
    expect(
      entries.map(({ PRIORITY, NEST_CONTEXT, MESSAGE }) => ({ PRIORITY, NEST_CONTEXT, MESSAGE })),
    ).toEqual([
      { PRIORITY: '6', NEST_CONTEXT: 'Orders', MESSAGE: '[Orders] order 17 accepted' },
      { PRIORITY: '4', NEST_CONTEXT: 'Orders', MESSAGE: '[Orders] stock low for item 4' },
      { PRIORITY: '3', NEST_CONTEXT: 'Orders', MESSAGE: '[Orders] payment failed' },
      { PRIORITY: '7', NEST_CONTEXT: 'Orders', MESSAGE: '[Orders] cache hit' },
      { PRIORITY: '7', NEST_CONTEXT: 'Orders', MESSAGE: '[Orders] request details' },
      { PRIORITY: '2', NEST_CONTEXT: 'Orders', MESSAGE: '[Orders] out of memory' },
      { PRIORITY: '6', NEST_CONTEXT: 'Orders', MESSAGE: '[Orders] first line\nsecond line' },
      {
        PRIORITY: '6',
        NEST_CONTEXT: 'Orders',
        MESSAGE: '[Orders] Object(2) {\n  order: 17,\n  items: 2\n}',
      },
      { PRIORITY: '6', NEST_CONTEXT: 'Billing', MESSAGE: '[Billing] from another context' },
    ]);
    // The stack trace is part of its error's entry.
    expect(entries[2]!.STACK).toBe(
      'Error: database unreachable\n    at connect (db.js:1:1)\n    at main (app.js:2:2)',
    );
    expect(entries[7]).toMatchObject({ ORDER: '17', ITEMS: '2' });
    // Outside a service unit, the identifier is the process title.
    expect(new Set(entries.map((entry) => entry.SYSLOG_IDENTIFIER))).toEqual(new Set(['node']));
  });

  it('without a journal socket: <priority>-prefixed lines on stderr as before, after one warning', async () => {
    await receiver.unbind();
    const { stdout, stderr } = await logWith('journald', 'stderr', receiver.path);
    expect(stdout).toBe('done\n');
    expect(stderr.split('\n')).toEqual([
      `<4>[JournaldLogger] journal socket ${receiver.path} unusable (ENOENT): entries go to ` +
        'stderr with their priority but without their fields until it takes them again',
      ...PREFIXED_LINES,
      '',
    ]);
  });

  it.each(['stdout', 'unset'] as const)(
    'is exactly ConsoleLogger when JOURNAL_STREAM is %s',
    async (stream) => {
      const journald = await logWith('journald', stream, receiver.path);
      const console = await logWith('console', stream, receiver.path);
      expect(mask(journald.stdout)).toBe(mask(console.stdout));
      expect(mask(journald.stderr)).toBe(mask(console.stderr));
      expect(journald.stdout).toContain('stock low for item 4');
      expect(journald.stderr).not.toMatch(/^<\d>/m);
      expect(receiver.datagrams).toEqual([]);
    },
  );

  it('a process that ends by itself ends soon after its last entry: the idle socket closes', async () => {
    const child = spawn(process.execPath, [BURST, '3'], {
      env: { ...process.env, NESTJS_SYSTEMD_TEST_JOURNAL_SOCKET: receiver.path },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const [logged] = (await Promise.all([
      once(child.stdout, 'data').then(() => performance.now()),
      once(child, 'exit'),
    ])) as [number, unknown];
    const sinceLastEntry = performance.now() - logged;
    await receiver.waitForCount(3);
    // The socket closes 100 ms after the last entry; at 1 s (the old default) this fails.
    expect(sinceLastEntry).toBeLessThan(600);
  });

  describe('journald not reading (SIGSTOP): nothing lost, and the process still ends', () => {
    let stopped: ChildReceiver;
    let stoppedPath: string;
    beforeEach(async () => {
      stoppedPath = `${receiver.path}.stopped`;
      stopped = await ChildReceiver.start(stoppedPath);
      stopped.child.kill('SIGSTOP');
    });
    afterEach(() => stopped.stop());

    /** Runs the burst fixture; resolves with its stderr and how long it ran. */
    async function burst(lines: number, exit: boolean) {
      const started = performance.now();
      const child = spawn(process.execPath, [BURST, String(lines), ...(exit ? ['exit'] : [])], {
        env: { ...process.env, NESTJS_SYSTEMD_TEST_JOURNAL_SOCKET: stoppedPath },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const [code] = await exitedAndRead(child);
      return { code, stderr, ms: performance.now() - started };
    }

    /** Every line arrived once: on the socket (once resumed) or on stderr. */
    async function expectAll(lines: number, stderr: string): Promise<void> {
      const onStderr = stderr.split('\n').filter((line) => line.startsWith('<6>[Burst]'));
      stopped.child.kill('SIGCONT');
      await stopped.waitUntil((datagrams) => datagrams.length + onStderr.length >= lines);
      const onSocket = stopped.datagrams.map((text) => /^MESSAGE=(.*)$/m.exec(text)![1]);
      expect(onSocket.length).toBeGreaterThan(0);
      expect(onStderr.length).toBeGreaterThan(0);
      expect([...onSocket, ...onStderr.map((line) => line.slice('<6>'.length))]).toEqual(
        Array.from({ length: lines }, (_, n) => `[Burst] line ${n}`),
      );
    }

    it('process.exit() right after a burst: what waited is written to stderr at exit', async () => {
      const { code, stderr } = await burst(100, true);
      expect(code).toBe(0);
      await expectAll(100, stderr);
    });

    it('a burst, then nothing: what waits goes to stderr after 1 s, and the process ends', async () => {
      const { code, stderr, ms } = await burst(100, false);
      expect(code).toBe(0);
      expect(stderr).toContain('[JournaldLogger] the journal socket took nothing for 1000 ms');
      // 1 s of stall, then the socket is closed and nothing holds the loop.
      expect(ms).toBeLessThan(4000);
      await expectAll(100, stderr);
    });
  });
});
