// The command line around the unit generator: argv and the file system in, unit files out.
// `nestjs-systemd unit [options]`; see USAGE.
import { existsSync, mkdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { maskCredentials } from '../health/status-redaction.js';
import { CliError, readAppProject, type AppProject } from './app-project.js';
import { cliMessages } from './cli.messages.js';
import { addonProblem } from './native-addon.js';
import { packageManager, type PackageManager } from './package-manager.js';
import { generateUnits, type GeneratedUnit } from './unit-generator.js';
import { findYarnPnp, isEsModuleEntry } from './yarn-pnp.js';
import {
  UNIT_DEFAULTS,
  UnitOptionsError,
  unitNameFromPackageName,
  type UnitCredential,
  type UnitEnvironmentVariable,
  type UnitOptions,
} from './unit-options.js';

/** What the command reads from and writes to, besides the file system: real in bin, fake in tests. */
export interface CliIo {
  readonly cwd: string;
  /** The node binary running the command: the unit's default `ExecStart=` binary. */
  readonly execPath: string;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /**
   * The version of this machine's systemd (`systemctl --version`), or undefined where there is
   * none: asked only for `--reload`, whose `Type=notify-reload` systemd before 253 ignores.
   */
  readonly systemdVersion?: () => number | undefined;
  /**
   * The package manager that ran the command (`npm_config_user_agent`: `yarn/4.5.0 npm/? …`),
   * whose commands the header and the messages give: `npx` cannot run it in a Yarn
   * Plug'n'Play project, nor does a Yarn app build with `npm run build`.
   */
  readonly userAgent?: string;
}

export const USAGE = `Usage: nestjs-systemd unit [options]

Writes a systemd service unit for the NestJS app in the current folder (or --app DIR): node
started directly on the built entry, Type=notify, a health-gated watchdog, clean stops, and a
sandbox that systemd-analyze security rates SAFE. Every setting in it says why it is there.
Nothing is asked, and nothing is written when an option is wrong.

The app:
  --app DIR                the app's folder, with package.json (default: the current folder)
  --entry FILE             the built entry (default: found as \`nest start\` finds it, from
                           nest-cli.json and tsconfig: dist/main.js)
  --project NAME           in a Nest CLI monorepo, the app (nest-cli.json "projects") whose
                           entry to run, found as \`nest start NAME\` finds it (default: the
                           default project)
  --name NAME              the unit's name (default: --project, else package.json "name")
  --description TEXT       Description= (default: the name with --project, else package.json
                           "description", else the name)
  --node PATH              the node binary (default: the one running this command)
  --working-directory DIR  where the app is on the target host (default: --app); ExecStart=
                           runs the entry from there

Listening:
  --port N                 PORT for the app (default ${UNIT_DEFAULTS.port})
  --host ADDRESS           HOST for the app (default ${UNIT_DEFAULTS.host}, reachable through
                           loopback only)
  --socket                 also write NAME.socket: systemd binds the port and passes it
  --instances              template units NAME@.service and NAME@.socket (ReusePort=yes): several
                           instances on one port, restarted one at a time
  --no-port                no HTTP server (a microservice on a broker, a worker): no PORT or
                           HOST, traffic with localhost and --ip-allow only

Supervision:
  --watchdog-sec N         WatchdogSec= (default ${UNIT_DEFAULTS.watchdogSec}; 0 for none)
  --timeout-stop-sec N     TimeoutStopSec=, the time Nest's shutdown may take (default ${UNIT_DEFAULTS.timeoutStopSec})
  --reload                 Type=notify-reload (systemd 253+): \`systemctl reload\` sends SIGHUP
                           and waits for the app's @OnSystemdReload() handlers (reload: true)
  --reload-kill            the same for systemd before 253: ExecReload= sends SIGHUP, and
                           \`systemctl reload\` does not wait for the handlers
  --oneshot                a job that runs to completion (an application context), not a
                           server: Type=oneshot, \`systemctl start\` waits until it has ended;
                           no port, no restart, started by hand or by a timer

Identity and files:
  --user NAME              run as this existing user (default: DynamicUser=yes)
  --state-directory NAME   writable /var/lib/NAME, kept across restarts ($STATE_DIRECTORY)
  --cache-directory NAME   writable /var/cache/NAME ($CACHE_DIRECTORY)

Configuration and secrets:
  --env NAME=VALUE         an Environment= variable (repeatable); never a secret
  --environment-file PATH  EnvironmentFile= (KEY=value lines)
  --credential NAME=PATH   LoadCredential=NAME:PATH (repeatable): the app reads the secret with
                           readSystemdCredential('NAME'), never from its environment
  --ip-allow ADDRESS       also allow traffic with ADDRESS or ADDRESS/PREFIX (repeatable): a
                           database, an API, the DNS server

Other units:
  --after UNIT             a service on this host the app uses (repeatable): Wants= and After=,
                           so that it starts first and stops after the app (redis-server.service)

Output:
  --out DIR                write the files into DIR (created if missing), not to stdout
  --force                  replace files that already exist in DIR
  -h, --help               this help

Examples:
  npx nestjs-systemd unit --port 3000 > my-app.service
  npx nestjs-systemd unit --working-directory /opt/my-app --node /usr/bin/node \\
    --credential db-password=/etc/my-app/db-password --ip-allow 10.0.0.5 --out deploy
  npx nestjs-systemd unit --instances --port 3000 --out /etc/systemd/system
  npx nestjs-systemd unit --no-port --ip-allow 10.0.0.7 --name orders-worker
  npx nestjs-systemd unit --oneshot --entry dist/job.js --name my-job > my-job.service
`;

const OPTIONS = {
  app: { type: 'string' },
  entry: { type: 'string' },
  project: { type: 'string' },
  name: { type: 'string' },
  description: { type: 'string' },
  node: { type: 'string' },
  'working-directory': { type: 'string' },
  port: { type: 'string' },
  host: { type: 'string' },
  socket: { type: 'boolean' },
  instances: { type: 'boolean' },
  'watchdog-sec': { type: 'string' },
  'timeout-stop-sec': { type: 'string' },
  reload: { type: 'boolean' },
  'reload-kill': { type: 'boolean' },
  oneshot: { type: 'boolean' },
  'no-port': { type: 'boolean' },
  user: { type: 'string' },
  'state-directory': { type: 'string' },
  'cache-directory': { type: 'string' },
  env: { type: 'string', multiple: true },
  'environment-file': { type: 'string' },
  credential: { type: 'string', multiple: true },
  'ip-allow': { type: 'string', multiple: true },
  after: { type: 'string', multiple: true },
  out: { type: 'string' },
  force: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsConfig['options'];

/** Options that shape where the files go, not what they say: left out of the header's command. */
const NOT_IN_HEADER = new Set(['app', 'out', 'force', 'help']);

type Parsed = ReturnType<typeof parseCommandLine>;

function usageError(message: string): CliError {
  return new CliError(`${message}\n${cliMessages.usageHint()}`, 2);
}

function parseCommandLine(argv: readonly string[]) {
  try {
    return parseArgs({
      args: [...argv],
      options: OPTIONS,
      strict: true,
      allowPositionals: true,
      tokens: true,
    });
  } catch (error) {
    const { code, message } = error as { code?: unknown; message?: unknown };
    const text = typeof message === 'string' ? message : String(error);
    // parseArgs names the option in quotes: "Unknown option '--prot'".
    const option = /'(-[^' ]+)/.exec(text)?.[1] ?? text;
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
      throw usageError(cliMessages.unknownOption(option));
    }
    if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
      if (text.includes('does not take an argument')) {
        throw usageError(cliMessages.noValueTaken(option));
      }
      if (text.includes('ambiguous')) throw usageError(cliMessages.dashValue(option));
      throw usageError(cliMessages.missingValue(option));
    }
    throw usageError(text);
  }
}

function wholeNumber(option: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value)) throw usageError(cliMessages.notANumber(`--${option}`, value));
  return Number(value);
}

function credentials(specs: readonly string[] | undefined): UnitCredential[] {
  return (specs ?? []).map((spec) => {
    const at = spec.indexOf('=');
    const name = spec.slice(0, at);
    const path = spec.slice(at + 1);
    if (at <= 0 || !isAbsolute(path)) throw usageError(cliMessages.badCredentialSpec(spec));
    return { name, path };
  });
}

/** A credential's name for a variable: `DATABASE_URL` → `database-url`. */
function credentialNameFor(variable: string): string {
  return variable.toLowerCase().replaceAll('_', '-');
}

/**
 * Names of a secret's settings rather than of the secret itself (TOKEN_TTL, JWT_SECRET_FILE,
 * PASSWORD_MIN_LENGTH): a warning on each would teach users to skip the one that matters.
 */
const SECRET_SETTING =
  /_(?:TTL|EXPIRY|EXPIRES(?:_IN)?|TIMEOUT|LENGTH|FILE|PATH|DIR|ALGORITHM|HEADER)$/i;

/** Whether `name=value` holds what every local user must not read: what a status would mask. */
function looksSecret(name: string, value: string): boolean {
  const assignment = `${name}=${value}`;
  if (maskCredentials(assignment) === assignment) return false;
  // A setting's name still warns when its value carries a secret of its own (a URL's password).
  return !SECRET_SETTING.test(name) || maskCredentials(value) !== value;
}

function environment(specs: readonly string[] | undefined): UnitEnvironmentVariable[] {
  return (specs ?? []).map((spec) => {
    const at = spec.indexOf('=');
    if (at <= 0) throw usageError(cliMessages.badEnvSpec(spec));
    return { name: spec.slice(0, at), value: spec.slice(at + 1) };
  });
}

/** A word a POSIX shell reads back as it is. */
function shellWord(word: string): string {
  // oxlint-disable-next-line no-control-regex
  const printable = word.replace(/[\x00-\x1f\x7f]/g, '?');
  return /^[\w@%+=:,./-]+$/.test(printable) ? printable : `'${printable.replaceAll("'", `'\\''`)}'`;
}

/** The command line, as the units' header repeats it. */
function commandLine(parsed: Parsed, manager: PackageManager): string[] {
  const words = [...manager.exec, 'nestjs-systemd', 'unit'];
  for (const token of parsed.tokens) {
    if (token.kind !== 'option' || NOT_IN_HEADER.has(token.name)) continue;
    words.push(`--${token.name}`);
    if (token.value !== undefined) words.push(token.value);
  }
  return words.map(shellWord);
}

/** The first systemd to know `Type=notify-reload`. */
const NOTIFY_RELOAD_SINCE = 253;

/** Where the unit's sandbox hides files from the service, and what to say about a path there. */
const HIDDEN_DIRECTORIES: readonly [readonly string[], (what: string, path: string) => string][] = [
  // ProtectHome=yes
  [['/home', '/root', '/run/user'], cliMessages.underHome],
  // PrivateTmp=yes (DynamicUser=yes implies it): the service gets a /tmp of its own.
  [['/tmp', '/var/tmp'], cliMessages.underTmp],
];

function within(path: string, dirs: readonly string[]): boolean {
  return dirs.some((dir) => path === dir || path.startsWith(`${dir}/`));
}

/** Why the service will not see `path` (it is `what`), if it will not. */
function hiddenFromService(what: string, path: string): string | undefined {
  for (const [dirs, message] of HIDDEN_DIRECTORIES) {
    if (within(path, dirs)) return message(what, path);
  }
  return undefined;
}

/**
 * Yarn Plug'n'Play's resolver, where the app has one, at its place under `workingDirectory`;
 * warnings for what the service would still miss.
 */
function pnpOption(
  project: AppProject,
  workingDirectory: string,
  warnings: string[],
): UnitOptions['pnp'] {
  const pnp = findYarnPnp(project.dir);
  if (pnp === undefined) return undefined;
  const onTarget = (path: string) => join(workingDirectory, relative(project.dir, path));
  const esModule = isEsModuleEntry(project.entry);
  if (esModule && pnp.loader === undefined) warnings.push(cliMessages.pnpWithoutLoader(pnp.root));
  const moved = workingDirectory !== project.dir;
  // A workspace's resolver is at its root, above the app: the app must keep its place below it.
  const inWorkspace = relative(pnp.root, project.dir);
  if (moved && inWorkspace !== '' && !workingDirectory.endsWith(`/${inWorkspace}`)) {
    warnings.push(cliMessages.pnpRootAbove(inWorkspace, workingDirectory, onTarget(pnp.runtime)));
  }
  for (const folder of pnp.cacheFolders) {
    const hidden = HIDDEN_DIRECTORIES.some(([dirs]) => within(folder, dirs));
    if (hidden || moved) warnings.push(cliMessages.pnpCacheOutside(folder, hidden));
  }
  return {
    runtime: onTarget(pnp.runtime),
    ...(esModule && pnp.loader !== undefined ? { loader: onTarget(pnp.loader) } : {}),
  };
}

/** The generator's options from the command line and the app's folder; warnings about the result. */
function unitOptions(
  parsed: Parsed,
  project: AppProject,
  io: CliIo,
): { options: UnitOptions; warnings: string[] } {
  const values = parsed.values;
  const warnings: string[] = [];
  const chosen = project.monorepo?.chosen === true ? project.monorepo.name : undefined;
  const baseName = chosen ?? project.packageName;
  const name =
    values.name ?? (baseName === undefined ? undefined : unitNameFromPackageName(baseName));
  if (name === undefined) throw new CliError(cliMessages.noName(join(project.dir, 'package.json')));
  const nodePath = values.node ?? io.execPath;
  if (values.node !== undefined && isAbsolute(nodePath) && !existsSync(nodePath)) {
    warnings.push(cliMessages.nodeMissing(nodePath));
  }
  const workingDirectory = values['working-directory'] ?? project.dir;
  const fromApp = relative(project.dir, project.entry);
  const monorepo = project.monorepo;
  if (monorepo && !monorepo.chosen && monorepo.applications.length > 1 && !values.entry) {
    warnings.push(cliMessages.defaultProject(monorepo.applications, monorepo.name, fromApp));
  }
  const listens = !values['no-port'] && !values.oneshot;
  if (chosen && monorepo && monorepo.applications.length > 1 && listens && !values.port) {
    warnings.push(cliMessages.monorepoPort(chosen, UNIT_DEFAULTS.port));
  }
  const entryPath =
    fromApp.startsWith('..') || isAbsolute(fromApp)
      ? project.entry
      : join(workingDirectory, fromApp);
  for (const [what, path] of [
    ['node', nodePath],
    ['the working directory', workingDirectory],
  ] as const) {
    const hidden = hiddenFromService(what, path);
    if (hidden) warnings.push(hidden);
  }
  const pnp = pnpOption(project, workingDirectory, warnings);
  const variables = environment(values.env);
  for (const { name: variable, value } of variables) {
    if (looksSecret(variable, value)) {
      warnings.push(cliMessages.secretInEnvironment(variable, credentialNameFor(variable)));
    }
  }
  const addon = addonProblem(project.dir, nodePath);
  if (addon?.kind === 'unbuilt') warnings.push(cliMessages.addonUnbuilt(addon.dir));
  if (addon?.kind === 'otherNode') {
    warnings.push(cliMessages.addonForOtherNode(addon.file, addon.built, addon.needed, nodePath));
  }
  if (addon?.kind === 'unloadable') {
    warnings.push(cliMessages.addonUnloadable(addon.file, addon.reason, nodePath));
  }
  if (values.oneshot) {
    for (const option of ['port', 'host'] as const) {
      if (values[option] !== undefined) throw usageError(cliMessages.oneshotServes(`--${option}`));
    }
    // A monorepo's app named by --project may well be the job itself.
    if (values.entry === undefined && !chosen) {
      warnings.push(cliMessages.oneshotDefaultEntry(fromApp));
    }
  }
  if (values['no-port']) {
    for (const option of ['port', 'host'] as const) {
      if (values[option] !== undefined) throw usageError(cliMessages.noPortListens(`--${option}`));
    }
  }
  if (values.reload && !values['reload-kill']) {
    const version = io.systemdVersion?.();
    if (version !== undefined && version < NOTIFY_RELOAD_SINCE) {
      warnings.push(cliMessages.notifyReloadUnknown(version));
    }
  }
  const options: UnitOptions = {
    name,
    // A monorepo's package describes all its apps, not the one this unit runs.
    description: values.description ?? (chosen === undefined ? project.description : name) ?? name,
    nodePath,
    entryPath,
    workingDirectory,
    ...(pnp === undefined ? {} : { pnp }),
    port: wholeNumber('port', values.port, UNIT_DEFAULTS.port),
    host: values.host ?? UNIT_DEFAULTS.host,
    watchdogSec: wholeNumber('watchdog-sec', values['watchdog-sec'], UNIT_DEFAULTS.watchdogSec),
    timeoutStopSec: wholeNumber(
      'timeout-stop-sec',
      values['timeout-stop-sec'],
      UNIT_DEFAULTS.timeoutStopSec,
    ),
    ...(values.user === undefined ? {} : { user: values.user }),
    ...(values['state-directory'] === undefined
      ? {}
      : { stateDirectory: values['state-directory'] }),
    ...(values['cache-directory'] === undefined
      ? {}
      : { cacheDirectory: values['cache-directory'] }),
    ...(values['environment-file'] === undefined
      ? {}
      : { environmentFile: values['environment-file'] }),
    environment: variables,
    credentials: credentials(values.credential),
    ipAllow: values['ip-allow'] ?? [],
    after: values.after ?? [],
    socket: values.socket ?? false,
    instances: values.instances ?? false,
    ...reloadOption(values.reload, values['reload-kill']),
    oneshot: values.oneshot ?? false,
    noPort: values['no-port'] ?? false,
    commandLine: commandLine(parsed, packageManager(io.userAgent)),
  };
  return { options, warnings };
}

/** `--reload` or `--reload-kill`, not both. */
function reloadOption(
  notifyReload: boolean | undefined,
  kill: boolean | undefined,
): Pick<UnitOptions, 'reload'> {
  if (notifyReload && kill) throw usageError(cliMessages.reloadTwice());
  if (notifyReload) return { reload: 'notify-reload' };
  return kill ? { reload: 'kill' } : {};
}

/** Writes every file or none: each to a temporary name first, renamed into place at the end. */
function writeUnits(dir: string, units: readonly GeneratedUnit[], force: boolean): string[] {
  if (existsSync(dir) && !statSync(dir).isDirectory()) {
    throw new CliError(cliMessages.outNotDirectory(dir));
  }
  const targets = units.map((unit) => join(dir, unit.fileName));
  const existing = targets.filter((target) => existsSync(target));
  if (existing.length > 0 && !force) throw new CliError(cliMessages.wouldOverwrite(existing));
  const temporary: string[] = [];
  try {
    mkdirSync(dir, { recursive: true });
    for (const unit of units) {
      const path = join(dir, `.${unit.fileName}.${process.pid}.tmp`);
      writeFileSync(path, unit.text, { mode: 0o644, flag: 'wx' });
      temporary.push(path);
    }
    temporary.forEach((path, i) => renameSync(path, targets[i]!));
  } catch (error) {
    for (const path of temporary) rmSync(path, { force: true });
    const message = (error as { message?: unknown } | null)?.message;
    throw new CliError(cliMessages.writeFailed(dir, String(message ?? error)));
  }
  return targets;
}

function runUnit(parsed: Parsed, io: CliIo): void {
  const appDir = resolve(io.cwd, parsed.values.app ?? '.');
  const project = readAppProject(
    appDir,
    parsed.values.entry,
    parsed.values.project,
    packageManager(io.userAgent).build,
  );
  const { options, warnings } = unitOptions(parsed, project, io);
  let units: GeneratedUnit[];
  try {
    units = generateUnits(options);
  } catch (error) {
    if (error instanceof UnitOptionsError) throw usageError(error.message);
    throw error;
  }
  if (parsed.values.out === undefined) {
    io.stdout(units.map((unit) => unit.text).join('\n'));
  } else {
    const written = writeUnits(
      resolve(io.cwd, parsed.values.out),
      units,
      parsed.values.force ?? false,
    );
    io.stdout(`${cliMessages.wrote(written)}\n`);
  }
  for (const warning of warnings) io.stderr(`nestjs-systemd: ${warning}\n`);
}

/**
 * Runs `nestjs-systemd <argv>` and returns the exit code: 0, 1 when the app or the file system
 * is at fault, 2 for a wrong command line. Errors go to `io.stderr` as one message; when the
 * command fails, nothing has been written.
 */
export function runCli(argv: readonly string[], io: CliIo): number {
  try {
    const parsed = parseCommandLine(argv);
    const [command, ...extra] = parsed.positionals;
    if (parsed.values.help) {
      io.stdout(USAGE);
      return 0;
    }
    if (command === undefined) throw usageError(cliMessages.noCommand());
    if (command !== 'unit') throw usageError(cliMessages.unknownCommand(command));
    if (extra.length > 0) throw usageError(cliMessages.unexpectedArgument(extra[0]!));
    runUnit(parsed, io);
    return 0;
  } catch (error) {
    if (!(error instanceof CliError)) throw error;
    io.stderr(`nestjs-systemd: ${error.message}\n`);
    return error.exitCode;
  }
}
