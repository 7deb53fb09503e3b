import { ConsoleLogger, type ConsoleLoggerOptions, type LogLevel } from '@nestjs/common';
import type { InspectOptions } from 'node:util';
import { encodeJournalEntry, type JournalField } from './journal-entry.js';
import { journalSocketPath, prefixLines, pushErrorFields, pushField } from './journal-fields.js';
import { JournalSocket } from './journal-socket.js';
import { isJournalStream } from './journal-stream.js';
import { defaultSyslogIdentifier } from './syslog-identifier.js';

export { JOURNALD_LOGGER_FIELDS } from './journal-fields.js';

/** `sd-daemon(3)` priorities: the journal reads a `<N>` line prefix as the entry's priority. */
const PRIORITY: Record<LogLevel, number> = {
  fatal: 2, // LOG_CRIT
  error: 3, // LOG_ERR
  warn: 4, // LOG_WARNING
  log: 6, // LOG_INFO
  debug: 7, // LOG_DEBUG
  verbose: 7, // LOG_DEBUG
};

/** How Nest's `ConsoleLogger` prints structured params and errors, without colours. */
const INSPECT: InspectOptions = { colors: false, compact: true, breakLength: Infinity, depth: 5 };

/** Options for {@link JournaldLogger}: Nest's `ConsoleLoggerOptions`, plus when and how to use the journal. */
export interface JournaldLoggerOptions extends ConsoleLoggerOptions {
  /**
   * `'auto'` (default): the journal format when stderr is the journal stream systemd gave the
   * service (`JOURNAL_STREAM`); `'always'` / `'never'` force it on or off.
   */
  readonly journal?: 'auto' | 'always' | 'never';
  /**
   * In the journal format, send each entry to journald's socket with its fields
   * (`NEST_CONTEXT`, `ERRNO`, `STACK`, a structured call's keys), falling back to `<N>` lines on
   * stderr for an entry the socket cannot take. `false`: always `<N>` lines. Default `true`.
   */
  readonly native?: boolean;
  /**
   * `SYSLOG_IDENTIFIER` of the entries sent to the socket (what `journalctl` shows before the
   * pid and `journalctl -t` selects). Default: the service's unit name without `.service`.
   */
  readonly syslogIdentifier?: string;
}

const isPlainObject = (value: unknown): value is Record<string, unknown> => {
  if (value === null || typeof value !== 'object') return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
};

/** A lazy message (a function) is called, a class stands for its name, as `ConsoleLogger` does. */
function resolveMessage(message: unknown): unknown {
  if (typeof message !== 'function') return message;
  if (Function.prototype.toString.call(message).startsWith('class ')) return message.name;
  return resolveMessage((message as () => unknown)());
}

function headline(error: Error): string {
  try {
    return `${error.name}: ${error.message}`;
  } catch {
    return 'Error';
  }
}

/**
 * Nest's `ConsoleLogger`, journal-aware. Under systemd with output to the journal, each log call
 * becomes one journal entry sent over journald's native protocol: `MESSAGE` (`[Context] text`),
 * `PRIORITY`, `SYSLOG_IDENTIFIER`, `NEST_CONTEXT`, `ERRNO` and `STACK` for errors, and one field
 * per key of a structured call (`logger.log({ message: 'paid', orderId: 42 })` gives
 * `ORDER_ID=42`), so that `journalctl -u app NEST_CONTEXT=OrdersService -p warning` works. An
 * entry the socket cannot take goes to stderr as `<priority>[Context] message` lines, as does
 * everything with `native: false`. Anywhere else it is `ConsoleLogger` unchanged.
 *
 * ```ts
 * const app = await NestFactory.create(AppModule, { logger: new JournaldLogger() });
 * ```
 */
export class JournaldLogger extends ConsoleLogger {
  /** Whether lines are written in the journal format. */
  readonly journal: boolean;
  /** Whether journal entries go to journald's socket (true) or to stderr as `<N>` lines. */
  readonly native: boolean;
  private readonly socket: JournalSocket | undefined;
  private readonly identifier: string;
  private lastLevel: LogLevel = 'error';
  /** The stack sent with the last entry: Nest prints it again right after, not to be repeated. */
  private attachedStack: string | undefined;

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
    // Both arguments always: Nest 10's ConsoleLogger(context?, options?) would take a lone
    // options object for the context; Nest 11+ reads (undefined, options) as options.
    super(context as string, consoleOptions);
    this.journal = journal;
    this.native = journal && options.native !== false;
    this.identifier = this.native ? (options.syslogIdentifier ?? defaultSyslogIdentifier()) : '';
    this.socket = this.native ? new JournalSocket(journalSocketPath()) : undefined;
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
    const stack = typeof rest[1] === 'string' && rest[1] !== '' ? rest[1] : undefined;
    let params = rest[2];
    let resolved = messages.map(resolveMessage);
    // Nest 12's `redact` option (Nest 11 has neither the option nor the method).
    if (this.options.redact && typeof this.redact === 'function') {
      resolved = resolved.map((message) => this.redact(message));
      if (params) params = this.redact(params) as Record<string, unknown>;
    }
    if (!this.socket) {
      for (const message of resolved) {
        process.stderr.write(this.stderrLines(message, context, logLevel, params, undefined));
      }
      return;
    }
    this.attachedStack = stack;
    for (let i = 0; i < resolved.length; i++) {
      this.sendEntry(
        this.socket,
        resolved[i],
        context,
        logLevel,
        i === 0 ? stack : undefined,
        params,
      );
    }
  }

  /** Nest 10 has no `colors` option: no ANSI codes in journal lines, whatever the Nest. */
  protected override colorize(message: string, logLevel: LogLevel): string {
    return this.journal ? message : super.colorize(message, logLevel);
  }

  protected override printStackTrace(stack: string): void {
    if (!this.journal) {
      super.printStackTrace(stack);
      return;
    }
    if (!stack) return;
    // Nest prints the stack right after the error's own line: it belongs to that level.
    if (!this.socket) {
      process.stderr.write(prefixLines(stack, PRIORITY[this.lastLevel], ''));
      return;
    }
    if (stack === this.attachedStack) {
      this.attachedStack = undefined;
      return;
    }
    // A stack the error's entry did not carry (a subclass printing one alone): an entry of its own.
    this.sendEntry(this.socket, stack.split('\n', 1)[0], '', this.lastLevel, stack, undefined);
  }

  private sendEntry(
    socket: JournalSocket,
    message: unknown,
    context: string,
    level: LogLevel,
    stack: string | undefined,
    params: Record<string, unknown> | undefined,
  ): void {
    let text: string;
    let error: Error | undefined;
    let structured: Record<string, unknown> | undefined;
    if (typeof message === 'string') {
      text = message;
    } else if (message instanceof Error) {
      error = message;
      text = headline(message);
    } else if (isPlainObject(message)) {
      structured = message;
      const inner = message.message;
      text =
        typeof inner === 'string'
          ? inner
          : this.stringifyMessage(inner === undefined ? message : inner, level);
    } else {
      text = this.stringifyMessage(message, level);
    }

    const fields: JournalField[] = [
      ['MESSAGE', context ? `[${context}] ${text}` : text],
      ['PRIORITY', String(PRIORITY[level])],
      ['SYSLOG_IDENTIFIER', this.identifier],
    ];
    if (context) fields.push(['NEST_CONTEXT', context]);
    for (const record of [structured, params]) {
      if (!record) continue;
      for (const key of Object.keys(record)) {
        if (record === structured && key === 'message') continue;
        const value = record[key];
        // `{ message: 'payment failed', err }`: the error of the entry, not a field of JSON.
        if (value instanceof Error && error === undefined) {
          error = value;
          continue;
        }
        pushField(fields, key, value);
      }
    }
    if (error) pushErrorFields(fields, error);
    const stackText = stack ?? (error ? this.stringifyMessage(error, level) : undefined);
    if (stackText) fields.push(['STACK', stackText]);

    socket.send({
      bytes: encodeJournalEntry(fields),
      fallback: () => this.stderrLines(message, context, level, params, stack),
    });
  }

  /** The entry as today's `<priority>[Context] line` lines, the stack's lines after it. */
  private stderrLines(
    message: unknown,
    context: string,
    level: LogLevel,
    params: Record<string, unknown> | undefined,
    stack: string | undefined,
  ): string {
    const priority = PRIORITY[level];
    let text = this.stringifyMessage(message, level);
    if (params) text += ` ${process.getBuiltinModule('node:util').inspect(params, INSPECT)}`;
    const lines = prefixLines(text, priority, context ? `[${context}] ` : '');
    return stack ? lines + prefixLines(stack, priority, '') : lines;
  }
}
