// The bench's white-box probes reach into the module's providers. They are found through
// Nest's container, by the name of their injection token (a class's name, a symbol's
// description), not by importing the library's internal files: dist/ may be one bundle.
import { ModulesContainer } from '@nestjs/core';

/** @param {unknown} token */
function tokenName(token) {
  if (typeof token === 'symbol') return token.description;
  if (typeof token === 'function') return token.name;
  return String(token);
}

/**
 * The instance of the provider whose token is named `name`, in whichever module of the app
 * provides it; throws if there is none, so that a renamed internal stops the bench rather than
 * silently measuring nothing.
 * @param {import('@nestjs/common').INestApplicationContext} app @param {string} name
 * @returns {any}
 */
export function internalProvider(app, name) {
  for (const module of app.get(ModulesContainer).values()) {
    for (const [token, wrapper] of module.providers) {
      if (tokenName(token) === name && wrapper.instance) return wrapper.instance;
    }
  }
  throw new Error(`bench: no provider ${name} in the app (the library's internals changed?)`);
}
