import type { SystemdHealthIndicatorInput } from '../health/health-indicator.interface.js';

/** When `READY=1` is sent. */
export type SystemdReadyPolicy =
  /**
   * Once the app serves: an HTTP server once it listens, a microservice once its transport
   * listens (hybrids: all of them), a bare application context once bootstrap is over.
   */
  | 'auto'
  /** At `onApplicationBootstrap`, even for HTTP apps (not recommended: the port is not bound yet). */
  | 'bootstrap'
  /** Never by itself: the app calls `SystemdService.ready()` when it is really ready. */
  | 'manual';

/** Options of `SystemdModule.forRoot()`; every one is optional. */
export interface SystemdModuleOptions {
  /** When to send `READY=1`. Default `'auto'`. */
  readonly readyOn?: SystemdReadyPolicy;
  /** `STATUS=` sent with READY. Default: what serves (`"Listening on <address>"`, `"ServerTCP listening on <address>"`), `"Running"` for a bare context. */
  readonly readyStatus?: string;
  /**
   * `STATUS=` sent when the module starts up, at the first turn of the event loop after Nest
   * creates it (not at all if READY or another status comes first). Default `"Starting"`.
   */
  readonly startingStatus?: string;
  /** `STATUS=` sent with `STOPPING=1`. Default `"Shutting down"`. Before READY, the start's last status (the app's, or what READY waits for) follows it: `"Shutting down (not ready yet: Waiting for the database)"`. */
  readonly stoppingStatus?: string;
  /**
   * This process is the service's real main process although a wrapper started it
   * (`NotifyAccess=all`): send `MAINPID=<pid>` with READY, and notify and ping even when
   * `WATCHDOG_PID` names the wrapper. Default false (such a process stays silent).
   */
  readonly sendMainPid?: boolean;
  /** Send watchdog pings when systemd asks for them (`WatchdogSec=`). Default true. */
  readonly watchdog?: boolean;
  /** Ping period in ms. Default: half of `WATCHDOG_USEC`. Shortened, with a warning, when it does not fit systemd's timeout (see the README's watchdog arithmetic). */
  readonly watchdogIntervalMs?: number;
  /** Health checks that must all pass for a ping to be sent. Default none. */
  readonly healthIndicators?: readonly SystemdHealthIndicatorInput[];
  /** How long each round of health checks may take, in ms. Default: a quarter of the timeout (half the period when `watchdogIntervalMs` is set). Must be shorter than `watchdogIntervalMs`. */
  readonly healthCheckTimeoutMs?: number;
  /** After this many consecutive unhealthy rounds, send `WATCHDOG=trigger` for an immediate restart. Default: never (wait for the timeout). */
  readonly watchdogTriggerAfter?: number;
  /** Remove `NOTIFY_SOCKET` and `WATCHDOG_*` from `process.env` after reading, so child processes do not inherit them. Default false. */
  readonly unsetEnvironment?: boolean;
  /**
   * Handle `systemctl reload` of a `Type=notify-reload` unit: on `reloadSignal`, send
   * `RELOADING=1`, run the `@OnSystemdReload()` handlers, then `READY=1`. The signal handler is
   * only installed under systemd. Default false (the signal is left alone).
   */
  readonly reload?: boolean;
  /** The signal systemd sends for a reload (`ReloadSignal=`). Default `'SIGHUP'`. */
  readonly reloadSignal?: NodeJS.Signals;
  /** How long each reload handler may take, in ms; a slower one counts as failed. Default 30000. */
  readonly reloadHandlerTimeoutMs?: number;
}
