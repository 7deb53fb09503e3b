import { isIP } from 'node:net';
import { isAbsolute, normalize } from 'node:path';
import { credentialNameProblem } from '../credentials/credential-name.js';
import { cliMessages } from './cli.messages.js';

/** A value the generator cannot turn into a working unit; its message names the option and the fix. */
export class UnitOptionsError extends Error {
  override readonly name = 'UnitOptionsError';
}

/** `LoadCredential=<name>:<path>`: a secret systemd reads as root and hands to the app as a file. */
export interface UnitCredential {
  readonly name: string;
  readonly path: string;
}

/** A variable for `Environment=`. */
export interface UnitEnvironmentVariable {
  readonly name: string;
  readonly value: string;
}

/** Everything {@link generateUnits} needs, each value already in its type; checked by {@link checkUnitOptions}. */
export interface UnitOptions {
  /** The unit's name without suffix (`my-app` → `my-app.service`, or `my-app@.service` with `instances`). */
  readonly name: string;
  readonly description: string;
  /** Absolute path of the node binary on the target host. */
  readonly nodePath: string;
  /** Absolute path of the built entry on the target host (`/opt/my-app/dist/main.js`). */
  readonly entryPath: string;
  /** Absolute path of the app's folder on the target host. */
  readonly workingDirectory: string;
  /**
   * Yarn Plug'n'Play's resolver on the target host, for an app installed without node_modules:
   * node preloads `runtime` (`.pnp.cjs`) and, for an ES module app, `loader` (`.pnp.loader.mjs`),
   * as `yarn node` would.
   */
  readonly pnp?: { readonly runtime: string; readonly loader?: string };
  readonly port: number;
  readonly host: string;
  /** `WatchdogSec=`; 0 leaves the watchdog off. */
  readonly watchdogSec: number;
  readonly timeoutStopSec: number;
  /** A named user; `undefined` runs the app under `DynamicUser=yes`. */
  readonly user?: string;
  /** `StateDirectory=` (relative to /var/lib). */
  readonly stateDirectory?: string;
  /** `CacheDirectory=` (relative to /var/cache). */
  readonly cacheDirectory?: string;
  /** Absolute path for `EnvironmentFile=`. */
  readonly environmentFile?: string;
  readonly environment: readonly UnitEnvironmentVariable[];
  readonly credentials: readonly UnitCredential[];
  /**
   * Units on this host that the app uses (`redis-server.service`): `Wants=` and `After=`, so that
   * they start first and stop after the app.
   */
  readonly after: readonly string[];
  /** `IPAddressAllow=` entries beyond localhost (a database, an API, the resolver). */
  readonly ipAllow: readonly string[];
  /** Also write `<name>.socket`: systemd binds the port and passes it to the app. */
  readonly socket: boolean;
  /** Template units (`<name>@.service` and `<name>@.socket` with `ReusePort=yes`) for several instances on one port. */
  readonly instances: boolean;
  /**
   * A job that runs to completion (an application context), not a server: `Type=oneshot`, so
   * that `systemctl start` waits until it has ended. `port`, `host`, `socket`, `instances` and
   * `reload` do not apply to it.
   */
  readonly oneshot: boolean;
  /**
   * A long-running app without an HTTP server of its own (a microservice on a broker, a worker):
   * no `PORT` or `HOST`, and traffic with localhost and `ipAllow` alone. `port`, `host`,
   * `socket` and `instances` do not apply to it.
   */
  readonly noPort: boolean;
  /**
   * `systemctl reload` for an app with `reload: true`: `notify-reload` (systemd 253+, waits for
   * the handlers) or `kill` (`ExecReload=` sends SIGHUP, for older systemd; does not wait).
   */
  readonly reload?: 'notify-reload' | 'kill';
  /** The command line that produced the units, as words quoted for a shell, for the header. */
  readonly commandLine?: readonly string[];
}

/** Defaults of the values that have one. */
export const UNIT_DEFAULTS = {
  port: 3000,
  host: '127.0.0.1',
  watchdogSec: 10,
  timeoutStopSec: 20,
} as const;

/** Characters a unit name may hold (systemd.unit(5)); `@` is kept for the template form. */
const UNIT_NAME = /^[A-Za-z0-9:_.\\-]+$/;
/** Conservative user names: what useradd accepts by default. */
const USER_NAME = /^[a-z_][a-z0-9_-]{0,31}$/i;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const DIRECTORY_NAME = /^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)*$/;
const HOSTNAME =
  /^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;
/** What a path in a unit must not contain: whitespace and quoting would need escapes systemd reads differently per setting. */
// oxlint-disable-next-line no-control-regex
const UNSAFE_PATH_CHARACTERS = /[\s"'\\\x00-\x1f\x7f]/;
/** Credential names the generator writes: systemd allows more, but these need no escaping in a unit. */
const CREDENTIAL_NAME = /^[A-Za-z0-9_.@+-]+$/;
/** A unit's full name (systemd.unit(5)): a name, or a template's instance, and a known type. */
const DEPENDENCY_UNIT =
  /^[A-Za-z0-9:_.\\-]+(@[A-Za-z0-9:_.\\-]*)?\.(service|socket|target|mount|automount|swap|path|timer|device|slice|scope)$/;
const IP_KEYWORDS = new Set(['localhost', 'link-local', 'multicast', 'any']);

/** A package name as a unit name: `@acme/billing` → `acme-billing`. */
export function unitNameFromPackageName(packageName: string): string {
  return packageName
    .replace(/^@/, '')
    .replace(/[^A-Za-z0-9:_.\\-]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

/** Whether the app serves HTTP on `port` and `host`: not a job, and not an app without a port. */
export function servesPort(options: UnitOptions): boolean {
  return !options.oneshot && !options.noPort;
}

/** Whether `host` only accepts connections from this machine. */
export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || (isIP(host) === 4 && host.startsWith('127.'));
}

function checkAbsolutePath(option: string, path: string): void {
  if (!isAbsolute(path)) throw new UnitOptionsError(cliMessages.notAbsolute(option, path));
  if (UNSAFE_PATH_CHARACTERS.test(path)) {
    throw new UnitOptionsError(cliMessages.unsafePath(option, path));
  }
  if (normalize(path) !== path) {
    throw new UnitOptionsError(cliMessages.notNormalized(option, path, normalize(path)));
  }
}

function checkDirectoryName(option: string, name: string): void {
  const segments = name.split('/');
  if (!DIRECTORY_NAME.test(name) || segments.some((part) => part === '.' || part === '..')) {
    throw new UnitOptionsError(cliMessages.badDirectoryName(option, name));
  }
}

function checkInteger(option: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new UnitOptionsError(cliMessages.outOfRange(option, String(value), min, max));
  }
}

/** Checks an `IPAddressAllow=` entry: an address, an address/prefix, or one of systemd's words. */
export function ipAllowProblem(entry: string): string | undefined {
  if (IP_KEYWORDS.has(entry)) return undefined;
  const [address = '', prefix, ...rest] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return cliMessages.badIpAllow(entry);
  if (prefix !== undefined) {
    const bits = Number(prefix);
    const max = family === 4 ? 32 : 128;
    if (!/^\d+$/.test(prefix) || bits > max) return cliMessages.badIpAllow(entry);
  }
  return undefined;
}

/**
 * Throws a {@link UnitOptionsError} for the first value that would give a unit that does not
 * load, does not start, or is not what was asked for.
 */
export function checkUnitOptions(options: UnitOptions): void {
  if (!UNIT_NAME.test(options.name) || options.name.length > 200) {
    throw new UnitOptionsError(cliMessages.badUnitName(options.name));
  }
  // oxlint-disable-next-line no-control-regex
  if (/[\x00-\x1f\x7f]/.test(options.description) || options.description.trim() === '') {
    throw new UnitOptionsError(cliMessages.badDescription(options.description));
  }
  checkAbsolutePath('--node', options.nodePath);
  checkAbsolutePath('--entry', options.entryPath);
  checkAbsolutePath('--working-directory', options.workingDirectory);
  if (options.pnp) {
    checkAbsolutePath("Yarn's .pnp.cjs", options.pnp.runtime);
    if (options.pnp.loader !== undefined) {
      checkAbsolutePath("Yarn's .pnp.loader.mjs", options.pnp.loader);
    }
  }
  if (options.oneshot) {
    const serving = (
      [
        ['--socket', options.socket],
        ['--instances', options.instances],
        [options.reload === 'kill' ? '--reload-kill' : '--reload', options.reload !== undefined],
      ] as const
    ).find(([, given]) => given);
    if (serving) throw new UnitOptionsError(cliMessages.oneshotServes(serving[0]));
  }
  if (options.noPort) {
    const listening = options.socket ? '--socket' : options.instances ? '--instances' : undefined;
    if (listening) throw new UnitOptionsError(cliMessages.noPortListens(listening));
  }
  checkInteger('--port', options.port, 1, 65_535);
  const listensItself = !options.socket && !options.instances;
  if (options.port < 1024 && listensItself) {
    throw new UnitOptionsError(cliMessages.privilegedPort(options.port));
  }
  if (isIP(options.host) === 0 && !(options.host === 'localhost' || HOSTNAME.test(options.host))) {
    throw new UnitOptionsError(cliMessages.badHost(options.host));
  }
  if (!listensItself && isIP(options.host) === 0) {
    throw new UnitOptionsError(cliMessages.socketNeedsAddress(options.host));
  }
  checkInteger('--watchdog-sec', options.watchdogSec, 0, 86_400);
  checkInteger('--timeout-stop-sec', options.timeoutStopSec, 1, 86_400);
  if (options.user !== undefined) {
    if (options.user === 'root' || options.user === '0') {
      throw new UnitOptionsError(cliMessages.rootUser());
    }
    if (!USER_NAME.test(options.user))
      throw new UnitOptionsError(cliMessages.badUser(options.user));
  }
  if (options.stateDirectory !== undefined) {
    checkDirectoryName('--state-directory', options.stateDirectory);
  }
  if (options.cacheDirectory !== undefined) {
    checkDirectoryName('--cache-directory', options.cacheDirectory);
  }
  if (options.environmentFile !== undefined) {
    checkAbsolutePath('--environment-file', options.environmentFile);
  }
  for (const { name, value } of options.environment) {
    if (!ENV_NAME.test(name)) throw new UnitOptionsError(cliMessages.badEnvName(name));
    // oxlint-disable-next-line no-control-regex
    if (/[\x00-\x1f\x7f]/.test(value)) throw new UnitOptionsError(cliMessages.badEnvValue(name));
  }
  const seen = new Set<string>();
  for (const credential of options.credentials) {
    const problem = credentialNameProblem(credential.name);
    if (problem !== undefined) {
      throw new UnitOptionsError(cliMessages.badCredentialName(credential.name, problem));
    }
    if (!CREDENTIAL_NAME.test(credential.name)) {
      throw new UnitOptionsError(cliMessages.unusualCredentialName(credential.name));
    }
    if (seen.has(credential.name)) {
      throw new UnitOptionsError(cliMessages.duplicateCredential(credential.name));
    }
    seen.add(credential.name);
    checkAbsolutePath(`--credential ${credential.name}=`, credential.path);
  }
  for (const entry of options.ipAllow) {
    const problem = ipAllowProblem(entry);
    if (problem !== undefined) throw new UnitOptionsError(problem);
  }
  for (const unit of options.after) {
    if (UNIT_NAME.test(unit) && !unit.includes('.')) {
      throw new UnitOptionsError(cliMessages.afterWithoutType(unit));
    }
    if (!DEPENDENCY_UNIT.test(unit) || unit.length > 255) {
      throw new UnitOptionsError(cliMessages.badAfter(unit));
    }
    const itself = options.instances
      ? unit.startsWith(`${options.name}@`) && unit.endsWith('.service')
      : unit === `${options.name}.service`;
    if (itself) throw new UnitOptionsError(cliMessages.afterItself(unit));
  }
}
