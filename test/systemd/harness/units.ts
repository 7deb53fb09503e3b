import { readFile } from 'node:fs/promises';
import type { SystemdContainer } from './container.js';
import { CONTAINER_REPO_DIR, SAMPLE_UNIT_FILE } from './paths.js';

/** `[Service]` settings of a drop-in; an array becomes repeated assignments (`''` resets a list). */
export type ServiceSettings = Readonly<Record<string, string | readonly string[]>>;

function renderDropIn(settings: ServiceSettings): string {
  const lines = Object.entries(settings).flatMap(([key, value]) =>
    (typeof value === 'string' ? [value] : value).map((item) => `${key}=${item}`),
  );
  return ['[Service]', ...lines, ''].join('\n');
}

/** `ExecStart=` settings that run a fixture from test/fixtures/dist instead of the sample. */
export function fixtureExecStart(fixture: string): readonly string[] {
  return ['', `/usr/bin/node ${CONTAINER_REPO_DIR}/test/fixtures/dist/${fixture}.js`];
}

/**
 * Installs the sample's real unit file as `unit` (`name.service`), unchanged, with the test's
 * settings in a drop-in beside it (as an administrator would adapt it), and reloads systemd.
 */
export async function installSampleUnit(
  container: SystemdContainer,
  unit: string,
  settings: ServiceSettings,
): Promise<void> {
  await container.writeFile(
    `/etc/systemd/system/${unit}`,
    await readFile(SAMPLE_UNIT_FILE, 'utf8'),
  );
  await container.writeFile(`/etc/systemd/system/${unit}.d/50-test.conf`, renderDropIn(settings));
  await container.systemctl('daemon-reload');
}
