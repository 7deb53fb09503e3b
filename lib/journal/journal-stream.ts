const JOURNAL_STREAM = /^(\d+):(\d+)$/;

/**
 * Whether file descriptor `fd` (default: stderr) is the journal stream systemd connected this
 * service to: `JOURNAL_STREAM=<device>:<inode>` names it, and only a match counts, so output
 * redirected elsewhere (a pipe, a file, a terminal) by the service or a wrapper is left alone.
 * This is the check `sd-daemon(3)` and `systemd.exec(5)` prescribe before using `<N>` prefixes.
 */
export function isJournalStream(
  fd = 2,
  env: Readonly<Record<string, string | undefined>> = process.env,
): boolean {
  const match = JOURNAL_STREAM.exec(env.JOURNAL_STREAM ?? '');
  if (!match) return false;
  try {
    const stat = process.getBuiltinModule('node:fs').fstatSync(fd, { bigint: true });
    return stat.dev === BigInt(match[1]!) && stat.ino === BigInt(match[2]!);
  } catch {
    // A closed descriptor is not the journal.
    return false;
  }
}
