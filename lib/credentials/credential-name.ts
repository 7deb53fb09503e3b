/** The longest credential name systemd accepts (`CREDENTIAL_NAME_MAX`, the same as `FDNAME_MAX`). */
export const CREDENTIAL_NAME_MAX = 255;

/**
 * Why `name` is not a credential name systemd accepts, or `undefined` when it is one.
 *
 * systemd's rule (`credential_name_valid()`): a valid file name (not empty, not `.` or `..`, no
 * `/`) that is also a valid `FileDescriptorName=` (printable ASCII only, no `:`), at most 255
 * characters. The same rule keeps a name from reaching outside `$CREDENTIALS_DIRECTORY`.
 */
export function credentialNameProblem(name: string): string | undefined {
  if (name === '') return 'it is empty';
  if (name === '.' || name === '..') return `"${name}" names a directory, not a file`;
  if (name.includes('/')) return 'it contains a slash ("/"); a credential is one file, not a path';
  if (name.includes(':')) return 'it contains a colon (":"), which systemd does not allow';
  // Printable ASCII only: no control characters, no DEL, nothing beyond 0x7e.
  // oxlint-disable-next-line no-control-regex
  if (/[^\x20-\x7e]/.test(name)) {
    return 'it contains a control or non-ASCII character, which systemd does not allow';
  }
  if (name.length > CREDENTIAL_NAME_MAX) {
    return `it is ${name.length} characters long, over systemd's ${CREDENTIAL_NAME_MAX}`;
  }
  return undefined;
}
