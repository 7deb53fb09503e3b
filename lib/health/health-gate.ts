import type { SystemdHealthCheckFunction } from './health-indicator.interface.js';

/** A resolved check: a name for messages and the call that runs it. */
export interface HealthCheck {
  readonly name: string;
  readonly run: SystemdHealthCheckFunction;
}

/** The outcome of one round of checks. */
export type HealthVerdict =
  { readonly healthy: true } | { readonly healthy: false; readonly reason: string };

const HEALTHY: HealthVerdict = { healthy: true };
const TIMED_OUT = Symbol('timed out');
/**
 * How many calls of one check may hang at once. A later round calls a hanging check again
 * (it may have recovered) until this many calls are outstanding, then stops calling it until
 * one settles: memory stays bounded however long it hangs.
 */
const MAX_UNSETTLED_CALLS = 3;

function describeError(error: unknown): string {
  if (error instanceof Error) {
    // Terminus' HealthCheckError carries the failing entries in `causes`.
    const causes = (error as { causes?: unknown }).causes;
    const detail = causes === undefined ? '' : ` ${safeJson(causes)}`;
    return `${error.message || error.name}${detail}`;
  }
  return `threw ${safeJson(error)}`;
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/**
 * Reads an indicator's result the way the watchdog does (see `SystemdHealthResult`): returns
 * undefined when healthy, otherwise why not. Use it to report the same verdict elsewhere,
 * such as a `/health` endpoint.
 */
export function interpretHealthResult(result: unknown): string | undefined {
  if (result === undefined || result === true) return undefined;
  if (result === false) return 'reported unhealthy';
  if (result !== null && typeof result === 'object' && !Array.isArray(result)) {
    const entries = Object.entries(result);
    const statuses = entries.filter(
      ([, value]) => value !== null && typeof value === 'object' && 'status' in value,
    ) as [string, { status: unknown; message?: unknown }][];
    if (entries.length > 0 && statuses.length === entries.length) {
      const down = statuses.filter(([, value]) => value.status !== 'up');
      if (down.length === 0) return undefined;
      return down
        .map(([key, value]) =>
          value.message ? `${key} ${String(value.message)}` : `${key} is down`,
        )
        .join(', ');
    }
  }
  return `returned an unrecognised result ${safeJson(result).slice(0, 80)}`;
}

/**
 * Runs health checks in parallel against one deadline and says whether all passed.
 *
 * A check that has not settled by the deadline counts as failed; a check that keeps hanging
 * holds at most a few pending calls, never one per round.
 */
export class HealthGate {
  /** Calls that outlived their round and have not settled yet, per check. */
  private readonly unsettled = new Map<HealthCheck, number>();

  constructor(
    private readonly checks: readonly HealthCheck[],
    private timeoutMs: number,
  ) {}

  /** How long later rounds may take (the watchdog plan changed). */
  setDeadline(ms: number): void {
    this.timeoutMs = ms;
  }

  private get timeoutReason(): string {
    return `no answer within ${this.timeoutMs} ms`;
  }

  get size(): number {
    return this.checks.length;
  }

  async evaluate(): Promise<HealthVerdict> {
    if (this.checks.length === 0) return HEALTHY;
    const startedAt = performance.now();
    let timer: NodeJS.Timeout | undefined;
    let expire!: (value: typeof TIMED_OUT) => void;
    const deadline = new Promise<typeof TIMED_OUT>((resolve) => {
      expire = resolve;
    });
    // Armed only for a round still open once this turn of the event loop moves on. A round that
    // settles at once would clear its timer from a microtask, after Node has already armed the
    // loop's timer for it, and the idle process would wake at the deadline for nothing.
    const arm = setImmediate(() => {
      const left = this.timeoutMs - (performance.now() - startedAt);
      timer = setTimeout(expire, Math.max(0, left), TIMED_OUT).unref();
    }).unref();
    try {
      const reasons = await Promise.all(this.checks.map((check) => this.runOne(check, deadline)));
      const failures = reasons
        .map((reason, i) =>
          reason === undefined ? undefined : `${this.checks[i]!.name}: ${reason}`,
        )
        .filter((line) => line !== undefined);
      return failures.length === 0 ? HEALTHY : { healthy: false, reason: failures.join('; ') };
    } finally {
      clearImmediate(arm);
      clearTimeout(timer);
    }
  }

  private async runOne(
    check: HealthCheck,
    deadline: Promise<typeof TIMED_OUT>,
  ): Promise<string | undefined> {
    const pending = this.unsettled.get(check) ?? 0;
    // A check that keeps hanging is not called again: the same wording as a fresh timeout,
    // so STATUS does not flap.
    if (pending >= MAX_UNSETTLED_CALLS) return this.timeoutReason;
    let call: Promise<unknown>;
    try {
      call = Promise.resolve(check.run());
    } catch (error) {
      return describeError(error);
    }
    this.unsettled.set(check, pending + 1);
    const settle = (): void => {
      const left = (this.unsettled.get(check) ?? 1) - 1;
      if (left > 0) this.unsettled.set(check, left);
      else this.unsettled.delete(check);
    };
    call.then(settle, settle);
    try {
      const result = await Promise.race([call, deadline]);
      if (result === TIMED_OUT) return this.timeoutReason;
      return interpretHealthResult(result);
    } catch (error) {
      return describeError(error);
    }
  }
}
