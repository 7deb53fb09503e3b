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

function findEntry(dir: string): string {
  const nestCliPath = join(dir, 'nest-cli.json');
  const nestCli = existsSync(nestCliPath) ? readJson(nestCliPath) : {};
  // Nest's own defaults (@nestjs/cli, lib/configuration/defaults.ts).
  const sourceRoot = stringField(nestCli, 'sourceRoot') ?? 'src';
  const entryFile = stringField(nestCli, 'entryFile') ?? 'main';
  const tsconfigName =
    stringField(nestCli.compilerOptions, 'tsConfigPath') ??
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
    ),
  );
}

function checkEntry(dir: string, entry: string): string {
  const path = isAbsolute(entry) ? entry : resolve(dir, entry);
  let isFile = false;
  try {
    isFile = statSync(path).isFile();
  } catch {
    // Reported below.
  }
  if (!isFile) throw new CliError(cliMessages.entryMissing(path));
  if (!['.js', '.mjs', '.cjs'].includes(extname(path))) {
    throw new CliError(cliMessages.entryNotJs(path));
  }
  return path;
}

/**
 * Reads the app in `dir`: package.json (required), and the built entry, `entry` if given
 * (relative to `dir`), else found as `nest start` finds it. Throws a {@link CliError}.
 */
export function readAppProject(dir: string, entry?: string): AppProject {
  const packagePath = join(dir, 'package.json');
  if (!existsSync(packagePath)) throw new CliError(cliMessages.noPackageJson(dir));
  const packageJson = readJson(packagePath);
  const packageName = stringField(packageJson, 'name');
  const description = stringField(packageJson, 'description');
  return {
    dir,
    ...(packageName === undefined ? {} : { packageName }),
    ...(description === undefined ? {} : { description }),
    entry: entry === undefined ? findEntry(dir) : checkEntry(dir, entry),
  };
}
