/** Every text of socket activation, in one place: each names the value and what follows. */
export const activationMessages = {
  pidInvalid: (value: string, error: string) =>
    `LISTEN_PID=${JSON.stringify(value)} is not a valid pid (${error}); the passed sockets cannot be used`,
  pidfdidInvalid: (value: string, error: string) =>
    `LISTEN_PIDFDID=${JSON.stringify(value)} is not a valid inode number (${error}); the passed sockets cannot be used`,
  countInvalid: (value: string, error: string) =>
    `LISTEN_FDS=${JSON.stringify(value)} is not a valid socket count (${error}); the passed sockets cannot be used`,
  fdClosed: (fd: number, count: number) =>
    `LISTEN_FDS=${count} but descriptor ${fd} is not open (EBADF); the passed sockets cannot be used`,
  namesMismatch: (names: string, nameCount: number, fdCount: number) =>
    `LISTEN_FDNAMES=${JSON.stringify(names)} names ${nameCount} socket(s) but LISTEN_FDS=${fdCount} (EINVAL); ` +
    'the passed sockets cannot be used',
  passedToAnother: (pid: string, ours: number) =>
    `LISTEN_FDS is set for pid ${pid}, not for this process (pid ${ours}): the sockets systemd ` +
    "passed are not this process's to take (a wrapper or a shell between systemd and node?), " +
    "and under NotifyAccess=main systemd ignores this process's READY and pings too. Start " +
    'node directly in ExecStart=, or have the shell exec it',
  fallingBack: (reason: string) => `${reason}; listening on the fallback port instead`,
  noSocket: () =>
    'not socket-activated (no LISTEN_FDS for this process) and no fallback port given: nothing to listen on',
  noSuchName: (name: string, names: readonly string[]) =>
    `no socket named ${JSON.stringify(name)} was passed (FileDescriptorName=); passed: ${names.join(', ')}`,
  ambiguous: (names: readonly string[]) =>
    `${names.length} sockets were passed (${names.join(', ')}): say which to listen on with the name option`,
  listening: (name: string, fd: number) =>
    `listening on the socket systemd passed: ${name} (fd ${fd})`,
} as const;
