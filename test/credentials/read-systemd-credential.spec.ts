// readSystemdCredential and systemdCredentialsConfig against real files in a temporary
// directory laid out as systemd lays out $CREDENTIALS_DIRECTORY, and the real process.env.
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  readSystemdCredential,
  resolveSystemdCredential,
  SystemdCredentialError,
  systemdCredentialsConfig,
} from '../../lib/credentials/index.js';

const VARIABLES = [
  'CREDENTIALS_DIRECTORY',
  'NESTJS_SYSTEMD_TEST_SECRET',
  'NESTJS_SYSTEMD_TEST_KEY',
];
const saved = new Map(VARIABLES.map((name) => [name, process.env[name]]));

let root: string;
let credentials: string;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'nestjs-systemd-credential-'));
  credentials = join(root, 'credentials', 'app.service');
  mkdirSync(credentials, { recursive: true });
  for (const name of VARIABLES) delete process.env[name];
});

afterEach(() => {
  for (const [name, value] of saved) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  rmSync(root, { recursive: true, force: true });
});

/** Writes a credential file with the mode systemd gives it (0400). */
function credential(name: string, content: string): string {
  const path = join(credentials, name);
  writeFileSync(path, content, { mode: 0o400 });
  return path;
}

/** The SystemdCredentialError thrown by `read`, for its code and message. */
function failure(read: () => unknown): SystemdCredentialError {
  try {
    read();
  } catch (error) {
    expect(error).toBeInstanceOf(SystemdCredentialError);
    return error as SystemdCredentialError;
  }
  throw new Error('expected a SystemdCredentialError, nothing was thrown');
}

const quiet = { onFallback: () => {} };

/** An onFallback that records its messages. */
function recorder(): ((message: string) => void) & { messages: string[] } {
  const messages: string[] = [];
  return Object.assign((message: string) => void messages.push(message), { messages });
}

describe('readSystemdCredential under systemd (CREDENTIALS_DIRECTORY set)', () => {
  beforeEach(() => {
    process.env.CREDENTIALS_DIRECTORY = credentials;
  });

  it('reads $CREDENTIALS_DIRECTORY/<name>, one trailing newline removed', () => {
    credential('db-password', 's3cr3t pass\n');
    expect(readSystemdCredential('db-password')).toBe('s3cr3t pass');
    credential('crlf', 'value\r\n');
    expect(readSystemdCredential('crlf')).toBe('value');
    credential('two-newlines', 'value\n\n');
    expect(readSystemdCredential('two-newlines')).toBe('value\n');
  });

  it('keeps the content exactly with keepTrailingNewline, UTF-8 included', () => {
    credential('pem', 'line 1\nline 2 é\n');
    expect(readSystemdCredential('pem', { keepTrailingNewline: true })).toBe('line 1\nline 2 é\n');
  });

  it('says where the value came from', () => {
    const path = credential('db-password', 'x');
    expect(resolveSystemdCredential('db-password')).toEqual({
      value: 'x',
      source: { kind: 'credential', path },
    });
  });

  it('reports a missing credential with its path and the LoadCredential= line to add', () => {
    const error = failure(() => readSystemdCredential('db-password'));
    expect(error.code).toBe('NOT_FOUND');
    expect(error.credential).toBe('db-password');
    expect(error.message).toContain(join(credentials, 'db-password'));
    expect(error.message).toContain('LoadCredential=db-password:/path/to/secret');
  });

  it('does not fall back when CREDENTIALS_DIRECTORY is set, and says so', () => {
    process.env.NESTJS_SYSTEMD_TEST_SECRET = 'from-env';
    const onFallback = recorder();
    const error = failure(() =>
      readSystemdCredential('db-password', {
        fallback: { env: 'NESTJS_SYSTEMD_TEST_SECRET' },
        onFallback,
      }),
    );
    expect(error.code).toBe('NOT_FOUND');
    expect(error.message).toContain(
      'development fallback (environment variable NESTJS_SYSTEMD_TEST_SECRET) is not used under systemd',
    );
    expect(onFallback.messages).toEqual([]);
  });

  it('reports an unreadable credential (a directory in its place) as UNREADABLE', () => {
    mkdirSync(join(credentials, 'a-directory'));
    const error = failure(() => readSystemdCredential('a-directory'));
    expect(error.code).toBe('UNREADABLE');
    expect(error.message).toMatch(/cannot be read from .*a-directory: EISDIR/);
  });

  it('rejects a relative CREDENTIALS_DIRECTORY as systemd never sets one', () => {
    process.env.CREDENTIALS_DIRECTORY = 'credentials/app.service';
    const error = failure(() => readSystemdCredential('db-password'));
    expect(error.code).toBe('UNREADABLE');
    expect(error.message).toContain('is not an absolute path');
  });
});

describe('credential names', () => {
  beforeEach(() => {
    process.env.CREDENTIALS_DIRECTORY = credentials;
    // A file a crafted name would reach if it were joined to the directory unchecked.
    writeFileSync(join(root, 'credentials', 'outside'), 'not a credential of this service');
  });

  it.each([
    ['', /is empty/],
    ['.', /names a directory/],
    ['..', /names a directory/],
    ['../outside', /contains a slash/],
    ['db/password', /contains a slash/],
    ['/etc/passwd', /contains a slash/],
    ['db:password', /colon/],
    ['db\npassword', /control or non-ASCII/],
    ['pässword', /control or non-ASCII/],
    ['x'.repeat(256), /256 characters long, over systemd's 255/],
  ])('rejects %j before touching the file system', (name, reason) => {
    const error = failure(() => readSystemdCredential(name));
    expect(error.code).toBe('INVALID_NAME');
    expect(error.message).toMatch(/is not a valid systemd credential name/);
    expect(error.message).toMatch(reason);
  });

  it.each(['db-password', 'db_password.v2', 'A', '...', 'x'.repeat(255), 'with space', '@x'])(
    'accepts %j',
    (name) => {
      credential(name, 'value');
      expect(readSystemdCredential(name)).toBe('value');
    },
  );
});

describe('readSystemdCredential outside systemd (CREDENTIALS_DIRECTORY unset)', () => {
  it('fails without a fallback, saying what was tried and how to add one', () => {
    const error = failure(() => readSystemdCredential('db-password'));
    expect(error.code).toBe('NO_CREDENTIALS_DIRECTORY');
    expect(error.message).toContain('CREDENTIALS_DIRECTORY is not set');
    expect(error.message).toContain('LoadCredential=db-password:/path/to/secret');
    expect(error.message).toContain("{ fallback: { env: 'SOME_VARIABLE' } }");
  });

  it('treats an empty CREDENTIALS_DIRECTORY as unset', () => {
    process.env.CREDENTIALS_DIRECTORY = '';
    expect(failure(() => readSystemdCredential('db-password')).code).toBe(
      'NO_CREDENTIALS_DIRECTORY',
    );
  });

  it('uses the fallback variable, as it is, and says so through onFallback', () => {
    process.env.NESTJS_SYSTEMD_TEST_SECRET = 'dev-secret\n';
    const onFallback = recorder();
    const resolved = resolveSystemdCredential('db-password', {
      fallback: { env: 'NESTJS_SYSTEMD_TEST_SECRET' },
      onFallback,
    });
    expect(resolved).toEqual({
      value: 'dev-secret\n',
      source: { kind: 'env', variable: 'NESTJS_SYSTEMD_TEST_SECRET' },
    });
    expect(onFallback.messages).toEqual([
      'credential "db-password" read from environment variable NESTJS_SYSTEMD_TEST_SECRET, the ' +
        'development fallback: CREDENTIALS_DIRECTORY is not set. Under systemd, pass it with ' +
        'LoadCredential= instead',
    ]);
  });

  it('warns through process.emitWarning by default, never silently', () => {
    process.env.NESTJS_SYSTEMD_TEST_SECRET = 'dev-secret';
    const emitted: unknown[][] = [];
    const emitWarning = process.emitWarning;
    process.emitWarning = (...args: unknown[]) => void emitted.push(args);
    try {
      // Read again by each app a test run creates: said once per credential.
      for (const name of ['db-password', 'db-password', 'api-key', 'db-password']) {
        readSystemdCredential(name, { fallback: { env: 'NESTJS_SYSTEMD_TEST_SECRET' } });
      }
    } finally {
      process.emitWarning = emitWarning;
    }
    expect(emitted).toEqual(
      ['db-password', 'api-key'].map((name) => [
        expect.stringMatching(
          new RegExp(
            `^credential "${name}" read from environment variable NESTJS_SYSTEMD_TEST_SECRET, the development fallback`,
          ),
        ),
        { code: 'NESTJS_SYSTEMD_CREDENTIAL_FALLBACK' },
      ]),
    );
  });

  it('reads the fallback file (relative to the working directory), newline removed', () => {
    const file = join(root, 'dev-secret');
    writeFileSync(file, 'from-file\n');
    const cwd = process.cwd();
    process.chdir(root);
    try {
      expect(
        resolveSystemdCredential('db-password', { fallback: { file: './dev-secret' }, ...quiet }),
      ).toEqual({ value: 'from-file', source: { kind: 'file', path: file } });
    } finally {
      process.chdir(cwd);
    }
  });

  it('tries the variable first, then the file', () => {
    const file = join(root, 'dev-secret');
    writeFileSync(file, 'from-file');
    const fallback = { env: 'NESTJS_SYSTEMD_TEST_SECRET', file };
    expect(readSystemdCredential('db-password', { fallback, ...quiet })).toBe('from-file');
    process.env.NESTJS_SYSTEMD_TEST_SECRET = 'from-env';
    expect(readSystemdCredential('db-password', { fallback, ...quiet })).toBe('from-env');
  });

  it('lists every place it tried when no fallback has the value', () => {
    const file = join(root, 'missing-secret');
    const error = failure(() =>
      readSystemdCredential('db-password', {
        fallback: { env: 'NESTJS_SYSTEMD_TEST_SECRET', file },
        ...quiet,
      }),
    );
    expect(error.code).toBe('NO_CREDENTIALS_DIRECTORY');
    expect(error.message).toBe(
      'credential "db-password" not available: CREDENTIALS_DIRECTORY is not set (the process was ' +
        'not started by systemd with credentials); environment variable ' +
        `NESTJS_SYSTEMD_TEST_SECRET is not set; file ${file} does not exist. Under systemd, add ` +
        "LoadCredential=db-password:/path/to/secret to the unit's [Service] section",
    );
  });

  it('reports an unreadable fallback file with the reason', () => {
    if (process.getuid?.() === 0) {
      // root reads any file whatever its mode: a directory stands in for an unreadable file.
      mkdirSync(join(root, 'secret-dir'));
    } else {
      writeFileSync(join(root, 'secret-dir'), 'x');
      chmodSync(join(root, 'secret-dir'), 0o000);
    }
    const error = failure(() =>
      readSystemdCredential('db-password', { fallback: { file: join(root, 'secret-dir') } }),
    );
    expect(error.message).toMatch(/secret-dir cannot be read \((EISDIR|EACCES)/);
  });

  it('reads from the env option instead of process.env when given', () => {
    const path = credential('db-password', 'value');
    expect(
      resolveSystemdCredential('db-password', { env: { CREDENTIALS_DIRECTORY: credentials } }),
    ).toEqual({ value: 'value', source: { kind: 'credential', path } });
  });
});

describe('systemdCredentialsConfig', () => {
  it('returns a factory of one string per key, read when called', () => {
    const factory = systemdCredentialsConfig({
      dbPassword: 'db-password',
      apiKey: { name: 'api-key', keepTrailingNewline: true },
    });
    process.env.CREDENTIALS_DIRECTORY = credentials;
    credential('db-password', 'pw\n');
    credential('api-key', 'key\n');
    const config: { dbPassword: string; apiKey: string } = factory();
    expect(config).toEqual({ dbPassword: 'pw', apiKey: 'key\n' });
  });

  it('checks names at once, before any factory call', () => {
    expect(() => systemdCredentialsConfig({ bad: '../etc/shadow' })).toThrow(
      /"..\/etc\/shadow" is not a valid systemd credential name: it contains a slash/,
    );
    expect(() => systemdCredentialsConfig({ bad: { name: '' } })).toThrow(/it is empty/);
  });

  it('applies shared defaults, overridden by an entry', () => {
    process.env.NESTJS_SYSTEMD_TEST_SECRET = 'secret-from-env';
    process.env.NESTJS_SYSTEMD_TEST_KEY = 'key-from-env';
    const onFallback = recorder();
    const factory = systemdCredentialsConfig(
      {
        dbPassword: { name: 'db-password', fallback: { env: 'NESTJS_SYSTEMD_TEST_SECRET' } },
        apiKey: { name: 'api-key', fallback: { env: 'NESTJS_SYSTEMD_TEST_KEY' } },
      },
      { onFallback },
    );
    expect(factory()).toEqual({ dbPassword: 'secret-from-env', apiKey: 'key-from-env' });
    expect(onFallback.messages).toHaveLength(2);
  });

  it('throws the one error when one credential is missing', () => {
    process.env.CREDENTIALS_DIRECTORY = credentials;
    credential('db-password', 'pw');
    const factory = systemdCredentialsConfig({ dbPassword: 'db-password', apiKey: 'api-key' });
    const error = failure(factory);
    expect(error.code).toBe('NOT_FOUND');
    expect(error.credential).toBe('api-key');
  });

  it('lists every missing credential in one AggregateError', () => {
    process.env.CREDENTIALS_DIRECTORY = credentials;
    const factory = systemdCredentialsConfig({ dbPassword: 'db-password', apiKey: 'api-key' });
    let thrown: unknown;
    try {
      factory();
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(AggregateError);
    const aggregate = thrown as AggregateError;
    expect(aggregate.message).toMatch(
      /^2 systemd credentials not available:\n- credential "db-password" not found: .*\n- credential "api-key" not found: /,
    );
    expect(aggregate.errors.map((error: SystemdCredentialError) => error.credential)).toEqual([
      'db-password',
      'api-key',
    ]);
  });
});
