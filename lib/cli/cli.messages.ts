/** What a unit does with an app whose addon does not load. */
const UNSUPERVISED =
  'the app would run unsupervised, and systemd would fail its start at TimeoutStartSec=';
/** The rebuild, by each package manager, under the node that must load the addon. */
const REBUILD =
  'Rebuild it with that node first on PATH: npm rebuild unix-dgram; pnpm install --force ' +
  '--config.side-effects-cache=false; yarn rebuild unix-dgram (see "Installation and native ' +
  'build" in the README)';

/** Every text of the `nestjs-systemd` command, in one place: each names the value and the fix. */
export const cliMessages = {
  // Values (checked by the generator).
  notAbsolute: (option: string, path: string) =>
    `${option} ${JSON.stringify(path)} must be an absolute path (systemd resolves nothing relative)`,
  unsafePath: (option: string, path: string) =>
    `${option} ${JSON.stringify(path)} contains whitespace, a quote, a backslash or a control ` +
    'character; use a path without them',
  notNormalized: (option: string, path: string, normalized: string) =>
    `${option} ${JSON.stringify(path)} is not a normalized path; write ${JSON.stringify(normalized)}`,
  badDirectoryName: (option: string, name: string) =>
    `${option} ${JSON.stringify(name)} must be a relative directory name such as my-app ` +
    '(letters, digits, "_", "-", "." and "/" between parts; no "..")',
  outOfRange: (option: string, value: string, min: number, max: number) =>
    `${option} ${JSON.stringify(value)} must be a whole number from ${min} to ${max}`,
  privilegedPort: (port: number) =>
    `--port ${port} is below 1024, which only a process with CAP_NET_BIND_SERVICE may bind, and ` +
    'the service runs without capabilities: add --socket (systemd binds the port and passes it ' +
    'to the app), or use a port from 1024 up behind a reverse proxy',
  badHost: (host: string) =>
    `--host ${JSON.stringify(host)} is neither an IP address nor a host name`,
  socketNeedsAddress: (host: string) =>
    `--host ${JSON.stringify(host)} is a name, but a socket unit's ListenStream= takes an IP ` +
    'address: use 127.0.0.1, ::1, 0.0.0.0 or ::',
  rootUser: () =>
    '--user root would run the app as root, defeating the sandbox: leave --user out ' +
    '(DynamicUser=yes, a fresh uid for each run) or name an unprivileged user',
  badUser: (user: string) =>
    `--user ${JSON.stringify(user)} is not a valid user name (letters, digits, "_" and "-", ` +
    'starting with a letter or "_", at most 32 characters)',
  badUnitName: (name: string) =>
    `${JSON.stringify(name)} cannot name a unit (letters, digits and ":_.\\-" only, no "@", at ` +
    'most 200 characters): pass --name',
  badDescription: (description: string) =>
    `--description ${JSON.stringify(description)} must be one non-empty line`,
  badEnvName: (name: string) =>
    `--env ${JSON.stringify(name)}: a variable name is letters, digits and "_", not starting with a digit`,
  badEnvValue: (name: string) => `--env ${name}: the value must be one line`,
  badCredentialName: (name: string, problem: string) =>
    `--credential ${JSON.stringify(name)} is not a valid credential name: ${problem}`,
  unusualCredentialName: (name: string) =>
    `--credential ${JSON.stringify(name)}: use letters, digits and "_.@+-" in a credential name`,
  duplicateCredential: (name: string) => `--credential ${name} is given twice`,
  badAfter: (unit: string) =>
    `--after ${JSON.stringify(unit)} is not a unit name (redis-server.service, ` +
    'postgresql@15-main.service, remote-fs.target)',
  afterWithoutType: (unit: string) =>
    `--after ${JSON.stringify(unit)} names no unit type, which systemd would ignore: ` +
    `--after ${unit}.service`,
  afterItself: (unit: string) => `--after ${unit} is this app's own unit`,
  badIpAllow: (entry: string) =>
    `--ip-allow ${JSON.stringify(entry)} is not an IP address, an address/prefix (10.0.0.0/8) or ` +
    'one of localhost, link-local, multicast, any',

  oneshotServes: (option: string) =>
    `--oneshot and ${option} do not go together: --oneshot writes the unit of a job that runs ` +
    'to completion and serves nothing (no port, no socket, no reload); leave one of them out',
  noPortListens: (option: string) =>
    `--no-port and ${option} do not go together: --no-port writes the unit of an app without ` +
    'an HTTP server (a microservice on a broker, a worker), so there is no PORT, HOST or ' +
    'socket to give it; leave one of them out',
  reloadTwice: () =>
    '--reload and --reload-kill are two ways to the same reload: --reload on systemd 253 and ' +
    'later (systemctl reload waits for the handlers), --reload-kill before 253',

  // The command line.
  usageHint: () => 'Run `nestjs-systemd unit --help` for the options.',
  unknownCommand: (command: string) =>
    `unknown command ${JSON.stringify(command)}: the only command is "unit"`,
  noCommand: () => 'no command given: the only command is "unit"',
  unknownOption: (option: string) => `unknown option ${option}`,
  missingValue: (option: string) => `option ${option} needs a value`,
  noValueTaken: (option: string) => `option ${option} takes no value: write ${option} alone`,
  dashValue: (option: string) =>
    `option ${option} is followed by something starting with "-": give its value, or write ` +
    `${option}=-VALUE if the value really starts with a dash`,
  unexpectedArgument: (argument: string) =>
    `unexpected argument ${JSON.stringify(argument)} (options start with --)`,
  notANumber: (option: string, value: string) =>
    `${option} ${JSON.stringify(value)} is not a whole number`,
  badCredentialSpec: (spec: string) =>
    `--credential ${JSON.stringify(spec)} must be name=/absolute/path/to/secret, such as ` +
    'db-password=/etc/my-app/db-password',
  badEnvSpec: (spec: string) => `--env ${JSON.stringify(spec)} must be NAME=value`,

  // The app's folder.
  noPackageJson: (dir: string) =>
    `no package.json in ${dir}: run this in your app's folder, or pass --app DIR`,
  projectFolder: (dir: string, root: string, project: string) =>
    `no package.json in ${dir}: it is the project "${project}" of the Nest monorepo in ${root}; ` +
    `run this there with --project ${project}`,
  projectWithoutNestCli: (project: string, dir: string) =>
    `--project ${project}: ${dir} has no nest-cli.json, whose "projects" name a monorepo's apps`,
  noSuchProject: (
    project: string,
    nestCliPath: string,
    applications: readonly string[],
    isLibrary: boolean,
  ) =>
    `--project ${project}: ` +
    (isLibrary ? 'a library in ' : 'no such project in ') +
    `${nestCliPath}, whose applications are ` +
    (applications.length === 0 ? 'none' : applications.join(', ')),
  defaultProject: (applications: readonly string[], name: string | undefined, entry: string) =>
    `warning: nest-cli.json is a monorepo of ${applications.length} applications ` +
    `(${applications.join(', ')}); this unit runs the default one` +
    (name === undefined ? '' : `, ${name}`) +
    ` (${entry}): --project NAME writes the unit of another`,
  unreadableJson: (path: string, reason: string) => `${path} cannot be read: ${reason}`,
  noName: (path: string) => `${path} has no "name": pass --name`,
  noEntry: (tried: readonly string[], from: string, build: string) =>
    `no built entry found: tried ${tried.join(', ')} (${from}). Build the app first ` +
    `(${build}), or name the built file with --entry`,
  monorepoPort: (project: string, port: number) =>
    `warning: ${project} gets PORT=${port}, the default: each app of a monorepo on one host ` +
    'needs a port of its own (--port N), or none (--no-port)',
  entryMissing: (path: string, build: string) =>
    `--entry ${path} does not exist: build the app first (${build}), or fix the path`,
  entryNotJs: (path: string) =>
    `--entry ${path} is not JavaScript (.js, .mjs or .cjs): node runs the built file, not the sources`,

  // Output.
  outNotDirectory: (dir: string) => `--out ${dir} exists and is not a directory`,
  wouldOverwrite: (paths: readonly string[]) =>
    `${paths.join(' and ')} already exist${paths.length === 1 ? 's' : ''}: nothing written. ` +
    'Pass --force to replace them',
  writeFailed: (dir: string, reason: string) =>
    `cannot write to ${dir}: ${reason}; nothing written`,
  wrote: (paths: readonly string[]) => `wrote ${paths.join(' and ')}`,

  // Warnings: the unit is written, but will not work as it is.
  underHome: (what: string, path: string) =>
    `warning: ${what} ${path} is under a home directory, which ProtectHome=yes hides from the ` +
    'service (and DynamicUser= could not read anyway): the service would fail with ' +
    'status=203/EXEC or 200/CHDIR. Install the app and node outside /home and /root (/opt, ' +
    '/srv, /usr/bin/node), or pass --working-directory and --node for where they will be',
  underTmp: (what: string, path: string) =>
    `warning: ${what} ${path} is under /tmp or /var/tmp, which the service does not see: ` +
    'PrivateTmp=yes gives it a /tmp of its own, and it would fail with status=203/EXEC or ' +
    '200/CHDIR. Install the app outside them (/opt, /srv), or pass --working-directory and ' +
    '--node for where it will be',
  pnpWithoutLoader: (root: string) =>
    `warning: the app is an ES module installed by Yarn with Plug'n'Play, but ${root} has no ` +
    '.pnp.loader.mjs, without which node cannot import its packages: set pnpEnableEsmLoader: true ' +
    'in .yarnrc.yml, run yarn install, and write the unit again',
  pnpRootAbove: (inWorkspace: string, workingDirectory: string, onTarget: string) =>
    `warning: Yarn's resolver is the workspace root's, and the app is ${inWorkspace} in the ` +
    `workspace, but --working-directory ${workingDirectory} does not end in ${inWorkspace}: ` +
    `the unit would preload ${onTarget}. Deploy the workspace, and pass --working-directory ` +
    `for the app's folder inside it (/opt/my-repo/${inWorkspace}, say)`,
  secretInEnvironment: (name: string, credential: string) =>
    `warning: --env ${name} looks like it holds a secret (a password or a token): Environment= is ` +
    'readable by every local user (systemctl show). Pass it as a credential instead: --credential ' +
    `${credential}=/etc/<app>/${credential}, read with readSystemdCredential('${credential}')`,
  addonUnbuilt: (dir: string) =>
    `warning: unix-dgram's native addon is not built (${dir} has no build/Release/unix_dgram.node): ` +
    `${UNSUPERVISED}. Allow its build and install again: npm "allowScripts", pnpm ` +
    '"onlyBuiltDependencies" (then pnpm install --force), Yarn "dependenciesMeta" with ' +
    'node-gyp, in the root package.json (see "Installation and native build" in the README)',
  addonForOtherNode: (file: string, built: string, needed: string, nodePath: string) =>
    `warning: unix-dgram's native addon, ${file}, was built for another Node.js ` +
    `(NODE_MODULE_VERSION ${built}; the unit's node, ${nodePath}, needs ${needed}): ` +
    `${UNSUPERVISED}. ${REBUILD}`,
  addonUnloadable: (file: string, reason: string, nodePath: string) =>
    `warning: unix-dgram's native addon, ${file}, does not load under the unit's node, ` +
    `${nodePath} (${reason}): ${UNSUPERVISED}. ${REBUILD}`,
  pnpCacheOutside: (folder: string, hidden: boolean) =>
    `warning: the app's packages are in Yarn's global cache, ${folder}, not in the app ` +
    (hidden
      ? "(Yarn's default), and the service cannot read that folder (ProtectHome=yes, PrivateTmp=yes): "
      : "(Yarn's default), which --working-directory does not take along to the target: ") +
    'keep them in the app with enableGlobalCache: false in .yarnrc.yml, then yarn install ' +
    '(they go to .yarn/cache), and ship .yarn/ with the app',
  nodeMissing: (path: string) =>
    `warning: --node ${path} does not exist on this machine; make sure it does on the target`,
  oneshotDefaultEntry: (entry: string) =>
    `warning: --oneshot without --entry runs ${entry}, the entry \`nest start\` runs, which is ` +
    "usually the app's server; a job has an entry of its own: pass --entry (dist/job.js, say)",
  notifyReloadUnknown: (version: number) =>
    `warning: this machine's systemd is ${version}, which does not know Type=notify-reload ` +
    '(253 and later do): it would run the service as Type=simple, so systemctl start would not ' +
    'wait for READY=1 and systemctl reload would be refused. For systemd before 253, write the ' +
    'unit with --reload-kill instead',
} as const;
