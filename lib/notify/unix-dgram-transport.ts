// The unix-dgram transport as the notify and journal sockets use it: the addon loaded on first
// use, sockets connected to one path, and its `-errno` codes named.
import { addonAbiMismatch } from './addon-abi-mismatch.js';
import { notifyMessages } from './notify.messages.js';
import { loadUnixDgramAddon } from './unix-dgram-binding.js';

/** The part of unix-dgram's socket this library uses (its API is callback- and event-based). */
export interface UnixDgramSocket {
  on(event: 'error', listener: (error: Error & { code?: number }) => void): this;
  on(event: 'writable' | 'connect' | 'listening', listener: () => void): this;
  on(
    event: 'message',
    listener: (data: Buffer, info: { size: number; path?: string }) => void,
  ): this;
  connect(path: string): void;
  bind(path: string): void;
  /** On a connected socket. Calls back at once: code 1 is EAGAIN ('writable' follows), else `-errno`. */
  send(data: Buffer, callback: (error?: Error & { code?: number }) => void): void;
  /** Before connecting: `sendto(2)`. Calls back at once with `-errno` (EAGAIN too: no 'writable'). */
  send(
    data: Buffer,
    offset: number,
    length: number,
    path: string,
    callback: (error?: Error & { code?: number }) => void,
  ): void;
  close(): void;
}

let errnoNames: Map<number, string> | undefined;

/** unix-dgram reports `-errno` numbers; messages should say `ECONNREFUSED`, not `-111`. */
export function errnoName(code: unknown): string {
  if (typeof code !== 'number') return String(code);
  if (!errnoNames) {
    errnoNames = new Map();
    // Aliases share a number (EWOULDBLOCK is EAGAIN): the first, usual name is kept.
    for (const [name, n] of Object.entries(process.getBuiltinModule('node:os').constants.errno)) {
      if (!errnoNames.has(n)) errnoNames.set(n, name);
    }
  }
  return errnoNames.get(Math.abs(code)) ?? `errno ${code}`;
}

/** Closes `socket`; close() only fails for an fd that is already gone, with nothing to release. */
export function closeQuietly(socket: UnixDgramSocket): void {
  try {
    socket.close();
  } catch {
    // Nothing left to release.
  }
}

/**
 * `setImmediate` as it was when the library loaded. A test's fake timers (`jest.useFakeTimers()`,
 * `vi.useFakeTimers()`) replace the global one and run nothing until the test advances them:
 * reading a socket is no timer of theirs, and a listener's `waitFor()` must not wait for that.
 */
const { setImmediate: immediate } = globalThis;

/**
 * `listener`, to be called from an immediate rather than by unix-dgram's addon itself. The
 * addon calls its 'message' and 'writable' listeners straight from libuv (`Nan::Call`), outside
 * the callback scope Node gives its own I/O, and since Node 26.4 nothing then runs the promise
 * reactions and `process.nextTick` callbacks such a listener queues until some other I/O or
 * timer comes along (nodejs/node#66158): a `close()` that waits for a congested receiver, or a
 * test's `waitFor()`, would hang until then. Immediates run in that scope, in the order queued.
 */
export function inNodeCallbackScope<A extends unknown[]>(
  listener: (...args: A) => void,
): (...args: A) => void {
  return (...args) => {
    immediate(() => listener(...args));
  };
}

/** A new, unconnected datagram socket; or why there is none: the load error, or the errno name. */
export function createUnixDgram(): UnixDgramSocket | string {
  const transport = loadUnixDgram();
  if (transport instanceof Error) return transport.message;
  try {
    return transport.createSocket('unix_dgram');
  } catch (error) {
    return errnoName((error as { code?: number }).code);
  }
}

/**
 * A datagram socket connected to `path` (`created`, or a new one), whose 'writable' (room
 * again after EAGAIN) calls `onWritable`; or why there is none: the transport's load error, or
 * the errno name (the socket is closed then).
 */
export function connectUnixDgram(
  path: string,
  onWritable: () => void,
  created: UnixDgramSocket | string = createUnixDgram(),
): UnixDgramSocket | string {
  if (typeof created === 'string') return created;
  const socket = created;
  let failure: string | undefined;
  // unix-dgram emits 'error' synchronously and throws when nobody listens.
  socket.on('error', (error) => {
    failure = errnoName(error.code);
  });
  socket.on('writable', inNodeCallbackScope(onWritable));
  socket.connect(path);
  if (failure === undefined) return socket;
  closeQuietly(socket);
  return failure;
}

interface UnixDgramModule {
  createSocket(type: 'unix_dgram'): UnixDgramSocket;
}

let loaded: UnixDgramModule | Error | undefined;

/** How Node's require() begins its error when no folder holds the package itself. */
const MISSING = "Cannot find module 'unix-dgram'";

/**
 * Whether this is the process's main thread, without loading node:worker_threads (about 1 ms
 * of every supervised start): in a worker thread Node (20 to 26) replaces `process.abort` with
 * a stub named `unavailableInWorker` and marked `disabled`, where the main thread has the native
 * `abort`. Anything else (a patched `abort`, another Node) is left to node:worker_threads.
 */
export function isMainThread(): boolean {
  const abort = process.abort as typeof process.abort & { disabled?: unknown };
  if (abort.disabled === true || abort.name === 'unavailableInWorker') return false;
  if (abort.name === 'abort') return true;
  return process.getBuiltinModule('node:worker_threads').isMainThread;
}

/**
 * Loads the native transport on first use only, so an app that is not under systemd never
 * loads it. Returns an Error that says what to do when it cannot be loaded (install script
 * blocked by the package manager, the package missing from a bundle's folder, or a worker
 * thread, where the addon cannot be loaded).
 */
export function loadUnixDgram(): UnixDgramModule | Error {
  if (loaded) return loaded;
  // Built-ins fetched here rather than imported: an app that is not supervised never needs them.
  if (!isMainThread()) {
    loaded = new Error(notifyMessages.workerThread());
    return loaded;
  }
  // From the file's path: from its URL, Node parses the URL first, which costs a supervised
  // start about 0.2 ms more. The URL where there is no path (a bundler that sets only it).
  const from = (import.meta.filename as string | undefined) ?? import.meta.url;
  try {
    const require = process.getBuiltinModule('node:module').createRequire(from);
    loaded = loadUnixDgramAddon(require, from) ?? (require('unix-dgram') as UnixDgramModule);
  } catch (error) {
    const message = (error as Error).message;
    // Not found at all: no install script is to blame, but a bundle shipped without it (or a
    // broken install). Node's words; its `code` alone would also cover a dependency of the front.
    if ((error as { code?: unknown }).code === 'MODULE_NOT_FOUND' && message.startsWith(MISSING)) {
      loaded = new Error(notifyMessages.packageMissing(from));
      return loaded;
    }
    // An addon built for another Node (a switch of Node after install).
    const abi = addonAbiMismatch(message);
    // Otherwise the `bindings` package lists every path it tried, one per line: the first line
    // says enough, and the fix must stay in the one line the journal records.
    // Its first line ends in "Tried:", with nothing after it once cut there.
    const [reason] = message.split('\n', 1).map((line) => line.replace(/\s*Tried:$/, ''));
    loaded = new Error(
      abi
        ? notifyMessages.addonForOtherNode(abi.built, abi.needed)
        : notifyMessages.transportUnavailable(reason ?? String(error)),
    );
  }
  return loaded;
}
