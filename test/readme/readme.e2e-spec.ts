// Every code block in the README works as written: TypeScript blocks are compiled with tsc
// against the built package (as a user's app resolves it), the app they form is run under the
// README's own NotifyListener example, and shell blocks are run by CI or by the systemd suite.
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { NotifyListener } from '../../lib/testing/notify-listener.js';
import { exitedAndRead } from '../e2e/helpers.js';
import { FRAGMENT_IMPORT } from './fragment-prelude.js';
import { readReadmeBlocks, shellCommands, type ReadmeBlock } from './readme-blocks.js';

const ROOT = new URL('../../', import.meta.url).pathname;
const TSC = join(ROOT, 'node_modules/typescript/bin/tsc');
const run = promisify(execFile);

const blocks = readReadmeBlocks(await readFile(join(ROOT, 'README.md'), 'utf8'));
const withRole = (role: ReadmeBlock['role']): ReadmeBlock[] =>
  blocks.filter((block) => block.role === role);
const where = (block: ReadmeBlock): string => `README.md:${block.line}`;
const esmFile = (file: string): string =>
  withRole('esm').find((block) => block.file === file)?.code ?? '';

describe('README code blocks', () => {
  // Inside the repository, so 'nestjs-systemd' resolves to the built package by self-reference.
  let workDir: string;

  beforeAll(async () => {
    workDir = await mkdtemp(join(ROOT, '.readme-check-'));
    await mkdir(join(workDir, 'src'));
    // The README's own tsconfig: nodenext ESM with Nest's decorators, resolving the package's
    // exports.
    await writeFile(join(workDir, 'tsconfig.json'), esmFile('tsconfig.json'));
    await copyFile(
      new URL('./fragment-prelude.ts', import.meta.url),
      join(workDir, 'src/fragment-prelude.ts'),
    );
    await Promise.all([
      ...withRole('app').map((block) => writeFile(join(workDir, 'src', block.file!), block.code)),
      ...withRole('fragment').map((block, index) =>
        writeFile(join(workDir, `src/fragment-${index}.ts`), FRAGMENT_IMPORT + block.code),
      ),
    ]);
  });

  afterAll(async () => {
    await rm(workDir, { recursive: true, force: true });
  });

  it('marks every block with how it is checked', () => {
    const unmarked = blocks.filter((block) => block.role === undefined).map(where);
    expect(unmarked).toEqual([]);
    const appFiles = withRole('app').map((block) => block.file);
    expect(appFiles).toEqual(['app.module.ts', 'main.ts', 'listener.ts', 'notifier.ts']);
    // Taken from here by test/pack/apps.mjs, which fails if one is missing.
    const commonjsFiles = withRole('commonjs').map((block) => block.file);
    expect(commonjsFiles).toEqual([
      'main.ts',
      'app.module.spec.ts',
      'vitest.config.mjs',
      '.yarnrc.yml',
    ]);
    expect(withRole('esm').map((block) => block.file)).toEqual(['tsconfig.json', 'jest.json']);
    expect(withRole('fragment').length).toBeGreaterThanOrEqual(2);
  });

  it("gives the tsconfig the packaging test's ES module app is compiled with", async () => {
    const used = await readFile(new URL('../user-app.tsconfig.json', import.meta.url), 'utf8');
    expect(JSON.parse(esmFile('tsconfig.json'))).toEqual(JSON.parse(used));
  });

  it('has TypeScript that compiles against the built package', async () => {
    const result = await run(process.execPath, [TSC, '-p', workDir]).catch(
      (error: { stdout: string; stderr: string }) => error,
    );
    expect(`${result.stdout}${result.stderr}`).toBe('');
  }, 60_000);

  it('forms an app that the README testing example drives to READY, a ping and STOPPING', async () => {
    // listener.ts starts dist/main.js itself, with the env of its own NotifyListener; it fails
    // (an unhandled rejection, exit code 1) if any message it waits for does not come.
    const child = spawn(process.execPath, ['dist/listener.js'], {
      cwd: workDir,
      env: { ...process.env, PORT: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const [code] = await exitedAndRead(child);
    expect({ code, output }).toEqual({ code: 0, output: '' });
  }, 30_000);

  it('has a protocol-layer example that sends READY, then STOPPING, and exits by itself', async () => {
    const systemd = await NotifyListener.start({ watchdogUsec: 1_000_000 });
    try {
      const child = spawn(process.execPath, ['dist/notifier.js'], {
        cwd: workDir,
        env: { ...process.env, ...systemd.env() },
        stdio: ['ignore', 'inherit', 'inherit'],
      });
      const [code] = await once(child, 'exit');
      expect(code).toBe(0);
      await systemd.waitFor('STOPPING=1');
      expect(systemd.messages.map((message) => message.raw)).toEqual([
        'READY=1\nSTATUS=Listening on :3000',
        'STOPPING=1',
      ]);
    } finally {
      await systemd.close();
    }
  }, 30_000);

  it('has Quick start and Tests commands that .ci/run runs', async () => {
    const ci = (await readFile(join(ROOT, '.ci/run'), 'utf8')).split('\n').map((l) => l.trim());
    const commands = withRole('ci').flatMap((block) => shellCommands(block.code));
    expect(commands.length).toBeGreaterThanOrEqual(4);
    // `npm ci` is run with quieter flags; any other wording would be a different command.
    const notRun = commands.filter((command) => !ci.some((line) => line.startsWith(command)));
    expect(notRun).toEqual([]);
  });

  it.each(['README.md', 'bench/README.md'])(
    '%s links only to headings it has (as GitHub and npm name them)',
    async (file) => {
      const text = await readFile(join(ROOT, file), 'utf8');
      const prose = text.replace(/```[\s\S]*?```/g, '');
      const headings = new Set(
        [...prose.matchAll(/^#{1,6} (.+)$/gm)].map(([, title]) => headingAnchor(title!)),
      );
      const links = [...prose.matchAll(/\]\(#([^)\s]+)\)/g)].map(([, anchor]) => anchor!);
      expect(links.length).toBeGreaterThan(0);
      expect(links.filter((anchor) => !headings.has(anchor))).toEqual([]);
    },
  );
});

/** A heading's anchor as GitHub (and npm) make it: lower case, punctuation dropped, spaces to '-'. */
function headingAnchor(title: string): string {
  return title
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\p{M}\- _]/gu, '')
    .replaceAll(' ', '-');
}
