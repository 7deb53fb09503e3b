import type { Type } from '@nestjs/common';

/**
 * What an indicator may return. Shapes from `@nestjs/terminus` are accepted as they are:
 * - `undefined` or `true`: healthy (an assertion-style check that did not throw);
 * - `false`: unhealthy;
 * - a Terminus `HealthIndicatorResult` (`{ db: { status: 'up' } }`): unhealthy if any entry is `'down'`;
 * - anything else: unhealthy ("unrecognised result"), so a broken indicator is never taken for a healthy one.
 *
 * Throwing or rejecting (Terminus' `HealthCheckError` included) means unhealthy.
 */
export type SystemdHealthResult = boolean | undefined | void | Readonly<Record<string, unknown>>;

/** A health check as a plain function, such as a Terminus indicator call: `() => db.pingCheck('db')`. */
export type SystemdHealthCheckFunction = () =>
  SystemdHealthResult | PromiseLike<SystemdHealthResult>;

/** An injectable health indicator class, resolved from the application's container. */
export interface SystemdHealthIndicator {
  /** Shown in `STATUS=` when the check fails. Defaults to the class name. */
  readonly healthIndicatorName?: string;
  isHealthy(): SystemdHealthResult | PromiseLike<SystemdHealthResult>;
}

/** A function with a name to show in `STATUS=` when it fails. */
export interface NamedSystemdHealthCheck {
  readonly name: string;
  readonly check: SystemdHealthCheckFunction;
}

/** One entry of the `healthIndicators` option. */
export type SystemdHealthIndicatorInput =
  SystemdHealthCheckFunction | NamedSystemdHealthCheck | Type<SystemdHealthIndicator>;
