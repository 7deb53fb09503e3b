// JournalSocket against real AF_UNIX datagram sockets standing in for journald: delivery, the
// size limit, a full queue, a socket that is missing, vanishes or comes back, and no entry lost.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeJournalEntry } from '../../lib/journal/journal-entry.js';
import {
  JournalSocket,
  type JournalDatagram,
  type JournalSocketOptions,
} from '../../lib/journal/journal-socket.js';
import { ChildReceiver, RecordingLogger } from '../notify/helpers.js';
import { entryOf, JournalReceiver, tick } from './helpers.js';

/** Entry `n` of a test: its datagram, and the line it writes to stderr when it cannot be sent. */
function entry(n: number, padding = 0): JournalDatagram {
  return {
    bytes: encodeJournalEntry([
      ['MESSAGE', `entry ${n}`],
      ['PRIORITY', '6'],
      ['PADDING', 'x'.repeat(padding)],
    ]),
    fallback: () => `<6>entry ${n}\n`,
  };
}

/** A JournalSocket whose stderr and warnings the test reads. */
function journalSocket(path: string, options: JournalSocketOptions = {}) {
  const stderr: string[] = [];
  const warnings = new RecordingLogger();
  const socket = new JournalSocket(path, {
    writeStderr: (text) => stderr.push(text),
    logger: warnings,
    retryMs: 100,
    ...options,
  });
  return { socket, stderr, warnings };
}

const messagesOf = (receiver: JournalReceiver): string[] =>
  receiver.entries().map((fields) => fields.MESSAGE!);

/** The largest datagram the kernel lets this machine's sockets send (net.core.wmem_default - 32). */
const MAX_DATAGRAM = Number(readFileSync('/proc/sys/net/core/wmem_default', 'utf8')) - 32;

describe('JournalSocket', () => {
  let receiver: JournalReceiver;
  const opened: JournalSocket[] = [];
  const track = <T extends { socket: JournalSocket }>(made: T): T => {
    opened.push(made.socket);
    return made;
  };

  beforeEach(async () => {
    receiver = await JournalReceiver.start();
  });
  afterEach(async () => {
    for (const socket of opened.splice(0)) socket.close();
    await receiver.close();
  });

  it('sends each entry as one datagram, byte for byte, and nothing to stderr', async () => {
    const { socket, stderr, warnings } = track(journalSocket(receiver.path));
    const sent = [entry(1), entry(2), entry(3)];
    for (const datagram of sent) socket.send(datagram);

    await receiver.waitForCount(3);
    expect(receiver.datagrams).toEqual(sent.map((datagram) => datagram.bytes));
    expect(socket.counts).toEqual({ sent: 3, toStderr: 0 });
    expect(stderr).toEqual([]);
    expect(warnings.lines).toEqual([]);
  });

  it("a burst beyond journald's queue (EAGAIN) waits, then arrives whole and in order", async () => {
    const { socket, stderr, warnings } = track(journalSocket(receiver.path));
    // Sent in one go: the receiver reads nothing until the loop turns; its queue holds 10.
    for (let n = 0; n < 500; n++) socket.send(entry(n));
    expect(socket.pending).toBeGreaterThan(0);

    await receiver.waitForCount(500);
    expect(messagesOf(receiver)).toEqual(Array.from({ length: 500 }, (_, n) => `entry ${n}`));
    expect(socket.pending).toBe(0);
    expect(socket.counts).toEqual({ sent: 500, toStderr: 0 });
    expect(stderr).toEqual([]);
    expect(warnings.lines).toEqual([]);
  });

  it(`where the size limit lies: ${MAX_DATAGRAM} bytes go, one more goes to stderr with a warning`, async () => {
    const { socket, stderr, warnings } = track(journalSocket(receiver.path));
    const overhead = entry(0).bytes.length;
    const largest = entry(1, MAX_DATAGRAM - overhead);
    const tooBig = entry(2, MAX_DATAGRAM - overhead + 1);
    expect([largest.bytes.length, tooBig.bytes.length]).toEqual([MAX_DATAGRAM, MAX_DATAGRAM + 1]);

    socket.send(largest);
    expect(socket.counts).toEqual({ sent: 1, toStderr: 0 });
    await receiver.waitForCount(1);
    socket.send(tooBig);
    socket.send(tooBig);
    expect(socket.counts).toEqual({ sent: 1, toStderr: 2 });
    expect(stderr).toEqual(['<6>entry 2\n', '<6>entry 2\n']);
    // One warning for both.
    expect(warnings.at('warn')).toEqual([
      `a journal entry of ${MAX_DATAGRAM + 1} bytes is more than one datagram to the journal ` +
        'socket can carry (EMSGSIZE): written to stderr with its priority, without its fields',
    ]);

    // The socket is still good for the next entry.
    socket.send(entry(3));
    await receiver.waitForCount(2);
    // (The receiver reads 64 KiB of a datagram at most: only the small one is parsed.)
    expect(entryOf(receiver.datagrams[1]!).MESSAGE).toBe('entry 3');
  });

  it('a missing socket: entries go to stderr, one warning, and a later try finds it', async () => {
    await receiver.unbind();
    const { socket, stderr, warnings } = track(journalSocket(receiver.path));
    for (let n = 0; n < 5; n++) socket.send(entry(n));

    expect(stderr).toEqual([
      '<6>entry 0\n',
      '<6>entry 1\n',
      '<6>entry 2\n',
      '<6>entry 3\n',
      '<6>entry 4\n',
    ]);
    expect(warnings.at('warn')).toEqual([
      `journal socket ${receiver.path} unusable (ENOENT): entries go to stderr with their ` +
        'priority but without their fields until it takes them again',
    ]);
    expect(socket.isOpen).toBe(false);

    receiver.bind();
    // Within retryMs (100 ms) entries still go to stderr without a new try.
    socket.send(entry(5));
    expect(stderr).toHaveLength(6);
    await tick(150);
    socket.send(entry(6));
    await receiver.waitForCount(1);
    expect(messagesOf(receiver)).toEqual(['entry 6']);
    expect(socket.counts).toEqual({ sent: 1, toStderr: 6 });
    expect(warnings.at('warn')).toHaveLength(1);
  });

  it('a socket that vanishes while connected: the next entry goes to stderr; it comes back', async () => {
    const { socket, stderr, warnings } = track(journalSocket(receiver.path));
    socket.send(entry(1));
    await receiver.waitForCount(1);

    await receiver.unbind();
    socket.send(entry(2));
    socket.send(entry(3));
    expect(stderr).toEqual(['<6>entry 2\n', '<6>entry 3\n']);
    expect(warnings.at('warn')).toEqual([expect.stringMatching(/unusable \(ENOENT\)/)]);

    receiver.bind();
    await tick(150);
    socket.send(entry(4));
    await receiver.waitForCount(2);
    expect(messagesOf(receiver)).toEqual(['entry 1', 'entry 4']);
  });

  it('journald restarted at the same path between two entries: reconnected at once, nothing to stderr', async () => {
    const { socket, stderr, warnings } = track(journalSocket(receiver.path));
    socket.send(entry(1));
    await receiver.waitForCount(1);

    await receiver.unbind();
    receiver.bind();
    socket.send(entry(2));
    await receiver.waitForCount(2);
    expect(messagesOf(receiver)).toEqual(['entry 1', 'entry 2']);
    expect(stderr).toEqual([]);
    expect(warnings.lines).toEqual([]);
  });

  it('a socket that is not a datagram socket (a regular file): stderr, with the errno', async () => {
    const { socket, stderr, warnings } = track(journalSocket(join('/proc/self/status')));
    socket.send(entry(1));
    expect(stderr).toEqual(['<6>entry 1\n']);
    expect(warnings.at('warn')).toEqual([expect.stringMatching(/unusable \(ECONNREFUSED\)/)]);
  });

  describe('journald not reading (a receiver stopped with SIGSTOP)', () => {
    let child: ChildReceiver;
    let stoppedPath: string;
    beforeEach(async () => {
      stoppedPath = join(receiver.path, '..', 'stopped.sock');
      child = await ChildReceiver.start(stoppedPath);
      child.child.kill('SIGSTOP');
    });
    afterEach(async () => {
      child.child.kill('SIGCONT');
      await child.stop();
    });

    it('entries wait; those still waiting after stallMs go to stderr in order; none lost', async () => {
      const { socket, stderr, warnings } = track(journalSocket(stoppedPath, { stallMs: 200 }));
      for (let n = 0; n < 30; n++) socket.send(entry(n));
      const waiting = socket.pending;
      expect(waiting).toBeGreaterThan(0);
      expect(socket.counts.sent).toBe(30 - waiting);

      await tick(400);
      expect(socket.pending).toBe(0);
      expect(warnings.at('warn')).toEqual([
        `the journal socket took nothing for 200 ms: ${waiting} waiting entries written to ` +
          'stderr with their priority, without their fields',
      ]);
      child.child.kill('SIGCONT');
      await child.waitUntil((datagrams) => datagrams.length === 30 - waiting);
      const arrived = child.datagrams.map((text) => /MESSAGE=(.*)/.exec(text)![1]);
      const toStderr = stderr.join('').trimEnd().split('\n');
      expect([...arrived.map((message) => `<6>${message}`), ...toStderr]).toEqual(
        Array.from({ length: 30 }, (_, n) => `<6>entry ${n}`),
      );
    });

    it('the queue is bounded: entries beyond maxQueuedBytes go to stderr at once', () => {
      // Entries 10 to 29 are all of this size; the first 10 or so find room in the receiver.
      const size = entry(10).bytes.length;
      const { socket, stderr, warnings } = track(
        journalSocket(stoppedPath, { maxQueuedBytes: size * 5, stallMs: 10_000 }),
      );
      for (let n = 0; n < 30; n++) socket.send(entry(n));

      expect(socket.pending).toBe(5);
      expect(socket.counts.sent + socket.pending + stderr.length).toBe(30);
      expect(stderr.length).toBeGreaterThan(0);
      expect(warnings.at('warn')).toEqual([
        expect.stringMatching(/^the journal socket is congested \(EAGAIN\)/),
      ]);
    });

    it('close(): what still waits goes to stderr', () => {
      const { socket, stderr } = track(journalSocket(stoppedPath, { stallMs: 10_000 }));
      for (let n = 0; n < 30; n++) socket.send(entry(n));
      const waiting = socket.pending;
      socket.close();
      expect(socket.pending).toBe(0);
      expect(stderr.join('').split('\n').filter(Boolean)).toHaveLength(waiting);
      expect(socket.counts).toEqual({ sent: 30 - waiting, toStderr: waiting });
    });
  });

  it('closes itself when idle, so it never holds the process; the next entry reopens it', async () => {
    const { socket } = track(journalSocket(receiver.path, { idleCloseMs: 50 }));
    socket.send(entry(1));
    expect(socket.isOpen).toBe(true);
    await tick(120);
    expect(socket.isOpen).toBe(false);
    socket.send(entry(2));
    expect(socket.isOpen).toBe(true);
    await receiver.waitForCount(2);
  });
});
