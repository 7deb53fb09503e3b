/** The signals a service manager or an operator sends to stop a process. */
const STOP_SIGNAL_CANDIDATES: readonly NodeJS.Signals[] = [
  'SIGTERM',
  'SIGINT',
  'SIGHUP',
  'SIGQUIT',
];

/**
 * Whether `signal` stops the app, as far as the warnings are concerned: some listener of it is a
 * shutdown listener, that is, it also listens to SIGTERM (Nest's `enableShutdownHooks()`
 * registers one function for all its signals). An app's own handler of that one signal
 * (`process.on('SIGHUP', reopenLogs)`) is not. For SIGTERM itself, any listener is. A guess
 * that only ever costs a warning: STOPPING=1 asks {@link nestShutsDownOn}.
 */
export function signalStopsTheApp(signal: NodeJS.Signals): boolean {
  const terminators = process.listeners('SIGTERM');
  if (signal === 'SIGTERM') return terminators.length > 0;
  const stoppers = new Set(terminators);
  return process.listeners(signal).some((listener) => stoppers.has(listener));
}

/**
 * Whether Nest's own shutdown listener, the one `enableShutdownHooks()` adds for each of its
 * signals (named `cleanup` in Nest 10 to 12), listens to `signal`: then the signal certainly
 * begins the app's shutdown. An app's own listener may not (a log line, a flag, a metrics
 * flush): taken by it alone, as during `NestFactory.create()` before Nest's exists, a SIGTERM
 * leaves the app starting, and a STOPPING=1 then would be false, and final since systemd 259.
 * An app that stops itself from its own listener calls `app.close()`, which says STOPPING then.
 * Should a later Nest rename its listener, STOPPING=1 comes from the close, a little later.
 */
export function nestShutsDownOn(signal: NodeJS.Signals): boolean {
  return process.listeners(signal).some((listener) => listener.name === 'cleanup');
}

/**
 * Calls `onStop` the moment a signal that Nest's shutdown listener handles arrives, before any
 * other listener of it runs (Nest's shutdown hook starts its work synchronously, or waits for a
 * bootstrap in progress). Its listeners are only ever added beside another listener of the same
 * signal, and removed when they would be left alone, so a signal's default action is never
 * changed: Nest's re-raised signal still ends the process. One listener per signal, so that
 * ours never look like a shutdown listener shared between signals.
 */
export class StopSignalWatch {
  private readonly listeners: ReadonlyMap<NodeJS.Signals, (signal: NodeJS.Signals) => void>;

  constructor(
    onStop: (signal: NodeJS.Signals) => void,
    signals: readonly NodeJS.Signals[] = STOP_SIGNAL_CANDIDATES,
  ) {
    this.listeners = new Map(
      signals.map((name) => [
        name,
        (signal: NodeJS.Signals): void => {
          if (nestShutsDownOn(signal)) onStop(signal);
        },
      ]),
    );
  }

  start(): void {
    process.on('newListener', this.onNewListener);
    process.on('removeListener', this.onRemoveListener);
    for (const [signal, listener] of this.listeners) {
      if (process.listenerCount(signal) > 0) process.prependListener(signal, listener);
    }
  }

  stop(): void {
    process.removeListener('newListener', this.onNewListener);
    process.removeListener('removeListener', this.onRemoveListener);
    for (const [signal, listener] of this.listeners) process.removeListener(signal, listener);
  }

  // Runs before the new listener is added: ours goes first, the new one after it.
  private readonly onNewListener = (event: string | symbol, added: unknown): void => {
    const ours =
      typeof event === 'string' ? this.listeners.get(event as NodeJS.Signals) : undefined;
    if (!ours || added === ours) return;
    if (!process.listeners(event as NodeJS.Signals).includes(ours)) {
      process.prependListener(event as NodeJS.Signals, ours);
    }
  };

  // Runs after a listener was removed: ours must not be a signal's last listener.
  private readonly onRemoveListener = (event: string | symbol, removed: unknown): void => {
    const ours =
      typeof event === 'string' ? this.listeners.get(event as NodeJS.Signals) : undefined;
    // Counted before listed: a once-listener's removal happens as its signal arrives.
    if (!ours || removed === ours || process.listenerCount(event) !== 1) return;
    if (process.listeners(event as NodeJS.Signals)[0] === ours) process.removeListener(event, ours);
  };
}
