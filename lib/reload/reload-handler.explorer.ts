import { Logger } from '@nestjs/common';
import { MetadataScanner, type ModulesContainer } from '@nestjs/core';
import { SYSTEMD_LOGGER_CONTEXT, SYSTEMD_RELOAD_HANDLER } from '../systemd.constants.js';
import { systemdMessages } from '../systemd.messages.js';

/** A discovered `@OnSystemdReload()` method, bound to its provider. */
export interface ReloadHandler {
  /** `Class.method`, for messages. */
  readonly name: string;
  readonly run: () => unknown;
}

/**
 * Finds the `@OnSystemdReload()` methods of the application's providers and controllers, in
 * Nest's order. It walks Nest's module container itself, as `DiscoveryService` does, rather than
 * importing `DiscoveryModule`: one module and three injections fewer in every app's start-up,
 * for a scan that runs once, after bootstrap or at the first reload (see SystemdReloadService).
 */
export class ReloadHandlerExplorer {
  private readonly logger = new Logger(SYSTEMD_LOGGER_CONTEXT);

  constructor(private readonly modules: ModulesContainer) {}

  explore(): ReloadHandler[] {
    const handlers: ReloadHandler[] = [];
    const scanner = new MetadataScanner();
    const modules = [...this.modules.values()];
    // Controllers too: a controller that holds state (a cache, a template) may reload it.
    // Every module's providers, then every module's controllers: DiscoveryService's order.
    const wrappers = [
      ...modules.flatMap((module) => [...module.providers.values()]),
      ...modules.flatMap((module) => [...module.controllers.values()]),
    ];
    for (const wrapper of wrappers) {
      const instance: unknown = wrapper.instance;
      if (!instance || typeof instance !== 'object') continue;
      const prototype = Object.getPrototypeOf(instance) as object | null;
      if (!prototype) continue;
      for (const method of scanner.getAllMethodNames(prototype)) {
        const target = (instance as Record<string, unknown>)[method];
        if (typeof target !== 'function') continue;
        if (Reflect.getMetadata(SYSTEMD_RELOAD_HANDLER, target) !== true) continue;
        const name = `${instance.constructor.name}.${method}`;
        // A request-scoped or transient instance here is a throwaway (each request, or each
        // provider that injects a transient one, has its own): reloading it would change nothing.
        if (!wrapper.isDependencyTreeStatic() || wrapper.isTransient) {
          this.logger.warn(systemdMessages.reloadHandlerScoped(name));
          continue;
        }
        handlers.push({ name, run: () => (target as () => unknown).call(instance) });
      }
    }
    return handlers;
  }
}
