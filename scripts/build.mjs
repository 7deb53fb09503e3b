#!/usr/bin/env node
// Builds the published dist/ in two steps:
//
// 1. tsc compiles lib/ into build/tsc/, one file per source with its source map, and the
//    declarations into build/types/. tsc, not the bundler, compiles TypeScript: Nest's
//    injection reads the `design:paramtypes` metadata that only tsc (and SWC) emit.
// 2. Rollup bundles that output twice, as ES modules (dist/*.js) and as CommonJS
//    (dist/*.cjs): one file per entry point (index, protocol, testing, journal, activation,
//    credentials), plus one chunk per part of the protocol layer that several entry points
//    share (see `sharedLayer`). Rollup, rather than a faster bundler, because it splits shared
//    code in the CommonJS output too: an app that imports both `nestjs-systemd` and
//    `nestjs-systemd/protocol` holds one copy of each class. Source maps chain back to
//    lib/*.ts.
//
// The declarations are copied twice: dist/types/ for `import` and dist/types-cjs/ (marked
// "type": "commonjs") for `require`, since TypeScript takes a .d.ts file's module format from
// the nearest package.json, and a CommonJS app compiled against ESM types fails with TS1479.
//
// The command-line tool (dist/cli.js) is bundled on its own, as an ES module only.
//
// Everything is written to build/dist/ first and moved into place at the end, so that a
// process starting the library meanwhile (a test, the bench) never finds half a dist/.
import { execFileSync } from 'node:child_process';
import { cp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { rollup } from 'rollup';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const TSC_OUT = join(ROOT, 'build', 'tsc');
const TYPES_OUT = join(ROOT, 'build', 'types');
const STAGED = join(ROOT, 'build', 'dist');
const DIST = join(ROOT, 'dist');

/** Entry points of the package, by the name of their bundle. */
const ENTRIES = {
  index: join(TSC_OUT, 'index.js'),
  protocol: join(TSC_OUT, 'protocol.js'),
  testing: join(TSC_OUT, 'testing', 'index.js'),
  journal: join(TSC_OUT, 'journal', 'index.js'),
  activation: join(TSC_OUT, 'activation', 'index.js'),
  credentials: join(TSC_OUT, 'credentials', 'index.js'),
};

/**
 * The chunk each folder of the protocol layer goes to: the journal, socket activation and
 * credentials each have their own, which only their entry point and `protocol` load (Rollup
 * names credentials' after its entry point, which is the whole layer: credentials.*); the rest
 * (sd_notify, the watchdog) is `protocol-layer`, which `index` loads too.
 */
const LAYER_OF_FOLDER = {
  journal: 'journal-layer',
  activation: 'activation-layer',
  credentials: 'credentials-layer',
};

/** @type {import('rollup').Plugin} */
const tscOutput = {
  name: 'tsc-output',
  /** Reads tsc's source map with each file, so that the bundle's maps point to lib/*.ts. */
  async load(id) {
    if (!id.startsWith(TSC_OUT)) return null;
    const code = await readFile(id, 'utf8');
    const map = await readFile(`${id}.map`, 'utf8');
    return { code: code.replace(/\n\/\/# sourceMappingURL=.*$/, ''), map };
  },
  /** Node's own way to the file's path and URL in CommonJS, instead of Rollup's browser-aware one. */
  resolveImportMeta(property, { format }) {
    if (format !== 'cjs') return null;
    if (property === 'filename') return '__filename';
    if (property === 'url') return "require('node:url').pathToFileURL(__filename).href";
    return null;
  },
};

/**
 * Puts the protocol entry's graph into one chunk per layer (`LAYER_OF_FOLDER`), rather than
 * letting Rollup cut it into a small chunk per combination of entry points: `nestjs-systemd`
 * then loads two files, itself and `protocol-layer`. `systemd.constants` goes with the
 * protocol layer too: socket activation's listener shares its logger context with the module,
 * and a chunk of its own would be a third file for every app.
 * @type {import('rollup').GetManualChunk}
 */
function sharedLayer(id, { getModuleInfo }) {
  const graph = new Set([ENTRIES.protocol, join(TSC_OUT, 'systemd.constants.js')]);
  for (const module of graph) {
    for (const imported of getModuleInfo(module)?.importedIds ?? []) {
      if (imported.startsWith(TSC_OUT)) graph.add(imported);
    }
  }
  if (!graph.has(id) || id === ENTRIES.protocol) return undefined;
  const folder = /** @type {keyof typeof LAYER_OF_FOLDER} */ (relative(TSC_OUT, id).split(sep)[0]);
  return LAYER_OF_FOLDER[folder] ?? 'protocol-layer';
}

/**
 * Minifies each library chunk, keeping class and function names (Nest's messages and stack
 * traces show them, and its injection names providers by class) and chaining the source map:
 * what Node parses at every start of an app shrinks by about half (about 1 ms of its
 * start-up). SWC is already here for Jest. Compressed as well as mangled: a tenth smaller
 * again, and Node compiles about 40 KB per ms here (its import 0.27 ms sooner). Top-level names
 * are renamed in both formats: SWC does so by itself only for an ES module, and a CommonJS
 * bundle's top level is the body of Node's module wrapper, as private as a module's.
 * @type {import('rollup').Plugin}
 */
const minify = {
  name: 'minify',
  async renderChunk(code, _chunk, { format }) {
    const { minify: swcMinify } = await import('@swc/core');
    const output = await swcMinify(code, {
      module: format === 'es',
      compress: { keep_classnames: true, keep_fnames: true, toplevel: true },
      mangle: { keep_classnames: true, keep_fnames: true, toplevel: true },
      sourceMap: true,
    });
    return { code: output.code, map: output.map };
  },
};

/**
 * Breaks the minified chunk into lines of about 200 characters (terser, printing only: no
 * compression, no renaming). On an uncaught error thrown from the library (a bootstrap
 * error such as a missing ScheduleModule, when the app's main() does not catch it), Node
 * prints the source line the error came from, and a one-line bundle printed 42 KB of it above
 * the message. SWC's own line-length option is a no-op. About 200 bytes more per bundle.
 *
 * It also writes any character outside ASCII as an escape (an ellipsis in a message): one such
 * character made Node decode the whole file as two-byte text before V8 parsed it, about half a
 * million instructions of every supervised start.
 * @type {import('rollup').Plugin}
 */
const lineBreaks = {
  name: 'line-breaks',
  async renderChunk(code, _chunk, { format }) {
    const { minify: print } = await import('terser');
    const output = await print(code, {
      compress: false,
      mangle: false,
      module: format === 'es',
      format: { max_line_len: 200, comments: false, ascii_only: true },
      sourceMap: { asObject: true },
    });
    if (output.code === undefined) throw new Error('terser printed nothing');
    return { code: output.code, map: /** @type {import('rollup').SourceMapInput} */ (output.map) };
  },
};

/** Packages and Node's built-ins stay imports; only the library's own files are bundled. */
const external = (/** @type {string} */ id) => !id.startsWith('.') && !isAbsolute(id);

/**
 * A source's path in a map as seen from dist/, where the bundles end up, rather than from
 * build/dist/, where they are written (one directory deeper).
 * @param {string} source relative to the staged bundle
 */
const fromDist = (source) => relative(DIST, resolve(STAGED, source));

/** @param {string[]} args */
function tsc(...args) {
  const bin = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  execFileSync(process.execPath, [bin, '-p', 'tsconfig.build.json', ...args], {
    cwd: ROOT,
    stdio: 'inherit',
  });
}

await rm(join(ROOT, 'build'), { recursive: true, force: true });
// The code without its comments (a third less for Node to read at every start: about 1 ms),
// the declarations with them (they carry the TSDoc that editors show).
tsc('--removeComments', '--declaration', 'false');
tsc('--emitDeclarationOnly', '--declarationDir', TYPES_OUT);

const bundle = await rollup({
  input: ENTRIES,
  external,
  plugins: [tscOutput],
  onwarn(warning) {
    // tsc's decorator helpers start with `this && this.__decorate`, harmless in a module.
    if (warning.code === 'THIS_IS_UNDEFINED') return;
    throw new Error(`rollup: ${warning.message}`);
  },
});
await Promise.all(
  /** @type {const} */ ([
    ['es', 'js'],
    ['cjs', 'cjs'],
  ]).map(([format, extension]) =>
    bundle.write({
      dir: STAGED,
      format,
      entryFileNames: `[name].${extension}`,
      chunkFileNames: `[name].${extension}`,
      manualChunks: sharedLayer,
      // Short names for what the chunks export to each other, as Rollup gives by default only
      // in ES modules (entry points keep their public names); with the line above, the
      // CommonJS bundles an app parses at start are a tenth smaller, as small as the ES ones.
      minifyInternalExports: true,
      exports: 'named',
      sourcemap: true,
      sourcemapPathTransform: fromDist,
      plugins: [minify, lineBreaks],
    }),
  ),
);
await bundle.close();

// A program, not an entry point to share classes with: nothing in common with the chunks above.
const cli = await rollup({
  input: { cli: join(TSC_OUT, 'cli', 'main.js') },
  external,
  plugins: [tscOutput],
  onwarn(warning) {
    throw new Error(`rollup: ${warning.message}`);
  },
});
await cli.write({
  dir: STAGED,
  format: 'es',
  entryFileNames: '[name].js',
  sourcemap: true,
  sourcemapPathTransform: fromDist,
});
await cli.close();

await cp(TYPES_OUT, join(STAGED, 'types'), { recursive: true });
await cp(TYPES_OUT, join(STAGED, 'types-cjs'), { recursive: true });
await writeFile(join(STAGED, 'types-cjs', 'package.json'), '{ "type": "commonjs" }\n');

await rm(DIST, { recursive: true, force: true });
await rename(STAGED, DIST);
