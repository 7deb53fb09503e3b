import { credentialNameProblem } from './credential-name.js';
import { credentialsMessages } from './credentials.messages.js';

/** What went wrong, for code that handles a {@link SystemdCredentialError}. */
export type SystemdCredentialErrorCode =
  /** The name is not a valid credential name (empty, `.`, `..`, a slash, a colon, …). */
  | 'INVALID_NAME'
  /** `CREDENTIALS_DIRECTORY` is not set and no fallback gave a value. */
  | 'NO_CREDENTIALS_DIRECTORY'
  /** `CREDENTIALS_DIRECTORY` is set but holds no credential of that name. */
  | 'NOT_FOUND'
  /** The file exists but could not be read (permissions, a directory, …). */
  | 'UNREADABLE';

/** Thrown by {@link readSystemdCredential}; the message says what was tried and how to fix it. */
export class SystemdCredentialError extends Error {
  override readonly name = 'SystemdCredentialError';

  constructor(
    /** What went wrong. */
    readonly code: SystemdCredentialErrorCode,
    /** The credential asked for. */
    readonly credential: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/**
 * Where to find the value during development, when the process was not started by systemd with
 * credentials (`CREDENTIALS_DIRECTORY` unset). Tried in this order: `env`, then `file`.
 */
export interface SystemdCredentialFallback {
  /** An environment variable holding the value, such as `DB_PASSWORD`. */
  readonly env?: string;
  /** A file holding the value, such as `./secrets/db-password` (relative to the working directory). */
  readonly file?: string;
}

/** Options of {@link readSystemdCredential}. */
export interface ReadSystemdCredentialOptions {
  /**
   * Where else to look when `CREDENTIALS_DIRECTORY` is not set (development, tests). Never used
   * when it is set: a unit that lacks the credential is an error to fix, not a case for a
   * fallback. Without it, a missing `CREDENTIALS_DIRECTORY` is an error.
   */
  readonly fallback?: SystemdCredentialFallback;
  /**
   * Told when a fallback gave the value, with a sentence saying which one. Default: a process
   * warning (`process.emitWarning`, code `NESTJS_SYSTEMD_CREDENTIAL_FALLBACK`), once per
   * credential and fallback in a process, so a production start that misses its credentials
   * shows in the log. Pass your logger, or `() => {}` to accept the fallback silently.
   */
  readonly onFallback?: (message: string) => void;
  /**
   * Keep a trailing newline of the file (`echo secret > file` adds one). Default false: one
   * final `\n` (or `\r\n`) is removed from a file's content; environment variables are used as
   * they are.
   */
  readonly keepTrailingNewline?: boolean;
  /** The environment to read `CREDENTIALS_DIRECTORY` and fallback variables from. Default `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** Where {@link resolveSystemdCredential} found the value. */
export type SystemdCredentialSource =
  /** `$CREDENTIALS_DIRECTORY/<name>`, as systemd passed it. */
  | { readonly kind: 'credential'; readonly path: string }
  /** The fallback environment variable. */
  | { readonly kind: 'env'; readonly variable: string }
  /** The fallback file. */
  | { readonly kind: 'file'; readonly path: string };

/** A credential's value and where it came from. */
export interface ResolvedSystemdCredential {
  readonly value: string;
  readonly source: SystemdCredentialSource;
}

/** The `errno` code of a failed file system call (`ENOENT`, `EACCES`, …), if it has one. */
function errnoCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** An error's message (file system errors may come from another realm: no instanceof). */
function describe(error: unknown): string {
  const message = (error as { message?: unknown } | null)?.message;
  return typeof message === 'string' ? message : String(error);
}

function stripNewline(text: string, keep: boolean | undefined): string {
  if (keep) return text;
  if (text.endsWith('\r\n')) return text.slice(0, -2);
  return text.endsWith('\n') ? text.slice(0, -1) : text;
}

function fallbackNames(fallback: SystemdCredentialFallback | undefined): string[] {
  const names: string[] = [];
  if (fallback?.env !== undefined) names.push(credentialsMessages.fallbackEnv(fallback.env));
  if (fallback?.file !== undefined) names.push(credentialsMessages.fallbackFile(fallback.file));
  return names;
}

/** Throws a {@link SystemdCredentialError} when `name` is not a valid credential name. */
export function assertCredentialName(name: string): void {
  const problem = credentialNameProblem(name);
  if (problem !== undefined) {
    throw new SystemdCredentialError(
      'INVALID_NAME',
      name,
      credentialsMessages.invalidName(name, problem),
    );
  }
}

function readFromDirectory(
  name: string,
  directory: string,
  options: ReadSystemdCredentialOptions,
): ResolvedSystemdCredential {
  const { isAbsolute, join } = process.getBuiltinModule('node:path');
  if (!isAbsolute(directory)) {
    throw new SystemdCredentialError(
      'UNREADABLE',
      name,
      credentialsMessages.directoryNotAbsolute(name, directory),
    );
  }
  const path = join(directory, name);
  try {
    const value = stripNewline(readCredentialFile(path), options.keepTrailingNewline);
    return { value, source: { kind: 'credential', path } };
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') {
      throw new SystemdCredentialError(
        'NOT_FOUND',
        name,
        credentialsMessages.notFound(name, path, fallbackNames(options.fallback)),
        { cause: error },
      );
    }
    throw new SystemdCredentialError(
      'UNREADABLE',
      name,
      credentialsMessages.unreadable(name, path, describe(error)),
      { cause: error },
    );
  }
}

/** The default warnings already emitted in this process. */
const fallbacksWarned = new Set<string>();

function readFromFallback(
  name: string,
  env: Readonly<Record<string, string | undefined>>,
  options: ReadSystemdCredentialOptions,
): ResolvedSystemdCredential {
  const tried = [credentialsMessages.directoryUnset()];
  const { fallback } = options;
  let found: ResolvedSystemdCredential | undefined;
  let foundIn = '';
  if (fallback?.env !== undefined) {
    const value = env[fallback.env];
    if (value === undefined) tried.push(credentialsMessages.envUnset(fallback.env));
    else {
      found = { value, source: { kind: 'env', variable: fallback.env } };
      foundIn = credentialsMessages.fallbackEnv(fallback.env);
    }
  }
  if (found === undefined && fallback?.file !== undefined) {
    const path = process.getBuiltinModule('node:path').resolve(fallback.file);
    try {
      const value = stripNewline(readCredentialFile(path), options.keepTrailingNewline);
      found = { value, source: { kind: 'file', path } };
      foundIn = credentialsMessages.fallbackFile(path);
    } catch (error) {
      tried.push(
        errnoCode(error) === 'ENOENT'
          ? credentialsMessages.fileMissing(path)
          : credentialsMessages.fileUnreadable(path, describe(error)),
      );
    }
  }
  if (found === undefined) {
    throw new SystemdCredentialError(
      'NO_CREDENTIALS_DIRECTORY',
      name,
      credentialsMessages.noDirectory(name, tried),
    );
  }
  const message = credentialsMessages.usedFallback(name, foundIn);
  if (options.onFallback) options.onFallback(message);
  else if (!fallbacksWarned.has(message)) {
    // Once per credential and place: a test run creating an app per test read it each time.
    fallbacksWarned.add(message);
    process.emitWarning(message, { code: 'NESTJS_SYSTEMD_CREDENTIAL_FALLBACK' });
  }
  return found;
}

/**
 * Reads a systemd credential and says where the value came from: `$CREDENTIALS_DIRECTORY/<name>`
 * when systemd started the process with credentials, else the caller's development fallback.
 * See {@link readSystemdCredential}, which returns the value alone.
 *
 * @throws {@link SystemdCredentialError} when the name is invalid or no value is found.
 */
export function resolveSystemdCredential(
  name: string,
  options: ReadSystemdCredentialOptions = {},
): ResolvedSystemdCredential {
  assertCredentialName(name);
  const env = options.env ?? process.env;
  const directory = env.CREDENTIALS_DIRECTORY;
  if (directory !== undefined && directory !== '') {
    return readFromDirectory(name, directory, options);
  }
  return readFromFallback(name, env, options);
}

/**
 * Reads the systemd credential `name` (systemd.exec(5), "Credentials"): the file
 * `$CREDENTIALS_DIRECTORY/<name>` that systemd fills from the unit's `LoadCredential=`,
 * `LoadCredentialEncrypted=` or `SetCredential=` and only the service's user can read. Unlike
 * `Environment=`, the secret is neither shown by `systemctl show` nor inherited through
 * `/proc/<pid>/environ`. The content is read as UTF-8, one trailing newline removed.
 *
 * ```ts
 * // unit: LoadCredential=db-password:/etc/my-app/db-password
 * const password = readSystemdCredential('db-password', {
 *   fallback: { env: 'DB_PASSWORD' }, // development only: used when CREDENTIALS_DIRECTORY is unset
 * });
 * ```
 *
 * Synchronous, so it fits configuration code that runs before the app starts.
 *
 * @throws {@link SystemdCredentialError} with a message that says what was tried:
 * `INVALID_NAME` for an empty name, `.`, `..`, a slash or a colon; `NOT_FOUND` when
 * `CREDENTIALS_DIRECTORY` is set but lacks the credential (the fallback is not used then);
 * `NO_CREDENTIALS_DIRECTORY` when it is not set and no fallback has a value; `UNREADABLE`.
 */
export function readSystemdCredential(
  name: string,
  options: ReadSystemdCredentialOptions = {},
): string {
  return resolveSystemdCredential(name, options).value;
}

/**
 * Reads a credential file. Node's fs and path are fetched on use, not imported: this file is
 * part of the protocol layer every app loads, and most apps never read a credential.
 */
function readCredentialFile(path: string): string {
  return process.getBuiltinModule('node:fs').readFileSync(path, 'utf8');
}
