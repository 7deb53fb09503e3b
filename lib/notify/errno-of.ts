/** How deep {@link errnoOf} follows an error's causes. */
const MAX_CAUSES = 4;

/**
 * The positive errno number of a Node system error (`errno: -98`, or `code: 'EADDRINUSE'`),
 * for systemd's `ERRNO=`, or of the error it wraps: a client's connection error often carries
 * the socket's as its `cause` (nats.js: `chainedError`, `CONNECTION_REFUSED` over
 * `ECONNREFUSED`). Undefined when none of them carries one.
 */
export function errnoOf(error: unknown): number | undefined {
  let current = error;
  for (let depth = 0; depth <= MAX_CAUSES; depth++) {
    if (current === null || typeof current !== 'object') return undefined;
    const errno = ownErrnoOf(current as ErrorFields);
    if (errno !== undefined) return errno;
    const { cause, chainedError } = current as ErrorFields;
    current = cause ?? chainedError;
  }
  return undefined;
}

interface ErrorFields {
  readonly errno?: unknown;
  readonly code?: unknown;
  readonly cause?: unknown;
  readonly chainedError?: unknown;
}

function ownErrnoOf({ errno, code }: ErrorFields): number | undefined {
  if (typeof errno === 'number' && Number.isInteger(errno) && errno !== 0) return Math.abs(errno);
  if (typeof code !== 'string') return undefined;
  // Fetched here rather than imported: an ES module import of a built-in makes a facade of all
  // its exports at every app's start, for what only a failure reads.
  const errnos = process.getBuiltinModule('node:os').constants.errno;
  return Object.hasOwn(errnos, code) ? errnos[code as keyof typeof errnos] : undefined;
}
