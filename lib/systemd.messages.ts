import type { WatchdogPlan } from './watchdog/watchdog-plan.js';

/** Every text the Nest layer logs or throws, in one place. */
export const systemdMessages = {
  twoPackageCopies: (locations: readonly string[]) =>
    `nestjs-systemd is loaded twice in this process (${locations.join(' and ')}): Nest sees ` +
    'two unrelated SystemdModules, and systemd may be told READY and STOPPING twice or by the ' +
    'wrong one. Load it one way only: import it everywhere (ES modules) or require it everywhere ' +
    '(CommonJS); see "CommonJS and ES modules" in the README',
  supervised: (path: string, watchdog: string) => `notifying systemd at ${path}; ${watchdog}`,
  watchdogOn: (plan: WatchdogPlan, hasChecks: boolean) =>
    `watchdog: ping every ${plan.periodMs} ms (timeout ${plan.timeoutMs} ms)` +
    (hasChecks
      ? `, gated on health checks with a ${plan.checkDeadlineMs} ms deadline (longest gap ` +
        `${plan.worstGapMs} ms of ${plan.budgetMs} ms allowed)`
      : ''),
  watchdogOff: (reason: string) => `watchdog: off (${reason})`,
  watchdogInvalidAbove: () => 'its variables are invalid: see the error logged before this line',
  watchdogDisabledButAsked: (timeoutMs: number) =>
    `watchdog: false, but systemd set WatchdogSec= (${timeoutMs} ms): without pings systemd will ` +
    'kill the service once the timeout passes. Remove WatchdogSec= from the unit, or the option',
  notMainProcess: (reason: string) =>
    `not notifying systemd: ${reason} (a child must not send READY or STOPPING for its parent)`,
  notSentInPhase: (keys: readonly string[], phase: string) =>
    `not sent to systemd while ${phase}: ${keys.join(', ')}`,
  readyStatusHttp: (address: string) => `Listening on ${address}`,
  readyStatusHttpUnknown: () => 'Listening',
  readyStatusContext: () => 'Running',
  httpServerName: () => 'the HTTP server',
  waitingForHttp: () => 'the HTTP server to listen (app.listen())',
  waitingForTransport: (name: string) =>
    `${name} to listen (app.listen() / startAllMicroservices())`,
  transportListening: (name: string, address: string | undefined) =>
    address === undefined ? `${name} listening` : `${name} listening on ${address}`,
  transportsUnseen: () =>
    'READY will follow bootstrap: this Nest version (10) does not announce microservice ' +
    'transports, so a transport that is not listening yet cannot be waited for. For a ' +
    "microservice, use readyOn: 'manual' and call SystemdService.ready() after app.listen(); " +
    "an application context without a transport can say readyOn: 'bootstrap' instead",
  waitingForBootstrapHooks: () => "the app's onApplicationBootstrap() hooks",
  waitingStatus: (waitingFor: readonly string[]) => `Waiting for ${waitingFor.join(' and ')}`,
  notServingYet: (ms: number, waitingFor: readonly string[]) =>
    `READY=1 not sent ${ms / 1000} s after bootstrap: waiting for ${waitingFor.join(' and ')}. ` +
    "If this app calls app.init() without listen(), set readyOn: 'manual' and call " +
    "SystemdService.ready() once it serves (or readyOn: 'bootstrap'); if it awaits something " +
    'between init() and listen() (a connection), await it in an onApplicationBootstrap() hook ' +
    'instead, which READY waits for',
  startFailedLog: (what: string, reason: string, toldSystemd: boolean) =>
    `${what} failed to start (${reason})` +
    (toldSystemd ? ': READY=1 withheld, systemd told why' : ''),
  startFailedStatus: (what: string, reason: string) => `Failed to start ${what}: ${reason}`,
  crashedStatus: (reason: string) => `Exiting on an uncaught error: ${reason}`,
  startingStatus: () => 'Starting',
  stoppingStatus: () => 'Shutting down',
  stoppingBeforeReady: (stopping: string, lastStatus: string) =>
    `${stopping} (not ready yet: ${lastStatus})`,
  unhealthyStatus: (reason: string) => `Unhealthy, watchdog pings withheld: ${reason}`,
  degradedStatus: (reason: string) => `Degraded, still running: ${reason}`,
  degradedLog: (reason: string) => `health check degraded, watchdog pings continue: ${reason}`,
  unhealthyLog: (reason: string) => `health check failed, withholding the watchdog ping: ${reason}`,
  recovered: (pingsWereWithheld: boolean) =>
    pingsWereWithheld
      ? 'health checks pass again, watchdog pings resumed'
      : 'health checks pass again, no longer degraded',
  triggering: (failures: number) =>
    `${failures === 1 ? 'an unhealthy round' : `${failures} consecutive unhealthy rounds`}: ` +
    'sending WATCHDOG=trigger for an immediate restart',
  tickOverlap: () => 'previous health round still running; this watchdog tick is skipped',
  noShutdownHooks: () =>
    'running under systemd without shutdown hooks: SIGTERM will kill the process without STOPPING=1 ' +
    "or a graceful close. Call app.enableShutdownHooks(['SIGTERM', 'SIGINT'])",
  watchdogSignalHooked: () =>
    'SIGABRT has a listener (app.enableShutdownHooks() without arguments adds one): a blocked event ' +
    "loop then survives systemd's watchdog kill until TimeoutAbortSec= and SIGKILL",
  reloadingStatus: () => 'Reloading',
  reloadedStatus: () => 'Reloaded',
  reloadFailedStatus: (failures: string) => `Reload failed: ${failures}`,
  reloadOn: (signal: string, handlers: number) =>
    `reload: ${signal} runs ${handlers} @OnSystemdReload() handler(s) between RELOADING=1 and READY=1`,
  reloadDone: (ms: number) => `reload done in ${ms} ms`,
  reloadFailed: (failures: string) => `reload failed, READY=1 sent all the same: ${failures}`,
  reloadTimeout: (ms: number) => `no answer within ${ms} ms`,
  reloadHandlerThrew: (handler: string, reason: string) =>
    `reload handler ${handler} failed: ${reason}`,
  reloadSignalShared: (signal: string) =>
    `reload: ${signal} also shuts the app down (a shutdown hook listens to it, as Nest's default ` +
    `list does), so systemctl reload would stop the service. Leave it out: ` +
    "app.enableShutdownHooks(['SIGTERM', 'SIGINT'])",
  hangupStops: () =>
    'SIGHUP shuts the app down (app.enableShutdownHooks() without arguments listens to it): a kill ' +
    '-HUP from logrotate or an operator then stops the service cleanly, and Restart=on-failure ' +
    'leaves it stopped',
  userSignalStops: () =>
    'SIGUSR2 shuts the app down too (heap-dump tools and nodemon send it), and systemd counts a ' +
    'death by SIGUSR2 as a failure',
  nameTheSignals: (problems: readonly string[]) =>
    `${problems.join('; and ')}. Name the signals: app.enableShutdownHooks(['SIGTERM', 'SIGINT'])`,
  triggerTooLate: (rounds: number, periodMs: number, timeoutMs: number) =>
    `watchdogTriggerAfter: ${rounds} cannot fire before systemd's own timeout: ${rounds} failing ` +
    `rounds take ${rounds * periodMs} ms, and systemd kills the service ${timeoutMs} ms after the ` +
    `last ping. Use a smaller value, or a shorter watchdogIntervalMs`,
  reloadHandlerScoped: (name: string) =>
    `@OnSystemdReload() on ${name} is ignored: the provider is request-scoped or transient`,
  schedulerMissing: () =>
    'SystemdModule needs SchedulerRegistry for its watchdog: import ScheduleModule.forRoot() from ' +
    '@nestjs/schedule in your root module (or set watchdog: false)',
  indicatorNotFound: (name: string) =>
    `health indicator ${name} is a class but not a provider of this application: add it to a ` +
    "module's providers (it is resolved from the container, with its dependencies), or pass an instance",
  indicatorWithoutCheck: (name: string) =>
    `health indicator ${name} has neither isHealthy() nor check(): the watchdog cannot ask it anything`,
  invalidOption: (option: string, expected: string, value: unknown) =>
    `SystemdModule option "${option}" must be ${expected}, got ${describe(value)}`,
  deadlineNotUnderPeriod: (deadlineMs: number, periodMs: number) =>
    `SystemdModule option "healthCheckTimeoutMs" (${deadlineMs} ms) must be shorter than ` +
    `"watchdogIntervalMs" (${periodMs} ms): a round of health checks must end before the next begins`,
  notConfigured: (owner: string | undefined) =>
    owner === undefined
      ? 'SystemdService is not available: SystemdModule is imported without forRoot() anywhere. ' +
        'Import SystemdModule.forRoot() (or forRootAsync()) once, in the root module; in other ' +
        'modules import SystemdModule.forFeature(), or pass isGlobal: true to forRoot()'
      : 'SystemdService is not available: SystemdModule is imported without forRoot() in this ' +
        `application. ${owner}, another Nest application of this process, has one, but each ` +
        "application has its own container and cannot reach another's: import " +
        'SystemdModule.forRoot() in this one too (it then stands by while ' +
        `${owner} speaks for the service), or make them one hybrid application ` +
        '(app.connectMicroservice())',
  anotherAppSupervised: (owner: string, app: string) =>
    `${app} stands by: ${owner}, another Nest application of this process, speaks to systemd, ` +
    'and a process is one service (one READY, one STOPPING, one watchdog). Until it takes over, ' +
    `${app} sends nothing and its health checks gate nothing; it takes over if ${owner} closes ` +
    `while ${app} still runs. To have READY wait for both, make them one hybrid application ` +
    '(app.connectMicroservice())',
  tookOver: (app: string, previous: string) =>
    `${app} now speaks to systemd for this process: ${previous} stopped while ${app} runs on`,
  forRootTwice: (count: number, importers: readonly string[]) =>
    `SystemdModule.forRoot() / forRootAsync() is imported ${count} times (by ${importers.join(', ')}), but ` +
    'a process has one service state to report: two would send READY and STOPPING twice and split ' +
    'the watchdog from its health checks. Keep forRoot() in the root module only; to inject ' +
    'SystemdService elsewhere import SystemdModule.forFeature(), or pass isGlobal: true to forRoot()',
} as const;

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'function') return 'a function';
  // JSON would say null for NaN and Infinity, and cannot write a bigint.
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
