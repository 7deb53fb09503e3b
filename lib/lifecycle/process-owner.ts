/**
 * Which Nest application speaks to systemd for this process, when a process runs several
 * (`NestFactory.create()` and `createMicroservice()` side by side, each importing a module that
 * holds `SystemdModule.forRoot()`). A process is one service to systemd: one READY, one
 * STOPPING, one watchdog. Every other application stands by, silent: a second READY would be a
 * duplicate, its close a false STOPPING while the first still serves, and its pings would keep
 * the watchdog fed while the first application's health checks fail. When the one that speaks
 * stops while another still runs, the service is handed over instead of stopped.
 *
 * Kept on `globalThis` under a registered symbol, so that two copies of the package in one
 * process (which the package-copy guard warns about) still agree.
 */
const REGISTRY = Symbol.for('nestjs-systemd.process-speakers');

/** One application's supervisor, as the registry sees it. */
export interface ProcessSpeaker {
  /** Its application's root module, for messages. */
  readonly app: string;
  /** Whether it could speak for the service now: not shutting down. */
  readonly live: boolean;
  /** Makes it the one that speaks for the service, from now on. */
  takeOver(previous: string): void;
  /**
   * Told, while it speaks for the service, whether other applications stand by: only then has
   * its stop a hand-over to consider (a lone application's STOPPING path stays as it was).
   */
  standbys(present: boolean): void;
}

interface Speakers {
  owner: ProcessSpeaker | undefined;
  readonly standing: ProcessSpeaker[];
}

function speakers(): Speakers {
  const registry = globalThis as { [REGISTRY]?: Speakers };
  return (registry[REGISTRY] ??= { owner: undefined, standing: [] });
}

function announce(registry: Speakers): void {
  registry.owner?.standbys(registry.standing.length > 0);
}

/**
 * Adds `speaker`: it speaks for the service if no other application does; otherwise it stands
 * by, and the application that speaks is returned (by name).
 */
export function joinProcess(speaker: ProcessSpeaker): string | undefined {
  const registry = speakers();
  if (!registry.owner) {
    registry.owner = speaker;
    return undefined;
  }
  registry.standing.push(speaker);
  announce(registry);
  return registry.owner.app;
}

/** The application that speaks for the service, if one does. */
export function processOwner(): string | undefined {
  return speakers().owner?.app;
}

/**
 * `speaker`, which speaks for the service, is about to stop (or failed to start): the first
 * other application still live takes the service over. Returns whether one did; if not, the
 * service stops with `speaker`.
 */
export function handOver(speaker: ProcessSpeaker): boolean {
  const registry = speakers();
  if (registry.owner !== speaker) return false;
  const next = registry.standing.find((other) => other.live);
  if (!next) return false;
  registry.standing.splice(registry.standing.indexOf(next), 1);
  registry.owner = next;
  next.takeOver(speaker.app);
  announce(registry);
  return true;
}

/**
 * `speaker` has nothing more to say. If it spoke for the service, an application still live
 * (one created while it was stopping) takes over; if none, the next one created will speak.
 */
export function leaveProcess(speaker: ProcessSpeaker): void {
  const registry = speakers();
  if (registry.owner === speaker && !handOver(speaker)) registry.owner = undefined;
  const index = registry.standing.indexOf(speaker);
  if (index !== -1) registry.standing.splice(index, 1);
  announce(registry);
}
