import { ConsoleLogger, type ConsoleLoggerOptions, type LogLevel } from '@nestjs/common';
import { isJournalStream } from './journal-stream.js';

/** `sd-daemon(3)` priorities: the journal reads a `<N>` line prefix as the entry's priority. */
const PRIORITY: Record<LogLevel, number> = {
  fatal: 2, // LOG_CRIT
  error: 3, // LOG_ERR
  warn: 4, // LOG_WARNING
  log: 6, // LOG_INFO
  debug: 7, // LOG_DEBUG
  verbose: 7, // LOG_DEBUG
};

/** Options for {@link JournaldLogger}: Nest's `ConsoleLoggerOptions`, plus when to use the journal format. */
export interface JournaldLoggerOptions extends ConsoleLoggerOptions {
  /**
   * `'auto'` (default): the journal format when stderr is the journal stream systemd gave the
   * service (`JOURNAL_STREAM`); `'always'` / `'never'` force it on or off.
   */
  readonly journal?: 'auto' | 'always' | 'never';
}

/**
 * Nest's `ConsoleLogger`, journal-aware. Under systemd with output to the journal, every line
 * goes to stderr as `<priority>[Context] message`, without colours or timestamps (the journal
 * records its own), each line of a multi-line message or stack trace prefixed, so that
 * `journalctl -p warning` shows exactly the warnings and errors. Anywhere else it is
 * `ConsoleLogger` unchanged.
 *
 * ```ts
 * const app = await NestFactory.create(AppModule, { logger: new JournaldLogger() });
 * ```
 */
export class JournaldLogger extends ConsoleLogger {
  /** Whether lines are written in the journal format. */
  readonly journal: boolean;
  private lastLevel: LogLevel = 'error';

  constructor(options?: JournaldLoggerOptions);
  constructor(context: string, options?: JournaldLoggerOptions);
  constructor(
    contextOrOptions?: string | JournaldLoggerOptions,
    maybeOptions?: JournaldLoggerOptions,
  ) {
    const context = typeof contextOrOptions === 'string' ? contextOrOptions : undefined;
    const options = (typeof contextOrOptions === 'object' ? contextOrOptions : maybeOptions) ?? {};
    const mode = options.journal ?? 'auto';
    const journal = mode === 'always' || (mode === 'auto' && isJournalStream());
    const consoleOptions: ConsoleLoggerOptions = journal
      ? { ...options, colors: false, json: false }
      : options;
    if (context === undefined) super(consoleOptions);
    else super(context, consoleOptions);
    this.journal = journal;
  }

  protected override printMessages(
    messages: unknown[],
    context = '',
    logLevel: LogLevel = 'log',
    ...rest: [('stdout' | 'stderr')?, unknown?, Record<string, unknown>?]
  ): void {
    if (!this.journal) {
      super.printMessages(messages, context, logLevel, ...rest);
      return;
    }
    this.lastLevel = logLevel;
    const contextPrefix = context ? `[${context}] ` : '';
    for (const message of messages) {
      this.writeLines(this.stringifyMessage(message, logLevel), logLevel, contextPrefix);
    }
  }

  protected override printStackTrace(stack: string): void {
    if (!this.journal) {
      super.printStackTrace(stack);
      return;
    }
    // Nest prints the stack right after the error's own line: it belongs to that level.
    if (stack) this.writeLines(stack, this.lastLevel, '');
  }

  private writeLines(text: string, level: LogLevel, prefix: string): void {
    const priority = `<${PRIORITY[level]}>`;
    const lines = text.replace(/\n$/, '').split('\n');
    process.stderr.write(lines.map((line) => `${priority}${prefix}${line}\n`).join(''));
  }
}
