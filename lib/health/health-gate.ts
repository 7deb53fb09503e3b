import {
  describeHealthError,
  judgeHealthResult,
  type SystemdHealthVerdict,
} from './health-verdict.js';

/** A resolved check: a name for messages, the call that runs it, whether it may withhold pings. */
export interface HealthCheck {
  readonly name: string;
  readonly run: () => unknown;
  /** False: its failure degrades the round instead (see `NamedSystemdHealthCheck.critical`). */
  readonly critical: boolean;
}

/** The outcome of one round of checks: the worst verdict, and each check's own. */
export interface SystemdHealthReport {
  readonly status: SystemdHealthVerdict['status'];
  readonly checks: Readonly<Record<string, SystemdHealthVerdict>>;
}

const TIMED_OUT = Symbol('timed out');
/**
 * How many calls of one check may hang at once. A later round calls a hanging check again
 * (it may have recovered) until this many calls are outstanding, then stops calling it until
 * one settles: memory stays bounded however long it hangs.
 */
const MAX_UNSETTLED_CALLS = 3;

/** `name: reason; name: reason` for the checks of `report` with verdict `status`. */
export function reasonsOf(
  report: SystemdHealthReport,
  status: 'down' | 'degraded',
  format: (reason: string) => string = (reason) => reason,
): string {
  return Object.entries(report.checks)
    .flatMap(([name, verdict]) => {
      if (verdict.status !== status) return [];
      // A Terminus indicator names itself ("database: …"): no need to say it twice.
      const named =
        verdict.reason.startsWith(`${name}: `) || verdict.reason.startsWith(`${name} is `);
      return [format(named ? verdict.reason : `${name}: ${verdict.reason}`)];
    })
    .join('; ');
}

/**
 * Runs health checks in parallel against one deadline and says whether all passed.
 *
 * A check that has not settled by the deadline counts as down; a check that keeps hanging
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

  get size(): number {
    return this.checks.length;
  }

  private get timeoutReason(): string {
    return `no answer within ${this.timeoutMs} ms`;
  }

  async evaluate(): Promise<SystemdHealthReport> {
    const startedAt = performance.now();
    let timer: NodeJS.Timeout | undefined;
    let expire!: (value: typeof TIMED_OUT) => void;
    const deadline = new Promise<typeof TIMED_OUT>((resolve) => {
      expire = resolve;
    });
    // Armed only for a round still open once this turn of the event loop moves on. A round that
    // settles at once would clear its timer from a microtask, after Node has already armed the
    // loop's timer for it, and the idle process would wake at the deadline for nothing. The
    // immediate stays ref'd: an unref'd one does not keep the loop from blocking in poll, and in
    // an idle process it ran only at the next tick, a whole period past the deadline.
    const arm = setImmediate(() => {
      const left = this.timeoutMs - (performance.now() - startedAt);
      timer = setTimeout(expire, Math.max(0, left), TIMED_OUT).unref();
    });
    try {
      const settled = await Promise.all(this.checks.map((check) => this.runOne(check, deadline)));
      // A check that is not critical cannot withhold the pings: its failure degrades the round.
      const verdicts = settled.map((verdict, i): SystemdHealthVerdict =>
        verdict.status === 'down' && !this.checks[i]!.critical
          ? { status: 'degraded', reason: verdict.reason }
          : verdict,
      );
      const checks: Record<string, SystemdHealthVerdict> = {};
      verdicts.forEach((verdict, i) => {
        checks[this.checks[i]!.name] = verdict;
      });
      const status = verdicts.some((v) => v.status === 'down')
        ? 'down'
        : verdicts.some((v) => v.status === 'degraded')
          ? 'degraded'
          : 'up';
      return { status, checks };
    } finally {
      clearImmediate(arm);
      clearTimeout(timer);
    }
  }

  private async runOne(
    check: HealthCheck,
    deadline: Promise<typeof TIMED_OUT>,
  ): Promise<SystemdHealthVerdict> {
    const pending = this.unsettled.get(check) ?? 0;
    // A check that keeps hanging is not called again: the same wording as a fresh timeout,
    // so STATUS does not flap.
    if (pending >= MAX_UNSETTLED_CALLS) return { status: 'down', reason: this.timeoutReason };
    let call: Promise<unknown>;
    try {
      call = Promise.resolve(check.run());
    } catch (error) {
      return { status: 'down', reason: describeHealthError(error) };
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
      if (result === TIMED_OUT) return { status: 'down', reason: this.timeoutReason };
      return judgeHealthResult(result);
    } catch (error) {
      return { status: 'down', reason: describeHealthError(error) };
    }
  }
}
