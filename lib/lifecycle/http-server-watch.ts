import type { EventEmitter } from 'node:events';
import type { AddressInfo } from 'node:net';

/** The part of a Node HTTP server (Express and Fastify alike) that tells when it serves. */
export interface ListeningServer extends EventEmitter {
  readonly listening: boolean;
  address(): AddressInfo | string | null;
}

/** Whether `value` is a Node server whose `'listening'` event can be watched. */
export function isListeningServer(value: unknown): value is ListeningServer {
  if (value === null || typeof value !== 'object') return false;
  const candidate = value as Partial<ListeningServer>;
  return (
    typeof candidate.once === 'function' &&
    typeof candidate.address === 'function' &&
    typeof candidate.listening === 'boolean'
  );
}

/** `host:port`, `[v6]:port` or a socket path, as `systemctl status` should show it. */
export function formatAddress(address: AddressInfo | string | null): string {
  if (address === null) return 'an unknown address';
  if (typeof address === 'string') return address;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return `${host}:${address.port}`;
}

/**
 * Calls `onListening` from the server's own `'listening'` event (the moment the port accepts
 * connections), or `onError` if binding fails first. Whichever comes first ends the watch.
 * `onListening` gets the address as a function, to format once READY is on its way.
 * Returns the function that ends the watch early.
 */
export function watchHttpServer(
  server: ListeningServer,
  onListening: (address: () => string) => void,
  onError: (error: Error) => void,
): () => void {
  const address = (): string => formatAddress(server.address());
  const listening = (): void => {
    onListening(address);
    stop();
  };
  const failed = (error: Error): void => {
    stop();
    onError(error);
    // Nest's listen() has its own 'error' listener; a server bound by hand may not. Without
    // one, an 'error' event throws: ours must not swallow it.
    if (server.listenerCount('error') === 0) {
      process.nextTick(() => {
        throw error;
      });
    }
  };
  const stop = (): void => {
    server.removeListener('listening', listening);
    server.removeListener('error', failed);
  };
  if (server.listening) {
    onListening(address);
    return () => undefined;
  }
  server.on('listening', listening);
  server.on('error', failed);
  return stop;
}
