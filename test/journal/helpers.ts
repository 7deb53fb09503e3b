import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { loadUnixDgram, type UnixDgramSocket } from '../../lib/notify/unix-dgram-transport.js';

/** At most 60 bytes of `bytes`, for an error message. */
const show = (bytes: Buffer): string =>
  JSON.stringify(bytes.subarray(0, 60).toString('latin1')) + (bytes.length > 60 ? '…' : '');

/** One field as journald stores it: name and raw bytes. */
export interface ParsedField {
  readonly name: string;
  readonly value: Buffer;
  /** How it came: `NAME=value` or the length-prefixed form. */
  readonly form: 'text' | 'binary';
}

/**
 * Parses a native-protocol datagram exactly as journald's `manager_process_entry()` does: a
 * line with `=` is a text field, a line without is a name followed by a 64-bit little-endian
 * length, the bytes and `\n`; an empty line ends an entry (another may follow). Throws where
 * journald would log "Failed to parse message" or see trailing noise, so a malformed datagram
 * fails the test instead of passing quietly.
 */
export function parseNativeDatagram(datagram: Buffer): ParsedField[][] {
  const entries: ParsedField[][] = [];
  let fields: ParsedField[] = [];
  let at = 0;
  while (at < datagram.length) {
    const end = datagram.indexOf(0x0a, at);
    if (end === -1) throw new Error(`trailing noise at byte ${at}: ${show(datagram.subarray(at))}`);
    if (end === at) {
      entries.push(fields);
      fields = [];
      at = end + 1;
      continue;
    }
    const line = datagram.subarray(at, end);
    const eq = line.indexOf(0x3d);
    if (eq !== -1) {
      fields.push({
        name: line.subarray(0, eq).toString('latin1'),
        value: line.subarray(eq + 1),
        form: 'text',
      });
      at = end + 1;
      continue;
    }
    if (end + 1 + 8 > datagram.length) throw new Error(`binary field ${show(line)} cut short`);
    const length = Number(datagram.readBigUInt64LE(end + 1));
    const start = end + 1 + 8;
    if (start + length + 1 > datagram.length || datagram[start + length] !== 0x0a) {
      throw new Error(`binary field ${show(line)} of ${length} bytes not followed by a newline`);
    }
    fields.push({
      name: line.toString('latin1'),
      value: datagram.subarray(start, start + length),
      form: 'binary',
    });
    at = start + length + 1;
  }
  if (fields.length > 0) entries.push(fields);
  return entries;
}

/** The one entry of a datagram as `{ NAME: value }` (a repeated name: the values joined by `|`). */
export function entryOf(datagram: Buffer): Record<string, string> {
  const entries = parseNativeDatagram(datagram);
  if (entries.length !== 1) throw new Error(`expected one entry, got ${entries.length}`);
  const record: Record<string, string> = {};
  for (const { name, value } of entries[0]!) {
    const text = value.toString('utf8');
    record[name] = name in record ? `${record[name]}|${text}` : text;
  }
  return record;
}

/** journald's side of the native protocol, for tests: a bound datagram socket that keeps what arrives. */
export class JournalReceiver {
  readonly datagrams: Buffer[] = [];
  private readonly waiters = new Set<() => void>();

  private constructor(
    readonly path: string,
    private readonly dir: string,
    private socket: UnixDgramSocket | undefined,
  ) {
    socket?.on('message', (data) => this.received(data));
  }

  /** Binds a receiver at a fresh path (or, with `bound: false`, only reserves the path). */
  static async start(bound = true): Promise<JournalReceiver> {
    const dir = await mkdtemp(join(tmpdir(), 'nestjs-systemd-journal-'));
    const path = join(dir, 'socket');
    const receiver = new JournalReceiver(path, dir, undefined);
    if (bound) receiver.bind();
    return receiver;
  }

  /** Binds (again) at {@link path}, as a restarted journald would. */
  bind(): void {
    const transport = loadUnixDgram();
    if (transport instanceof Error) throw transport;
    const socket = transport.createSocket('unix_dgram');
    let failure: Error | undefined;
    socket.on('error', (error) => {
      failure = error;
    });
    socket.on('message', (data) => this.received(data));
    socket.bind(this.path);
    if (failure) throw failure;
    this.socket = socket;
  }

  /** Closes the socket and removes its file, as a stopped journald leaves it. */
  async unbind(): Promise<void> {
    this.socket?.close();
    this.socket = undefined;
    await rm(this.path, { force: true });
  }

  /** Every entry received so far, one record each. */
  entries(): Record<string, string>[] {
    return this.datagrams.map(entryOf);
  }

  /** Waits until `count` datagrams have arrived in all. */
  async waitForCount(count: number, timeoutMs = 5000): Promise<void> {
    if (this.datagrams.length >= count) return;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`${this.datagrams.length} of ${count} datagrams within ${timeoutMs} ms`));
      }, timeoutMs);
      const check = (): void => {
        if (this.datagrams.length < count) return;
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve();
      };
      this.waiters.add(check);
    });
  }

  async close(): Promise<void> {
    this.socket?.close();
    this.socket = undefined;
    await rm(this.dir, { recursive: true, force: true });
  }

  private received(data: Buffer): void {
    this.datagrams.push(data);
    for (const wake of this.waiters) wake();
  }
}

/** Collects what is written to `stream` while `body` runs (synchronously or not). */
export async function captureOutput(
  stream: NodeJS.WriteStream,
  body: () => unknown,
): Promise<string> {
  const chunks: string[] = [];
  const write = Object.getOwnPropertyDescriptor(stream, 'write');
  stream.write = ((chunk: unknown) => {
    chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString());
    return true;
  }) as typeof stream.write;
  try {
    await body();
  } finally {
    if (write) Object.defineProperty(stream, 'write', write);
    else delete (stream as { write?: unknown }).write;
  }
  return chunks.join('');
}

/** Collects what is written to stderr while `body` runs. */
export const captureStderr = (body: () => unknown): Promise<string> =>
  captureOutput(process.stderr, body);

export const runFile = promisify(execFile);

/** A moment for the event loop to deliver datagrams and 'writable' events. */
export const tick = (ms = 20): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
