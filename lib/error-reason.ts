/**
 * An error in its own words, for `STATUS=` and the log: its message, else its name (an
 * `Error` thrown without a message); anything else thrown, as a string.
 */
export function errorReason(error: unknown): string {
  return error instanceof Error ? error.message || error.name : String(error);
}
