import { formatAddress, isListeningServer } from './http-server-watch.js';

/** The part of a Nest microservice transport (`Server`, or a custom strategy) the module uses. */
export interface RpcTarget {
  listen(callback: (...args: unknown[]) => unknown): unknown;
  close(): unknown;
}

/** Whether `value` looks like a microservice transport (it has `listen` and `close`). */
export function isRpcTarget(value: unknown): value is RpcTarget {
  if (value === null || typeof value !== 'object') return false;
  const candidate = value as Partial<RpcTarget>;
  return typeof candidate.listen === 'function' && typeof candidate.close === 'function';
}

/** The transport's name for messages: `ServerTCP`, `ServerRedis`, a custom strategy's class. */
export function rpcTargetName(target: object): string {
  return target.constructor?.name || 'a microservice transport';
}

/**
 * Where the transport listens, when it serves through a Node server of its own that it keeps
 * as `server` (Nest's TCP transport does); undefined for the others (a broker connection).
 */
export function rpcTargetAddress(target: object): string | undefined {
  const server = (target as { server?: unknown }).server;
  return isListeningServer(server) && server.listening
    ? formatAddress(server.address())
    : undefined;
}

/** What {@link watchRpcTarget} reports. */
export interface RpcTargetEvents {
  /** The transport called back from `listen()` without an error: it serves. */
  listening(): void;
  /** The transport called back from `listen()` with an error. */
  failed(error: unknown): void;
  /** The transport is about to be closed. */
  closing(): void;
}

/**
 * Follows a transport through its own `listen(callback)` and `close()`, the calls Nest makes to
 * start and stop it, by wrapping them on this one instance. The transport's behaviour and what
 * it returns are unchanged; nothing is patched on a prototype.
 */
export function watchRpcTarget(target: RpcTarget, events: RpcTargetEvents): void {
  const listen = target.listen;
  const close = target.close;
  target.listen = function (this: RpcTarget, callback, ...rest: unknown[]) {
    const wrapped = (...args: unknown[]): unknown => {
      const error = args[0];
      if (error !== undefined && error !== null) events.failed(error);
      else events.listening();
      return typeof callback === 'function' ? callback(...args) : undefined;
    };
    return (listen as (...args: unknown[]) => unknown).call(this, wrapped, ...rest);
  };
  target.close = function (this: RpcTarget, ...args: unknown[]) {
    events.closing();
    return (close as (...args: unknown[]) => unknown).apply(this, args);
  };
}
