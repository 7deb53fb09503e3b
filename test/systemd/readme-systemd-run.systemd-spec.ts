// The README's "Trying it with systemd-run" block, run as written (read from README.md, never
// copied here) against a real user manager: the transient unit starts, `show` prints what the
// README says it prints, the app serves, `journalctl --user` has its log, and `stop` stops it.
// Only the build commands are skipped: the suite has built everything, and the repository is
// bound read-only into the container. Run by root (what the brief of this suite asks) and by an
// unprivileged user (the README's own "in your user session (no root)").
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readReadmeBlocks, shellCommands } from '../readme/readme-blocks.js';
import type { CommandResult } from './harness/command.js';
import type { SystemdContainer } from './harness/container.js';
import { REPO_DIR } from './harness/paths.js';
import {
  rootReader,
  startUserManager,
  unprivilegedReader,
  type ReadmeReader,
} from './harness/readme-reader.js';
import { useContainer } from './harness/use-container.js';

async function readmeSystemdCommands(): Promise<string[]> {
  const blocks = readReadmeBlocks(await readFile(join(REPO_DIR, 'README.md'), 'utf8')).filter(
    (block) => block.role === 'systemd',
  );
  expect(blocks).toHaveLength(1);
  return shellCommands(blocks[0]!.code).filter((command) => !command.startsWith('npm run build'));
}

/** GET http://127.0.0.1:3000/ from inside the container, whose network is its own. */
function getSampleRoot(container: SystemdContainer): Promise<CommandResult> {
  const script =
    "fetch('http://127.0.0.1:3000/').then(async (r) => console.log(r.status, await r.text()))";
  return container.exec(['node', '-e', script]);
}

interface ReadmeRun {
  readonly commands: readonly string[];
  /** Each command's result, in the README's order. */
  readonly results: ReadonlyMap<string, CommandResult>;
  /** GET / and the reader's `journalctl --user -u nest-sample`, just before the stop command. */
  readonly serving: CommandResult;
  readonly journal: CommandResult;
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
  let journal: CommandResult | undefined;
  for (const command of commands) {
    if (command.startsWith('systemctl --user stop ')) {
      // oxlint-disable-next-line no-await-in-loop -- probes between two of the README's commands
      serving = await getSampleRoot(container);
      // oxlint-disable-next-line no-await-in-loop -- journald must have written the lines out
      await container.run(['journalctl', '--sync']);
      // oxlint-disable-next-line no-await-in-loop -- as the README says to look
      journal = await reader.run('journalctl --user -u nest-sample --no-pager -o cat');
    }
    // oxlint-disable-next-line no-await-in-loop -- the README's commands, one after the other
    results.set(command, await reader.run(command));
  }
  if (serving === undefined || journal === undefined) {
    throw new Error(`the README's block has no systemctl --user stop: ${commands.join(' / ')}`);
  }
  return { commands, results, serving, journal, afterwards: await getSampleRoot(container) };
}

describe("the README's systemd-run block under a real user manager", () => {
  // Port 3000 is the README's: a network of its own keeps it from colliding with the host's.
  const container = useContainer({ boot: () => ({ privateNetwork: true }) });

  describe.each([
    { who: 'root', makeReader: rootReader, userJournal: false },
    {
      who: 'an unprivileged user',
      makeReader: (c: SystemdContainer) => unprivilegedReader(c, 'readme-reader'),
      userJournal: true,
    },
  ])('run by $who', ({ makeReader, userJournal }) => {
    let reader: ReadmeReader;
    let run: ReadmeRun;

    beforeAll(async () => {
      reader = await makeReader(container());
      await startUserManager(container(), reader);
      run = await followReadme(container(), reader, await readmeSystemdCommands());
    });

    it('starts the unit, shows it and stops it: each command succeeds', () => {
      expect(run.commands).toEqual([
        expect.stringMatching(/^systemd-run --user --unit=nest-sample /),
        expect.stringMatching(/^systemctl --user show nest-sample /),
        expect.stringMatching(/^systemctl --user stop nest-sample$/),
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

    it('the app served on 127.0.0.1:3000 until the stop, and not after it', () => {
      expect(run.serving).toMatchObject({ code: 0, stdout: expect.stringMatching(/^200 /) });
      expect(JSON.parse(run.serving.stdout.slice('200 '.length))).toMatchObject({
        systemd: 'ready',
      });
      expect(run.afterwards.code).not.toBe(0);
      expect(run.afterwards.stderr).toContain('ECONNREFUSED');
    });

    if (userJournal) {
      it('journalctl --user -u nest-sample has the app log', () => {
        expect(run.journal.code).toBe(0);
        expect(run.journal.stdout).toContain(
          '[NestApplication] Nest application successfully started',
        );
      });
    } else {
      // journald writes what root's services log (a system uid) to the system journal, and
      // journalctl --user of systemd 252 opens user-UID.journal files only. The README speaks of
      // "your user session (no root)"; root finds the lines with journalctl --user-unit.
      it('journalctl --user -u nest-sample shows nothing for root; --user-unit finds the log', async () => {
        const userUnit = await reader.run('journalctl --user-unit=nest-sample --no-pager -o cat');
        expect(run.journal.stdout).not.toContain('Nest application successfully started');
        expect(userUnit.stdout).toContain(
          '[NestApplication] Nest application successfully started',
        );
      });
    }
  });
});
