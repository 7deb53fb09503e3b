/**
 * The service unit a process runs in, from its `/proc/PID/cgroup` text, as
 * `sd_pid_get_unit(3)` and `sd_pid_get_user_unit(3)` find it: the innermost path component
 * that names a `.service` (`/system.slice/app.service`, `…/user@1000.service/app.slice/app.service`,
 * or `app.service/worker` under `Delegate=`). Undefined outside a service.
 */
export function serviceOfCgroup(cgroupText: string): string | undefined {
  // cgroup v2: `0::/path`; v1 or hybrid: systemd's own hierarchy, `N:name=systemd:/path`.
  const line =
    /^0::(.*)$/m.exec(cgroupText)?.[1] ?? /^\d+:name=systemd:(.*)$/m.exec(cgroupText)?.[1];
  if (line === undefined) return undefined;
  const units = line.split('/').filter((part) => part.endsWith('.service') && part.length > 8);
  return units.at(-1);
}

/**
 * What journal entries of this process are tagged with (`SYSLOG_IDENTIFIER=`, shown by
 * `journalctl` before the pid, selected by `journalctl -t`): the name of the service unit it
 * runs in without `.service` (`nestjs-systemd-sample`), or, outside a service, the process
 * title (`node` unless the app set `process.title`).
 */
export function defaultSyslogIdentifier(readCgroup: () => string = readOwnCgroup): string {
  let service: string | undefined;
  try {
    service = serviceOfCgroup(readCgroup());
  } catch {
    // No /proc (or not Linux): not a systemd service either.
  }
  return service
    ? service.slice(0, -'.service'.length)
    : process.getBuiltinModule('node:path').basename(process.title) || 'node';
}

function readOwnCgroup(): string {
  return process.getBuiltinModule('node:fs').readFileSync('/proc/self/cgroup', 'utf8');
}
