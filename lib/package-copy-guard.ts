import { systemdMessages } from './systemd.messages.js';

// The package ships an ES module build and a CommonJS build. A process that loads both (an
// ESM app with a CommonJS dependency that requires this package, or the reverse) holds two
// copies of every class and token: Nest then sees two unrelated SystemdModules, and the
// SystemdService one copy injects is not the supervisor the other's forRoot() configured.
// Nothing can merge the copies after the fact, so the second one to load says so at once.

/** Process-wide, shared by every copy of the package, whichever build it comes from. */
const LOADED_COPIES = Symbol.for('nestjs-systemd.loaded-copies');

/** A copy's location, or the function that reads it, until a second load needs it. */
type CopyLocation = string | (() => string);

type GlobalWithCopies = typeof globalThis & { [LOADED_COPIES]?: CopyLocation[] };

/**
 * Records this copy as loaded, and warns once when another copy was loaded before it.
 * `location` is read only when a second load happens (a second copy, or the same one loaded
 * again, as Jest does for each test file): the first read of an ES module's `import.meta`
 * costs about 0.3 ms, which an app that loads the package once, as every app should, would
 * pay at each start for nothing (under systemd the addon's loading reads it anyway).
 */
export function registerLoadedCopy(location: () => string): void {
  const global = globalThis as GlobalWithCopies;
  const copies = (global[LOADED_COPIES] ??= []);
  const before = copies.length;
  copies.push(location);
  if (before === 0) return;
  const known = [...new Set(copies.map((copy) => (typeof copy === 'string' ? copy : copy())))];
  copies.splice(0, copies.length, ...known);
  if (before === 1 && known.length === 2) {
    process.emitWarning(systemdMessages.twoPackageCopies(known), {
      code: 'NESTJS_SYSTEMD_TWO_COPIES',
    });
  }
}
