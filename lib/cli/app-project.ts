// What `nestjs-systemd unit` learns from the app's folder: its name, and its built entry found
// the way `nest start` finds it (nest-cli.json's sourceRoot and entryFile under tsconfig's outDir).
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, extname, isAbsolute, join, relative, resolve } from 'node:path';
import { cliMessages } from './cli.messages.js';

/** An error of the command line: its message is printed as it is, then it exits with `exitCode`. */
export class CliError extends Error {
  override readonly name = 'CliError';

  constructor(
    message: string,
    /** 2 for a wrong command line, 1 for anything else. */
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

/** The app as its folder describes it. */
export interface AppProject {
  /** The app's folder, absolute. */
  readonly dir: string;
  /** package.json `name`. */
  readonly packageName?: string;
  /** package.json `description`. */
  readonly description?: string;
  /** The built entry on this machine, absolute. */
  readonly entry: string;
  /** In a Nest CLI monorepo (nest-cli.json `monorepo: true`), which of its apps this is. */
  readonly monorepo?: MonorepoApp;
}

/** An application of a Nest CLI monorepo, as nest-cli.json's `projects` describe it. */
export interface MonorepoApp {
  /** Its name in `projects`: the one `--project` chose, else the default one, if it has a name. */
  readonly name: string | undefined;
  /** Whether `--project` chose it; else the monorepo's default (top-level) settings apply. */
  readonly chosen: boolean;
  /** Every application in `projects` (libraries left out), in nest-cli.json's order. */
  readonly applications: readonly string[];
}

function reason(error: unknown): string {
  const message = (error as { message?: unknown } | null)?.message;
  return typeof message === 'string' ? message : String(error);
}

/** Removes what JSON.parse rejects from a string-aware scan of `text`: `pass` decides per character. */
function scan(text: string, pass: (text: string, i: number) => number | undefined): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    if (text[i] === '"') {
      let end = i + 1;
      while (end < text.length && text[end] !== '"') end += text[end] === '\\' ? 2 : 1;
      out += text.slice(i, end + 1);
      i = end + 1;
      continue;
    }
    const skipTo = pass(text, i);
    if (skipTo === undefined) {
      out += text[i];
      i += 1;
    } else {
      i = skipTo;
    }
  }
  return out;
}

/** JSON with comments and trailing commas, as tsconfig.json and nest-cli.json may be written. */
export function parseJsonc(text: string): unknown {
  const withoutComments = scan(text, (source, i) => {
    if (source.startsWith('//', i)) {
      const end = source.indexOf('\n', i);
      return end < 0 ? source.length : end;
    }
    if (source.startsWith('/*', i)) {
      const end = source.indexOf('*/', i + 2);
      return end < 0 ? source.length : end + 2;
    }
    return undefined;
  });
  const withoutTrailingCommas = scan(withoutComments, (source, i) =>
    source[i] === ',' && /^\s*[}\]]/.test(source.slice(i + 1)) ? i + 1 : undefined,
  );
  return JSON.parse(withoutTrailingCommas);
}

function readJson(path: string): Record<string, unknown> {
  try {
    const value = parseJsonc(readFileSync(path, 'utf8'));
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  } catch (error) {
    throw new CliError(cliMessages.unreadableJson(path, reason(error)));
  }
}

function stringField(object: unknown, key: string): string | undefined {
  const value = (object as Record<string, unknown> | undefined)?.[key];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** compilerOptions.outDir of a tsconfig, following relative `extends`; absolute, or undefined. */
function tsconfigOutDir(path: string, depth = 0): string | undefined {
  if (depth > 10 || !existsSync(path)) return undefined;
  const config = readJson(path);
  const outDir = stringField(config.compilerOptions, 'outDir');
  if (outDir !== undefined) return resolve(dirname(path), outDir);
  const bases = Array.isArray(config.extends) ? config.extends : [config.extends];
  // A later base overrides an earlier one. Package bases (@tsconfig/node20) set no outDir.
  for (const base of bases.toReversed()) {
    if (typeof base !== 'string' || !base.startsWith('.')) continue;
    const basePath = resolve(dirname(path), base);
    const found = tsconfigOutDir(
      existsSync(basePath) || basePath.endsWith('.json') ? basePath : `${basePath}.json`,
      depth + 1,
    );
    if (found !== undefined) return found;
  }
  return undefined;
}

type Settings = Record<string, unknown>;

/** nest-cli.json's `projects`, applications only, by name. */
function applications(nestCli: Settings): Map<string, Settings> {
  const projects = nestCli.projects;
  const found = new Map<string, Settings>();
  if (typeof projects !== 'object' || projects === null) return found;
  for (const [name, project] of Object.entries(projects as Settings)) {
    const settings = typeof project === 'object' && project !== null ? (project as Settings) : {};
    // The CLI writes `type` for every project; a project without one is taken as an app.
    if ((settings.type ?? 'application') === 'application') found.set(name, settings);
  }
  return found;
}

/**
 * A setting as `nest build <project>` reads it: the project's own, else the top-level one
 * (@nestjs/cli, lib/compiler/helpers/get-value-or-default.ts).
 */
function setting(
  nestCli: Settings,
  project: Settings | undefined,
  ...path: string[]
): string | undefined {
  const read = (from: unknown): string | undefined => {
    const value = path.reduce<unknown>((at, key) => (at as Settings | undefined)?.[key], from);
    return typeof value === 'string' && value !== '' ? value : undefined;
  };
  return read(project) ?? read(nestCli);
}

/** The monorepo's project `name`, or a {@link CliError} naming those there are. */
function chosenProject(nestCli: Settings, nestCliPath: string, name: string): Settings {
  const apps = applications(nestCli);
  const project = apps.get(name);
  if (project !== undefined) return project;
  const projects = nestCli.projects;
  const isLibrary =
    typeof projects === 'object' && projects !== null && Object.hasOwn(projects, name);
  throw new CliError(cliMessages.noSuchProject(name, nestCliPath, [...apps.keys()], isLibrary), 2);
}

/** The default project's name: the application whose sourceRoot is the top-level one. */
function defaultProjectName(nestCli: Settings): string | undefined {
  const sourceRoot = stringField(nestCli, 'sourceRoot');
  for (const [name, project] of applications(nestCli)) {
    if (sourceRoot !== undefined && stringField(project, 'sourceRoot') === sourceRoot) return name;
  }
  return undefined;
}

/** `project`: a monorepo's app that `--project` named, by its name and settings. */
function findEntry(
  dir: string,
  nestCli: Settings,
  build: string,
  project?: { name: string; settings: Settings },
): string {
  const nestCliPath = join(dir, 'nest-cli.json');
  // Nest's own defaults (@nestjs/cli, lib/configuration/defaults.ts).
  const sourceRoot = setting(nestCli, project?.settings, 'sourceRoot') ?? 'src';
  const entryFile = setting(nestCli, project?.settings, 'entryFile') ?? 'main';
  const tsconfigName =
    setting(nestCli, project?.settings, 'compilerOptions', 'tsConfigPath') ??
    ['tsconfig.build.json', 'tsconfig.json'].find((name) => existsSync(join(dir, name)));
  const outDir =
    (tsconfigName === undefined ? undefined : tsconfigOutDir(join(dir, tsconfigName))) ??
    join(dir, 'dist');
  // As `nest start` does: <outDir>/<sourceRoot>/<entryFile>.js, else <outDir>/<entryFile>.js.
  const candidates = [
    ...new Set([join(outDir, sourceRoot, `${entryFile}.js`), join(outDir, `${entryFile}.js`)]),
  ];
  const entry = candidates.find((candidate) => existsSync(candidate));
  if (entry !== undefined) return entry;
  const from =
    `sourceRoot "${sourceRoot}" and entryFile "${entryFile}"` +
    (existsSync(nestCliPath) ? ' from nest-cli.json' : ", Nest's defaults") +
    `, outDir "${relative(dir, outDir)}"` +
    (tsconfigName === undefined ? '' : ` from ${tsconfigName}`);
  throw new CliError(
    cliMessages.noEntry(
      candidates.map((candidate) => relative(dir, candidate)),
      from,
      // The build script builds a monorepo's default app only.
      project === undefined ? build : `nest build ${project.name}`,
    ),
  );
}

function checkEntry(dir: string, entry: string, build: string): string {
  const path = isAbsolute(entry) ? entry : resolve(dir, entry);
  let isFile = false;
  try {
    isFile = statSync(path).isFile();
  } catch {
    // Reported below.
  }
  if (!isFile) throw new CliError(cliMessages.entryMissing(path, build));
  if (!['.js', '.mjs', '.cjs'].includes(extname(path))) {
    throw new CliError(cliMessages.entryNotJs(path));
  }
  return path;
}

/**
 * The monorepo above `dir` that has `dir` as a project's root, for the error of a `--app` that
 * points into one: the folder to run in, and the project's name.
 */
function monorepoAbove(dir: string): { root: string; project: string } | undefined {
  for (let root = dirname(dir); root !== dirname(root); root = dirname(root)) {
    const nestCliPath = join(root, 'nest-cli.json');
    if (!existsSync(nestCliPath)) continue;
    let nestCli: Settings;
    try {
      nestCli = readJson(nestCliPath);
    } catch {
      return undefined;
    }
    for (const [project, settings] of applications(nestCli)) {
      const projectRoot = stringField(settings, 'root');
      if (projectRoot !== undefined && resolve(root, projectRoot) === dir) return { root, project };
    }
    return undefined;
  }
  return undefined;
}

/**
 * Reads the app in `dir`: package.json (required), and the built entry, `entry` if given
 * (relative to `dir`), else found as `nest start` finds it; in a Nest CLI monorepo, for
 * `project` (a name in nest-cli.json's `projects`) or else the default project, as
 * `nest start [project]` does. Throws a {@link CliError}; `build`, the app's build command
 * (`npm run build`, `yarn build`), is what its messages ask to run.
 */
export function readAppProject(
  dir: string,
  entry?: string,
  project?: string,
  build = 'npm run build',
): AppProject {
  const packagePath = join(dir, 'package.json');
  if (!existsSync(packagePath)) {
    const monorepo = monorepoAbove(dir);
    throw new CliError(
      monorepo === undefined
        ? cliMessages.noPackageJson(dir)
        : cliMessages.projectFolder(dir, monorepo.root, monorepo.project),
    );
  }
  const packageJson = readJson(packagePath);
  const packageName = stringField(packageJson, 'name');
  const description = stringField(packageJson, 'description');
  const nestCliPath = join(dir, 'nest-cli.json');
  // Not read for an --entry alone, which needs nothing of it.
  const needed = entry === undefined || project !== undefined;
  const nestCli = needed && existsSync(nestCliPath) ? readJson(nestCliPath) : {};
  if (project !== undefined && !existsSync(nestCliPath)) {
    throw new CliError(cliMessages.projectWithoutNestCli(project, dir), 2);
  }
  const chosen =
    project === undefined
      ? undefined
      : { name: project, settings: chosenProject(nestCli, nestCliPath, project) };
  const monorepo: MonorepoApp | undefined =
    nestCli.monorepo === true || chosen !== undefined
      ? {
          name: chosen?.name ?? defaultProjectName(nestCli),
          chosen: chosen !== undefined,
          applications: [...applications(nestCli).keys()],
        }
      : undefined;
  return {
    dir,
    ...(packageName === undefined ? {} : { packageName }),
    ...(description === undefined ? {} : { description }),
    entry:
      entry === undefined ? findEntry(dir, nestCli, build, chosen) : checkEntry(dir, entry, build),
    ...(monorepo === undefined ? {} : { monorepo }),
  };
}
