import { notifyMessages } from './notify.messages.js';

/**
 * The assignments systemd's service manager understands (`sd_notify(3)`), typed.
 *
 * Every free-text value is sanitised: systemd splits a datagram on newlines and acts on
 * every line, so an unsanitised `STATUS` containing `"\nREADY=1"` would inject a message.
 */
export interface NotifyState {
  /** `READY=1`: start-up (or a reload) is finished. */
  readonly ready?: boolean;
  /** `RELOADING=1`, always sent with `MONOTONIC_USEC=` in the same datagram (systemd 253+ requires it). */
  readonly reloading?: boolean;
  /** `STOPPING=1`: shutdown has begun. */
  readonly stopping?: boolean;
  /** `STATUS=`: free text shown by `systemctl status`. */
  readonly status?: string;
  /** `ERRNO=`: a failure as a (positive) errno number. */
  readonly errno?: number;
  /** `BUSERROR=`: a failure as a D-Bus error name. */
  readonly busError?: string;
  /** `MAINPID=`: the service's main process, when it is not the sender. */
  readonly mainPid?: number;
  /** `WATCHDOG=1` (a keep-alive ping) or `WATCHDOG=trigger` (fail the service now). */
  readonly watchdog?: true | 'trigger';
  /** `WATCHDOG_USEC=`: change the watchdog timeout at runtime. */
  readonly watchdogUsec?: number | bigint;
  /** `EXTEND_TIMEOUT_USEC=`: extend the current start, runtime or stop timeout from now. */
  readonly extendTimeoutUsec?: number | bigint;
  /** `MONOTONIC_USEC=` for `reloading`; defaults to now on CLOCK_MONOTONIC. */
  readonly monotonicUsec?: bigint;
  /** Escape hatch: further `KEY=value` assignments. Keys must match `[A-Z][A-Z0-9_]*`. */
  readonly custom?: Readonly<Record<string, string>>;
}

/** One datagram, ready for the socket. */
export interface NotifyDatagram {
  readonly bytes: Buffer;
  /**
   * Messages that may be replaced by a newer one of the same key while waiting in a queue:
   * only a lone `STATUS=` (latest wins) or a lone `WATCHDOG=1` (one pending ping is enough).
   * Anything else (READY, STOPPING, RELOADING, ...) is never dropped in favour of a newer message.
   */
  readonly coalesceKey: 'STATUS' | 'WATCHDOG' | undefined;
  /** What the sanitiser changed, for a (rate-limited) warning. Empty in the usual case. */
  readonly adjustments: readonly string[];
}

/** systemd's receive buffer (`NOTIFY_BUFFER_MAX`): larger datagrams are dropped whole. */
export const NOTIFY_DATAGRAM_MAX_BYTES = 4096;

/** Thrown by {@link encodeNotifyMessage} for input no sanitising can make meaningful. */
export class NotifyMessageError extends Error {
  override readonly name = 'NotifyMessageError';
}

const KEY_PATTERN = /^[A-Z][A-Z0-9_]*$/;
// C0 controls and DEL: newline and carriage return would split the datagram, NUL makes systemd
// drop it, the rest have no place in a status line. One space stands for a run of them.
// eslint-disable-next-line no-control-regex
const CONTROL_RUN = /[\u0000-\u001f\u007f]+/g;
const ELLIPSIS = '…';
const UINT64_MAX = (1n << 64n) - 1n;

/** The current CLOCK_MONOTONIC time in microseconds, as systemd expects in `MONOTONIC_USEC=`. */
export function monotonicUsec(): bigint {
  return process.hrtime.bigint() / 1000n;
}

function sanitiseValue(key: string, value: string, adjustments: string[]): string {
  if (typeof value !== 'string') {
    throw new NotifyMessageError(notifyMessages.valueNotString(key, typeof value));
  }
  let clean = value.replace(CONTROL_RUN, ' ');
  if (clean !== value) adjustments.push(notifyMessages.controlCharactersReplaced(key));
  if (!clean.isWellFormed()) {
    clean = clean.toWellFormed();
    adjustments.push(notifyMessages.loneSurrogatesReplaced(key));
  }
  return clean;
}

function unsignedText(key: string, value: number | bigint, min: bigint, max: bigint): string {
  const valid =
    (typeof value === 'bigint' || (typeof value === 'number' && Number.isSafeInteger(value))) &&
    BigInt(value) >= min &&
    BigInt(value) <= max;
  if (!valid) throw new NotifyMessageError(notifyMessages.invalidInteger(key, value, min, max));
  return BigInt(value).toString();
}

/** Cuts `text` to at most `maxBytes` of UTF-8 without splitting a character, marking the cut. */
function truncateUtf8(text: string, maxBytes: number): string {
  const ellipsisBytes = Buffer.byteLength(ELLIPSIS);
  if (maxBytes < ellipsisBytes) return '';
  let bytes = 0;
  let end = 0;
  for (const ch of text) {
    const size = Buffer.byteLength(ch);
    if (bytes + size > maxBytes - ellipsisBytes) break;
    bytes += size;
    end += ch.length;
  }
  return text.slice(0, end) + ELLIPSIS;
}

/** The largest pid `MAINPID=` takes (`pid_t` is 32 bits), for both READY encoders. */
const PID_MAX = 2 ** 31 - 1;

/**
 * `READY=1`, with `MAINPID=` when `mainPid` is given, byte for byte as
 * {@link encodeNotifyMessage} encodes `{ ready: true, mainPid }`, but without running it: READY
 * is encoded while the app starts, to leave at once when it serves, and the encoder's first run
 * (compiling it) would fall on that start. Undefined when `mainPid` is not a pid, for the encoder
 * to refuse with its own words.
 */
export function encodeReadyMessage(mainPid?: number): NotifyDatagram | undefined {
  if (mainPid === undefined) {
    return { bytes: Buffer.from('READY=1'), coalesceKey: undefined, adjustments: [] };
  }
  if (!Number.isSafeInteger(mainPid) || mainPid < 1 || mainPid > PID_MAX) return undefined;
  const bytes = Buffer.from(`READY=1\nMAINPID=${mainPid}`);
  return { bytes, coalesceKey: undefined, adjustments: [] };
}

/**
 * Encodes `state` as one datagram: newline-separated `KEY=value` lines in a fixed order,
 * no trailing newline (as `sd_notify("READY=1\nSTATUS=...")` sends it).
 *
 * Free text is sanitised (control characters become spaces, lone surrogates U+FFFD) and a
 * `STATUS` that would push the datagram over 4096 bytes is shortened with an ellipsis.
 * Throws {@link NotifyMessageError} for invalid keys or numbers, an empty state, or fixed
 * content that cannot fit in one datagram.
 */
export function encodeNotifyMessage(state: NotifyState): NotifyDatagram {
  const adjustments: string[] = [];
  const lines: string[] = [];
  if (state.ready) lines.push('READY=1');
  if (state.reloading) {
    lines.push('RELOADING=1');
    const at = state.monotonicUsec ?? monotonicUsec();
    lines.push(`MONOTONIC_USEC=${unsignedText('MONOTONIC_USEC', at, 0n, UINT64_MAX)}`);
  }
  if (state.stopping) lines.push('STOPPING=1');
  if (state.errno !== undefined) {
    lines.push(`ERRNO=${unsignedText('ERRNO', state.errno, 0n, 2n ** 31n - 1n)}`);
  }
  if (state.busError !== undefined) {
    lines.push(`BUSERROR=${sanitiseValue('BUSERROR', state.busError, adjustments)}`);
  }
  if (state.mainPid !== undefined) {
    lines.push(`MAINPID=${unsignedText('MAINPID', state.mainPid, 1n, BigInt(PID_MAX))}`);
  }
  if (state.watchdog === true) lines.push('WATCHDOG=1');
  else if (state.watchdog === 'trigger') lines.push('WATCHDOG=trigger');
  if (state.watchdogUsec !== undefined) {
    lines.push(
      `WATCHDOG_USEC=${unsignedText('WATCHDOG_USEC', state.watchdogUsec, 1n, UINT64_MAX - 1n)}`,
    );
  }
  if (state.extendTimeoutUsec !== undefined) {
    lines.push(
      `EXTEND_TIMEOUT_USEC=${unsignedText('EXTEND_TIMEOUT_USEC', state.extendTimeoutUsec, 0n, UINT64_MAX)}`,
    );
  }
  for (const [key, value] of Object.entries(state.custom ?? {})) {
    if (!KEY_PATTERN.test(key)) throw new NotifyMessageError(notifyMessages.invalidKey(key));
    lines.push(`${key}=${sanitiseValue(key, value, adjustments)}`);
  }

  let status: string | undefined;
  if (state.status !== undefined) status = sanitiseValue('STATUS', state.status, adjustments);
  if (lines.length === 0 && status === undefined) {
    throw new NotifyMessageError(notifyMessages.emptyMessage());
  }

  const fixed = lines.join('\n');
  const fixedBytes = Buffer.byteLength(fixed);
  if (status !== undefined) {
    const overhead = 'STATUS='.length + (lines.length > 0 ? 1 : 0);
    const budget = NOTIFY_DATAGRAM_MAX_BYTES - fixedBytes - overhead;
    if (budget < 0) throw new NotifyMessageError(notifyMessages.datagramTooLarge(fixedBytes));
    if (Buffer.byteLength(status) > budget) {
      status = truncateUtf8(status, budget);
      adjustments.push(notifyMessages.statusTruncated(NOTIFY_DATAGRAM_MAX_BYTES));
    }
  } else if (fixedBytes > NOTIFY_DATAGRAM_MAX_BYTES) {
    throw new NotifyMessageError(notifyMessages.datagramTooLarge(fixedBytes));
  }

  let text = fixed;
  if (status !== undefined)
    text = lines.length > 0 ? `${fixed}\nSTATUS=${status}` : `STATUS=${status}`;
  let coalesceKey: NotifyDatagram['coalesceKey'];
  if (lines.length === 0) coalesceKey = 'STATUS';
  else if (status === undefined && lines.length === 1 && lines[0] === 'WATCHDOG=1') {
    coalesceKey = 'WATCHDOG';
  }
  return { bytes: Buffer.from(text, 'utf8'), coalesceKey, adjustments };
}
