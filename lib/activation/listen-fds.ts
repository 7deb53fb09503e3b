import { parseSystemdInt, parseSystemdPid, parseSystemdU64 } from '../notify/systemd-integer.js';
import { activationMessages } from './activation.messages.js';

/** The first descriptor systemd passes (`SD_LISTEN_FDS_START`). */
export const LISTEN_FDS_START = 3;

/** The variables of socket activation, as `sd_listen_fds(3)` unsets them. */
export const LISTEN_VARIABLES = [
  'LISTEN_PID',
  'LISTEN_PIDFDID',
  'LISTEN_FDS',
  'LISTEN_FDNAMES',
] as const;

/** One socket systemd passed: its descriptor and its name (`FileDescriptorName=`, else `unknown`). */
export interface ListenFd {
  readonly fd: number;
  readonly name: string;
}

/** What `sd_listen_fds_with_names(3)` would return for this process. */
export type ListenFdsResult =
  /**
   * Not socket-activated, or the sockets were meant for another process (libsystemd: 0).
   * `passedTo`: that process's `LISTEN_PID`, when `LISTEN_FDS` was set for it (a wrapper or a
   * shell that started node without `exec`).
   */
  | { readonly state: 'none'; readonly passedTo?: string }
  | { readonly state: 'activated'; readonly fds: readonly ListenFd[] }
  /** libsystemd would return a negative errno. */
  | { readonly state: 'invalid'; readonly reason: string };

/** Options for {@link readListenFds}. */
export interface ReadListenFdsOptions {
  /** Default `process.env`. */
  readonly env?: Record<string, string | undefined>;
  /** Our pid, for `LISTEN_PID`. Default `process.pid`. */
  readonly pid?: number;
  /** Remove the variables from `env` after reading, whatever the outcome (`unset_environment`). */
  readonly unsetEnvironment?: boolean;
  /** Whether a descriptor is open. Default: `fstat` succeeds (libsystemd fails on it with EBADF). */
  readonly isOpen?: (fd: number) => boolean;
}

function fdIsOpen(fd: number): boolean {
  try {
    process.getBuiltinModule('node:fs').fstatSync(fd);
    return true;
  } catch {
    return false;
  }
}

function none(): ListenFdsResult {
  return { state: 'none' };
}

function invalid(reason: string): ListenFdsResult {
  return { state: 'invalid', reason };
}

/** `sd_listen_fds()` without the names. */
function countListenFds(
  env: Record<string, string | undefined>,
  pid: number,
  isOpen: (fd: number) => boolean,
): number | ListenFdsResult {
  const pidText = env.LISTEN_PID;
  if (pidText === undefined) return none();
  const target = parseSystemdPid(pidText);
  if (!target.ok) return invalid(activationMessages.pidInvalid(pidText, target.error));
  if (target.value !== BigInt(pid)) {
    return env.LISTEN_FDS === undefined ? none() : { state: 'none', passedTo: pidText };
  }

  // Node cannot read its own pidfd's inode; libsystemd skips the comparison in that case too.
  const pidfdid = env.LISTEN_PIDFDID;
  if (pidfdid !== undefined) {
    const parsed = parseSystemdU64(pidfdid);
    if (!parsed.ok) return invalid(activationMessages.pidfdidInvalid(pidfdid, parsed.error));
  }

  const countText = env.LISTEN_FDS;
  if (countText === undefined) return none();
  const count = parseSystemdInt(countText);
  if (!count.ok) return invalid(activationMessages.countInvalid(countText, count.error));
  if (count.value <= 0n || count.value > 2n ** 31n - 1n - BigInt(LISTEN_FDS_START)) {
    return invalid(activationMessages.countInvalid(countText, 'EINVAL'));
  }
  const n = Number(count.value);
  for (let fd = LISTEN_FDS_START; fd < LISTEN_FDS_START + n; fd++) {
    if (!isOpen(fd)) return invalid(activationMessages.fdClosed(fd, n));
  }
  return n;
}

/**
 * Reads the sockets systemd passed to this process, with `sd_listen_fds_with_names(3)`'s
 * exact semantics: `LISTEN_PID` must be ours; `LISTEN_FDS` descriptors from 3 on, each open;
 * `LISTEN_FDNAMES` colon-separated, one per descriptor (a different count is an error),
 * `unknown` for each when absent. Never throws.
 *
 * Unlike libsystemd it cannot mark the descriptors close-on-exec (Node has no `fcntl`), so
 * child processes spawned later inherit them.
 */
export function readListenFds(options: ReadListenFdsOptions = {}): ListenFdsResult {
  const env = options.env ?? process.env;
  const namesText = env.LISTEN_FDNAMES;
  const counted = countListenFds(env, options.pid ?? process.pid, options.isOpen ?? fdIsOpen);
  if (options.unsetEnvironment) for (const name of LISTEN_VARIABLES) delete env[name];
  if (typeof counted !== 'number') return counted;

  const names =
    namesText === undefined ? Array<string>(counted).fill('unknown') : namesText.split(':');
  if (names.length !== counted) {
    return invalid(activationMessages.namesMismatch(namesText ?? '', names.length, counted));
  }
  return {
    state: 'activated',
    fds: names.map((name, i) => ({ fd: LISTEN_FDS_START + i, name })),
  };
}
