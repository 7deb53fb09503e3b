// The unix-dgram transport as the notify and journal sockets use it: the addon loaded on first
// use, sockets connected to one path, and its `-errno` codes named.
import { notifyMessages } from './notify.messages.js';

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
  send(data: Buffer, callback: (error?: Error & { code?: number }) => void): void;
  close(): void;
}

let errnoNames: Map<number, string> | undefined;

/** unix-dgram reports `-errno` numbers; messages should say `ECONNREFUSED`, not `-111`. */
export function errnoName(code: unknown): string {
  if (typeof code !== 'number') return String(code);
  errnoNames ??= new Map(
    Object.entries(process.getBuiltinModule('node:os').constants.errno).map(([name, n]) => [
      n,
      name,
    ]),
  );
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
 * A datagram socket connected to `path`, whose 'writable' (room again after EAGAIN) calls
 * `onWritable`; or why there is none: the transport's load error, or the errno name.
 */
export function connectUnixDgram(path: string, onWritable: () => void): UnixDgramSocket | string {
  const transport = loadUnixDgram();
  if (transport instanceof Error) return transport.message;
  let socket: UnixDgramSocket;
  try {
    socket = transport.createSocket('unix_dgram');
  } catch (error) {
    return errnoName((error as { code?: number }).code);
  }
  let failure: string | undefined;
  // unix-dgram emits 'error' synchronously and throws when nobody listens.
  socket.on('error', (error) => {
    failure = errnoName(error.code);
  });
  socket.on('writable', onWritable);
  socket.connect(path);
  if (failure === undefined) return socket;
  closeQuietly(socket);
  return failure;
}

interface UnixDgramModule {
  createSocket(type: 'unix_dgram'): UnixDgramSocket;
}

let loaded: UnixDgramModule | Error | undefined;

/**
 * Loads the native transport on first use only, so an app that is not under systemd never
 * loads it. Returns an Error that says what to do when it cannot be loaded (install script
 * blocked by the package manager, or a worker thread, where the addon cannot be loaded).
 */
export function loadUnixDgram(): UnixDgramModule | Error {
  if (loaded) return loaded;
  // Built-ins fetched here rather than imported: an app that is not supervised never needs them.
  if (!process.getBuiltinModule('node:worker_threads').isMainThread) {
    loaded = new Error(notifyMessages.workerThread());
    return loaded;
  }
  try {
    const require = process.getBuiltinModule('node:module').createRequire(import.meta.url);
    loaded = require('unix-dgram') as UnixDgramModule;
  } catch (error) {
    // The `bindings` package lists every path it tried, one per line: the first line says
    // enough, and the fix must stay in the one line the journal records.
    const [reason] = (error as Error).message.split('\n', 1);
    loaded = new Error(notifyMessages.transportUnavailable(reason ?? String(error)));
  }
  return loaded;
}
