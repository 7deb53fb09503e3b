/**
 * Integer parsing with libsystemd's exact rules (`safe_atou64`, `parse_pid` in
 * src/basic/parse-util.c), so that a value systemd accepts or rejects is
 * accepted or rejected here too.
 *
 * libsystemd skips leading " \t\n\r", accepts Python-style `0b`/`0o` prefixes,
 * then hands the rest to `strtoull(s, base 0)`, which itself skips C `isspace`,
 * takes an optional sign and honours C's `0x` (hex) and leading-`0` (octal)
 * prefixes. Trailing characters of any kind are an error; a negative non-zero
 * value is a range error.
 */

/** Why a string is not a valid number in libsystemd's eyes (the errno it would return). */
export type SystemdIntegerError = 'EINVAL' | 'ERANGE';

export type SystemdIntegerResult =
  | { readonly ok: true; readonly value: bigint }
  | { readonly ok: false; readonly error: SystemdIntegerError };

const UINT64_MAX = (1n << 64n) - 1n;
const PID_MAX = 2n ** 31n - 1n;
const SYSTEMD_WHITESPACE = ' \t\n\r';
const C_ISSPACE = ' \t\n\v\f\r';

function skipChars(s: string, i: number, set: string): number {
  while (i < s.length && set.includes(s[i]!)) i++;
  return i;
}

function digitValue(ch: string): number {
  const code = ch.charCodeAt(0);
  if (code >= 48 && code <= 57) return code - 48;
  if (code >= 97 && code <= 122) return code - 87;
  if (code >= 65 && code <= 90) return code - 55;
  return 99;
}

/** `strtoull` as glibc implements it for bases 0, 2, 8, 10 and 16, returning where parsing stopped. */
function strtoull(
  s: string,
  start: number,
  base: number,
): { value: bigint; end: number; overflow: boolean; negative: boolean } {
  let i = skipChars(s, start, C_ISSPACE);
  let negative = false;
  if (s[i] === '+' || s[i] === '-') {
    negative = s[i] === '-';
    i++;
  }
  if ((base === 0 || base === 16) && s[i] === '0' && (s[i + 1] === 'x' || s[i + 1] === 'X')) {
    if (digitValue(s[i + 2] ?? '') < 16) {
      base = 16;
      i += 2;
    }
  }
  if (base === 0) base = s[i] === '0' ? 8 : 10;

  const digitsStart = i;
  let value = 0n;
  let overflow = false;
  const bigBase = BigInt(base);
  while (i < s.length && digitValue(s[i]!) < base) {
    value = value * bigBase + BigInt(digitValue(s[i]!));
    if (value > UINT64_MAX) overflow = true;
    i++;
  }
  if (i === digitsStart) return { value: 0n, end: start, overflow: false, negative: false };
  return { value, end: i, overflow, negative };
}

/** libsystemd's `mangle_base()`: Python-style `0b` / `0o` prefixes after its own whitespace. */
function skipPrefix(s: string): { start: number; base: number } {
  const i = skipChars(s, 0, SYSTEMD_WHITESPACE);
  const prefix = s.slice(i, i + 2).toLowerCase();
  if (prefix === '0b') return { start: i + 2, base: 2 };
  if (prefix === '0o') return { start: i + 2, base: 8 };
  return { start: i, base: 0 };
}

/**
 * What systemd writes (`%llu`, as in `WATCHDOG_USEC` and `WATCHDOG_PID`): decimal digits without
 * sign, space or leading zero. Up to 19 of them stay below 2^64, so `BigInt()` reads them as
 * strtoull does; the full emulation below then stays uncompiled in a supervised start (about
 * 0.25 ms of it).
 */
const PLAIN_DECIMAL_U64 = /^[1-9][0-9]{0,18}$/;

/** libsystemd's `safe_atou64(s)`: an unsigned 64-bit integer, or the errno it would fail with. */
export function parseSystemdU64(s: string): SystemdIntegerResult {
  if (PLAIN_DECIMAL_U64.test(s)) return { ok: true, value: BigInt(s) };
  const { start: i, base } = skipPrefix(s);
  const parsed = strtoull(s, i, base);
  if (parsed.overflow) return { ok: false, error: 'ERANGE' };
  if (parsed.end === i || parsed.end !== s.length) return { ok: false, error: 'EINVAL' };
  if (parsed.value !== 0n && parsed.negative) return { ok: false, error: 'ERANGE' };
  return { ok: true, value: parsed.value };
}

/** libsystemd's `parse_pid(s)`: a positive pid that fits a `pid_t`. */
export function parseSystemdPid(s: string): SystemdIntegerResult {
  const parsed = parseSystemdU64(s);
  if (!parsed.ok) return parsed;
  if (parsed.value === 0n || parsed.value > PID_MAX) return { ok: false, error: 'ERANGE' };
  return parsed;
}

const INT_MIN = -(2n ** 31n);
const INT_MAX = 2n ** 31n - 1n;

/** libsystemd's `safe_atoi(s)`: a signed 32-bit integer (`strtol`, then a range check). */
export function parseSystemdInt(s: string): SystemdIntegerResult {
  const { start, base } = skipPrefix(s);
  const parsed = strtoull(s, start, base);
  if (parsed.end === start || parsed.end !== s.length) return { ok: false, error: 'EINVAL' };
  const value = parsed.negative ? -parsed.value : parsed.value;
  // strtol's own overflow and the narrowing to int both end in ERANGE.
  if (parsed.overflow || value < INT_MIN || value > INT_MAX) return { ok: false, error: 'ERANGE' };
  return { ok: true, value };
}
