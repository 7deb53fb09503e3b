import { notifyMessages } from './notify.messages.js';
import { parseSystemdPid, parseSystemdU64 } from './systemd-integer.js';

/** What `WATCHDOG_USEC` / `WATCHDOG_PID` ask of this process. */
export type WatchdogEnv =
  | {
      readonly state: 'enabled';
      /** The timeout systemd enforces, in microseconds. */
      readonly usec: bigint;
      /** Half the timeout (as `sd_watchdog_enabled(3)` recommends), in whole ms, within Node's timer range. */
      readonly periodMs: number;
      /** The timeout in ms, clamped to Node's timer range. */
      readonly timeoutMs: number;
    }
  /** No watchdog for this process: `WATCHDOG_USEC` is absent, or `WATCHDOG_PID` names another process. */
  | { readonly state: 'disabled'; readonly reason: string }
  /** libsystemd would return -EINVAL/-ERANGE: treated as disabled, and worth reporting. */
  | { readonly state: 'invalid'; readonly reason: string };

/** Node clamps timer delays above 2^31-1 ms to 1 ms, so longer periods would fire at once. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

const USEC_INFINITY = (1n << 64n) - 1n;

/** Converts a microsecond count to whole milliseconds within Node's timer range (at least 1). */
export function usecToTimerMs(usec: bigint): number {
  const ms = usec / 1000n;
  if (ms > BigInt(MAX_TIMER_MS)) return MAX_TIMER_MS;
  return Math.max(1, Number(ms));
}

/**
 * Reads the watchdog request with `sd_watchdog_enabled(3)`'s exact semantics:
 * `WATCHDOG_USEC` absent → disabled; not an unsigned 64-bit integer, 0 or UINT64_MAX → invalid;
 * `WATCHDOG_PID` unparsable → invalid; present and not `pid` → disabled (it was meant for a
 * process further up the tree); absent → enabled for this process.
 */
export function readWatchdogEnv(
  env: Readonly<Record<string, string | undefined>> = process.env,
  pid: number = process.pid,
): WatchdogEnv {
  const usecText = env.WATCHDOG_USEC;
  if (usecText === undefined) return { state: 'disabled', reason: notifyMessages.watchdogUnset() };

  const usec = parseSystemdU64(usecText);
  if (!usec.ok) {
    return { state: 'invalid', reason: notifyMessages.watchdogUsecInvalid(usecText, usec.error) };
  }
  if (usec.value === 0n || usec.value === USEC_INFINITY) {
    return { state: 'invalid', reason: notifyMessages.watchdogUsecInvalid(usecText, 'EINVAL') };
  }

  const pidText = env.WATCHDOG_PID;
  if (pidText !== undefined) {
    const target = parseSystemdPid(pidText);
    if (!target.ok) {
      return { state: 'invalid', reason: notifyMessages.watchdogPidInvalid(pidText, target.error) };
    }
    if (target.value !== BigInt(pid)) {
      return { state: 'disabled', reason: notifyMessages.watchdogForOtherPid(pidText, pid) };
    }
  }

  return {
    state: 'enabled',
    usec: usec.value,
    periodMs: usecToTimerMs(usec.value / 2n),
    timeoutMs: usecToTimerMs(usec.value),
  };
}
