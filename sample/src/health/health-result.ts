/**
 * Whether an indicator's result means "up", by the rule `SystemdHealthIndicator` documents:
 * `true` or `undefined` is up, `false` is down, a Terminus-style `{ key: { status } }` is up
 * only if every entry is `'up'`, and anything else is down.
 */
export function isHealthyResult(result: unknown): boolean {
  if (result === undefined || result === true) return true;
  if (result === null || typeof result !== 'object' || Array.isArray(result)) return false;
  const entries = Object.values(result);
  return (
    entries.length > 0 &&
    entries.every(
      (entry: unknown) =>
        entry !== null && typeof entry === 'object' && 'status' in entry && entry.status === 'up',
    )
  );
}
