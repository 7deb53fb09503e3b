// The README's `npx nestjs-systemd unit` commands, as written, in a temporary built app named
// my-app: each must succeed without a warning, and what it writes must pass `systemd-analyze
// verify` where systemd-analyze exists. Blocks marked `<!-- readme-test: cli -->` hold them;
// their other commands (npm run build, cp, systemctl) are a reader's to run, not this test's.
// `--out DIR` and `> FILE` are redirected into a temporary folder: nothing is installed here.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../lib/cli/cli.js';
import { shellCommands } from '../readme/readme-blocks.js';
import { appFolder, BUILT_APP, removeAppFolder } from './app-folder.js';

const README = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const MARKER = '<!-- readme-test: cli -->';

/** The code of each fenced block right after a `cli` marker. */
function cliBlocks(markdown: string): string[] {
  const lines = markdown.split('\n');
  const blocks: string[] = [];
  lines.forEach((line, index) => {
    if (line.trim() !== MARKER) return;
    let open = index + 1;
    while (open < lines.length && lines[open]!.trim() === '') open++;
    if (!lines[open]?.trim().startsWith('```')) return;
    const end = lines.findIndex((candidate, at) => at > open && candidate.trim() === '```');
    blocks.push(lines.slice(open + 1, end).join('\n'));
  });
  return blocks;
}

/** Splits a command line into words as sh does for these simple lines: quotes, no expansions. */
function shellWords(command: string): string[] {
  const words: string[] = [];
  for (const match of command.matchAll(/'([^']*)'|"((?:\\.|[^"\\])*)"|(\S+)/g)) {
    words.push(match[1] ?? match[2]?.replace(/\\(.)/g, '$1') ?? match[3]!);
  }
  return words;
}

const commands = cliBlocks(README)
  .flatMap(shellCommands)
  .map((command) => command.replace(/^sudo\s+/, ''))
  .filter((command) => command.startsWith('npx nestjs-systemd '));

if (commands.length === 0) {
  const message = `README.md has no ${MARKER} block with an npx nestjs-systemd command`;
  if (process.env.CI) throw new Error(message);
  console.warn(`README unit commands not checked: ${message}`);
}

const hasSystemdAnalyze = spawnSync('systemd-analyze', ['--version']).status === 0;
const describeIf = commands.length > 0 ? describe : describe.skip;

describeIf("the README's npx nestjs-systemd unit commands", () => {
  let app: string;
  let scratch: string;

  beforeAll(() => {
    app = appFolder({ ...BUILT_APP, 'package.json': { name: 'my-app' } });
    scratch = mkdtempSync(join(tmpdir(), 'nestjs-systemd-unit-generator-readme-'));
  });
  afterAll(() => {
    removeAppFolder(app);
    rmSync(scratch, { recursive: true, force: true });
  });

  it.each(commands.map((command, index) => [command, index]))('%s', (command, index) => {
    const out = join(scratch, String(index));
    mkdirSync(out);
    const words = shellWords(command).slice(2);
    const redirect = words.indexOf('>');
    const argv = (redirect < 0 ? words : words.slice(0, redirect)).map((word, i, all) =>
      all[i - 1] === '--out' ? out : word,
    );
    let stdout = '';
    let stderr = '';
    const code = runCli(argv, {
      cwd: app,
      execPath: process.execPath,
      stdout: (text) => void (stdout += text),
      stderr: (text) => void (stderr += text),
    });

    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    if (redirect >= 0) writeFileSync(join(out, words[redirect + 1]!), stdout);
    const files = readdirSync(out);
    expect(files.length).toBeGreaterThan(0);
    if (hasSystemdAnalyze) {
      const verify = spawnSync('systemd-analyze', ['verify', '--man=no', ...files], {
        cwd: out,
        encoding: 'utf8',
      });
      expect(`${verify.stdout}${verify.stderr}`).toBe('');
      expect(verify.status).toBe(0);
    }
  });
});
