import type { Type } from '@nestjs/common';
import { ModuleRef, type ModulesContainer } from '@nestjs/core';

/** A module of the application as Nest's container holds it. */
type ContainerModule = NonNullable<ReturnType<ModulesContainer['get']>>;

/**
 * Above every other module's distance, as Nest's own global modules use `Number.MAX_VALUE`:
 * Nest runs init and bootstrap hooks by decreasing distance and shutdown hooks in the reverse
 * order, so this module bootstraps last and shuts down first.
 */
const SUPERVISOR_DISTANCE = -Number.MAX_VALUE;

/** The container module that `moduleRef` (as injected into one of its providers) belongs to. */
export function hostModule(
  modules: ModulesContainer,
  moduleRef: ModuleRef,
): ContainerModule | undefined {
  // Each module holds its own ModuleRef instance under the ModuleRef token.
  for (const module of modules.values()) {
    if (module.providers.get(ModuleRef)?.instance === moduleRef) return module;
  }
  return undefined;
}

/**
 * Makes `module`'s lifecycle hooks run after every other module's at start-up and before every
 * other module's at shutdown: READY=1 once all else has bootstrapped, STOPPING=1 before any
 * other module starts its shutdown work. Must run before the first lifecycle hook (Nest sorts
 * the modules once, then): a provider factory does.
 */
export function wrapOtherModulesLifecycle(module: ContainerModule): void {
  module.distance = SUPERVISOR_DISTANCE;
}

/** The modules of class `metatype` in the application. */
export function modulesOfType(modules: ModulesContainer, metatype: Type): ContainerModule[] {
  return [...modules.values()].filter((module) => module.metatype === metatype);
}

/** The modules that import `module`. */
export function importersOf(modules: ModulesContainer, module: ContainerModule): ContainerModule[] {
  return [...modules.values()].filter((other) => other !== module && other.imports.has(module));
}
