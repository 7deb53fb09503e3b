// Temporary app folders laid out as `nest new` and `nest build` leave them.
import { accessSync, constants, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** A tsconfig.json as `nest new` writes it: comments and a trailing comma included. */
export const NEST_TSCONFIG = `{
  "compilerOptions": {
    "module": "commonjs",
    // Where nest build writes.
    "outDir": "./dist",
    "baseUrl": "./", /* trailing comma next */
  },
}
`;

/** Files of an app, by path relative to its folder; objects are written as JSON. */
export type AppFiles = Readonly<Record<string, string | object>>;

/** A plain Nest app, built: package.json, tsconfig.json, tsconfig.build.json, dist/main.js. */
export const BUILT_APP: AppFiles = {
  'package.json': { name: 'my-app', version: '1.0.0', description: 'My Nest app' },
  'nest-cli.json': { collection: '@nestjs/schematics', sourceRoot: 'src' },
  'tsconfig.json': NEST_TSCONFIG,
  'tsconfig.build.json': { extends: './tsconfig.json', exclude: ['node_modules', 'test'] },
  'dist/main.js': '',
};

/**
 * Where app folders are made: not under /tmp or /var/tmp (PrivateTmp=yes) nor a home directory
 * (ProtectHome=yes), where the generator rightly warns that the service would not see the app.
 * /dev/shm, writable by every user on Linux; the temporary directory where it is not.
 */
function appsRoot(): string {
  try {
    accessSync('/dev/shm', constants.W_OK);
    return '/dev/shm';
  } catch {
    return tmpdir();
  }
}

/** Creates an app folder under a fresh temporary directory; returns its path. */
export function appFolder(files: AppFiles, prefix = 'nestjs-systemd-unit-generator-'): string {
  const dir = join(mkdtempSync(join(appsRoot(), prefix)), 'app');
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(
      join(dir, path),
      typeof content === 'string' ? content : `${JSON.stringify(content, null, 2)}\n`,
    );
  }
  return dir;
}

/** Removes an app folder made by {@link appFolder}, with its temporary parent. */
export function removeAppFolder(dir: string): void {
  rmSync(dirname(dir), { recursive: true, force: true });
}
