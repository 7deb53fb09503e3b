import { notifyMessages } from './notify.messages.js';

/** Where the protocol layer reports problems. Nest's `Logger` fits as it is. */
export interface NotifyLogger {
  debug(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** The default outside Nest: warnings and errors on stderr, debug messages dropped. */
export const consoleNotifyLogger: NotifyLogger = {
  debug: () => undefined,
  warn: (message) => console.warn(`[nestjs-systemd] ${message}`),
  error: (message) => console.error(`[nestjs-systemd] ${message}`),
};

/**
 * Passes each kind of problem on at most once per interval and counts what it held back,
 * so a socket that vanished does not flood the log at every heartbeat.
 */
export class RateLimitedLogger {
  private readonly last = new Map<string, { at: number; suppressed: number }>();

  constructor(
    private readonly logger: NotifyLogger,
    private readonly intervalMs = 60_000,
  ) {}

  warn(key: string, message: string): void {
    this.emit('warn', key, message);
  }

  error(key: string, message: string): void {
    this.emit('error', key, message);
  }

  debug(message: string): void {
    this.logger.debug(message);
  }

  private emit(level: 'warn' | 'error', key: string, message: string): void {
    const now = performance.now();
    const seen = this.last.get(key);
    if (seen && now - seen.at < this.intervalMs) {
      seen.suppressed++;
      return;
    }
    const tail = seen?.suppressed ? notifyMessages.suppressed(seen.suppressed) : '';
    this.last.set(key, { at: now, suppressed: 0 });
    try {
      this.logger[level](message + tail);
    } catch {
      // A broken logger must not turn a notification problem into a crash.
    }
  }
}
