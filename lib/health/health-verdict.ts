/** What one health check said, as the watchdog reads it. */
export type SystemdHealthVerdict =
  | { readonly status: 'up' }
  /** Still serving, impaired: the watchdog keeps pinging and says so in `STATUS=`. */
  | { readonly status: 'degraded'; readonly reason: string }
  /** The watchdog withholds its ping. */
  | { readonly status: 'down'; readonly reason: string };

const UP: SystemdHealthVerdict = { status: 'up' };
const TERMINUS_CHECK_STATUSES = new Set(['ok', 'error', 'degraded', 'shutting_down']);

type Entries = [string, Record<string, unknown>][];

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** `{ db: { status: 'down', message } }`: every value an object with a string `status`. */
function indicatorEntries(value: Record<string, unknown>): Entries | undefined {
  const entries = Object.entries(value);
  if (entries.length === 0) return undefined;
  for (const [, entry] of entries) {
    if (!isRecord(entry) || typeof entry.status !== 'string') return undefined;
  }
  return entries as Entries;
}

function describeEntry(key: string, entry: Record<string, unknown>, status: string): string {
  const detail = entry.message ?? entry.error ?? entry.reason;
  return typeof detail === 'string' && detail !== '' ? `${key}: ${detail}` : `${key} is ${status}`;
}

/** The verdict of Terminus-style entries: any down → down; else any degraded → degraded. */
const statusOf = (entry: Record<string, unknown>): string => String(entry.status).toLowerCase();

function judgeEntries(entries: Entries): SystemdHealthVerdict {
  const down = entries.filter(([, entry]) => ['down', 'error'].includes(statusOf(entry)));
  if (down.length > 0) {
    return {
      status: 'down',
      reason: down.map(([key, entry]) => describeEntry(key, entry, 'down')).join(', '),
    };
  }
  const degraded = entries.filter(([, entry]) => statusOf(entry) === 'degraded');
  if (degraded.length > 0) {
    return {
      status: 'degraded',
      reason: degraded.map(([key, entry]) => describeEntry(key, entry, 'degraded')).join(', '),
    };
  }
  return UP;
}

/** A Terminus `HealthCheckResult` (`health.check([...])`): `{ status: 'ok' | 'error' | …, details }`. */
function judgeCheckResult(result: Record<string, unknown>): SystemdHealthVerdict | undefined {
  const { status, details, error } = result;
  if (typeof status !== 'string' || !TERMINUS_CHECK_STATUSES.has(status) || !isRecord(details)) {
    return undefined;
  }
  const entries = indicatorEntries(details) ?? [];
  if (status === 'ok') return UP;
  if (status === 'degraded') {
    const verdict = judgeEntries(entries);
    return verdict.status === 'up' ? { status: 'degraded', reason: 'degraded' } : verdict;
  }
  const failing = (isRecord(error) ? indicatorEntries(error) : undefined) ?? entries;
  const verdict = judgeEntries(failing);
  return verdict.status === 'down' ? verdict : { status: 'down', reason: status.replace('_', ' ') };
}

/**
 * Reads what a health check resolved to, the way the watchdog does:
 *
 * | resolves to | verdict |
 * | --- | --- |
 * | `false` | down |
 * | a Terminus `HealthCheckResult`: `status` `'ok'` / `'degraded'` / `'error'` or `'shutting_down'` | up / degraded / down |
 * | Terminus indicator entries `{ key: { status } }`: any `'down'`; else any `'degraded'`; else | down; degraded; up |
 * | anything else: `undefined`, `true`, `'PONG'`, `{ ok: 1 }`, the rows of `SELECT 1` | up |
 *
 * A check that resolves says the dependency answered; only an explicit "no" makes it down.
 * Use it to give a `/health` endpoint the watchdog's own verdict.
 */
export function judgeHealthResult(result: unknown): SystemdHealthVerdict {
  if (result === false) return { status: 'down', reason: 'reported unhealthy' };
  if (!isRecord(result)) return UP;
  const checkResult = judgeCheckResult(result);
  if (checkResult) return checkResult;
  const entries = indicatorEntries(result);
  if (entries) return judgeEntries(entries);
  // A bare { status: 'down' } (an indicator result without its key) means what it says.
  return typeof result.status === 'string' ? judgeEntries([['check', result]]) : UP;
}

/**
 * Why a check that threw or rejected failed: Terminus' `ServiceUnavailableException` from
 * `health.check()` (the failing entries of its result), its older `HealthCheckError`
 * (`causes`), or the error's message.
 */
export function describeHealthError(error: unknown): string {
  if (error instanceof Error) {
    const response = (error as { getResponse?: () => unknown }).getResponse?.();
    if (isRecord(response)) {
      const verdict = judgeHealthResult(response);
      if (verdict.status === 'down') return verdict.reason;
    }
    const causes = (error as { causes?: unknown }).causes;
    if (isRecord(causes)) {
      const verdict = judgeHealthResult(causes);
      if (verdict.status === 'down') return verdict.reason;
    }
    return error.message || error.name;
  }
  try {
    return `threw ${JSON.stringify(error) ?? String(error)}`;
  } catch {
    return `threw ${String(error)}`;
  }
}

/**
 * The reason a result is not healthy, or undefined when it is (degraded counts as healthy).
 * Kept for `/health` endpoints written against 0.1; {@link judgeHealthResult} says more.
 */
export function interpretHealthResult(result: unknown): string | undefined {
  const verdict = judgeHealthResult(result);
  return verdict.status === 'down' ? verdict.reason : undefined;
}
