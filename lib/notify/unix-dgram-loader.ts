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
