/**
 * The positive errno number of a Node system error (`errno: -98`, or `code: 'EADDRINUSE'`),
 * for systemd's `ERRNO=`; undefined when `error` carries none.
 */
export function errnoOf(error: unknown): number | undefined {
  if (error === null || typeof error !== 'object') return undefined;
  const { errno, code } = error as { errno?: unknown; code?: unknown };
  if (typeof errno === 'number' && Number.isInteger(errno) && errno !== 0) return Math.abs(errno);
  // Fetched here rather than imported: an ES module import of a built-in makes a facade of all
  // its exports at every app's start, for what only a failure reads.
  const errnos = process.getBuiltinModule('node:os').constants.errno;
  if (typeof code === 'string' && Object.hasOwn(errnos, code)) {
    return errnos[code as keyof typeof errnos];
  }
  return undefined;
}
