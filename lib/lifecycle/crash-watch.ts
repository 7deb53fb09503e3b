/**
 * Calls `onCrash` when the process is about to die of an error nothing caught: a gateway's own
 * port in use, a module's init that throws, a bug in a timer. systemd keeps the last `STATUS=`
 * on show for the failed unit, which would otherwise still say `Starting` or `Listening on …`.
 * Node's 'uncaughtExceptionMonitor' only observes, so the process dies as it would have (an
 * unhandled rejection too, which Node raises as an uncaught exception unless the app listens
 * for 'unhandledRejection'). An app with an 'uncaughtException' listener of its own decides
 * whether the process lives on, and is left to say so itself.
 */
export class CrashWatch {
  constructor(private readonly onCrash: (error: unknown) => void) {}

  start(): void {
    process.on('uncaughtExceptionMonitor', this.listener);
  }

  stop(): void {
    process.removeListener('uncaughtExceptionMonitor', this.listener);
  }

  private readonly listener = (error: unknown): void => {
    if (process.listenerCount('uncaughtException') > 0) return;
    this.onCrash(error);
  };
}
