// The consumer apps of the packaging test, each created in a temp folder the way its kind of
// user has it: the same production-shaped sources (./app), its own package.json, tsconfig and
// package manager, and the packed tarball as a dependency.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, readFile, readdir, realpath, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { unixDgramDir } from './node-runtimes.mjs';
import { runAsync } from './processes.mjs';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const HERE = fileURLToPath(new URL('.', import.meta.url));
const APP_SOURCES = join(HERE, 'app');
const USER_TSCONFIG = join(ROOT, 'test', 'user-app.tsconfig.json');
const STARTER = join(HERE, 'starter');
/** The repo's own TypeScript, for the ESM app. */
export const REPO_TYPESCRIPT = join(ROOT, 'node_modules', 'typescript');

/**
 * The `jest` block of the Nest starter's package.json, unchanged: nestjs/typescript-starter at
 * c4d9330 (Nest 11) and fbe788c (Nest 10) have the same one.
 */
const STARTER_JEST = {
  moduleFileExtensions: ['js', 'json', 'ts'],
  rootDir: 'src',
  testRegex: '.*\\.spec\\.ts$',
  transform: { '^.+\\.(t|j)s$': 'ts-jest' },
  collectCoverageFrom: ['**/*.(t|j)s'],
  coverageDirectory: '../coverage',
  testEnvironment: 'node',
};

/**
 * @typedef {object} Compile
 * @property {string} typescript the installed package holding tsc (REPO_TYPESCRIPT: the repo's)
 * @property {string} project
 * @property {string} what what the tsconfig is, for the output
 */

/**
 * @typedef {object} AppSpec
 * @property {string} name
 * @property {'module' | 'commonjs'} type
 * @property {'npm' | 'pnpm' | 'yarn'} manager (yarn: see yarn-pnp.mjs)
 * @property {Record<string, string>} dependencies besides nestjs-systemd
 * @property {Record<string, string>} devDependencies
 * @property {Record<string, string>} config files copied into the app: its name → the source
 * @property {string[]} overrides folders whose files replace ./app's of the same name
 * @property {boolean} extensionless relative imports without `.js`, as `nest new` writes them
 *   (and as Jest's resolver needs them under the starter's unchanged config)
 * @property {boolean} jest the README's Jest spec runs: in a CommonJS app under the starter's
 *   `jest` block, as src/app.module.spec.ts; in an ES module app under the README's ESM `jest`
 *   block, as test/app.module.spec.ts (outside what tsc compiles)
 * @property {boolean} [vitest] the same spec also runs under Vitest, set up as Nest's SWC recipe
 *   says (unplugin-swc), in its default pool and in the 'threads' pool (see run-pack-test.mjs)
 * @property {Compile[]} compiles in order; the first emits dist/
 * @property {string[]} [onlyBuiltDependencies] pnpm's allow list for install scripts
 * @property {'supervised' | 'unbuilt'} boot the check its boot gets (see boot.mjs)
 * @property {boolean} [microservice] its src/micro.ts (a TCP microservice) boots too, and its
 *   addon is first tried under each Node it was not built for (see boot.mjs)
 * @property {boolean} everyNode booted under every Node version, or this one only
 * @property {{ '@nestjs/core': string, '@nestjs/schedule': string, '@nestjs/terminus': string }} majors
 * @property {string} loadTesting a script proving `nestjs-systemd/testing` loads in this format
 */

const NEST11 = {
  '@nestjs/common': '^11.0.0',
  '@nestjs/core': '^11.0.0',
  '@nestjs/platform-express': '^11.0.0',
  // @nestjs/schedule 6 is the major that pairs with Nest 11.
  '@nestjs/schedule': '^6.0.0',
  '@nestjs/terminus': '^11.0.0',
  'reflect-metadata': '^0.2.2',
  rxjs: '^7.8.1',
};

/** The Nest 11 starter's test tools: Jest 29 + ts-jest. */
const NEST11_JEST = {
  '@nestjs/testing': '^11.0.1',
  '@types/jest': '^29.5.14',
  '@types/node': '^22.10.7',
  jest: '^29.7.0',
  'ts-jest': '^29.2.5',
};

const REQUIRE_TESTING =
  "const { NotifyListener } = require('nestjs-systemd/testing'); if (typeof NotifyListener.start !== 'function') process.exit(1);";

/** The Nest 11 starter's tsconfig files, plus the same with classic node10 resolution. */
const NEST11_CONFIG = {
  'tsconfig.json': join(STARTER, 'nest11', 'tsconfig.json'),
  'tsconfig.build.json': join(STARTER, 'nest11', 'tsconfig.build.json'),
  'tsconfig.node10.json': join(STARTER, 'tsconfig.node10.json'),
};

/**
 * What `nest new` writes today (@nestjs/schematics 11.1.0, its application template with the
 * CLI's default `--strict false`): the starter's tsconfig plus `strictNullChecks`.
 */
const NEST11_CLI_CONFIG = {
  'tsconfig.json': join(STARTER, 'nest11-cli', 'tsconfig.json'),
  'tsconfig.build.json': join(STARTER, 'nest11-cli', 'tsconfig.build.json'),
};

const STARTER_BUILD = {
  typescript: 'typescript',
  project: 'tsconfig.build.json',
  what: "the starter's (nodenext, CommonJS): dist/",
};

/** What the two pnpm apps share: the Nest 11 starter, built, booted under this Node only. */
const PNPM_NEST11 = /** @type {const} */ ({
  type: 'commonjs',
  manager: 'pnpm',
  dependencies: NEST11,
  devDependencies: { '@types/node': '^22.10.7', typescript: '~5.7.3' },
  config: NEST11_CONFIG,
  overrides: [],
  extensionless: true,
  jest: false,
  compiles: [STARTER_BUILD],
  everyNode: false,
  majors: { '@nestjs/core': '11', '@nestjs/schedule': '6', '@nestjs/terminus': '11' },
  loadTesting: REQUIRE_TESTING,
});

/** @type {AppSpec[]} */
export const APPS = [
  {
    name: 'esm-nest12',
    type: 'module',
    manager: 'npm',
    dependencies: {
      '@nestjs/common': '^12.0.0',
      '@nestjs/core': '^12.0.0',
      '@nestjs/platform-express': '^12.0.0',
      '@nestjs/schedule': '^12.0.0',
      '@nestjs/terminus': '^12.0.0',
      'reflect-metadata': '^0.2.0',
      rxjs: '^7.8.0',
    },
    devDependencies: {
      '@nestjs/testing': '^12.0.0',
      '@swc/core': '^1.16.0',
      '@swc/jest': '^0.2.39',
      '@types/node': '^20.19.0',
      jest: '^30.0.0',
    },
    // The tsconfig of a typical user app: with package.json "type", nodenext emits ESM or
    // CommonJS from the same sources.
    config: { 'tsconfig.json': USER_TSCONFIG },
    overrides: [],
    extensionless: false,
    jest: true,
    compiles: [
      {
        typescript: REPO_TYPESCRIPT,
        project: 'tsconfig.json',
        what: 'test/user-app.tsconfig.json (nodenext, ESM): dist/',
      },
    ],
    boot: 'supervised',
    everyNode: true,
    majors: { '@nestjs/core': '12', '@nestjs/schedule': '12', '@nestjs/terminus': '12' },
    loadTesting:
      "import { NotifyListener } from 'nestjs-systemd/testing'; if (typeof NotifyListener.start !== 'function') process.exit(1);",
  },
  {
    // A Nest 11 app as `nest new` generates it (nestjs/typescript-starter at c4d9330): CommonJS,
    // the starter's tsconfig, TypeScript at its lockfile's 5.7.3, Jest 29 + ts-jest.
    name: 'cjs-nest11',
    type: 'commonjs',
    manager: 'npm',
    dependencies: NEST11,
    devDependencies: {
      ...NEST11_JEST,
      typescript: '~5.7.3',
      'typescript-5.8': 'npm:typescript@~5.8.0',
      // What `nest new` installs today from the starter's ^5.7.3.
      'typescript-5.9': 'npm:typescript@~5.9.0',
    },
    config: NEST11_CONFIG,
    overrides: [],
    extensionless: true,
    jest: true,
    compiles: [
      STARTER_BUILD,
      { typescript: 'typescript', project: 'tsconfig.json', what: "the starter's, spec included" },
      {
        typescript: 'typescript',
        project: 'tsconfig.node10.json',
        what: 'moduleResolution node + module commonjs: nestjs-systemd and nestjs-systemd/testing',
      },
      {
        typescript: 'typescript-5.8',
        project: 'tsconfig.json',
        what: "the starter's, spec included",
      },
      {
        typescript: 'typescript-5.8',
        project: 'tsconfig.node10.json',
        what: 'moduleResolution node + module commonjs: nestjs-systemd and nestjs-systemd/testing',
      },
      {
        typescript: 'typescript-5.9',
        project: 'tsconfig.json',
        what: "the starter's, spec included",
      },
    ],
    boot: 'supervised',
    everyNode: true,
    majors: { '@nestjs/core': '11', '@nestjs/schedule': '6', '@nestjs/terminus': '11' },
    loadTesting: REQUIRE_TESTING,
  },
  {
    // A Nest 11 app as `nest new` generates it today (@nestjs/schematics 11.1.0): the same
    // CommonJS app with strictNullChecks, Jest 30 + ts-jest, TypeScript at the newest 5.x; and
    // Vitest beside Jest, as a team that follows Nest's SWC recipe has it.
    name: 'cjs-nest11-cli',
    type: 'commonjs',
    manager: 'npm',
    dependencies: NEST11,
    devDependencies: {
      '@nestjs/testing': '^11.0.1',
      '@swc/core': '^1.16.0',
      '@types/jest': '^30.0.0',
      '@types/node': '^22.10.7',
      jest: '^30.0.0',
      'ts-jest': '^29.2.5',
      typescript: '^5.7.3',
      'unplugin-swc': '^2.0.0',
      vitest: '^4.1.0',
    },
    config: NEST11_CLI_CONFIG,
    overrides: [],
    extensionless: true,
    jest: true,
    vitest: true,
    compiles: [
      { ...STARTER_BUILD, what: "the CLI's (nodenext, CommonJS, strictNullChecks): dist/" },
      { typescript: 'typescript', project: 'tsconfig.json', what: "the CLI's, spec included" },
    ],
    boot: 'supervised',
    everyNode: false,
    majors: { '@nestjs/core': '11', '@nestjs/schedule': '6', '@nestjs/terminus': '11' },
    loadTesting: REQUIRE_TESTING,
  },
  {
    // A Nest 10 app as the Nest 10 starter had it (nestjs/typescript-starter at fbe788c):
    // CommonJS with `module: commonjs` (so node10 resolution), TypeScript at its lockfile's
    // 5.3.3, Jest 29 + ts-jest; Nest 10.4.8+ (the first with HttpAdapterHost.listen$),
    // @nestjs/schedule 4 and Terminus 10, whose indicators are HealthIndicator subclasses.
    name: 'cjs-nest10',
    type: 'commonjs',
    manager: 'npm',
    dependencies: {
      '@nestjs/common': '^10.4.8',
      '@nestjs/core': '^10.4.8',
      '@nestjs/microservices': '^10.4.8',
      '@nestjs/platform-express': '^10.4.8',
      '@nestjs/schedule': '^4.1.0',
      '@nestjs/terminus': '^10.0.0',
      'reflect-metadata': '^0.2.1',
      rxjs: '^7.8.1',
    },
    devDependencies: {
      '@nestjs/testing': '^10.4.8',
      '@types/jest': '^29.5.12',
      '@types/node': '^20.11.16',
      jest: '^29.7.0',
      'ts-jest': '^29.1.2',
      typescript: '~5.3.3',
    },
    config: {
      'tsconfig.json': join(STARTER, 'nest10', 'tsconfig.json'),
      'tsconfig.build.json': join(STARTER, 'nest10', 'tsconfig.build.json'),
    },
    overrides: [join(HERE, 'app-terminus10')],
    extensionless: true,
    jest: true,
    compiles: [
      {
        typescript: 'typescript',
        project: 'tsconfig.build.json',
        what: "the starter's (module commonjs, node10 resolution): dist/",
      },
      { typescript: 'typescript', project: 'tsconfig.json', what: "the starter's, spec included" },
    ],
    boot: 'supervised',
    microservice: true,
    everyNode: true,
    majors: { '@nestjs/core': '10', '@nestjs/schedule': '4', '@nestjs/terminus': '10' },
    loadTesting: REQUIRE_TESTING,
  },
  {
    // The Nest 11 starter app installed with pnpm 10, unix-dgram's build allowed as the README says.
    ...PNPM_NEST11,
    name: 'pnpm-nest11',
    onlyBuiltDependencies: ['unix-dgram'],
    boot: 'supervised',
  },
  {
    // The same without onlyBuiltDependencies: pnpm 10 skips unix-dgram's install script.
    ...PNPM_NEST11,
    name: 'pnpm-nest11-unbuilt',
    boot: 'unbuilt',
  },
];

/**
 * The Nest 11 starter app installed by Yarn 4 with Plug'n'Play (see yarn-pnp.mjs), booted under
 * this Node only: not in APPS, whose checks read node_modules.
 * @type {AppSpec}
 */
export const YARN_PNP_APP = {
  name: 'yarn-pnp-nest11',
  type: 'commonjs',
  manager: 'yarn',
  dependencies: NEST11,
  devDependencies: {
    ...NEST11_JEST,
    // ts-jest 29 requires it without declaring it, which Plug'n'Play refuses.
    'jest-util': '^29.7.0',
    // As the README says: Yarn builds the addon with the app's own node-gyp; 12 runs on Node
    // 20.17 and later (13 needs 22.22).
    'node-gyp': '^12.0.0',
    typescript: '~5.8.0',
  },
  config: NEST11_CONFIG,
  overrides: [],
  extensionless: true,
  jest: true,
  compiles: [STARTER_BUILD],
  boot: 'supervised',
  everyNode: false,
  majors: { '@nestjs/core': '11', '@nestjs/schedule': '6', '@nestjs/terminus': '11' },
  loadTesting: REQUIRE_TESTING,
};

/** The same without dependenciesMeta: Yarn 4 builds no dependency unless told to. */
export const YARN_PNP_UNBUILT = {
  ...YARN_PNP_APP,
  name: 'yarn-pnp-nest11-unbuilt',
  jest: false,
  boot: /** @type {const} */ ('unbuilt'),
};

/** The first line of `// @ts-nocheck …` in an override, only there for the repo's own typecheck. */
const TS_NOCHECK = /^\/\/ @ts-nocheck.*\n/;
const RELATIVE_JS_IMPORT = /(from '\.{1,2}\/[^']*)\.js'/g;

/** @param {AppSpec} spec @param {string} dir */
async function writeSources(spec, dir) {
  /** @type {Map<string, string>} file name → its source, later folders winning */
  const sources = new Map();
  const folders = [APP_SOURCES, ...spec.overrides];
  const listings = await Promise.all(folders.map((folder) => readdir(folder)));
  for (const [index, names] of listings.entries()) {
    for (const name of names) sources.set(name, join(folders[index], name));
  }
  await mkdir(join(dir, 'src'), { recursive: true });
  const written = [...sources].map(async ([name, from]) => {
    let text = (await readFile(from, 'utf8')).replace(TS_NOCHECK, '');
    if (spec.extensionless) text = text.replaceAll(RELATIVE_JS_IMPORT, "$1'");
    await writeFile(join(dir, 'src', name), text);
  });
  const readme = await readmeBlocks();
  if (spec.type === 'commonjs') {
    // The README's CommonJS blocks, as users copy them: its main.ts beside the app's own
    // (compiled with the rest), its Jest spec as the app's spec.
    written.push(writeFile(join(dir, 'src', 'readme-main.ts'), readme['main.ts']));
    if (spec.jest) {
      written.push(writeFile(join(dir, 'src', 'app.module.spec.ts'), readme['app.module.spec.ts']));
    }
  } else if (spec.jest) {
    // The same spec in an ES module app, as the README says: the module imported with its
    // `.js` suffix, from test/ (tsc compiles src/ only, without Jest's types).
    await mkdir(join(dir, 'test'), { recursive: true });
    const esmSpec = readme['app.module.spec.ts'].replace(
      "from './app.module';",
      "from '../src/app.module.js';",
    );
    written.push(writeFile(join(dir, 'test', 'app.module.spec.ts'), esmSpec));
  }
  await Promise.all(written);
}

/** The README's files this test uses. */
const README_FILES = /** @type {const} */ ([
  'main.ts',
  'app.module.spec.ts',
  'jest.json',
  'vitest.config.mjs',
  '.yarnrc.yml',
]);

/**
 * The README's code blocks marked `<!-- readme-test: commonjs FILE -->` or
 * `<!-- readme-test: esm FILE -->`, by FILE; throws if one this test uses is missing.
 * @returns {Promise<Record<typeof README_FILES[number], string>>}
 */
async function readmeBlocks() {
  const readme = await readFile(join(ROOT, 'README.md'), 'utf8');
  const marked = /<!-- readme-test: (?:commonjs|esm) (\S+) -->\s*```\w+\n([\s\S]*?)\n```/g;
  const blocks = Object.fromEntries(
    [...readme.matchAll(marked)].map(([, file, code]) => [file, `${code}\n`]),
  );
  for (const file of README_FILES) {
    if (!blocks[file]) throw new Error(`README.md has no block marked "readme-test: … ${file}"`);
  }
  return /** @type {Record<typeof README_FILES[number], string>} */ (blocks);
}

/** @param {AppSpec} spec @param {string} dir @param {string} tarball */
export async function createApp(spec, dir, tarball) {
  await writeSources(spec, dir);
  /** @type {object | undefined} */
  let jest;
  if (spec.jest) {
    jest =
      spec.type === 'commonjs' ? STARTER_JEST : JSON.parse((await readmeBlocks())['jest.json']);
  }
  const packageJson = {
    name: `nestjs-systemd-pack-${spec.name}`,
    version: '0.0.1',
    private: true,
    // The starters have no "type": CommonJS.
    ...(spec.type === 'module' ? { type: 'module' } : {}),
    dependencies: { ...spec.dependencies, 'nestjs-systemd': `file:${tarball}` },
    devDependencies: spec.devDependencies,
    // What the README tells users to allow: unix-dgram's native build.
    ...(spec.manager === 'npm' ? { allowScripts: { 'unix-dgram': true } } : {}),
    ...(spec.onlyBuiltDependencies
      ? { pnpm: { onlyBuiltDependencies: spec.onlyBuiltDependencies } }
      : {}),
    // Yarn 4 builds no dependency unless told to, and needs node-gyp from the app to build it.
    ...(spec.manager === 'yarn' && spec.boot !== 'unbuilt'
      ? { dependenciesMeta: { 'unix-dgram': { built: true } } }
      : {}),
    ...(jest ? { jest } : {}),
  };
  await writeFile(join(dir, 'package.json'), `${JSON.stringify(packageJson, null, 2)}\n`);
  // The README's Vitest config, and its Yarn settings, as users copy them.
  if (spec.vitest) {
    await writeFile(join(dir, 'vitest.config.mjs'), (await readmeBlocks())['vitest.config.mjs']);
  }
  if (spec.manager === 'yarn') {
    await writeFile(join(dir, '.yarnrc.yml'), (await readmeBlocks())['.yarnrc.yml']);
  }
  await Promise.all(
    Object.entries(spec.config).map(([name, from]) => copyFile(from, join(dir, name))),
  );
}

/**
 * Installs the app's dependencies; returns a note on how, when it matters.
 * @param {AppSpec} spec @param {string} dir @param {{ pnpm: string, pnpmStore: string }} tools
 */
export async function installApp(spec, dir, tools) {
  if (spec.manager === 'pnpm') {
    const result = await runAsync(
      process.execPath,
      [tools.pnpm, 'install', '--store-dir', tools.pnpmStore, '--no-frozen-lockfile'],
      { cwd: dir },
    );
    const ignored = /Ignored build scripts: ([^\n]*?)\.?\s*│?\n/.exec(result.output)?.[1];
    return ignored ? `pnpm ignored the build scripts of ${ignored}` : 'pnpm ran the build scripts';
  }
  const args = ['install', '--no-audit', '--no-fund', '--prefer-offline'];
  // Plain npm install: a peerDependencies conflict (ERESOLVE) fails the app, as it would fail a user.
  const first = await runAsync('npm', args, { cwd: dir, allowFailure: true });
  if (first.code === 0) return 'npm install';
  throw new Error(`npm install failed:\n${first.output}`);
}

/** @param {string} dir @param {string} pkg */
export async function installedVersion(dir, pkg) {
  const path = join(dir, 'node_modules', ...pkg.split('/'), 'package.json');
  return /** @type {string} */ (JSON.parse(await readFile(path, 'utf8')).version);
}

/**
 * The versions of `pkg` npm installed anywhere in the tree.
 * @param {string} dir @param {string} pkg
 */
function npmVersions(dir, pkg) {
  // `npm ls` exits non-zero when a peer range is not met (the Nest 10 app): the tree is still right.
  const { stdout } = spawnSync('npm', ['ls', '--all', '--json', pkg], {
    cwd: dir,
    encoding: 'utf8',
  });
  const versions = new Set();
  const visit = (/** @type {{ dependencies?: Record<string, { version: string }> }} */ node) => {
    for (const [name, child] of Object.entries(node.dependencies ?? {})) {
      if (name === pkg) versions.add(child.version);
      visit(child);
    }
  };
  visit(JSON.parse(stdout));
  return [...versions];
}

/** Packages the library shares with the app: one copy each, or Nest sees two worlds. */
const SHARED = ['@nestjs/common', '@nestjs/core', '@nestjs/schedule'];

/**
 * Checks the install: the expected majors, one copy of Nest and Terminus (npm), the app's own
 * Nest resolved from inside the library (npm and pnpm), unix-dgram's addon built or not as the
 * package manager was told. Returns the versions found.
 * @param {AppSpec} spec @param {string} dir
 */
export async function checkInstall(spec, dir) {
  const majors = Object.entries(spec.majors);
  const versions = await Promise.all(majors.map(([pkg]) => installedVersion(dir, pkg)));
  /** @type {string[]} */
  const found = [];
  for (const [index, [pkg, major]] of majors.entries()) {
    if (versions[index].split('.')[0] !== major) {
      throw new Error(`expected ${pkg} ${major}.x, found ${versions[index]}`);
    }
    found.push(`${pkg.replace('@nestjs/', '')} ${versions[index]}`);
  }
  if (spec.manager === 'npm') {
    for (const pkg of ['@nestjs/core', '@nestjs/terminus']) {
      const copies = npmVersions(dir, pkg);
      if (copies.length !== 1) throw new Error(`expected one ${pkg}, found ${copies}`);
    }
  }
  const fromApp = createRequire(join(dir, 'package.json'));
  const fromLibrary = createRequire(await realpath(fromApp.resolve('nestjs-systemd')));
  const resolved = await Promise.all(
    SHARED.map((pkg) =>
      Promise.all([realpath(fromApp.resolve(pkg)), realpath(fromLibrary.resolve(pkg))]),
    ),
  );
  for (const [index, [own, library]] of resolved.entries()) {
    if (own !== library) {
      throw new Error(`nestjs-systemd resolves ${SHARED[index]} to ${library}, the app to ${own}`);
    }
  }
  const addonBuilt = existsSync(
    join(await unixDgramDir(dir), 'build', 'Release', 'unix_dgram.node'),
  );
  if (addonBuilt !== (spec.boot !== 'unbuilt')) {
    throw new Error(`unix-dgram's addon should ${addonBuilt ? 'not ' : ''}have been built`);
  }
  found.push(`unix-dgram addon ${addonBuilt ? 'built' : 'not built'}`);
  return found.join(', ');
}

/** The TypeScript a compile uses. @param {Compile} compile @param {string} dir */
export async function typescriptOf(compile, dir) {
  const typescript =
    compile.typescript === REPO_TYPESCRIPT
      ? REPO_TYPESCRIPT
      : join(dir, 'node_modules', compile.typescript);
  const { version } = JSON.parse(await readFile(join(typescript, 'package.json'), 'utf8'));
  return { tsc: join(typescript, 'bin', 'tsc'), version: /** @type {string} */ (version) };
}

/**
 * Type-checks the app with one TypeScript and tsconfig (emitting dist/ if the tsconfig does).
 * @param {Compile} compile @param {string} dir
 */
export async function compileApp(compile, dir) {
  const { tsc } = await typescriptOf(compile, dir);
  const result = await runAsync(process.execPath, [tsc, '-p', compile.project], {
    cwd: dir,
    allowFailure: true,
  });
  if (result.code !== 0) {
    throw new Error(`expected no errors, tsc exited with ${result.code}:\n${result.output}`);
  }
  return `${compile.what}: no errors`;
}
