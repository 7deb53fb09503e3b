import { errnoOf } from '../notify/errno-of.js';
import { SystemdNotifier } from '../notify/systemd-notifier.js';
import { credentialsMessages } from './credentials.messages.js';
import type { SystemdCredentialError } from './read-systemd-credential.js';

/** ENOENT: what a credential the unit does not pass looks like to systemd. */
const ENOENT = 2;

/**
 * Tells systemd why the service cannot start, when credentials it needs at start-up are
 * missing: `STATUS=` and `ERRNO=`, which `systemctl status` keeps on show for the failed start.
 * Configuration is read before any module (the systemd module's own options may come from it),
 * so nothing else would: the process dies with the status still empty. Nothing when not
 * supervised.
 */
export function tellSystemdCredentialsFailed(errors: readonly SystemdCredentialError[]): void {
  if (process.env.NOTIFY_SOCKET === undefined || errors.length === 0) return;
  const missing = errors.filter((error) => error.code !== 'UNREADABLE');
  const names = (missing.length > 0 ? missing : errors).map((error) => error.credential);
  const notifier = new SystemdNotifier();
  // An unreadable credential's errno (EACCES, EISDIR) is its read's, the error's cause.
  notifier.notify(
    missing.length > 0
      ? { status: credentialsMessages.notPassedStatus(names), errno: ENOENT }
      : { status: credentialsMessages.unreadableStatus(names), errno: errnoOf(errors[0]) },
  );
  // Sent already (or queued, and then lost with the process: a start that fails this way ends).
  void notifier.close();
}
