import { access } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const harnessDir = dirname(fileURLToPath(import.meta.url));

/** The working tree, bound read-only into the container. */
export const REPO_DIR = resolve(harnessDir, '../../..');

/** Where the container sees the working tree: the sample unit's own paths, unchanged. */
export const CONTAINER_REPO_DIR = '/opt/nestjs-systemd';

export const BOOT_SCRIPT = join(harnessDir, 'boot-container.sh');

export const BUILD_IMAGE_SCRIPT = join(harnessDir, 'build-image.sh');

/** Large things the suite builds once and keeps (images): in the working tree, gitignored. */
export const CACHE_DIR = join(REPO_DIR, '.systemd-test');

export const SAMPLE_UNIT_FILE = join(REPO_DIR, 'sample/systemd/nestjs-systemd-sample.service');

export const SAMPLE_SOCKET_FILE = join(REPO_DIR, 'sample/systemd/nestjs-systemd-sample.socket');

/** What the units run; the container only sees what was built before it booted. */
const BUILD_OUTPUTS = [
  'dist/index.js',
  'sample/dist/main.js',
  'test/fixtures/dist/systemd-delayed-listen.js',
  'test/fixtures/dist/systemd-slow-shutdown.js',
  'test/fixtures/dist/systemd-own-sighup.js',
  'test/fixtures/dist/systemd-slow-transport.js',
  'test/fixtures/dist/credential-app.js',
];

export async function assertBuilt(): Promise<void> {
  const present = await Promise.all(
    BUILD_OUTPUTS.map((output) =>
      access(join(REPO_DIR, output)).then(
        () => true,
        () => false,
      ),
    ),
  );
  const missing = BUILD_OUTPUTS.filter((_, i) => !present[i]);
  if (missing.length > 0) {
    throw new Error(
      `${missing.join(', ')} missing: run npm run build && npm run build:fixtures && npm run build:sample`,
    );
  }
}
