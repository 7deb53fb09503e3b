// Whatever text an app (or a request) puts into a status, systemd sees exactly one STATUS=
// line and nothing else: checked on thousands of generated strings, in the encoder and through
// a real socket, and on the request path of a real app.
import { assert, constantFrom, integer, oneof, property, sample, string } from 'fast-check';
import { encodeNotifyMessage } from '../../lib/notify/notify-message.js';
import { SystemdNotifier } from '../../lib/notify/systemd-notifier.js';
import { NotifyListener } from '../../lib/testing/notify-listener.js';
import { RecordingLogger } from '../notify/helpers.js';
import { get, startFaultApp } from './helpers.js';

/** Any UTF-16 code unit, lone surrogates included, with the dangerous ones made common. */
const codeUnit = oneof(
  integer({ min: 0, max: 0xffff }).map((unit) => String.fromCharCode(unit)),
  constantFrom('\n', '\r', '\0', '\t', '\x1b', '\x7f', '=', '\u2028', '\ud800', '\udfff'),
  constantFrom('READY=1', 'STOPPING=1', 'WATCHDOG=trigger', 'MAINPID=1', 'STATUS='),
);
const statusText = oneof(
  { arbitrary: string({ unit: codeUnit, maxLength: 200 }), weight: 9 },
  // Long enough to be shortened to fit the datagram.
  { arbitrary: string({ unit: codeUnit, minLength: 3000, maxLength: 6000 }), weight: 1 },
);

/** The lines systemd would split the datagram into. */
const linesOf = (bytes: Buffer | string): string[] => bytes.toString().split('\n');

describe('any status text becomes exactly one STATUS= line', () => {
  it('in the encoder (10,000 generated strings)', () => {
    expect(() =>
      assert(
        property(statusText, (text) => {
          const { bytes } = encodeNotifyMessage({ status: text });
          const lines = linesOf(bytes);
          return (
            lines.length === 1 &&
            lines[0]!.startsWith('STATUS=') &&
            !bytes.includes(0) &&
            bytes.length <= 4096 &&
            // Valid UTF-8: decoding and re-encoding gives the same bytes.
            Buffer.from(bytes.toString('utf8'), 'utf8').equals(bytes)
          );
        }),
        { numRuns: 10_000 },
      ),
    ).not.toThrow();
  });

  it('through a real socket (1,000 generated strings)', async () => {
    const systemd = await NotifyListener.start();
    const notifier = new SystemdNotifier({ env: systemd.env(), logger: new RecordingLogger() });
    try {
      const texts = sample(statusText, { numRuns: 1000, seed: 20261128 });
      for (const [index, text] of texts.entries()) {
        notifier.notify({ status: text });
        // In small batches, so the receiver's 10-deep queue never coalesces them away.
        if (index % 5 === 4) {
          // oxlint-disable-next-line no-await-in-loop -- paced on purpose
          await systemd.waitFor(() => systemd.messages.length === index + 1);
        }
      }
      expect(systemd.messages).toHaveLength(1000);
      for (const record of systemd.messages) {
        expect(record.lines).toHaveLength(1);
        expect(Object.keys(record.assignments)).toEqual(['STATUS']);
      }
    } finally {
      await notifier.close();
      await systemd.close();
    }
  });

  it('a 1 MB status: one line within systemd 4096-byte datagram, shortened with …', async () => {
    const systemd = await NotifyListener.start();
    const running = await startFaultApp(systemd.env());
    try {
      running.systemd.status(`${'a\n'.repeat(500_000)}`);
      const record = await systemd.waitFor((r) => (r.assignments.STATUS ?? '').endsWith('…'));
      expect(record.lines).toHaveLength(1);
      expect(Buffer.byteLength(record.raw)).toBeLessThanOrEqual(4096);
      expect(running.logger.fromSystemd('warn')).toEqual([
        expect.stringMatching(/control characters/),
        expect.stringMatching(/shortened/),
      ]);
    } finally {
      await running.app.close();
      await systemd.close();
    }
  });

  it('request content on its way to STATUS= cannot inject an assignment', async () => {
    const systemd = await NotifyListener.start();
    const running = await startFaultApp(systemd.env());
    try {
      await systemd.waitFor('READY=1');
      const attack = 'job 7\nREADY=1\r\nWATCHDOG=trigger\0MAINPID=1';
      expect(await get(running, `/status?text=${encodeURIComponent(attack)}`)).toBe('true');
      const record = await systemd.waitFor((r) => (r.assignments.STATUS ?? '').includes('job 7'));
      expect(record.raw).toBe('STATUS=Working on job 7 READY=1 WATCHDOG=trigger MAINPID=1');
      expect(systemd.received('WATCHDOG=trigger')).toEqual([]);
      expect(systemd.received('MAINPID')).toEqual([]);
    } finally {
      await running.app.close();
      await systemd.close();
    }
  });
});
