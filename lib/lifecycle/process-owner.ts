/**
 * The Nest application that speaks to systemd for this process, when a process runs several
 * (`NestFactory.create()` and `createMicroservice()` side by side, each importing a module that
 * holds `SystemdModule.forRoot()`). A process is one service to systemd: one READY, one
 * STOPPING, one watchdog. A second application's READY would be a duplicate, its close a false
 * STOPPING while the first still serves, and its pings would keep the watchdog fed while the
 * first application's health checks fail.
 *
 * Kept on `globalThis` under a registered symbol, so that two copies of the package in one
 * process (which the package-copy guard warns about) still agree on the owner.
 */
const OWNER = Symbol.for('nestjs-systemd.process-owner');

interface OwnerRecord {
  /** The owning application's root module, for messages. */
  readonly app: string;
  readonly token: object;
}

type Registry = { [OWNER]?: OwnerRecord };

/** Held by the owning application until it is done with systemd. */
export interface ProcessOwnership {
  /** Lets another application of the process take over (after this one stopped or failed). */
  release(): void;
}

/** Why the process could not be claimed: another application owns it. */
export interface ProcessOwnedElsewhere {
  readonly heldBy: string;
}

/** The application that speaks to systemd for this process, if one does. */
export function processOwner(): string | undefined {
  return (globalThis as Registry)[OWNER]?.app;
}

/** Claims the process for `app`, or says which application already holds it. */
export function claimProcess(app: string): ProcessOwnership | ProcessOwnedElsewhere {
  const registry = globalThis as Registry;
  const current = registry[OWNER];
  if (current) return { heldBy: current.app };
  const token = {};
  registry[OWNER] = { app, token };
  return {
    release: () => {
      if (registry[OWNER]?.token === token) delete registry[OWNER];
    },
  };
}
