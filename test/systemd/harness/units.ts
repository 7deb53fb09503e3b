import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { SystemdContainer } from './container.js';
import { CONTAINER_REPO_DIR, SAMPLE_SOCKET_FILE, SAMPLE_UNIT_FILE } from './paths.js';

/** Settings of a drop-in section; an array becomes repeated assignments (`''` resets a list). */
export type UnitSettings = Readonly<Record<string, string | readonly string[]>>;

/** `[Service]` settings of a drop-in. */
export type ServiceSettings = UnitSettings;

type Section = 'Service' | 'Socket';

function renderDropIn(section: Section, settings: UnitSettings): string {
  const lines = Object.entries(settings).flatMap(([key, value]) =>
    (typeof value === 'string' ? [value] : value).map((item) => `${key}=${item}`),
  );
  return [`[${section}]`, ...lines, ''].join('\n');
}

/** `ExecStart=` settings that run a fixture from test/fixtures/dist instead of the sample. */
export function fixtureExecStart(fixture: string): readonly string[] {
  return ['', `/usr/bin/node ${CONTAINER_REPO_DIR}/test/fixtures/dist/${fixture}.js`];
}

/**
 * Installs a unit file of the repository, unchanged, as `unit`, with the test's settings in a
 * drop-in beside it (as an administrator would adapt it), and reloads systemd.
 */
async function installUnit(
  container: SystemdContainer,
  unit: string,
  source: string,
  section: Section,
  settings: UnitSettings,
): Promise<void> {
  await container.writeFile(`/etc/systemd/system/${unit}`, await readFile(source, 'utf8'));
  await container.writeFile(
    `/etc/systemd/system/${unit}.d/50-test.conf`,
    renderDropIn(section, settings),
  );
  await container.systemctl('daemon-reload');
}

/** Installs the sample's real service unit as `unit` (`name.service`), adapted by `settings`. */
export function installSampleUnit(
  container: SystemdContainer,
  unit: string,
  settings: ServiceSettings,
): Promise<void> {
  return installUnit(container, unit, SAMPLE_UNIT_FILE, 'Service', settings);
}

/** The sample's socket unit's name; its `Service=` names the sample's service as installed. */
export const SAMPLE_SOCKET = basename(SAMPLE_SOCKET_FILE);

/** Installs the sample's real socket unit under its own name, adapted by `[Socket]` settings. */
export function installSampleSocket(
  container: SystemdContainer,
  settings: UnitSettings,
): Promise<void> {
  return installUnit(container, SAMPLE_SOCKET, SAMPLE_SOCKET_FILE, 'Socket', settings);
}
