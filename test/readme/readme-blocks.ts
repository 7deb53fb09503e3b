// Reads the README's fenced code blocks with the role each one's marker gives it, so that every
// block is checked by some test and none can be added without one.

/**
 * What a block is checked as, from the HTML comment just above it:
 * - `app <file>`: a file of a small app that is compiled and run;
 * - `fragment`: compiled after the imports and user services it takes for granted;
 * - `commonjs <file>`: a file of a CommonJS app, compiled and run by `npm run test:pack` in
 *   the Nest 10 and 11 apps (`main.ts` compiled; `app.module.spec.ts` run by their Jest, and by
 *   Vitest under `vitest.config.mjs` in one of them; `.yarnrc.yml` in the ones Yarn installs);
 * - `esm <file>`: a file of an ES module app, used by `npm run test:pack` in its Nest 12 app
 *   (`jest.json`: the `jest` block its Jest runs the spec under);
 * - `ci`: shell commands that `.ci/run` runs;
 * - `cli`: `npx nestjs-systemd` commands, run by test/cli/readme-unit-commands.spec.ts (the
 *   block's other commands are the reader's);
 * - `systemd`: shell commands that need a real systemd (run by `npm run test:systemd`).
 */
export type ReadmeBlockRole = 'app' | 'fragment' | 'commonjs' | 'esm' | 'ci' | 'cli' | 'systemd';

export interface ReadmeBlock {
  readonly language: string;
  readonly code: string;
  /** 1-based line of the opening fence, for messages. */
  readonly line: number;
  readonly role: ReadmeBlockRole | undefined;
  /** For `app`, `commonjs` and `esm` blocks: the file name the block is saved as. */
  readonly file: string | undefined;
}

const FENCE = /^(\s*)```(\S*)\s*$/;
const MARKER = /^\s*<!-- readme-test: (\S+)(?: (\S+))? -->\s*$/;
const ROLES = new Set<string>(['app', 'fragment', 'commonjs', 'esm', 'ci', 'cli', 'systemd']);

export function readReadmeBlocks(markdown: string): ReadmeBlock[] {
  const lines = markdown.split('\n');
  const blocks: ReadmeBlock[] = [];
  let marker: RegExpExecArray | null = null;
  for (let index = 0; index < lines.length; index++) {
    const open = FENCE.exec(lines[index]);
    if (!open) {
      if (lines[index].trim() !== '') marker = MARKER.exec(lines[index]);
      continue;
    }
    const [, indent, language] = open;
    const body: string[] = [];
    let end = index + 1;
    while (end < lines.length && lines[end].trim() !== '```') {
      // Blocks inside list items are indented; the code itself is not.
      body.push(lines[end].startsWith(indent) ? lines[end].slice(indent.length) : lines[end]);
      end++;
    }
    const role = marker && ROLES.has(marker[1]) ? (marker[1] as ReadmeBlockRole) : undefined;
    blocks.push({
      language,
      code: `${body.join('\n')}\n`,
      line: index + 1,
      role,
      file: marker?.[2],
    });
    marker = null;
    index = end;
  }
  return blocks;
}

/** The commands of a shell block: one per `&&`-separated part of each line, comments removed. */
export function shellCommands(code: string): string[] {
  return code
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.replace(/\s+#.*$/, '').trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .flatMap((line) => line.split('&&').map((part) => part.trim()));
}
