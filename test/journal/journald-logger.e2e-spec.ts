// JournaldLogger in a real child process whose stderr is a pipe. A shell sets JOURNAL_STREAM to
// that pipe's device:inode and then execs node, as systemd does for a journal stream.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fixture } from '../notify/helpers.js';

const run = promisify(execFile);

/** Runs the fixture with `JOURNAL_STREAM` naming its stderr (`'stderr'`), its stdout, or unset. */
async function logWith(
  logger: 'journald' | 'console',
  stream: 'stderr' | 'stdout' | 'unset',
): Promise<{ stdout: string; stderr: string }> {
  const setStream =
    stream === 'unset'
      ? 'unset JOURNAL_STREAM'
      : `export JOURNAL_STREAM=$(stat -L -c %d:%i /proc/$$/fd/${stream === 'stderr' ? 2 : 1})`;
  return run(
    '/bin/sh',
    ['-c', `${setStream}; exec "$0" "$@"`, process.execPath, fixture('journal-logger'), logger],
    {
      env: { ...process.env, NO_COLOR: '' },
    },
  );
}

/** Nest's output with the parts that change from run to run (pid, time, timings) masked. */
const mask = (text: string): string =>
  text
    .replace(/\[Nest\] \d+/g, '[Nest] PID')
    .replace(/\d{1,2}\/\d{1,2}\/\d{4}, \d{1,2}:\d{2}:\d{2} [AP]M/g, 'TIME')
    .replace(/\+\d+ms/g, '+Nms');

describe('JournaldLogger', () => {
  it('writes <priority>-prefixed lines to stderr when stderr is the journal stream', async () => {
    const { stdout, stderr } = await logWith('journald', 'stderr');
    expect(stdout).toBe('done\n');
    expect(stderr.split('\n')).toEqual([
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
      '',
    ]);
  });

  it.each(['stdout', 'unset'] as const)(
    'is exactly ConsoleLogger when JOURNAL_STREAM is %s',
    async (stream) => {
      const journald = await logWith('journald', stream);
      const console = await logWith('console', stream);
      expect(mask(journald.stdout)).toBe(mask(console.stdout));
      expect(mask(journald.stderr)).toBe(mask(console.stderr));
      expect(journald.stdout).toContain('stock low for item 4');
      expect(journald.stderr).not.toMatch(/^<\d>/m);
    },
  );
});
