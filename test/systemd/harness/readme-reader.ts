import type { CommandResult } from './command.js';
import type { SystemdContainer } from './container.js';
import { CONTAINER_REPO_DIR } from './paths.js';

/**
 * Someone following the README in a shell, in the repository, with a user manager of their own
 * (what `systemd-run --user` and `systemctl --user` talk to, through XDG_RUNTIME_DIR).
 */
export interface ReadmeReader {
  readonly uid: number;
  /** Runs one command line with sh, as this reader, in `dir` (by default the repository). */
  run(line: string, dir?: string): Promise<CommandResult>;
}

/** The reader's user manager, `user@UID.service`, started as a login would start it. */
export async function startUserManager(
  container: SystemdContainer,
  reader: ReadmeReader,
): Promise<void> {
  await container.systemctl('start', `user@${reader.uid}.service`);
}

function shellIn(uid: number, line: string, dir = CONTAINER_REPO_DIR): string[] {
  return ['env', '-C', dir, `XDG_RUNTIME_DIR=/run/user/${uid}`, 'sh', '-c', line];
}

export function rootReader(container: SystemdContainer): ReadmeReader {
  return { uid: 0, run: (line, dir) => container.exec(shellIn(0, line, dir)) };
}

/** A new account in the container (its own /etc, in the overlay), as in "your user session (no root)". */
export async function unprivilegedReader(
  container: SystemdContainer,
  name: string,
): Promise<ReadmeReader> {
  await container.run(['useradd', '--create-home', name]);
  const id = async (flag: '-u' | '-g') => Number((await container.run(['id', flag, name])).trim());
  const uid = await id('-u');
  // --reset-env: HOME, USER, PATH and so on as a login sets them, nothing of root's.
  const become = [
    'setpriv',
    `--reuid=${uid}`,
    `--regid=${await id('-g')}`,
    '--init-groups',
    '--reset-env',
  ];
  return {
    uid,
    run: (line, dir) => container.exec([...become, ...shellIn(uid, line, dir)]),
  };
}
