import { ModuleRef, type ModulesContainer } from '@nestjs/core';

/** A module of the application as Nest's container holds it. */
type ContainerModule = NonNullable<ReturnType<ModulesContainer['get']>>;

/**
 * Below every other module's distance, the mirror of the `Number.MAX_VALUE` Nest gives its
 * global modules: Nest runs init and bootstrap hooks by decreasing distance and shutdown hooks
 * in the reverse order, so this module bootstraps last and shuts down first.
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

/** The application's root module's name (the module given to `NestFactory`), for messages. */
export function rootModuleName(modules: ModulesContainer): string {
  const all = [...modules.values()];
  // Nest puts the root module at distance 1 from itself; before that, Nest's own core module
  // is registered first and the root module next.
  const root =
    all.find((module) => module.distance === 1) ??
    all.find((module) => module.name !== 'InternalCoreModule');
  return root?.name ?? 'another Nest application';
}

/** The modules of the application that provide `token`. */
export function modulesProviding(modules: ModulesContainer, token: symbol): ContainerModule[] {
  return [...modules.values()].filter((module) => module.providers.has(token));
}

/** The names of the modules that import `module` ("every module" when it is global). */
export function importerNames(modules: ModulesContainer, module: ContainerModule): string[] {
  if (module.isGlobal) return [`every module (isGlobal)`];
  return [...modules.values()]
    .filter((other) => other !== module && other.imports.has(module))
    .map((other) => other.name);
}
