// The built package as Node loads it (dist/, through package.json "exports"): both builds
// give the same API, entry points share their classes, and a process that loads both builds
// is told so. Each case runs in a child process, since module caches and the process-wide
// record of loaded copies cannot be reset inside this one.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const ENTRIES = ['nestjs-systemd', 'nestjs-systemd/protocol', 'nestjs-systemd/testing'];

interface Run {
  stdout: string;
  stderr: string;
}

/** Runs an ES module script in the repository, where `nestjs-systemd` resolves to dist/. */
async function runModule(source: string): Promise<Run> {
  const { stdout, stderr } = await promisify(execFile)(
    process.execPath,
    ['--input-type=module', '--eval', source],
    { cwd: ROOT, env: { PATH: process.env.PATH ?? '' } },
  );
  return { stdout, stderr };
}

const TWO_COPIES = 'NESTJS_SYSTEMD_TWO_COPIES';

describe('the built package', () => {
  it.each(ENTRIES)('%s exports the same names from its ESM and CommonJS builds', async (entry) => {
    const { stdout } = await runModule(`
      import { createRequire } from 'node:module';
      const esm = Object.keys(await import('${entry}')).sort();
      const cjs = Object.keys(createRequire(import.meta.url)('${entry}')).sort();
      console.log(JSON.stringify({ esm, cjs }));
    `);
    const { esm, cjs } = JSON.parse(stdout) as { esm: string[]; cjs: string[] };
    expect(esm.length).toBeGreaterThan(0);
    expect(cjs).toEqual(esm);
  });

  it.each([
    ['import', 'await import(entry)'],
    ['require', 'createRequire(import.meta.url)(entry)'],
  ])('shares one SystemdNotifier between the main and protocol entries (%s)', async (_, load) => {
    const { stdout } = await runModule(`
      import { createRequire } from 'node:module';
      let entry = 'nestjs-systemd';
      const main = ${load};
      entry = 'nestjs-systemd/protocol';
      const protocol = ${load};
      console.log(main.SystemdNotifier === protocol.SystemdNotifier);
    `);
    expect(stdout.trim()).toBe('true');
  });

  it('warns once, naming both files, when one process loads both builds', async () => {
    const { stderr } = await runModule(`
      import { createRequire } from 'node:module';
      await import('nestjs-systemd');
      createRequire(import.meta.url)('nestjs-systemd');
      await import('nestjs-systemd');
    `);
    expect(stderr.split(TWO_COPIES)).toHaveLength(2);
    expect(stderr).toContain('dist/index.js and file://');
    expect(stderr).toContain('dist/index.cjs');
  });

  it.each([
    [
      'the package is imported twice',
      "await import('nestjs-systemd'); await import('nestjs-systemd');",
    ],
    [
      'the package is required twice',
      "const r = createRequire(import.meta.url); r('nestjs-systemd'); r('nestjs-systemd');",
    ],
    [
      'its protocol entry comes from the other build',
      "await import('nestjs-systemd'); createRequire(import.meta.url)('nestjs-systemd/protocol');",
    ],
  ])('says nothing when %s', async (_, source) => {
    const { stderr } = await runModule(`import { createRequire } from 'node:module'; ${source}`);
    expect(stderr).toBe('');
  });
});
