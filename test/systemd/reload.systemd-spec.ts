// Issue #8, part 1 (and #5, item 7): `systemctl reload` of a Type=notify-reload unit. systemd
// sends SIGHUP and waits for RELOADING=1 (with a fresh MONOTONIC_USEC=) and then READY=1; the
// sample answers with its @OnSystemdReload() handler, which reads its greeting file again.
// Type=notify-reload came with systemd 253: these tests boot Debian 12 with systemd from
// bookworm-backports (an image built on first use), and show what Debian's own 252 makes of it.
import { execFileSync } from 'node:child_process';
import { backportsImage, IMAGE_BUILD_TIMEOUT_MS } from './harness/image.js';
import {
  journalCursor,
  journalSince,
  managerMessagesAbout,
  withUnitJournals,
} from './harness/journal.js';
import { freePort, httpRequest } from './harness/net.js';
import { showUnit, timedSystemctl } from './harness/unit-state.js';
import { installSampleUnit } from './harness/units.js';
import { useContainer } from './harness/use-container.js';

const SAMPLE = 'nestjs-systemd-sample.service';
const GREETING_FILE = '/etc/nestjs-systemd-sample/greeting';
/** Far below the 30 s (TimeoutStartSec=) systemd would wait for a reload that never finishes. */
const RELOAD_BOUND_MS = 5000;

/** The host's systemd, which the other containers boot: 252 on Debian 12. */
const hostSystemd = Number(
  /^systemd (\d+)/.exec(execFileSync('systemctl', ['--version'], { encoding: 'utf8' }))?.[1],
);

interface SampleInfo {
  readonly greeting: string;
  readonly configGeneration: number;
}

async function sampleInfo(port: number): Promise<SampleInfo> {
  const response = await httpRequest(port, 'GET', '/');
  expect(response.status).toBe(200);
  return JSON.parse(response.body) as SampleInfo;
}

describe('systemctl reload under systemd 254+ (Type=notify-reload)', () => {
  const container = useContainer({
    boot: async () => {
      const image = await backportsImage();
      if (image.builtInMs !== undefined) {
        console.info(`built ${image.rootDir} in ${(image.builtInMs / 1000).toFixed(1)} s`);
      }
      return { rootDir: image.rootDir };
    },
    setupTimeoutMs: IMAGE_BUILD_TIMEOUT_MS + 60_000,
  });
  let port: number;

  beforeAll(async () => {
    port = await freePort();
    await container().writeFile(GREETING_FILE, 'hello from the first file\n');
    await installSampleUnit(container(), SAMPLE, {
      Type: 'notify-reload',
      Environment: [`PORT=${port}`, `SAMPLE_GREETING_FILE=${GREETING_FILE}`],
    });
    await container().systemctl('start', SAMPLE);
  });

  it('runs systemd 254 or later', async () => {
    const version = (await container().run(['systemctl', '--version'])).split('\n')[0]!;
    expect(Number(/^systemd (\d+)/.exec(version)?.[1])).toBeGreaterThanOrEqual(254);
    console.info(`tested under ${version}`);
  });

  it(
    'the unit is Type=notify-reload, ready, and serves the greeting of its file',
    withUnitJournals(container, [SAMPLE], async () => {
      expect(await showUnit(container(), SAMPLE, ['Type', 'ActiveState', 'StatusText'])).toEqual({
        Type: 'notify-reload',
        ActiveState: 'active',
        StatusText: `Listening on 127.0.0.1:${port}`,
      });
      expect(await sampleInfo(port)).toMatchObject({
        greeting: 'hello from the first file',
        configGeneration: 1,
      });
    }),
  );

  it(
    'systemctl reload returns once the app has read its file again, and the app serves the new greeting',
    withUnitJournals(container, [SAMPLE], async () => {
      const { MainPID } = await showUnit(container(), SAMPLE, ['MainPID']);
      const cursor = await journalCursor(container());
      await container().writeFile(GREETING_FILE, 'hello from the second file\n');

      const reloadMs = await timedSystemctl(container(), 'reload', SAMPLE);

      console.info(`systemctl reload took ${Math.round(reloadMs)} ms`);
      expect(reloadMs).toBeLessThan(RELOAD_BOUND_MS);
      expect(await sampleInfo(port)).toMatchObject({
        greeting: 'hello from the second file',
        configGeneration: 2,
      });
      expect(
        await showUnit(container(), SAMPLE, [
          'ActiveState',
          'SubState',
          'StatusText',
          'ReloadResult',
          'MainPID',
        ]),
      ).toEqual({
        ActiveState: 'active',
        SubState: 'running',
        StatusText: `Listening on 127.0.0.1:${port}`,
        ReloadResult: 'success',
        // Reloaded in place, not restarted.
        MainPID,
      });
      const journal = await journalSince(container(), SAMPLE, cursor);
      expect(journal).toContain('greeting reloaded (generation 2)');
      expect(journal).toMatch(/systemd\[1\]: Reloaded /);
    }),
  );

  it(
    'a failing reload handler: systemctl reload still returns, STATUS= and ERRNO= say why, the app keeps serving',
    withUnitJournals(container, [SAMPLE], async () => {
      const { MainPID } = await showUnit(container(), SAMPLE, ['MainPID']);
      await container().run(['rm', GREETING_FILE]);

      const reloadMs = await timedSystemctl(container(), 'reload', SAMPLE);

      expect(reloadMs).toBeLessThan(RELOAD_BOUND_MS);
      const state = await showUnit(container(), SAMPLE, [
        'ActiveState',
        'SubState',
        'StatusText',
        'StatusErrno',
        'ReloadResult',
        'MainPID',
      ]);
      expect(state).toMatchObject({
        ActiveState: 'active',
        SubState: 'running',
        StatusErrno: '2', // ENOENT
        // READY=1 ended the reload as the protocol asks; the failure is the app's, told in STATUS=.
        ReloadResult: 'success',
        MainPID,
      });
      expect(state.StatusText).toMatch(/^Reload failed: GreetingService\.reload: ENOENT/);
      // The previous greeting stays in use.
      expect((await sampleInfo(port)).greeting).toBe('hello from the second file');
    }),
  );

  it(
    "the next reload that succeeds clears the failed one's ERRNO=, which systemd would keep showing",
    withUnitJournals(container, [SAMPLE], async () => {
      await container().writeFile(GREETING_FILE, 'hello from the third file\n');

      await timedSystemctl(container(), 'reload', SAMPLE);

      expect(await showUnit(container(), SAMPLE, ['StatusText', 'StatusErrno'])).toEqual({
        StatusText: `Listening on 127.0.0.1:${port}`,
        StatusErrno: '0',
      });
      expect((await sampleInfo(port)).greeting).toBe('hello from the third file');
    }),
  );
});

// What the tests above guard against: Debian 12's own systemd does not know the type and says so
// only in its log. The drop-in's Type= is then dropped, the unit keeps the Type=notify of its
// file, and with no ExecReload= systemd refuses to reload it at all. Hence the image with systemd
// from backports. Moot on a host with systemd 253+.
(hostSystemd < 253 ? describe : describe.skip)(
  `the host's systemd ${hostSystemd} and Type=notify-reload`,
  () => {
    const container = useContainer();

    it('ignores the type, logging why only, and cannot reload the unit', async () => {
      const cursor = await journalCursor(container());
      await installSampleUnit(container(), SAMPLE, {
        Type: 'notify-reload',
        Environment: `PORT=${await freePort()}`,
      });
      await container().systemctl('start', SAMPLE);

      const { Type } = await showUnit(container(), SAMPLE, ['Type']);
      const reload = await container().exec(['systemctl', 'reload', SAMPLE]);

      expect(Type).toBe('notify');
      expect(await managerMessagesAbout(container(), SAMPLE, cursor)).toContainEqual(
        expect.stringContaining('Failed to parse service type, ignoring: notify-reload'),
      );
      expect(reload.code).not.toBe(0);
      expect(reload.stderr).toContain('Job type reload is not applicable');
    });
  },
);
