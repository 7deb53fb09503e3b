import type { Abstract, Type } from '@nestjs/common';
import { ContextIdFactory, type ModuleRef, type ModulesContainer } from '@nestjs/core';
import { systemdMessages } from '../systemd.messages.js';
import type { HealthCheck } from './health-gate.js';
import type { SystemdHealthIndicatorInput } from './health-indicator.interface.js';

type Token = Type | Abstract<unknown>;

interface Checkable {
  readonly healthIndicatorName?: unknown;
  readonly name?: unknown;
  readonly critical?: unknown;
  isHealthy?: () => unknown;
  check?: () => unknown;
}

function isCheckable(value: unknown): value is Checkable {
  if (value === null || typeof value !== 'object') return false;
  const candidate = value as Checkable;
  return typeof candidate.isHealthy === 'function' || typeof candidate.check === 'function';
}

/** Calls the instance's check as a method, so that `this` is the instance. */
function invoke(instance: unknown, token: string): unknown {
  if (!isCheckable(instance)) throw new Error(systemdMessages.indicatorWithoutCheck(token));
  return typeof instance.isHealthy === 'function' ? instance.isHealthy() : instance.check!();
}

function nameOf(instance: Checkable, fallback: string): string {
  if (typeof instance.healthIndicatorName === 'string') return instance.healthIndicatorName;
  if (typeof instance.check === 'function' && typeof instance.name === 'string') {
    return instance.name;
  }
  const constructorName = (instance as object).constructor?.name;
  return constructorName && constructorName !== 'Object' ? constructorName : fallback;
}

/** Only an explicit `critical: false` spares the pings (options validation checked the type). */
function isCritical(instance: Checkable): boolean {
  return instance.critical !== false;
}

/** The provider registered under `token` anywhere in the app, and whether its tree is static. */
function findProvider(
  modules: ModulesContainer,
  token: Token,
): { readonly isStatic: boolean } | undefined {
  for (const module of modules.values()) {
    const wrapper = module.providers.get(token);
    // A transient provider is a fresh instance wherever it is asked for, even with static
    // dependencies: moduleRef.get() refuses it.
    if (wrapper) return { isStatic: wrapper.isDependencyTreeStatic() && !wrapper.isTransient };
  }
  return undefined;
}

/** Only to word an error: a class that is not a provider cannot be called as a check. */
function looksLikeClass(fn: object): boolean {
  return /^class[\s{]/.test(Function.prototype.toString.call(fn));
}

/**
 * Turns the `healthIndicators` option into checks, asking Nest's container which entries are
 * providers (whatever their shape: an indicator class, an abstract token provided with
 * `useClass`, a request-scoped or transient class) rather than guessing from prototypes.
 * Throws at bootstrap, naming the entry, for what can never work.
 */
export function resolveHealthChecks(
  entries: readonly SystemdHealthIndicatorInput[],
  modules: ModulesContainer,
  moduleRef: ModuleRef,
): HealthCheck[] {
  const names = new Map<string, number>();
  const unique = (name: string): string => {
    const seen = (names.get(name) ?? 0) + 1;
    names.set(name, seen);
    return seen === 1 ? name : `${name} #${seen}`;
  };
  return entries.map((entry, index) => {
    const fallback = `check #${index + 1}`;
    if (typeof entry === 'function') {
      const provider = findProvider(modules, entry as Token);
      if (provider?.isStatic) {
        const instance: unknown = moduleRef.get(entry as Token, { strict: false });
        if (!isCheckable(instance))
          throw new Error(systemdMessages.indicatorWithoutCheck(entry.name));
        return {
          name: unique(nameOf(instance, entry.name)),
          run: () => invoke(instance, entry.name),
          critical: isCritical(instance),
        };
      }
      if (provider) {
        // Request-scoped or transient: a fresh instance in a fresh context every round, as a
        // request would get. Its own name, and whether it is critical, are known once the first
        // one exists (before the gate reads them for that round).
        const check = {
          name: unique(entry.name),
          critical: true,
          named: false,
          run: async (): Promise<unknown> => {
            const instance: unknown = await moduleRef.resolve(
              entry as Token,
              ContextIdFactory.create(),
              { strict: false },
            );
            if (!check.named && isCheckable(instance)) {
              check.named = true;
              check.critical = isCritical(instance);
              const own = nameOf(instance, entry.name);
              if (own !== entry.name) check.name = unique(own);
            }
            return invoke(instance, entry.name);
          },
        };
        return check;
      }
      if (looksLikeClass(entry)) throw new Error(systemdMessages.indicatorNotFound(entry.name));
      const check = entry as () => unknown;
      return { name: unique(entry.name || fallback), run: () => check(), critical: true };
    }
    if (isCheckable(entry)) {
      return {
        name: unique(nameOf(entry, fallback)),
        run: () => invoke(entry, fallback),
        critical: isCritical(entry),
      };
    }
    throw new Error(systemdMessages.indicatorWithoutCheck(fallback));
  });
}
