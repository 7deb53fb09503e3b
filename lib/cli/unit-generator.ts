// The pure half of `nestjs-systemd unit`: options in, unit files out. No file system, no
// process state; the command line around it is cli.ts.
import { isIP } from 'node:net';
import { checkUnitOptions, isLoopbackHost, servesPort, type UnitOptions } from './unit-options.js';

/** One file to write: its name (`my-app.service`) and its whole text. */
export interface GeneratedUnit {
  readonly fileName: string;
  readonly text: string;
}

/** Comments are wrapped to this many columns, `# ` included. */
const COMMENT_WIDTH = 96;

/** `%` starts a specifier in almost every setting (systemd.unit(5), "Specifiers"). */
function specifiers(text: string): string {
  return text.replaceAll('%', '%%');
}

/** A word of `ExecStart=`: specifiers and `$` variables are expanded there. Paths are checked to need no quotes. */
function execWord(path: string): string {
  return specifiers(path).replaceAll('$', () => '$$');
}

/** One `Environment=` assignment, quoted: C escapes apply inside the quotes. */
function environmentAssignment(name: string, value: string): string {
  const escaped = `${name}=${value}`.replaceAll('\\', '\\\\').replaceAll('"', '\\"');
  return `"${specifiers(escaped)}"`;
}

function listenAddress(host: string, port: number): string {
  return isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`;
}

function wrap(words: readonly string[], width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of words) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  return [...lines, line];
}

/**
 * Comment lines: each paragraph wrapped; an empty one gives `#`, and one that starts with a
 * space (a command to type) is kept as it is.
 */
function comment(...paragraphs: readonly string[]): string[] {
  return paragraphs.flatMap((paragraph) => {
    if (paragraph === '') return ['#'];
    if (paragraph.startsWith(' ')) return [`# ${paragraph}`];
    return wrap(paragraph.split(' '), COMMENT_WIDTH - 2).map((line) => `# ${line}`);
  });
}

interface Names {
  /** `my-app.service` or `my-app@.service`. */
  readonly service: string;
  readonly socket: string;
  /** The socket as the service refers to it: `my-app.socket` or `my-app@%i.socket`. */
  readonly ownSocket: string;
}

function unitNames(options: UnitOptions): Names {
  const base = options.instances ? `${options.name}@` : options.name;
  return {
    service: `${base}.service`,
    socket: `${base}.socket`,
    ownSocket: options.instances ? `${options.name}@%i.socket` : `${options.name}.socket`,
  };
}

function installParagraphs(options: UnitOptions, names: Names): string[] {
  const { name } = options;
  if (options.oneshot) {
    return [
      'Install (as root), then run the job: start returns once it has ended, and fails if it does:',
      `  cp ${names.service} /etc/systemd/system/`,
      `  systemctl daemon-reload && systemctl start ${name}`,
      `To run it on a schedule, add ${name}.timer beside it, with [Timer] OnCalendar=daily (say) ` +
        `and [Install] WantedBy=timers.target, and systemctl enable --now ${name}.timer. It has ` +
        'no [Install] section of its own: it does not run at boot.',
      'Check:',
      `  systemctl status ${name}  # while it runs, the STATUS= line says how far it is`,
      `  journalctl -u ${name}`,
      'Audit:',
      `  systemd-analyze security ${names.service}`,
    ];
  }
  if (options.instances) {
    return [
      'Install (as root), then start as many instances as you want, each with its own socket on the same port:',
      `  cp ${names.service} ${names.socket} /etc/systemd/system/`,
      `  systemctl daemon-reload && systemctl enable --now ${name}@1.socket ${name}@2.socket`,
      `An instance starts at its socket's first connection; enable ${name}@1.service and ` +
        `${name}@2.service too to start them at boot. Restart them one at a time (systemctl ` +
        `restart ${name}@1.service): the others keep serving, and connections for the ` +
        'restarting one wait in its backlog.',
      'Check:',
      `  systemctl status '${name}@*'`,
      `  journalctl -u '${name}@*'`,
      'Audit:',
      `  systemd-analyze security ${name}@1.service`,
    ];
  }
  const files = options.socket ? `${names.service} ${names.socket}` : names.service;
  const enable = options.socket ? `${names.socket} ${names.service}` : names.service;
  return [
    'Install (as root):',
    `  cp ${files} /etc/systemd/system/`,
    `  systemctl daemon-reload && systemctl enable --now ${enable}`,
    'Check:',
    `  systemctl status ${name}  # the STATUS= line says what the app is doing`,
    `  journalctl -u ${name}`,
    'Audit:',
    `  systemd-analyze security ${names.service}`,
  ];
}

/** The command line, wrapped as a shell reads it back: `\\` at the end of each line but the last. */
function commandComment(commandLine: readonly string[]): string[] {
  const lines = wrap(commandLine, COMMENT_WIDTH - 6);
  return [
    '# Made with:',
    ...lines.map((line, i) => `#   ${line}${i < lines.length - 1 ? ' \\' : ''}`),
  ];
}

function header(options: UnitOptions, fileName: string, about: readonly string[]): string[] {
  return [
    ...comment(
      `${fileName}, written by \`nestjs-systemd unit\`. ${about[0] ?? ''}`,
      ...about.slice(1),
      '',
    ),
    ...(options.commandLine === undefined ? [] : commandComment(options.commandLine)),
    ...comment(
      'Each setting says why it is there. Adapt it with a drop-in (systemctl edit), or generate ' +
        'it again, rather than edit it.',
    ),
  ];
}

function unitSection(options: UnitOptions, names: Names): string[] {
  const reachesOut = options.ipAllow.some((entry) => entry !== 'localhost');
  const description = specifiers(options.description);
  return [
    '[Unit]',
    `Description=${options.instances ? `${description} (instance %i)` : description}`,
    // sd_notify(3) by its web page: its man page comes with libsystemd's headers, which a
    // server rarely has, and systemd-analyze verify fails on a man: link it cannot open.
    'Documentation=man:systemd.service(5) man:systemd.exec(5) https://www.freedesktop.org/software/systemd/man/latest/sd_notify.html',
    ...(reachesOut
      ? [
          ...comment(
            'It talks to other hosts (IPAddressAllow= below): start once the network is up, not merely configured.',
          ),
          'Wants=network-online.target',
          'After=network-online.target',
        ]
      : ['After=network.target']),
    ...afterLines(options.after),
    ...(options.socket || options.instances
      ? [
          ...comment(
            `Serve the socket of ${names.ownSocket}: started with it, so the app never binds the port itself.`,
          ),
          `Requires=${names.ownSocket}`,
          `After=${names.ownSocket}`,
        ]
      : []),
    // A job is not restarted, and its timer may start it every few seconds: systemd's own
    // start limit (5 within 10 s) is enough there.
    ...(options.oneshot
      ? []
      : [
          ...comment(
            'Give up after 5 starts within a minute instead of restarting forever. Every start ' +
              'counts, `systemctl restart` too; `systemctl reset-failed` clears the count.',
          ),
          'StartLimitIntervalSec=60',
          'StartLimitBurst=5',
        ]),
  ];
}

/** The units on this host the app uses (--after), each once. */
function afterLines(after: readonly string[]): string[] {
  if (after.length === 0) return [];
  const units = [...new Set(after)].join(' ');
  return [
    ...comment(
      'The services it uses on this host (--after) start first and stop after it, so that its ' +
        'shutdown can still reach them. Wants=, not Requires=: starting the app starts them, ' +
        'and it starts all the same when one of them fails, as it would with a remote one.',
    ),
    `Wants=${units}`,
    `After=${units}`,
  ];
}

/** `Type=`, and how `systemctl reload` reaches the app's `@OnSystemdReload()` handlers. */
function typeLines(options: UnitOptions): string[] {
  if (options.oneshot) {
    return [
      ...comment(
        'A job: `systemctl start`, and units ordered after this one, wait until it has ended, ' +
          'and the unit fails if the job does. systemd ignores the READY=1 that nestjs-systemd ' +
          "sends once the job's bootstrap is over (readyOn: 'bootstrap').",
      ),
      'Type=oneshot',
    ];
  }
  const hooks =
    "Nest's shutdown hooks must then leave SIGHUP alone: " +
    "app.enableShutdownHooks(['SIGTERM', 'SIGINT']).";
  switch (options.reload) {
    case 'notify-reload':
      return [
        ...comment(
          '`systemctl reload` sends SIGHUP and waits for RELOADING=1 ... READY=1: the app (with ' +
            'reload: true) runs its @OnSystemdReload() handlers in between (systemd 253 and ' +
            `later). ${hooks}`,
        ),
        'Type=notify-reload',
      ];
    case 'kill':
      return [
        'Type=notify',
        ...comment(
          '`systemctl reload` sends SIGHUP; the app (with reload: true) runs its ' +
            '@OnSystemdReload() handlers, but systemd does not wait for them (before 253 there ' +
            `is no Type=notify-reload). ${hooks}`,
        ),
        'ExecReload=/bin/kill -HUP $MAINPID',
      ];
    case undefined:
      return ['Type=notify'];
  }
}

/**
 * What every app gets: production mode, and no colours, which Nest's default logger writes as
 * ANSI escapes unless NO_COLOR is set and the journal would keep as they are.
 */
const BASE_ENVIRONMENT = 'NODE_ENV=production NO_COLOR=1';

function listenLines(options: UnitOptions, names: Names): string[] {
  if (options.oneshot) return [`Environment=${BASE_ENVIRONMENT}`];
  if (options.noPort) {
    return [
      ...comment(
        'No PORT or HOST: the app has no HTTP server of its own. A transport that listens (TCP, ' +
          "gRPC) takes its address from the app's own variables (--env).",
      ),
      `Environment=${BASE_ENVIRONMENT}`,
    ];
  }
  const why =
    options.socket || options.instances
      ? `The app serves the socket that ${names.ownSocket} passes: with nestjs-systemd/activation, await ` +
        'listenOnActivatedSocket(app, { fallback: { port: process.env.PORT, host: ' +
        'process.env.HOST } }). PORT and HOST are that fallback, for a start without the socket.'
      : 'The app listens on PORT and HOST: app.listen(process.env.PORT, process.env.HOST), or ' +
        'with nestjs-systemd/activation, listenOnActivatedSocket(app, { fallback: { port, host } }).';
  return [
    ...comment(why),
    `Environment=${BASE_ENVIRONMENT} PORT=${options.port} HOST=${options.host}`,
  ];
}

function environmentLines(options: UnitOptions): string[] {
  const lines: string[] = [];
  if (options.environment.length > 0) {
    lines.push(
      ...comment(
        'Never put secrets here: `systemctl show` prints Environment= to any user, and the value ' +
          'stays in /proc/PID/environ. Pass secrets as credentials (LoadCredential=).',
      ),
      ...options.environment.map(
        ({ name, value }) => `Environment=${environmentAssignment(name, value)}`,
      ),
    );
  }
  if (options.environmentFile !== undefined) {
    lines.push(
      ...comment(
        'More variables (KEY=value lines), read by systemd as root at each start; the start ' +
          'fails if the file is missing. Secrets do not belong here either: they end up in the ' +
          'environment.',
      ),
      `EnvironmentFile=${specifiers(options.environmentFile)}`,
    );
  }
  if (options.credentials.length > 0) {
    lines.push(
      ...comment(
        'Secrets, as systemd credentials: at each start systemd reads each file (as root, so it ' +
          'can stay chmod 600) and gives the app a private copy, $CREDENTIALS_DIRECTORY/<name>, ' +
          "that only the service's user can read; with nestjs-systemd/credentials, " +
          "readSystemdCredential('<name>'). Unlike Environment=, the value is neither in " +
          '`systemctl show` nor in /proc/PID/environ.',
      ),
      ...options.credentials.map(
        ({ name, path }) => `LoadCredential=${specifiers(name)}:${specifiers(path)}`,
      ),
    );
  }
  return lines;
}

function watchdogLines(options: UnitOptions): string[] {
  const app = options.oneshot ? 'job' : 'app';
  if (options.watchdogSec === 0) {
    return comment(
      `No WatchdogSec= (--watchdog-sec 0): nothing ${options.oneshot ? 'ends' : 'restarts'} ` +
        `the ${app} if its event loop blocks for good. Set it to have systemd enforce the ` +
        `${app}'s health-gated pings.`,
    );
  }
  return [
    ...comment(
      `Supervision. The ${app} pings every WatchdogSec/2 while its health checks pass` +
        (options.oneshot
          ? ", from the end of its bootstrap (the first ping arms systemd's watchdog)"
          : '') +
        '; a blocked event loop or a failing check stops the pings, and ' +
        `${options.watchdogSec} s after the last one systemd kills it with SIGABRT` +
        (options.oneshot ? ' (Result=watchdog).' : '.'),
    ),
    `WatchdogSec=${options.watchdogSec}`,
  ];
}

/** When the unit is started again, and how long its start may take. */
function restartLines(options: UnitOptions): string[] {
  if (options.oneshot) {
    return [
      ...comment(
        'A failed job is not started again by systemd: its next run (its timer) or an ' +
          'administrator does that.',
      ),
      'Restart=no',
      ...comment(
        'The whole run is the start of a oneshot, so no time limit' +
          (options.watchdogSec > 0
            ? ': the watchdog ends a job whose event loop blocks. Bound a job that may wait for ' +
              'ever on I/O with a drop-in (TimeoutStartSec=1h, say).'
            : ', and no watchdog to end a job whose event loop blocks: bound the run with a ' +
              'drop-in (TimeoutStartSec=1h, say).'),
      ),
      'TimeoutStartSec=infinity',
    ];
  }
  return [
    ...comment(
      'Restart after a crash, a watchdog kill or a non-zero exit; a clean stop stays stopped.',
    ),
    'Restart=on-failure',
    'RestartSec=1',
    ...comment(
      'Start-up: the time allowed until READY=1. An app with a long warm-up calls ' +
        'systemd.extendTimeout(ms) rather than raising it for everyone.',
    ),
    'TimeoutStartSec=30',
  ];
}

function supervisionLines(options: UnitOptions): string[] {
  return [
    ...watchdogLines(options),
    ...restartLines(options),
    ...comment(
      options.oneshot
        ? 'Stop (systemctl stop during a run): SIGTERM. The job sends STOPPING=1 at once, Nest ' +
            "runs its shutdown hooks (with app.enableShutdownHooks(['SIGTERM', 'SIGINT'])) and " +
            'closes the application context, then exits by re-raising SIGTERM, which systemd ' +
            'counts as a failure for a oneshot (Result=signal): the job did not finish.'
        : "Stop: SIGTERM. The app sends STOPPING=1 at once, Nest runs its shutdown hooks (with app.enableShutdownHooks(['SIGTERM', 'SIGINT'])) and closes " +
            `${options.noPort ? 'its transports' : 'the server'}, then exits by re-raising ` +
            'SIGTERM (or with code 0, when the app listens to SIGTERM itself), which systemd ' +
            'counts as a clean stop.',
    ),
    'KillSignal=SIGTERM',
    ...comment(
      'All of that must end within TimeoutStopSec=, or systemd sends SIGKILL. ' +
        (options.oneshot
          ? 'A job that needs longer to wind down calls systemd.extendTimeout(ms) from its ' +
            "hook. So does a job whose app.close() outlasts WatchdogSec=: a oneshot's watchdog " +
            'stays armed through the close (systemd ignores STOPPING=1 there, and the pings ' +
            'end with it), and the extension holds it off too.'
          : options.noPort
            ? 'Long drains (the messages in hand) call systemd.extendTimeout(ms) from their hook.'
            : "Long drains call systemd.extendTimeout(ms) from their hook; Nest's " +
              'forceCloseConnections: true (an option of NestFactory.create) keeps idle ' +
              'keep-alive connections from holding the close open.'),
    ),
    `TimeoutStopSec=${options.timeoutStopSec}`,
  ];
}

function identityLines(options: UnitOptions): string[] {
  const who =
    options.user === undefined
      ? [
          ...comment(
            'Identity: a fresh unprivileged uid for each run, no capabilities, nothing to ' +
              "escalate to. The app's files must be world-readable: the build, node_modules, " +
              'package.json.',
          ),
          'DynamicUser=yes',
        ]
      : [
          ...comment(
            `Identity: the user ${options.user} (which must exist), no capabilities, nothing to ` +
              'escalate to. Without --user, DynamicUser=yes would give a fresh uid for each run.',
          ),
          `User=${options.user}`,
        ];
  return [
    ...who,
    'CapabilityBoundingSet=',
    'AmbientCapabilities=',
    'NoNewPrivileges=yes',
    'RestrictSUIDSGID=yes',
    'PrivateUsers=yes',
    'UMask=0077',
  ];
}

function fileSystemLines(options: UnitOptions): string[] {
  const writable: string[] = [];
  if (options.stateDirectory !== undefined) {
    writable.push(
      ...comment(
        `Writable and kept: /var/lib/${options.stateDirectory}, owned by the service's user, in ` +
          '$STATE_DIRECTORY.',
      ),
      `StateDirectory=${options.stateDirectory}`,
    );
  }
  if (options.cacheDirectory !== undefined) {
    writable.push(
      ...comment(
        `Writable, may be wiped: /var/cache/${options.cacheDirectory}, in $CACHE_DIRECTORY.`,
      ),
      `CacheDirectory=${options.cacheDirectory}`,
    );
  }
  return [
    ...comment(
      'File system: everything read-only, no home directories, private /tmp and /dev.' +
        (writable.length === 0
          ? ' Nothing else is writable; generate with --state-directory if the app must write.'
          : ''),
    ),
    'ProtectSystem=strict',
    'ProtectHome=yes',
    'PrivateTmp=yes',
    'PrivateDevices=yes',
    'PrivateIPC=yes',
    'PrivateMounts=yes',
    'ProtectKernelTunables=yes',
    'ProtectKernelModules=yes',
    'ProtectKernelLogs=yes',
    'ProtectControlGroups=yes',
    'ProtectClock=yes',
    'ProtectHostname=yes',
    ...comment(
      'Only its own processes in /proc, and no system-wide files there. Node copes: libuv falls ' +
        'back to sysinfo() without /proc/meminfo; only os.cpus() comes back empty.',
    ),
    'ProtectProc=invisible',
    'ProcSubset=pid',
    ...writable,
  ];
}

/** `IPAddressAllow=` entries, localhost first, or undefined when there is no allow list. */
function ipAllowList(options: UnitOptions): string[] | undefined {
  const extra = options.ipAllow.filter((entry) => entry !== 'localhost');
  if (servesPort(options) && !isLoopbackHost(options.host) && extra.length === 0) return undefined;
  return ['localhost', ...new Set(extra)];
}

function ipFilterLines(options: UnitOptions): string[] {
  const allow = ipAllowList(options);
  return allow === undefined ? [] : ['IPAddressDeny=any', `IPAddressAllow=${allow.join(' ')}`];
}

function networkLines(options: UnitOptions): string[] {
  const allow = ipAllowList(options);
  const families = options.oneshot
    ? 'Network: TCP/IP for the services the job uses and AF_UNIX for the notify socket.'
    : options.noPort
      ? 'Network: TCP/IP for its broker and the services it uses, and AF_UNIX for the notify socket.'
      : 'Network: TCP/IP to listen on and AF_UNIX for the notify socket.';
  let why: string;
  if (!servesPort(options) && allow?.length === 1) {
    why =
      `${families} Only loopback traffic: generate with --ip-allow for a broker, a database or ` +
      'an API on another host, and for the DNS server of /etc/resolv.conf unless it is on ' +
      'localhost (as systemd-resolved is).';
  } else if (allow === undefined) {
    why =
      `${families} HOST=${options.host} serves other hosts, so no IP allow list: clients may ` +
      'be anywhere. To accept known peers only (a reverse proxy, a subnet), generate with ' +
      '--ip-allow.';
  } else if (allow.length === 1) {
    why =
      `${families} Only loopback traffic, matching HOST=${options.host} behind a reverse ` +
      'proxy. Generate with --ip-allow for a database or an API on another host, and for the ' +
      'DNS server of /etc/resolv.conf unless it is on localhost (as systemd-resolved is).';
  } else {
    why =
      `${families} Traffic only with localhost and the peers given with --ip-allow; name ` +
      'lookups need the DNS server of /etc/resolv.conf among them, unless it is on localhost.';
  }
  return [
    ...comment(why),
    'RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6',
    ...ipFilterLines(options),
  ];
}

function kernelLines(): string[] {
  return [
    ...comment('Kernel attack surface.'),
    'RestrictNamespaces=yes',
    'RestrictRealtime=yes',
    'LockPersonality=yes',
    ...comment("Must stay off: V8's JIT compiler needs memory that is writable and executable."),
    'MemoryDenyWriteExecute=no',
    'SystemCallArchitectures=native',
    ...comment(
      'The system calls of an ordinary service, minus privileged and resource-control ones.',
    ),
    'SystemCallFilter=@system-service',
    'SystemCallFilter=~@privileged @resources',
    ...comment(
      'Required with that filter: a call outside it fails with EPERM instead of killing node ' +
        'with SIGSYS (status=31/SYS at start). V8 and libuv probe optional calls (pkey_alloc, ' +
        'for one) and fall back when they are refused.',
    ),
    'SystemCallErrorNumber=EPERM',
  ];
}

/** What READY=1 waits for, as the README's app shapes say. */
function readyWhen(options: UnitOptions): string {
  return options.noPort
    ? "a microservice's transports listen, or an application context's bootstrap is over"
    : 'the server listens';
}

/** The watchdog in the header's list of what the unit does, if it has one. */
function watchdogFeature(options: UnitOptions): string {
  return options.watchdogSec > 0 ? 'a health-gated watchdog, ' : '';
}

/** node on the entry; with Yarn's resolver preloaded for a Plug'n'Play app. */
function execStartLines(options: UnitOptions): string[] {
  const { pnp } = options;
  const preload = pnp
    ? [
        `--require ${execWord(pnp.runtime)}`,
        ...(pnp.loader === undefined ? [] : [`--experimental-loader ${execWord(pnp.loader)}`]),
      ]
    : [];
  return [
    ...(pnp
      ? comment(
          "Installed by Yarn with Plug'n'Play: no node_modules, so node preloads Yarn's " +
            'resolver, as `yarn node` would' +
            (pnp.loader === undefined ? '.' : ' (its loader for ES modules too).'),
        )
      : []),
    ['ExecStart=' + execWord(options.nodePath), ...preload, execWord(options.entryPath)].join(' '),
  ];
}

function serviceUnit(options: UnitOptions, names: Names): GeneratedUnit {
  const lines = [
    ...header(options, names.service, [
      options.oneshot
        ? 'A NestJS job run to completion under systemd (its progress in STATUS=, ' +
          `${watchdogFeature(options)}STOPPING when it closes) and locked down as far as ` +
          'Node.js allows.'
        : `A NestJS app supervised by systemd (READY when it serves, ${watchdogFeature(options)}` +
          'STOPPING first on shutdown) and locked down as far as Node.js allows.',
      '',
      ...installParagraphs(options, names),
    ]),
    '',
    ...unitSection(options, names),
    '',
    '[Service]',
    ...(options.oneshot
      ? []
      : comment(
          `The app sends READY=1 once it serves (nestjs-systemd does when ${readyWhen(options)}), ` +
            'not when the process starts: `systemctl start`, and units ordered after this one, ' +
            'wait for it.',
        )),
    ...typeLines(options),
    ...comment(
      (options.oneshot
        ? 'Only the main process may notify; with this, systemd gives a oneshot NOTIFY_SOCKET ' +
          "too, for the job's STATUS= (its progress) and its watchdog pings. "
        : 'Only the main process may notify. ') +
        'This is why node is started directly below: through `npm start`, npx or a shell, node ' +
        'would be a child of the main process and systemd would drop its READY=1, WATCHDOG=1 ' +
        'and STOPPING=1 (npm also does not forward SIGTERM reliably).',
    ),
    'NotifyAccess=main',
    ...execStartLines(options),
    `WorkingDirectory=${specifiers(options.workingDirectory)}`,
    ...listenLines(options, names),
    ...environmentLines(options),
    '',
    ...supervisionLines(options),
    '',
    ...identityLines(options),
    '',
    ...fileSystemLines(options),
    '',
    ...networkLines(options),
    '',
    ...kernelLines(),
    '',
    // A job runs when started (by hand or by its timer), not at every boot.
    ...(options.oneshot ? [] : ['[Install]', 'WantedBy=multi-user.target', '']),
  ];
  return { fileName: names.service, text: lines.join('\n') };
}

function socketUnit(options: UnitOptions, names: Names): GeneratedUnit {
  const service = options.instances ? `${options.name}@%i.service` : names.service;
  const ipFilter = ipFilterLines(options);
  const lines = [
    ...header(options, names.socket, [
      `systemd binds the port and hands the listening socket to ${service}. The socket stays ` +
        'open across restarts, so clients connecting while the app restarts wait in the ' +
        'backlog instead of being refused.',
      `Install it with ${names.service} (see there).`,
    ]),
    '',
    '[Unit]',
    `Description=Listening socket of ${service}`,
    '',
    '[Socket]',
    `ListenStream=${listenAddress(options.host, options.port)}`,
    ...comment('The name the app can ask for (LISTEN_FDNAMES), when it is passed several sockets.'),
    'FileDescriptorName=http',
    ...comment('One service process takes the listening socket (not one process per connection).'),
    'Accept=no',
    ...(options.instances
      ? [
          ...comment(
            'Each instance binds its own socket to the same port (SO_REUSEPORT): the kernel ' +
              'spreads new connections across them, and while one instance restarts, its ' +
              'socket keeps its share waiting instead of refusing it.',
          ),
          'ReusePort=yes',
        ]
      : []),
    ...(ipFilter.length > 0
      ? [
          ...comment(
            "The service's IP allow list does not cover a socket passed to it: the same list here.",
          ),
          ...ipFilter,
        ]
      : []),
    '',
    '[Install]',
    'WantedBy=sockets.target',
    '',
  ];
  return { fileName: names.socket, text: lines.join('\n') };
}

/**
 * The unit files for `options`: `<name>.service`, plus `<name>.socket` with `socket`, or the
 * templates `<name>@.service` and `<name>@.socket` with `instances`.
 *
 * @throws {@link UnitOptionsError} when a value would give a unit that does not load or start.
 */
export function generateUnits(options: UnitOptions): GeneratedUnit[] {
  checkUnitOptions(options);
  const names = unitNames(options);
  const service = serviceUnit(options, names);
  return options.socket || options.instances ? [service, socketUnit(options, names)] : [service];
}
