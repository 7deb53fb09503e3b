/**
 * What must serve before READY=1: the HTTP server, each microservice transport. READY is due
 * once start-up is over ({@link bootstrapped}) and every condition added so far is met.
 * Conditions added after that moment (a transport connected late) no longer hold READY back.
 */
export class ServingConditions {
  private readonly pending = new Map<object, string>();
  private readonly met: (() => string)[] = [];
  private sealed = false;
  private fired = false;

  constructor(private readonly onServing: (details: readonly (() => string)[]) => void) {}

  /** Whether READY is due or was already. */
  get serving(): boolean {
    return this.fired;
  }

  /** What READY still waits for, in words. */
  get waitingFor(): string[] {
    return [...this.pending.values()];
  }

  /** READY waits for `key` too (described as `description`), unless it is due already. */
  add(key: object, description: string): void {
    if (this.fired || this.pending.has(key)) return;
    this.pending.set(key, description);
  }

  /**
   * `key` serves; `detail` says how, for the status that follows READY (a function: formatting
   * it is no reason to hold READY back).
   */
  meet(key: object, detail: () => string): void {
    if (!this.pending.delete(key)) return;
    this.met.push(detail);
    this.check();
  }

  /** Bootstrap is over: READY is due as soon as nothing is pending. */
  bootstrapped(): void {
    this.sealed = true;
    this.check();
  }

  private check(): void {
    if (this.fired || !this.sealed || this.pending.size > 0) return;
    this.fired = true;
    this.onServing(this.met);
  }
}
