import type { Abstract, Type } from '@nestjs/common';

/**
 * What a health check may resolve to. Any value means the dependency answered and is healthy
 * (`undefined`, `true`, ioredis' `'PONG'`, MongoDB's `{ ok: 1 }`, the rows of `SELECT 1`),
 * except:
 * - `false`: down;
 * - a `@nestjs/terminus` `HealthCheckResult` (`health.check([...])`): `'ok'` up, `'degraded'`
 *   degraded, `'error'` / `'shutting_down'` down;
 * - Terminus indicator entries (`{ db: { status: 'up' | 'degraded' | 'down' } }`): any down
 *   → down; else any degraded → degraded.
 *
 * Throwing or rejecting (Terminus' `ServiceUnavailableException` and `HealthCheckError`
 * included) means down. Degraded keeps the pings going and says so in `STATUS=`.
 */
export type SystemdHealthResult = unknown;

/** A health check as a plain function, such as a Terminus indicator call: `() => db.pingCheck('db')`. */
export type SystemdHealthCheckFunction = () => unknown;

/** An injectable health indicator, resolved from the application's container. */
export interface SystemdHealthIndicator {
  /** Shown in `STATUS=` when the check fails. Defaults to the class name. */
  readonly healthIndicatorName?: string;
  /** As {@link NamedSystemdHealthCheck.critical}. Default true. */
  readonly critical?: boolean;
  isHealthy(): unknown;
}

/** A check with a name to show in `STATUS=` when it fails; `check` is called as a method. */
export interface NamedSystemdHealthCheck {
  readonly name: string;
  /**
   * `false` for a check whose failure a restart cannot fix, such as a remote database being
   * down: when it fails (down, throws, or misses the deadline) the round is degraded rather
   * than down, so `STATUS=` says so and the watchdog pings go on. Gated on it, systemd would
   * restart the service over and over while the database is away, until `StartLimitBurst=`
   * leaves it failed. Default true.
   */
  readonly critical?: boolean;
  check(): unknown;
}

/**
 * One entry of the `healthIndicators` option:
 * - a provider token of the app (an indicator class, or an abstract class provided with
 *   `useClass` / `useExisting` / `useFactory`), resolved through Nest's container: singleton,
 *   request-scoped or transient (a fresh context each round); its instance has `isHealthy()`
 *   or `check()`;
 * - an indicator instance (`{ isHealthy() }`), for example injected into a `forRootAsync` factory;
 * - a `{ name, check() }` object;
 * - a plain function.
 */
export type SystemdHealthIndicatorInput =
  | SystemdHealthCheckFunction
  | NamedSystemdHealthCheck
  | SystemdHealthIndicator
  | Type<SystemdHealthIndicator | NamedSystemdHealthCheck>
  | Abstract<SystemdHealthIndicator | NamedSystemdHealthCheck>;
