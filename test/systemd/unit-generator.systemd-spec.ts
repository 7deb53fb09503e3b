// Issue #16: units written by `nestjs-systemd unit`, installed as generated (no drop-in), under a
// real systemd. The sample: `systemctl start` waits for READY, pings keep it alive, a failing
// health check gets it killed by the watchdog and restarted, `systemctl stop` is clean. A
// credential: the app reads it with readSystemdCredential under DynamicUser=, and the secret
// shows neither in `systemctl show` nor in the process environment. Instances (--instances):
// two of them serve one port, and restarting them one at a time under load loses no request. A
// job (--oneshot): `systemctl start` waits for it, StatusText follows its steps, it succeeds; a
// job whose event loop blocks is killed by the watchdog. A microservice without a port
// (--no-port): start waits for its transport, under the same sandbox.
import { createHash, randomUUID } from 'node:crypto';
import { access, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../lib/cli/cli.js';
import type { SystemdContainer } from './harness/container.js';
import {
  journalCursor,
  journalSince,
  managerMessagesAbout,
  withUnitJournals,
} from './harness/journal.js';
import { underLoad } from './harness/http-load.js';
import { acceptsConnections, freePort, httpRequest } from './harness/net.js';
import { CONTAINER_REPO_DIR, REPO_DIR } from './harness/paths.js';
import { pollUntil, sleep } from './harness/poll.js';
import {
  expectPingsWithoutRestart,
  processUid,
  showUnit,
  timedSystemctl,
} from './harness/unit-state.js';
import { useContainer } from './harness/use-container.js';

const GENERATED = 'nestjs-systemd-generated';
const CREDENTIAL_APP = 'nestjs-systemd-credential';
const CREDENTIAL_FIXTURE = 'test/fixtures/dist/credential-app.js';
const SECRET_PATH = '/etc/nestjs-systemd-credential/db-password';
const JOB = 'nestjs-systemd-job';
const STUCK_JOB = 'nestjs-systemd-stuck-job';
const SLOW_CLOSE_JOB = 'nestjs-systemd-slow-close-job';
const EXTENDED_CLOSE_JOB = 'nestjs-systemd-extended-close-job';
/** A close longer than WatchdogSec=. */
const JOB_CLOSE_MS = 3000;
const JOB_FIXTURE = 'test/fixtures/dist/systemd-job.js';
const MICROSERVICE = 'nestjs-systemd-generated-microservice';
const MICROSERVICE_FIXTURE = 'test/fixtures/dist/systemd-slow-transport.js';
/** How long the microservice's transport takes to listen after Nest calls its listen(). */
const TRANSPORT_DELAY_MS = 1500;
const JOB_STEPS = 3;
const JOB_STEP_MS = 700;
const WATCHDOG_SEC = 2;
/** systemd's range for DynamicUser= uids (systemd.exec(5)). */
const DYNAMIC_UIDS = { min: 61184, max: 65519 };
/** What systemd logs when it has to kill a service that did not stop in time. */
const KILLED = /timed out|Killing process|SIGKILL|Failed with result/;

/**
 * Runs `nestjs-systemd unit` in the repository (whose nest-cli.json points at the sample) for
 * the container's paths, and returns the files it wrote, by name.
 */
async function generateUnits(args: readonly string[]): Promise<Map<string, string>> {
  const out = await mkdtemp(join(tmpdir(), 'nestjs-systemd-unit-generator-'));
  try {
    let stderr = '';
    const code = runCli(
      [
        'unit',
        '--working-directory',
        CONTAINER_REPO_DIR,
        '--node',
        '/usr/bin/node',
        ...args,
        '--out',
        out,
      ],
      { cwd: REPO_DIR, execPath: process.execPath, stdout: () => {}, stderr: (t) => (stderr += t) },
    );
    if (code !== 0) throw new Error(`nestjs-systemd unit failed (${code}): ${stderr}`);
    const files = await readdir(out);
    const texts = await Promise.all(files.map((file) => readFile(join(out, file), 'utf8')));
    return new Map(files.map((file, i) => [file, texts[i]!]));
  } finally {
    await rm(out, { recursive: true, force: true });
  }
}

/** Installs unit files as they are into /etc/systemd/system, and reloads systemd. */
async function installUnits(
  container: SystemdContainer,
  units: ReadonlyMap<string, string>,
): Promise<void> {
  for (const [file, text] of units) {
    // oxlint-disable-next-line no-await-in-loop -- a few small files, in order
    await container.writeFile(`/etc/systemd/system/${file}`, text);
  }
  await container.systemctl('daemon-reload');
}

describe('a unit generated for the sample, under a real systemd', () => {
  const container = useContainer();
  const service = `${GENERATED}.service`;
  let port: number;
  let units: Map<string, string>;
  let cursor: string;

  beforeAll(async () => {
    port = await freePort();
    // The chaos endpoints (an option of the generator like any variable) to fail health checks.
    units = await generateUnits([
      '--name',
      GENERATED,
      '--port',
      String(port),
      '--watchdog-sec',
      String(WATCHDOG_SEC),
      '--env',
      'SAMPLE_CHAOS=1',
      // The sample has reload: true; the host's systemd (252) has no Type=notify-reload.
      '--reload-kill',
    ]);
    cursor = await journalCursor(container());
    await installUnits(container(), units);
  });

  it('is one service unit that runs the built sample with node directly', () => {
    expect([...units.keys()]).toEqual([service]);
    expect(units.get(service)).toContain(
      `\nExecStart=/usr/bin/node ${CONTAINER_REPO_DIR}/sample/dist/main.js\n`,
    );
  });

  it(
    'starts: systemctl start returns once the app serves, with the status and watchdog set',
    withUnitJournals(container, [service], async () => {
      const startMs = await timedSystemctl(container(), 'start', service);
      const acceptedRightAway = await acceptsConnections(port);

      expect(acceptedRightAway).toBe(true);
      console.info(`${service} started in ${Math.round(startMs)} ms`);
      expect(
        await showUnit(container(), service, [
          'Type',
          'NotifyAccess',
          'ActiveState',
          'SubState',
          'StatusText',
          'WatchdogUSec',
          'TimeoutStopUSec',
          'KillSignal',
          'DynamicUser',
        ]),
      ).toEqual({
        Type: 'notify',
        NotifyAccess: 'main',
        ActiveState: 'active',
        SubState: 'running',
        StatusText: `Listening on 127.0.0.1:${port}`,
        WatchdogUSec: `${WATCHDOG_SEC}s`,
        TimeoutStopUSec: '20s',
        KillSignal: '15',
        DynamicUser: 'yes',
      });
      const messages = await managerMessagesAbout(container(), service, cursor);
      expect(messages).not.toContainEqual(expect.stringMatching(/ignoring|not supported/i));
      expect(messages).toContainEqual(expect.stringContaining('Started '));
    }),
  );

  it(
    'stays up through several watchdog periods: pings keep arriving, no restart',
    withUnitJournals(container, [service], () =>
      expectPingsWithoutRestart(container(), service, WATCHDOG_SEC),
    ),
  );

  it(
    '--reload-kill: systemctl reload sends SIGHUP; the app reads its configuration again and runs on',
    withUnitJournals(container, [service], async () => {
      const generation = async (): Promise<number> =>
        (JSON.parse((await httpRequest(port, 'GET', '/')).body) as { configGeneration: number })
          .configGeneration;
      const { MainPID } = await showUnit(container(), service, ['MainPID']);
      const before = await generation();

      await container().systemctl('reload', service);

      // systemd does not wait for the handlers with ExecReload=: the app tells when it is done.
      await pollUntil(async () => ((await generation()) > before ? true : undefined), {
        timeoutMs: 5000,
        intervalMs: 50,
        what: 'the sample to read its configuration again',
      });
      expect(
        await showUnit(container(), service, ['MainPID', 'ActiveState', 'StatusText']),
      ).toEqual({ MainPID, ActiveState: 'active', StatusText: `Listening on 127.0.0.1:${port}` });
    }),
  );

  it(
    'a failing health check: systemd kills it with SIGABRT at WatchdogSec= and restarts it',
    withUnitJournals(container, [service], async () => {
      const before = await showUnit(container(), service, ['MainPID', 'NRestarts']);
      const since = await journalCursor(container());
      void httpRequest(port, 'POST', '/chaos/unhealthy').catch(() => undefined);

      const after = await pollUntil(
        async () => {
          const now = await showUnit(container(), service, ['MainPID', 'NRestarts', 'ActiveState']);
          const restarted = now.MainPID !== '0' && now.MainPID !== before.MainPID;
          return restarted && now.ActiveState === 'active' ? now : undefined;
        },
        { timeoutMs: 20_000, intervalMs: 100, what: 'a watchdog restart' },
      );

      const journal = await journalSince(container(), service, since);
      expect(journal).toContain(`Watchdog timeout (limit ${WATCHDOG_SEC}s)!`);
      expect(journal).toContain(`Killing process ${before.MainPID} (node) with signal SIGABRT.`);
      expect(journal).toContain("Failed with result 'watchdog'.");
      expect(Number(after.NRestarts)).toBe(Number(before.NRestarts) + 1);
      expect((await httpRequest(port, 'GET', '/health')).status).toBe(200);
    }),
  );

  it(
    'stops: systemctl stop ends cleanly, well inside TimeoutStopSec=',
    withUnitJournals(container, [service], async () => {
      const since = await journalCursor(container());
      const stopMs = await timedSystemctl(container(), 'stop', service);

      expect(stopMs).toBeLessThan(5000);
      const journal = await journalSince(container(), service, since);
      expect(journal).toContain('Deactivated successfully.');
      expect(journal).not.toMatch(KILLED);
      expect(await showUnit(container(), service, ['ActiveState', 'Result'])).toEqual({
        ActiveState: 'inactive',
        Result: 'success',
      });
    }),
  );
});

describe("a microservice's unit generated with --no-port, under a real systemd", () => {
  const container = useContainer();
  const service = `${MICROSERVICE}.service`;
  let port: number;
  let units: Map<string, string>;

  beforeAll(async () => {
    await access(join(REPO_DIR, MICROSERVICE_FIXTURE)).catch(() => {
      throw new Error(`${MICROSERVICE_FIXTURE} missing: run npm run build:fixtures`);
    });
    port = await freePort();
    units = await generateUnits([
      '--name',
      MICROSERVICE,
      '--entry',
      MICROSERVICE_FIXTURE,
      '--no-port',
      '--env',
      `TCP_PORT=${port}`,
      '--env',
      `LISTEN_DELAY_MS=${TRANSPORT_DELAY_MS}`,
      '--watchdog-sec',
      String(WATCHDOG_SEC),
    ]);
    await installUnits(container(), units);
  });

  it(
    'starts: systemctl start returns once the transport listens, in the generated sandbox',
    withUnitJournals(container, [service], async () => {
      const startMs = await timedSystemctl(container(), 'start', service);
      const acceptedRightAway = await acceptsConnections(port);

      expect(acceptedRightAway).toBe(true);
      // Nest's bootstrap is far shorter: only READY from the transport's listen callback waits.
      expect(startMs).toBeGreaterThanOrEqual(TRANSPORT_DELAY_MS - 100);
      console.info(`${service} started in ${Math.round(startMs)} ms`);
      const state = await showUnit(container(), service, [
        'Type',
        'ActiveState',
        'StatusText',
        'WatchdogUSec',
        'DynamicUser',
        'IPAddressAllow',
        'Environment',
      ]);
      expect(state).toMatchObject({
        Type: 'notify',
        ActiveState: 'active',
        StatusText: `SlowTcpTransport listening on 127.0.0.1:${port}`,
        WatchdogUSec: `${WATCHDOG_SEC}s`,
        DynamicUser: 'yes',
      });
      expect(state.IPAddressAllow).toMatch(/^127\.0\.0\.0\/8 ::1\/128$|^::1\/128 127\.0\.0\.0\/8$/);
      expect(state.Environment!.split(' ').toSorted()).toEqual([
        `LISTEN_DELAY_MS=${TRANSPORT_DELAY_MS}`,
        'NODE_ENV=production',
        'NO_COLOR=1',
        `TCP_PORT=${port}`,
      ]);
    }),
  );

  it(
    'stays up through several watchdog periods, then stops cleanly',
    withUnitJournals(container, [service], async () => {
      await expectPingsWithoutRestart(container(), service, WATCHDOG_SEC);

      const stopMs = await timedSystemctl(container(), 'stop', service);

      expect(stopMs).toBeLessThan(5000);
      expect(await showUnit(container(), service, ['ActiveState', 'Result'])).toEqual({
        ActiveState: 'inactive',
        Result: 'success',
      });
    }),
  );
});

describe('a credential passed by a generated unit, under a real systemd', () => {
  const container = useContainer();
  const service = `${CREDENTIAL_APP}.service`;
  const secret = `s3cret-${randomUUID()}`;
  let port: number;

  beforeAll(async () => {
    await access(join(REPO_DIR, CREDENTIAL_FIXTURE)).catch(() => {
      throw new Error(`${CREDENTIAL_FIXTURE} missing: run npm run build:fixtures`);
    });
    port = await freePort();
    const units = await generateUnits([
      '--name',
      CREDENTIAL_APP,
      '--entry',
      CREDENTIAL_FIXTURE,
      '--port',
      String(port),
      '--credential',
      `db-password=${SECRET_PATH}`,
    ]);
    // As an administrator keeps it: readable by root alone; systemd reads it as root.
    await container().writeFile(SECRET_PATH, `${secret}\n`);
    await container().run(['chmod', '600', SECRET_PATH]);
    await installUnits(container(), units);
    await container().systemctl('start', service);
  });

  it(
    'the app reads the secret with readSystemdCredential, under a dynamic uid',
    withUnitJournals(container, [service], async () => {
      const state = await showUnit(container(), service, ['DynamicUser', 'MainPID', 'ActiveState']);
      expect(state).toMatchObject({ DynamicUser: 'yes', ActiveState: 'active' });
      const uid = await processUid(container(), Number(state.MainPID));
      expect(uid).toBeGreaterThanOrEqual(DYNAMIC_UIDS.min);
      expect(uid).toBeLessThanOrEqual(DYNAMIC_UIDS.max);

      const response = await httpRequest(port, 'GET', '/credential');
      expect(JSON.parse(response.body)).toEqual({
        sha256: createHash('sha256').update(secret).digest('hex'),
        length: secret.length,
        directory: `/run/credentials/${service}`,
      });
    }),
  );

  it(
    'the secret is neither in systemctl show nor in the environment of the process',
    withUnitJournals(container, [service], async () => {
      const { MainPID, Environment } = await showUnit(container(), service, [
        'MainPID',
        'Environment',
      ]);
      const everything = await container().systemctl('show', service);
      // As root, who may read any process's environment.
      const environ = (await container().run(['cat', `/proc/${MainPID}/environ`])).split('\0');

      expect(Environment).not.toContain(secret);
      expect(everything).not.toContain(secret);
      expect(environ).toContainEqual(`CREDENTIALS_DIRECTORY=/run/credentials/${service}`);
      expect(environ.join('\n')).not.toContain(secret);
    }),
  );

  it(
    "the service's copy is readable by the service alone, and gone once it stops",
    withUnitJournals(container, [service], async () => {
      const { MainPID } = await showUnit(container(), service, ['MainPID']);
      const uid = await processUid(container(), Number(MainPID));
      const copy = `/run/credentials/${service}/db-password`;
      const [mode, owner] = (await container().run(['stat', '-c', '%a %u', copy]))
        .trim()
        .split(' ');

      expect(Number.parseInt(mode!, 8) & 0o077).toBe(0);
      expect([String(uid), '0']).toContain(owner);
      await container().systemctl('stop', service);
      expect((await container().exec(['test', '-e', copy])).code).not.toBe(0);
    }),
  );
});

describe("a job's unit generated with --oneshot, under a real systemd", () => {
  const container = useContainer();

  beforeAll(async () => {
    await access(join(REPO_DIR, JOB_FIXTURE)).catch(() => {
      throw new Error(`${JOB_FIXTURE} missing: run npm run build:fixtures`);
    });
    for (const [name, variant] of [
      [JOB, []],
      [STUCK_JOB, ['--env', 'JOB_STUCK_AT=2']],
      [SLOW_CLOSE_JOB, ['--env', `JOB_CLOSE_MS=${JOB_CLOSE_MS}`]],
      [
        EXTENDED_CLOSE_JOB,
        ['--env', `JOB_CLOSE_MS=${JOB_CLOSE_MS}`, '--env', 'JOB_EXTEND_CLOSE=1'],
      ],
    ] as const) {
      // oxlint-disable-next-line no-await-in-loop -- two units, one after the other
      const units = await generateUnits([
        '--oneshot',
        '--name',
        name,
        '--entry',
        JOB_FIXTURE,
        '--watchdog-sec',
        String(WATCHDOG_SEC),
        '--env',
        `JOB_STEPS=${JOB_STEPS}`,
        '--env',
        `JOB_STEP_MS=${JOB_STEP_MS}`,
        ...variant,
      ]);
      if (units.size !== 1 || !units.has(`${name}.service`)) {
        throw new Error(`--oneshot wrote ${[...units.keys()].join(', ')}, not ${name}.service`);
      }
      // oxlint-disable-next-line no-await-in-loop -- as above
      await installUnits(container(), units);
    }
  });

  it(
    'start waits for the job, StatusText follows its steps, and it ends with Result=success',
    withUnitJournals(container, [`${JOB}.service`], async () => {
      const service = `${JOB}.service`;
      const cursor = await journalCursor(container());

      const start = timedSystemctl(container(), 'start', service);
      // Its first step, reported right after bootstrap, shows for the whole step: READY, sent
      // a turn of the loop later, does not cover it with "Running".
      await pollUntil(
        async () =>
          (await showUnit(container(), service, ['StatusText'])).StatusText ===
            `Step 1 of ${JOB_STEPS}` || undefined,
        { timeoutMs: 10_000, intervalMs: 50, what: 'the job to show its first step' },
      );
      // While start waits: the job is activating, shows its step, and pings (the first ping
      // arms systemd's watchdog, though the job is never "active").
      const running = await pollUntil(
        async () => {
          const state = await showUnit(container(), service, [
            'ActiveState',
            'StatusText',
            'WatchdogTimestampMonotonic',
          ]);
          return state.StatusText === `Step 2 of ${JOB_STEPS}` ? state : undefined;
        },
        { timeoutMs: 10_000, what: 'the job to report its second step' },
      );
      expect(running.ActiveState).toBe('activating');
      expect(Number(running.WatchdogTimestampMonotonic)).toBeGreaterThan(0);
      const startMs = await start;

      expect(startMs).toBeGreaterThanOrEqual(JOB_STEPS * JOB_STEP_MS - 100);
      expect(
        await showUnit(container(), service, [
          'Type',
          'DynamicUser',
          'ActiveState',
          'Result',
          'ExecMainStatus',
          'NRestarts',
        ]),
      ).toEqual({
        Type: 'oneshot',
        DynamicUser: 'yes',
        ActiveState: 'inactive',
        Result: 'success',
        ExecMainStatus: '0',
        NRestarts: '0',
      });
      const journal = await journalSince(container(), service, cursor);
      expect(journal).toContain(`job done after ${JOB_STEPS} steps`);
      expect(journal).not.toMatch(KILLED);
      console.info(`systemctl start of the job took ${Math.round(startMs)} ms`);
    }),
  );

  it(
    'a job whose event loop blocks is killed by the watchdog: start fails, Result=watchdog',
    withUnitJournals(container, [`${STUCK_JOB}.service`], async () => {
      const service = `${STUCK_JOB}.service`;
      const cursor = await journalCursor(container());

      const start = await container().exec(['systemctl', '--no-pager', 'start', service]);

      expect(start.code).not.toBe(0);
      expect(
        await showUnit(container(), service, ['ActiveState', 'Result', 'StatusText', 'NRestarts']),
      ).toEqual({
        ActiveState: 'failed',
        Result: 'watchdog',
        StatusText: `Step 2 of ${JOB_STEPS}`,
        NRestarts: '0',
      });
      const journal = await journalSince(container(), service, cursor);
      expect(journal).toMatch(/Watchdog timeout/);
      expect(journal).not.toContain('job done');
    }),
  );

  it(
    "a close longer than WatchdogSec=: the oneshot's watchdog outlives STOPPING=1, and kills it",
    withUnitJournals(container, [`${SLOW_CLOSE_JOB}.service`], async () => {
      const service = `${SLOW_CLOSE_JOB}.service`;
      const start = await container().exec(['systemctl', '--no-pager', 'start', service]);

      expect(start.code).not.toBe(0);
      expect(await showUnit(container(), service, ['Result'])).toEqual({ Result: 'watchdog' });
    }),
  );

  it(
    'the same close after systemd.extendTimeout(): the extension holds the watchdog off too',
    withUnitJournals(container, [`${EXTENDED_CLOSE_JOB}.service`], async () => {
      const service = `${EXTENDED_CLOSE_JOB}.service`;
      const cursor = await journalCursor(container());
      const startMs = await timedSystemctl(container(), 'start', service);

      expect(startMs).toBeGreaterThanOrEqual(JOB_STEPS * JOB_STEP_MS + JOB_CLOSE_MS - 100);
      expect(await showUnit(container(), service, ['Result', 'ExecMainStatus'])).toEqual({
        Result: 'success',
        ExecMainStatus: '0',
      });
      expect(await journalSince(container(), service, cursor)).toContain(
        `flushed after ${JOB_CLOSE_MS} ms`,
      );
    }),
  );
});

describe('instances of a generated template, under a real systemd', () => {
  const container = useContainer();
  const name = `${GENERATED}-instances`;
  const instances = [`${name}@1.service`, `${name}@2.service`];
  let port: number;
  let units: Map<string, string>;

  /** The pids that own established connections to the port right now (`ss -tnp`). */
  async function servingPids(): Promise<string[]> {
    const output = await container().run([
      'ss',
      '-Htnp',
      'state',
      'established',
      `sport = :${port}`,
    ]);
    return [...output.matchAll(/pid=(\d+)/g)].map((match) => match[1]!);
  }

  beforeAll(async () => {
    port = await freePort();
    units = await generateUnits(['--name', name, '--instances', '--port', String(port)]);
    await installUnits(container(), units);
    // Each service requires its own socket, so starting the services starts the sockets first.
    await container().systemctl('start', ...instances);
  });

  it('is the template pair, the socket with ReusePort=yes', () => {
    expect([...units.keys()].toSorted()).toEqual([`${name}@.service`, `${name}@.socket`]);
    expect(units.get(`${name}@.socket`)).toContain(`\nListenStream=127.0.0.1:${port}\n`);
    expect(units.get(`${name}@.socket`)).toContain('\nReusePort=yes\n');
  });

  it(
    'two instances serve one port, each on its own socket',
    withUnitJournals(container, instances, async () => {
      const states = await Promise.all(
        instances.map((unit) =>
          showUnit(container(), unit, ['ActiveState', 'MainPID', 'StatusText']),
        ),
      );
      for (const state of states) {
        expect(state).toMatchObject({
          ActiveState: 'active',
          StatusText: `Listening on 127.0.0.1:${port}`,
        });
      }
      const pids = states.map((state) => state.MainPID);
      expect(new Set(pids).size).toBe(2);
      // One dynamic user for the template (named after its prefix), so one StateDirectory= too.
      const uids = await Promise.all(pids.map((pid) => processUid(container(), Number(pid))));
      expect(uids[0]).toBeGreaterThanOrEqual(DYNAMIC_UIDS.min);
      expect(uids[1]).toBe(uids[0]);

      // New connections are spread across both sockets by the kernel: both pids answer.
      const seen = new Set<string>();
      await underLoad(port, { clients: 8, requestTimeoutMs: 5000 }, async () => {
        await pollUntil(
          async () => {
            for (const pid of await servingPids()) seen.add(pid);
            return pids.every((pid) => seen.has(pid)) || undefined;
          },
          { timeoutMs: 10_000, intervalMs: 20, what: 'connections served by both instances' },
        );
      });
      expect([...seen].filter((pid) => pids.includes(pid)).toSorted()).toEqual(pids.toSorted());
    }),
  );

  it(
    'restarting them one at a time under load refuses no connection and loses no request',
    withUnitJournals(container, instances, async () => {
      const before = await Promise.all(
        instances.map(async (unit) => (await showUnit(container(), unit, ['MainPID'])).MainPID),
      );
      const report = await underLoad(port, { clients: 8, requestTimeoutMs: 15_000 }, async () => {
        await sleep(300);
        for (const unit of [...instances, ...instances]) {
          // oxlint-disable-next-line no-await-in-loop -- one instance at a time
          await container().systemctl('restart', unit);
          // oxlint-disable-next-line no-await-in-loop -- answers from the new process meanwhile
          await sleep(300);
        }
      });
      console.info(`2 instances, 4 restarts one at a time under load: ${JSON.stringify(report)}`);
      const after = await Promise.all(
        instances.map(async (unit) => (await showUnit(container(), unit, ['MainPID'])).MainPID),
      );

      expect(report.errors).toEqual({});
      expect(Object.keys(report.statuses)).toEqual(['200']);
      expect(report.requests).toBeGreaterThan(100);
      after.forEach((pid, i) => expect(pid).not.toBe(before[i]));
    }),
  );
});
