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

/** The part of Nest's `ModulesContainer` (Nest 11 and later) that microservice transports are announced to. */
interface RpcTargetRegistry {
  addRpcTarget(target: unknown): void;
}

/**
 * Calls `onTarget` with each microservice transport announced to the app's container from now
 * on (`createMicroservice`, `connectMicroservice`: Nest's `NestMicroservice` constructor calls
 * `addRpcTarget`, which is wrapped here on this one instance). Every transport of the app is
 * announced after the module's providers exist, so nothing is missed by not replaying earlier
 * ones. Rather than a subscription to `getRpcTargetRegistry()`: an app that uses no rxjs while
 * it starts (an HTTP app) would compile rxjs's subscription code for it, about a million
 * instructions of every supervised start (`npm run bench:instructions`). Returns the function
 * that restores the container, or undefined where it announces nothing (Nest 10).
 */
export function watchRpcTargetsAdded(
  container: object,
  onTarget: (target: unknown) => void,
): (() => void) | undefined {
  const registry = container as Partial<RpcTargetRegistry>;
  const add = registry.addRpcTarget;
  if (typeof add !== 'function') return undefined;
  const ownProperty = Object.hasOwn(registry, 'addRpcTarget');
  registry.addRpcTarget = function (this: RpcTargetRegistry, target: unknown) {
    add.call(this, target);
    onTarget(target);
  };
  return () => {
    if (ownProperty) registry.addRpcTarget = add;
    else delete registry.addRpcTarget;
  };
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
