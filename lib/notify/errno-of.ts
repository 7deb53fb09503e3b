import { constants as osConstants } from 'node:os';

/**
 * The positive errno number of a Node system error (`errno: -98`, or `code: 'EADDRINUSE'`),
 * for systemd's `ERRNO=`; undefined when `error` carries none.
 */
export function errnoOf(error: unknown): number | undefined {
  if (error === null || typeof error !== 'object') return undefined;
  const { errno, code } = error as { errno?: unknown; code?: unknown };
  if (typeof errno === 'number' && Number.isInteger(errno) && errno !== 0) return Math.abs(errno);
  if (typeof code === 'string' && Object.hasOwn(osConstants.errno, code)) {
    return osConstants.errno[code as keyof typeof osConstants.errno];
  }
  return undefined;
}
