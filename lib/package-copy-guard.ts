import { systemdMessages } from './systemd.messages.js';

// The package ships an ES module build and a CommonJS build. A process that loads both (an
// ESM app with a CommonJS dependency that requires this package, or the reverse) holds two
// copies of every class and token: Nest then sees two unrelated SystemdModules, and the
// SystemdService one copy injects is not the supervisor the other's forRoot() configured.
// Nothing can merge the copies after the fact, so the second one to load says so at once.

/** Process-wide, shared by every copy of the package, whichever build it comes from. */
const LOADED_COPIES = Symbol.for('nestjs-systemd.loaded-copies');

type GlobalWithCopies = typeof globalThis & { [LOADED_COPIES]?: string[] };

/** Records this copy as loaded, and warns once when another copy was loaded before it. */
export function registerLoadedCopy(location: string): void {
  const global = globalThis as GlobalWithCopies;
  const copies = (global[LOADED_COPIES] ??= []);
  if (copies.includes(location)) return;
  copies.push(location);
  if (copies.length === 2) {
    process.emitWarning(systemdMessages.twoPackageCopies(copies), {
      code: 'NESTJS_SYSTEMD_TWO_COPIES',
    });
  }
}
