// unix-dgram's native addon, driven directly. The package's JavaScript front (lib/unix_dgram.js)
// finds the addon with the `bindings` package, which probes a dozen paths, and loads node:dgram
// for UDP sockets this library never makes: together about 1.5 ms of every supervised app's
// start-up. Only the addon's calls of the 2.0 releases are used, exactly as that front calls
// them (the addon asserts its argument counts); any other version, or an addon that is not at
// build/Release, goes through the package's front as before.
/** The addon's exports (unix-dgram 2.0.x, src/unix_dgram.cc): `-errno` on failure. */
interface UnixDgramAddon {
  readonly AF_UNIX: number;
  readonly SOCK_DGRAM: number;
  socket(
    domain: number,
    type: number,
    protocol: number,
    onMessage: (status: number, data: Buffer | undefined, path: string | undefined) => void,
    onWritable: () => void,
  ): number;
  bind(fd: number, path: string): number;
  connect(fd: number, path: string): number;
  /** 0, 1 when the receiver's queue is full (a 'writable' callback follows), or `-errno`. */
  send(fd: number, data: Buffer): number;
  sendto(fd: number, data: Buffer, offset: number, length: number, path: string): number;
  close(fd: number): number;
}

type SocketError = Error & { code?: number; errno?: number; syscall?: string };
type SendCallback = (error?: SocketError) => void;
type SocketEvent = 'error' | 'writable' | 'connect' | 'listening' | 'message' | 'congestion';
/** Any listener: each event's own arguments are what `emit` is given for it. */
type Listener = (...args: never[]) => void;

/** The error unix-dgram's front makes of a `-errno` (its `code` is the negative number). */
function errnoError(code: number, syscall: string): SocketError {
  return Object.assign(new Error(`${syscall} ${code}`), { code, errno: code, syscall });
}

/**
 * A socket with the same methods, events and errors as unix-dgram's own `Socket`, over the
 * same addon calls, so that either can serve the notify and journal sockets. Its listeners are
 * kept in a plain table made on the first `on()`, not an EventEmitter: a one-shot socket
 * (STOPPING=1 sent with sendto) is made, used and connected before anyone listens, and setting
 * up an emitter cost it a few µs with caches cold.
 */
class AddonSocket {
  private fd: number;
  private connected = false;
  private listeners: Partial<Record<SocketEvent, Listener[]>> | undefined;

  constructor(private readonly addon: UnixDgramAddon) {
    const fd = addon.socket(
      addon.AF_UNIX,
      addon.SOCK_DGRAM,
      0,
      (status, data, path) => {
        // A failed read has no data: nothing to deliver (unix-dgram's front would throw here).
        if (status < 0 || data === undefined) return;
        this.emit('message', data, { size: data.length, path });
      },
      () => this.emit('writable'),
    );
    if (fd < 0) throw errnoError(fd, 'socket');
    this.fd = fd;
  }

  on(event: SocketEvent, listener: Listener): this {
    this.listeners ??= {};
    (this.listeners[event] ??= []).push(listener);
    return this;
  }

  bind(path: string): void {
    const error = this.addon.bind(this.fd, path);
    if (error < 0) this.emit('error', errnoError(error, 'bind'));
    else this.emit('listening');
  }

  connect(path: string): void {
    const error = this.addon.connect(this.fd, path);
    if (error < 0) {
      this.emit('error', errnoError(error, 'connect'));
      return;
    }
    this.connected = true;
    this.emit('connect');
  }

  /** `send(data, callback)` once connected; `send(data, offset, length, path, callback)` before. */
  send(
    data: Buffer,
    offsetOrCallback?: number | SendCallback,
    length?: number,
    path?: string,
    callback?: SendCallback,
  ): void {
    let result: number;
    let done: SendCallback | undefined;
    if (this.connected) {
      result = this.addon.send(this.fd, data);
      done = typeof offsetOrCallback === 'function' ? offsetOrCallback : undefined;
    } else {
      const offset = typeof offsetOrCallback === 'number' ? offsetOrCallback : 0;
      result = this.addon.sendto(this.fd, data, offset, length ?? data.length, path ?? '');
      done = callback;
    }
    if (done) {
      if (result < 0) done(errnoError(result, 'send'));
      else if (result === 1) done(Object.assign(new Error('congestion'), { code: 1 }));
      else done();
      return;
    }
    if (result < 0) this.emit('error', errnoError(result, 'send'));
    else if (result === 1) this.emit('congestion', data);
  }

  close(): void {
    const error = this.addon.close(this.fd);
    if (error < 0) throw errnoError(error, 'close');
    this.fd = -1;
  }

  /** As an EventEmitter's: an 'error' nobody listens to is thrown. */
  private emit(event: SocketEvent, ...args: unknown[]): void {
    const listeners = this.listeners?.[event];
    if (!listeners?.length) {
      if (event === 'error') throw args[0];
      return;
    }
    // A copy: a listener may add or remove others.
    for (const listener of listeners.slice()) {
      (listener as (...values: unknown[]) => void)(...args);
    }
  }
}

function isUnixDgramAddon(value: unknown): value is UnixDgramAddon {
  if (value === null || typeof value !== 'object') return false;
  const addon = value as Record<string, unknown>;
  return (
    typeof addon.AF_UNIX === 'number' &&
    typeof addon.SOCK_DGRAM === 'number' &&
    ['socket', 'bind', 'connect', 'send', 'sendto', 'close'].every(
      (name) => typeof addon[name] === 'function',
    )
  );
}

/**
 * unix-dgram's `package.json` as `require.resolve()` finds it from the file at `from`: looked
 * for first in the `node_modules` folders above that file, nearest first, as Node's resolver
 * searches them, which is where npm, pnpm and Yarn's node-modules linker put it. The resolver
 * also reads that `package.json` for an `exports` field (unix-dgram 2.0 has none) and resolves
 * the file's real path, which `require()` of the addon does anyway: about 0.2 ms of every
 * supervised start. What the folders do not hold (Yarn Plug'n'Play, `NODE_PATH`) is left to it.
 */
function findManifest(require: NodeJS.Require, from: string): string {
  const { basename, dirname, isAbsolute, join } = process.getBuiltinModule('node:path');
  if (isAbsolute(from)) {
    const { existsSync } = process.getBuiltinModule('node:fs');
    for (let dir = dirname(from); ;) {
      const manifest = join(dir, 'node_modules', 'unix-dgram', 'package.json');
      // Node's resolver looks in no node_modules/node_modules either.
      if (basename(dir) !== 'node_modules' && existsSync(manifest)) return manifest;
      const parent = dirname(dir);
      if (parent === dir) break;
      dir = parent;
    }
  }
  return require.resolve('unix-dgram/package.json');
}

/**
 * unix-dgram's `createSocket('unix_dgram')` over its addon, loaded straight from the
 * package's build/Release; undefined when the installed package is not a 2.0 release or its
 * addon is not there (the package's own front then loads it, and reports any failure).
 * `require` and `from` are the calling file's: where it would find the package.
 */
export function loadUnixDgramAddon(
  require: NodeJS.Require,
  from: string,
): { createSocket(type: 'unix_dgram'): AddonSocket } | undefined {
  let addon: unknown;
  try {
    const manifest = findManifest(require, from);
    // Read rather than require()d: the module loader's JSON path costs every supervised start
    // about 0.2 ms more, for a file read once.
    const text = process.getBuiltinModule('node:fs').readFileSync(manifest, 'utf8');
    const { version } = JSON.parse(text) as { version?: unknown };
    if (typeof version !== 'string' || !version.startsWith('2.0.')) return undefined;
    const { dirname, join } = process.getBuiltinModule('node:path');
    addon = require(join(dirname(manifest), 'build', 'Release', 'unix_dgram.node'));
  } catch {
    return undefined;
  }
  if (!isUnixDgramAddon(addon)) return undefined;
  const checked = addon;
  return { createSocket: () => new AddonSocket(checked) };
}
