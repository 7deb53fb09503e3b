/** Every text the Nest layer logs or throws, in one place. */
export const systemdMessages = {
  supervised: (path: string, watchdog: string) => `notifying systemd at ${path}; ${watchdog}`,
  watchdogOn: (periodMs: number, timeoutMs: number, checks: number) =>
    `watchdog: ping every ${periodMs} ms (timeout ${timeoutMs} ms), gated on ${checks} health check(s)`,
  watchdogOff: (reason: string) => `watchdog: off (${reason})`,
  notMainProcess: (reason: string) =>
    `not notifying systemd: ${reason} (a child must not send READY or STOPPING for its parent)`,
  readyStatusHttp: (address: string) => `Listening on ${address}`,
  readyStatusContext: () => 'Running',
  startingStatus: () => 'Starting',
  stoppingStatus: () => 'Shutting down',
  unhealthyStatus: (reason: string) => `Unhealthy, watchdog pings withheld: ${reason}`,
  unhealthyLog: (reason: string) => `health check failed, withholding the watchdog ping: ${reason}`,
  recovered: () => 'health checks pass again, watchdog pings resumed',
  triggering: (failures: number) =>
    `${failures} consecutive unhealthy rounds: sending WATCHDOG=trigger for an immediate restart`,
  tickOverlap: () => 'previous health round still running; this watchdog tick is skipped',
  noShutdownHooks: () =>
    'running under systemd without shutdown hooks: SIGTERM will kill the process without STOPPING=1 ' +
    "or a graceful close. Call app.enableShutdownHooks(['SIGTERM', 'SIGINT']) before app.listen()",
  watchdogSignalHooked: () =>
    'SIGABRT has a listener (app.enableShutdownHooks() without arguments adds one): a blocked event ' +
    "loop then survives systemd's watchdog kill until TimeoutAbortSec= and SIGKILL. Name the signals: " +
    "app.enableShutdownHooks(['SIGTERM', 'SIGINT'])",
  reloadingStatus: () => 'Reloading',
  reloadedStatus: () => 'Reloaded',
  reloadFailedStatus: (failures: string) => `Reload failed: ${failures}`,
  reloadOn: (signal: string, handlers: number) =>
    `reload: ${signal} runs ${handlers} @OnSystemdReload() handler(s) between RELOADING=1 and READY=1`,
  reloadDone: (ms: number) => `reload done in ${ms} ms`,
  reloadFailed: (failures: string) => `reload failed, READY=1 sent all the same: ${failures}`,
  reloadTimeout: (ms: number) => `no answer within ${ms} ms`,
  reloadSignalShared: (signal: string) =>
    `reload: ${signal} has other listeners too (Nest's shutdown hooks listen to it by default), so ` +
    `systemctl reload may also shut the app down. Leave it out: app.enableShutdownHooks(['SIGTERM', 'SIGINT'])`,
  reloadHandlerScoped: (name: string) =>
    `@OnSystemdReload() on ${name} is ignored: the provider is request-scoped or transient`,
  schedulerMissing: () =>
    'SystemdModule needs SchedulerRegistry for its watchdog: import ScheduleModule.forRoot() from ' +
    '@nestjs/schedule in your root module (or set watchdog: false)',
  indicatorNotFound: (name: string) =>
    `health indicator ${name} is not a provider of this application: add it to a module's providers`,
  invalidOption: (option: string, expected: string, value: unknown) =>
    `SystemdModule option "${option}" must be ${expected}, got ${describe(value)}`,
  intervalTooLong: (intervalMs: number, timeoutMs: number) =>
    `SystemdModule option "watchdogIntervalMs" (${intervalMs} ms) must be shorter than the watchdog ` +
    `timeout systemd set (${timeoutMs} ms)`,
  timeoutTooLong: (timeoutMs: number, periodMs: number) =>
    `SystemdModule option "healthCheckTimeoutMs" (${timeoutMs} ms) must be shorter than the ping ` +
    `period (${periodMs} ms)`,
} as const;

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'function') return 'a function';
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
