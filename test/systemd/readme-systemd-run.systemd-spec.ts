// The README's "Trying it with systemd-run" blocks, run as written (read from README.md, never
// copied here) against a real systemd, in the folder of a built app as a user who installed the
// package has it (the sample's: its dist/main.js imports nestjs-systemd as any app does): the
// user block by an unprivileged user with a user manager of their own, the root block by root
// with the system manager. The transient unit starts once READY arrives, `show` prints what the
// README says it prints, the app serves, the README's `journalctl` line has its log, and `stop`
// stops it.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readReadmeBlocks, shellCommands } from '../readme/readme-blocks.js';
import type { CommandResult } from './harness/command.js';
import type { SystemdContainer } from './harness/container.js';
import { CONTAINER_REPO_DIR, REPO_DIR } from './harness/paths.js';
import {
  rootReader,
  startUserManager,
  unprivilegedReader,
  type ReadmeReader,
} from './harness/readme-reader.js';
import { useContainer } from './harness/use-container.js';

/** The app's folder: `$PWD/dist/main.js` in the README's commands is the sample's build. */
const APP_DIR = `${CONTAINER_REPO_DIR}/sample`;

async function readmeSystemdCommands(who: 'user' | 'root'): Promise<string[]> {
  const blocks = readReadmeBlocks(await readFile(join(REPO_DIR, 'README.md'), 'utf8')).filter(
    (block) => block.role === 'systemd' && block.file === who,
  );
  expect(blocks).toHaveLength(1);
  return shellCommands(blocks[0]!.code);
}

/** GET http://127.0.0.1:3000/ from inside the container, whose network is its own. */
function getAppRoot(container: SystemdContainer): Promise<CommandResult> {
  const script =
    "fetch('http://127.0.0.1:3000/').then(async (r) => console.log(r.status, await r.text()))";
  return container.exec(['node', '-e', script]);
}

interface ReadmeRun {
  readonly commands: readonly string[];
  /** Each command's result, in the README's order. */
  readonly results: ReadonlyMap<string, CommandResult>;
  /** GET / just before the stop command. */
  readonly serving: CommandResult;
  /** GET / after all the commands. */
  readonly afterwards: CommandResult;
}

async function followReadme(
  container: SystemdContainer,
  reader: ReadmeReader,
  commands: readonly string[],
): Promise<ReadmeRun> {
  const results = new Map<string, CommandResult>();
  let serving: CommandResult | undefined;
  for (const command of commands) {
    if (/^systemctl (--user )?stop /.test(command)) {
      // oxlint-disable-next-line no-await-in-loop -- a probe between two of the README's commands
      serving = await getAppRoot(container);
    }
    if (command.startsWith('journalctl ')) {
      // oxlint-disable-next-line no-await-in-loop -- journald must have written the lines out
      await container.run(['journalctl', '--sync']);
    }
    // oxlint-disable-next-line no-await-in-loop -- the README's commands, one after the other
    results.set(command, await reader.run(command, APP_DIR));
  }
  if (serving === undefined) {
    throw new Error(`the README's block has no stop command: ${commands.join(' / ')}`);
  }
  return { commands, results, serving, afterwards: await getAppRoot(container) };
}

describe("the README's systemd-run blocks under a real systemd, in a built app's folder", () => {
  // Port 3000 is the README's: a network of its own keeps it from colliding with the host's.
  const container = useContainer({ boot: () => ({ privateNetwork: true }) });

  describe.each([
    {
      who: 'user' as const,
      as: 'an unprivileged user, with their user manager',
      makeReader: async (c: SystemdContainer) => {
        const reader = await unprivilegedReader(c, 'readme-reader');
        await startUserManager(c, reader);
        return reader;
      },
      systemctl: 'systemctl --user',
    },
    {
      who: 'root' as const,
      as: 'root, with the system manager and no user manager',
      makeReader: async (c: SystemdContainer) => rootReader(c),
      systemctl: 'systemctl',
    },
  ])('the $who block, run by $as', ({ who, makeReader, systemctl }) => {
    let run: ReadmeRun;

    beforeAll(async () => {
      const reader = await makeReader(container());
      run = await followReadme(container(), reader, await readmeSystemdCommands(who));
    });

    it('starts the unit, shows it, prints its log and stops it: each command succeeds', () => {
      expect(run.commands).toEqual([
        expect.stringMatching(
          who === 'user' ? /^systemd-run --user --unit=my-app / : /^systemd-run --unit=my-app /,
        ),
        `${systemctl} show my-app -p ActiveState -p StatusText -p WatchdogUSec`,
        expect.stringMatching(/^journalctl .*-u my-app/),
        `${systemctl} stop my-app`,
      ]);
      for (const [command, result] of run.results) {
        expect({ command, ...result }).toMatchObject({ command, code: 0 });
      }
    });

    it('show prints what the README says it prints', () => {
      const show = run.commands.find((command) => command.includes(' show '))!;
      // systemctl prints the properties in its own order, not the order asked.
      expect(run.results.get(show)?.stdout.split('\n').filter(Boolean).toSorted()).toEqual([
        'ActiveState=active',
        'StatusText=Listening on 127.0.0.1:3000',
        'WatchdogUSec=10s',
      ]);
    });

    it("the README's journalctl line prints the app's log", () => {
      const journal = run.commands.find((command) => command.startsWith('journalctl '))!;
      expect(run.results.get(journal)?.stdout).toContain(
        '[NestApplication] Nest application successfully started',
      );
    });

    it('the app served on 127.0.0.1:3000 until the stop, and not after it', () => {
      expect(run.serving).toMatchObject({ code: 0, stdout: expect.stringMatching(/^200 /) });
      expect(JSON.parse(run.serving.stdout.slice('200 '.length))).toMatchObject({
        systemd: 'ready',
      });
      expect(run.afterwards.code).not.toBe(0);
      expect(run.afterwards.stderr).toContain('ECONNREFUSED');
    });
  });

  it("root's --user fails as the README says, which is why root has a block of its own", async () => {
    const result = await rootReader(container()).run('systemctl --user show my-app', APP_DIR);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('Failed to connect to bus');
  });
});
