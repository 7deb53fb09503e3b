// The built package as Node loads it (dist/, through package.json "exports"): both builds
// give the same API, entry points share their classes, the main entry loads none of the
// features that have entry points of their own, and a process that loads both builds is told
// so. Each case runs in a child process, since module caches and the process-wide
// record of loaded copies cannot be reset inside this one.
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const ENTRIES = [
  'nestjs-systemd',
  'nestjs-systemd/journal',
  'nestjs-systemd/activation',
  'nestjs-systemd/credentials',
  'nestjs-systemd/protocol',
  'nestjs-systemd/testing',
];
/** Names whose code only the journal, activation and credentials entry points may load. */
const OPTIONAL_FEATURES = [
  'JournaldLogger',
  'JournalSocket',
  'listenOnActivatedSocket',
  'readListenFds',
  'readSystemdCredential',
  'SystemdCredentialError',
];

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

/** Which of OPTIONAL_FEATURES a built file defines (the bundles keep class and function names). */
function definedIn(file: string): string[] {
  const source = readFileSync(join(ROOT, file), 'utf8');
  return OPTIONAL_FEATURES.filter((name) =>
    new RegExp(`(?:class|function)\\s+${name}\\b`).test(source),
  );
}

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

  // Stack traces and Nest's messages show them: a top-level name renamed by the minifier, or
  // an arrow function that took its name from a renamed constant, would read as "e" or "".
  it.each(ENTRIES)(
    '%s keeps the name of every function it exports, in both builds',
    async (entry) => {
      const { stdout } = await runModule(`
      import { createRequire } from 'node:module';
      const builds = [await import('${entry}'), createRequire(import.meta.url)('${entry}')];
      const misnamed = builds.flatMap((build) =>
        Object.entries(build)
          .filter(([name, value]) => typeof value === 'function' && value.name !== name)
          .map(([name, value]) => name + ' is named ' + JSON.stringify(value.name)),
      );
      console.log(JSON.stringify(misnamed));
    `);
      expect(JSON.parse(stdout)).toEqual([]);
    },
  );

  describe.each([
    ['import', 'await import(entry)'],
    ['require', 'createRequire(import.meta.url)(entry)'],
  ])('with %s', (_, load) => {
    it.each([
      ['nestjs-systemd', 'SystemdNotifier'],
      ['nestjs-systemd/journal', 'journaldDestination'],
      ['nestjs-systemd/activation', 'readListenFds'],
      ['nestjs-systemd/credentials', 'SystemdCredentialError'],
    ])('%s shares its %s with nestjs-systemd/protocol', async (other, name) => {
      const { stdout } = await runModule(`
        import { createRequire } from 'node:module';
        let entry = '${other}';
        const one = ${load};
        entry = 'nestjs-systemd/protocol';
        const protocol = ${load};
        console.log(typeof one.${name} === 'function' && one.${name} === protocol.${name});
      `);
      expect(stdout.trim()).toBe('true');
    });
  });

  it('loads none of the optional features through the main CommonJS entry', async () => {
    const { stdout } = await runModule(`
      import { createRequire } from 'node:module';
      const require = createRequire(import.meta.url);
      require('nestjs-systemd');
      console.log(JSON.stringify(Object.keys(require.cache).filter((file) => file.startsWith(process.cwd() + '/dist/'))));
    `);
    const loaded = (JSON.parse(stdout) as string[]).map((file) => file.slice(ROOT.length));
    expect(loaded.toSorted()).toEqual(['dist/index.cjs', 'dist/protocol-layer.cjs']);
    for (const file of loaded) expect(definedIn(file)).toEqual([]);
  });

  it('loads none of the optional features through the main ES module entry', () => {
    // ES modules leave no cache to read: the files are those its static imports reach.
    const reached = new Set(['dist/index.js']);
    for (const file of reached) {
      const source = readFileSync(join(ROOT, file), 'utf8');
      for (const [, imported] of source.matchAll(/from\s*["']\.\/([^"']+)["']/g)) {
        reached.add(`dist/${imported}`);
      }
    }
    expect([...reached].toSorted()).toEqual(['dist/index.js', 'dist/protocol-layer.js']);
    for (const file of reached) expect(definedIn(file)).toEqual([]);
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

  // One character outside ASCII made Node decode a whole bundle as two-byte text at every start.
  it('writes every bundle in ASCII, its non-ASCII text as escapes that still read as before', async () => {
    const files = readdirSync(join(ROOT, 'dist')).filter((file) => /\.c?js$/.test(file));
    expect(files.length).toBeGreaterThan(10);
    for (const file of files) {
      const bytes = readFileSync(join(ROOT, 'dist', file));
      expect({ file, nonAscii: bytes.findIndex((byte) => byte > 0x7f) }).toEqual({
        file,
        nonAscii: -1,
      });
    }
    // The ellipsis of a STATUS cut to the datagram's size, and of a redacted reason.
    const { stdout } = await runModule(`
      import { encodeNotifyMessage, redactForStatus } from 'nestjs-systemd';
      const text = encodeNotifyMessage({ status: 'x'.repeat(5000) }).bytes.toString('utf8');
      console.log(JSON.stringify([text.at(-1), redactForStatus('y'.repeat(500)).at(-1)]));
    `);
    expect(JSON.parse(stdout)).toEqual(['\u2026', '\u2026']);
  });

  // What every app parses at its start. The CommonJS bundles kept their top-level names and
  // the long names of what they take from the shared chunk, about 12 % more for a CommonJS
  // app to parse than an ES one.
  it.each(['index', 'protocol-layer'])('minifies the CommonJS %s as far as the ES one', (name) => {
    const [cjs, esm] = [`${name}.cjs`, `${name}.js`].map(
      (file) => readFileSync(join(ROOT, 'dist', file)).length,
    );
    expect(cjs).toBeLessThan(esm * 1.05);
  });

  // Node prints the source line an uncaught error was thrown from above its message: from a
  // one-line bundle that was the whole bundle, 42 KB (48 KB as CommonJS), burying the message.
  it.each([
    ['ES module', 'import', "await import('nestjs-systemd')"],
    ['CommonJS', 'require', "createRequire(import.meta.url)('nestjs-systemd')"],
  ])(
    'an uncaught bootstrap error from the %s build prints its message, not the bundle',
    async (_, __, load) => {
      const source = `
        import { createRequire } from 'node:module';
        const { Module } = await import('@nestjs/common');
        const { NestFactory } = await import('@nestjs/core');
        const { SystemdModule } = ${load};
        class AppModule {}
        Module({ imports: [SystemdModule.forRoot()] })(AppModule);
        const app = await NestFactory.create(AppModule, { logger: ['error'] });
        await app.listen(0, '127.0.0.1');
      `;
      const failure = await runModule(source).then(
        () => undefined,
        (error: { code?: number; stderr?: string }) => error,
      );
      expect(failure?.code).toBe(1);
      const stderr = failure?.stderr ?? '';
      // Without ScheduleModule: the module's own error, thrown from the bundle.
      expect(stderr).toContain('needs SchedulerRegistry');
      // Logged too, without claiming to have told a systemd there is none (no NOTIFY_SOCKET).
      expect(stderr).toMatch(
        /SystemdModule failed to start \(SystemdModule needs SchedulerRegistry/,
      );
      expect(stderr).not.toContain('systemd told why');
      expect(stderr).toMatch(/dist\/index\.c?js:\d+/);
      expect(Math.max(...stderr.split('\n').map((line) => line.length))).toBeLessThan(1000);
    },
  );
});
