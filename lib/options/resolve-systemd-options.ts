import type { SystemdHealthIndicatorInput } from '../health/health-indicator.interface.js';
import { systemdMessages } from '../systemd.messages.js';
import type { SystemdModuleOptions, SystemdReadyPolicy } from './systemd-options.interface.js';

/** The options with every default applied: the one place defaults live. */
export interface ResolvedSystemdOptions {
  readonly readyOn: SystemdReadyPolicy;
  readonly readyStatus: string | undefined;
  readonly startingStatus: string;
  readonly stoppingStatus: string;
  readonly sendMainPid: boolean;
  readonly watchdog: boolean;
  readonly watchdogIntervalMs: number | undefined;
  readonly healthIndicators: readonly SystemdHealthIndicatorInput[];
  readonly healthCheckTimeoutMs: number | undefined;
  readonly watchdogTriggerAfter: number | undefined;
  readonly unsetEnvironment: boolean;
  readonly reload: boolean;
  readonly reloadSignal: NodeJS.Signals;
  readonly reloadHandlerTimeoutMs: number;
}

const READY_POLICIES: readonly SystemdReadyPolicy[] = ['auto', 'bootstrap', 'manual'];

function fail(option: string, expected: string, value: unknown): never {
  throw new Error(systemdMessages.invalidOption(option, expected, value));
}

function isSignal(value: unknown): value is NodeJS.Signals {
  return (
    typeof value === 'string' &&
    Object.hasOwn(process.getBuiltinModule('node:os').constants.signals, value)
  );
}

function optionalString(options: SystemdModuleOptions, key: keyof SystemdModuleOptions): void {
  const value = options[key];
  if (value !== undefined && typeof value !== 'string') fail(key, 'a string', value);
}

function optionalBoolean(options: SystemdModuleOptions, key: keyof SystemdModuleOptions): void {
  const value = options[key];
  if (value !== undefined && typeof value !== 'boolean') fail(key, 'true or false', value);
}

function optionalPositiveInteger(
  options: SystemdModuleOptions,
  key: keyof SystemdModuleOptions,
): void {
  const value = options[key];
  if (value !== undefined && !(Number.isSafeInteger(value) && (value as number) > 0)) {
    fail(key, 'a positive integer', value);
  }
}

function isIndicator(entry: unknown): entry is SystemdHealthIndicatorInput {
  if (typeof entry === 'function') return true;
  if (entry === null || typeof entry !== 'object') return false;
  const named = entry as { check?: unknown; isHealthy?: unknown };
  return typeof named.isHealthy === 'function' || typeof named.check === 'function';
}

/** Validates `options` (throwing an error that names the option) and applies the defaults. */
export function resolveSystemdOptions(options: SystemdModuleOptions = {}): ResolvedSystemdOptions {
  if (options === null || typeof options !== 'object') fail('options', 'an object', options);
  if (options.readyOn !== undefined && !READY_POLICIES.includes(options.readyOn)) {
    fail('readyOn', `one of ${READY_POLICIES.map((p) => `'${p}'`).join(', ')}`, options.readyOn);
  }
  for (const key of ['readyStatus', 'startingStatus', 'stoppingStatus'] as const)
    optionalString(options, key);
  for (const key of ['sendMainPid', 'watchdog', 'unsetEnvironment', 'reload'] as const)
    optionalBoolean(options, key);
  for (const key of [
    'watchdogIntervalMs',
    'healthCheckTimeoutMs',
    'watchdogTriggerAfter',
    'reloadHandlerTimeoutMs',
  ] as const) {
    optionalPositiveInteger(options, key);
  }
  if (options.reloadSignal !== undefined && !isSignal(options.reloadSignal)) {
    fail('reloadSignal', 'a signal name such as "SIGHUP"', options.reloadSignal);
  }
  const indicators = options.healthIndicators ?? [];
  if (!Array.isArray(indicators)) fail('healthIndicators', 'an array', indicators);
  indicators.forEach((entry, i) => {
    if (!isIndicator(entry)) {
      fail(
        `healthIndicators[${i}]`,
        'a function, a provider token, an object with isHealthy() or { name, check() }',
        entry,
      );
    }
    const critical: unknown = typeof entry === 'object' ? entry.critical : undefined;
    if (critical !== undefined && typeof critical !== 'boolean') {
      fail(`healthIndicators[${i}].critical`, 'true or false', critical);
    }
  });
  const { watchdogIntervalMs: period, healthCheckTimeoutMs: deadline } = options;
  // Whatever systemd's timeout: a round of checks must end before the next one starts.
  if (period !== undefined && deadline !== undefined && deadline >= period) {
    throw new Error(systemdMessages.deadlineNotUnderPeriod(deadline, period));
  }

  return {
    readyOn: options.readyOn ?? 'auto',
    readyStatus: options.readyStatus,
    startingStatus: options.startingStatus ?? systemdMessages.startingStatus(),
    stoppingStatus: options.stoppingStatus ?? systemdMessages.stoppingStatus(),
    sendMainPid: options.sendMainPid ?? false,
    watchdog: options.watchdog ?? true,
    watchdogIntervalMs: options.watchdogIntervalMs,
    healthIndicators: indicators,
    healthCheckTimeoutMs: options.healthCheckTimeoutMs,
    watchdogTriggerAfter: options.watchdogTriggerAfter,
    unsetEnvironment: options.unsetEnvironment ?? false,
    reload: options.reload ?? false,
    reloadSignal: options.reloadSignal ?? 'SIGHUP',
    reloadHandlerTimeoutMs: options.reloadHandlerTimeoutMs ?? 30_000,
  };
}
