import { credentialsMessages } from './credentials.messages.js';
import {
  assertCredentialName,
  resolveSystemdCredential,
  SystemdCredentialError,
  type ReadSystemdCredentialOptions,
} from './read-systemd-credential.js';
import { tellSystemdCredentialsFailed } from './tell-systemd-credentials-failed.js';

/** One credential of {@link systemdCredentialsConfig}: its name and how to read it. */
export interface SystemdCredentialConfigEntry extends ReadSystemdCredentialOptions {
  /** The credential's name, as in the unit's `LoadCredential=<name>:…`. */
  readonly name: string;
}

/** The configuration keys to fill, each with a credential name or a full entry. */
export type SystemdCredentialsConfigSpec = Readonly<
  Record<string, string | SystemdCredentialConfigEntry>
>;

/** What the factory of {@link systemdCredentialsConfig} returns: one string per key. */
export type SystemdCredentialsConfigValues<T extends SystemdCredentialsConfigSpec> = {
  -readonly [K in keyof T]: string;
};

/**
 * A configuration factory that reads systemd credentials ({@link readSystemdCredential}) into an
 * object, key by key. It has the shape `@nestjs/config` expects of a factory (a function
 * returning an object), without importing it: give it to `ConfigModule.forRoot({ load: [...] })`,
 * or to `registerAs()` for a namespace.
 *
 * ```ts
 * ConfigModule.forRoot({
 *   load: [
 *     systemdCredentialsConfig({
 *       dbPassword: { name: 'db-password', fallback: { env: 'DB_PASSWORD' } },
 *       apiKey: 'api-key', // no fallback: required under systemd and elsewhere
 *     }),
 *   ],
 * });
 * // configService.get<string>('dbPassword'), or namespaced:
 * // registerAs('secrets', systemdCredentialsConfig({ ... })) → configService.get('secrets.dbPassword')
 * ```
 *
 * Names are checked at once (an invalid name throws here); the files are read each time the
 * factory is called, which `@nestjs/config` does once at start-up. When several credentials
 * are missing, the factory throws one `AggregateError` listing them all. Under systemd it first
 * tells systemd why the start fails (`STATUS=`, `ERRNO=`): configuration is loaded before the
 * systemd module exists, which would otherwise say it.
 *
 * @param credentials configuration key → credential name, or entry with per-credential options.
 * @param defaults options shared by every entry (an entry's own options take precedence).
 */
export function systemdCredentialsConfig<const T extends SystemdCredentialsConfigSpec>(
  credentials: T,
  defaults: ReadSystemdCredentialOptions = {},
): () => SystemdCredentialsConfigValues<T> {
  const entries = Object.entries(credentials).map(([key, entry]) => {
    const { name, ...options }: SystemdCredentialConfigEntry =
      typeof entry === 'string' ? { name: entry } : entry;
    assertCredentialName(name);
    return { key, name, options: { ...defaults, ...options } };
  });
  return () => {
    const values: Record<string, string> = {};
    const errors: SystemdCredentialError[] = [];
    for (const { key, name, options } of entries) {
      try {
        values[key] = resolveSystemdCredential(name, options).value;
      } catch (error) {
        if (!(error instanceof SystemdCredentialError)) throw error;
        errors.push(error);
      }
    }
    tellSystemdCredentialsFailed(errors);
    if (errors.length === 1) throw errors[0]!;
    if (errors.length > 1) {
      throw new AggregateError(
        errors,
        credentialsMessages.severalFailed(
          errors.length,
          errors.map((error) => error.message),
        ),
      );
    }
    return values as SystemdCredentialsConfigValues<T>;
  };
}
