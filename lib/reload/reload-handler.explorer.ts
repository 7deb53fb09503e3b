import { Logger } from '@nestjs/common';
import type { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { SYSTEMD_LOGGER_CONTEXT, SYSTEMD_RELOAD_HANDLER } from '../systemd.constants.js';
import { systemdMessages } from '../systemd.messages.js';

/** A discovered `@OnSystemdReload()` method, bound to its provider. */
export interface ReloadHandler {
  /** `Class.method`, for messages. */
  readonly name: string;
  readonly run: () => unknown;
}

/** Finds the `@OnSystemdReload()` methods of the application's providers and controllers, in Nest's order. */
export class ReloadHandlerExplorer {
  private readonly logger = new Logger(SYSTEMD_LOGGER_CONTEXT);

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
  ) {}

  explore(): ReloadHandler[] {
    const handlers: ReloadHandler[] = [];
    // Controllers too: a controller that holds state (a cache, a template) may reload it.
    const wrappers = [...this.discovery.getProviders(), ...this.discovery.getControllers()];
    for (const wrapper of wrappers) {
      const instance: unknown = wrapper.instance;
      if (!instance || typeof instance !== 'object') continue;
      const prototype = Object.getPrototypeOf(instance) as object | null;
      if (!prototype) continue;
      for (const method of this.scanner.getAllMethodNames(prototype)) {
        const target = (instance as Record<string, unknown>)[method];
        if (typeof target !== 'function') continue;
        if (!this.reflector.get<boolean | undefined>(SYSTEMD_RELOAD_HANDLER, target)) continue;
        const name = `${instance.constructor.name}.${method}`;
        // A request-scoped instance here is a throwaway: reloading it would change nothing.
        if (!wrapper.isDependencyTreeStatic()) {
          this.logger.warn(systemdMessages.reloadHandlerScoped(name));
          continue;
        }
        handlers.push({ name, run: () => (target as () => unknown).call(instance) });
      }
    }
    return handlers;
  }
}
