// systemdCredentialsConfig plugged into the real @nestjs/config: `load: [...]` and
// `registerAs()`, with credential files in a temporary $CREDENTIALS_DIRECTORY. @nestjs/config
// is a devDependency only (the library never imports it); where it is not installed the suite
// is skipped with a note (and fails under CI=true).
import 'reflect-metadata';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DynamicModule } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { systemdCredentialsConfig } from '../../lib/credentials/index.js';

/** The part of @nestjs/config's API used here, so that this file compiles without it. */
interface NestConfigApi {
  readonly ConfigModule: {
    forRoot(options: {
      readonly load: readonly (() => object)[];
      readonly ignoreEnvFile?: boolean;
    }): Promise<DynamicModule> | DynamicModule;
  };
  readonly ConfigService: abstract new (...args: never[]) => {
    get<T>(path: string): T | undefined;
  };
  registerAs<F extends () => object>(token: string, factory: F): F;
}

async function loadNestConfig(): Promise<NestConfigApi | undefined> {
  // A variable, so that TypeScript does not need the package's types.
  const specifier = '@nestjs/config';
  try {
    return (await import(specifier)) as NestConfigApi;
  } catch (error) {
    if (process.env.CI) throw error;
    console.warn(
      `@nestjs/config tests skipped (npm install --save-dev @nestjs/config): ${String(error)}`,
    );
    return undefined;
  }
}

const nestConfig = await loadNestConfig();
const describeIf = nestConfig ? describe : describe.skip;
// describe.skip still runs the describe body: it may only touch the package inside tests.
const api = (): NestConfigApi => nestConfig!;

async function configFrom(load: readonly (() => object)[]) {
  const moduleRef = await Test.createTestingModule({
    imports: [api().ConfigModule.forRoot({ load, ignoreEnvFile: true })],
  }).compile();
  return { config: moduleRef.get(api().ConfigService), close: () => moduleRef.close() };
}

describeIf('systemdCredentialsConfig with @nestjs/config', () => {
  const savedDirectory = process.env.CREDENTIALS_DIRECTORY;
  let directory: string;

  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), 'nestjs-systemd-credential-config-'));
    process.env.CREDENTIALS_DIRECTORY = directory;
  });
  afterEach(() => {
    if (savedDirectory === undefined) delete process.env.CREDENTIALS_DIRECTORY;
    else process.env.CREDENTIALS_DIRECTORY = savedDirectory;
    rmSync(directory, { recursive: true, force: true });
  });

  it('loads credentials as top-level keys through load: [...]', async () => {
    writeFileSync(join(directory, 'db-password'), 'pw-from-systemd\n', { mode: 0o400 });
    const { config, close } = await configFrom([
      systemdCredentialsConfig({ dbPassword: 'db-password' }),
    ]);
    expect(config.get<string>('dbPassword')).toBe('pw-from-systemd');
    await close();
  });

  it('loads them under a namespace through registerAs()', async () => {
    writeFileSync(join(directory, 'api-key'), 'key-from-systemd', { mode: 0o400 });
    const secrets = api().registerAs('secrets', systemdCredentialsConfig({ apiKey: 'api-key' }));
    const { config, close } = await configFrom([secrets]);
    expect(config.get<string>('secrets.apiKey')).toBe('key-from-systemd');
    expect(config.get<{ apiKey: string }>('secrets')).toEqual({ apiKey: 'key-from-systemd' });
    await close();
  });

  it('fails the module with the credential error when one is missing', async () => {
    await expect(
      configFrom([systemdCredentialsConfig({ dbPassword: 'db-password' })]),
    ).rejects.toThrow(/credential "db-password" not found: .*LoadCredential=db-password:/s);
  });
});
