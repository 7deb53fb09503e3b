// The pure unit generator: options in, unit text out. What systemd makes of the text is
// checked by systemd-analyze.spec.ts; the command line around it by unit-command.spec.ts.
import { generateUnits } from '../../lib/cli/unit-generator.js';
import {
  ipAllowProblem,
  isLoopbackHost,
  unitNameFromPackageName,
  UnitOptionsError,
  type UnitOptions,
} from '../../lib/cli/unit-options.js';
import { BASE_OPTIONS, unitLines, value, values } from './unit-text.js';

function generate(overrides: Partial<UnitOptions> = {}) {
  return generateUnits({ ...BASE_OPTIONS, ...overrides });
}

function service(overrides: Partial<UnitOptions> = {}): string {
  return generate(overrides)[0]!.text;
}

/** The comment lines above `key`'s settings in `text`, joined. */
function commentsAbove(text: string, key: string): string {
  return unitLines(text)
    .filter((line) => line.key === key)
    .flatMap((line) => line.comment)
    .join(' ');
}

describe('the generated service unit', () => {
  const text = service();
  const comments = (key: string) => commentsAbove(text, key);

  it('is one file, <name>.service', () => {
    expect(generate().map((unit) => unit.fileName)).toEqual(['my-app.service']);
  });

  it('has what supervision needs: Type=notify, NotifyAccess=main, node started directly', () => {
    expect(value(text, 'Service', 'Type')).toBe('notify');
    expect(value(text, 'Service', 'NotifyAccess')).toBe('main');
    expect(value(text, 'Service', 'ExecStart')).toBe('/usr/bin/node /opt/my-app/dist/main.js');
    expect(value(text, 'Service', 'WorkingDirectory')).toBe('/opt/my-app');
    expect(value(text, 'Service', 'Environment')).toBe(
      'NODE_ENV=production NO_COLOR=1 PORT=3000 HOST=127.0.0.1',
    );
  });

  it('stops with SIGTERM within TimeoutStopSec=, restarts on failure, has a watchdog', () => {
    expect(value(text, 'Service', 'KillSignal')).toBe('SIGTERM');
    expect(value(text, 'Service', 'TimeoutStopSec')).toBe('20');
    expect(value(text, 'Service', 'TimeoutStartSec')).toBe('30');
    expect(value(text, 'Service', 'WatchdogSec')).toBe('10');
    expect(value(text, 'Service', 'Restart')).toBe('on-failure');
    expect(value(text, 'Unit', 'StartLimitBurst')).toBe('5');
  });

  it("carries the sample's sandbox, with the system call filter that does not kill node", () => {
    expect(value(text, 'Service', 'DynamicUser')).toBe('yes');
    expect(values(text, 'Service', 'User')).toEqual([]);
    expect(value(text, 'Service', 'CapabilityBoundingSet')).toBe('');
    expect(value(text, 'Service', 'ProtectSystem')).toBe('strict');
    expect(value(text, 'Service', 'ProtectHome')).toBe('yes');
    expect(value(text, 'Service', 'ProtectProc')).toBe('invisible');
    expect(value(text, 'Service', 'MemoryDenyWriteExecute')).toBe('no');
    expect(values(text, 'Service', 'SystemCallFilter')).toEqual([
      '@system-service',
      '~@privileged @resources',
    ]);
    expect(value(text, 'Service', 'SystemCallErrorNumber')).toBe('EPERM');
    expect(value(text, 'Service', 'IPAddressDeny')).toBe('any');
    expect(value(text, 'Service', 'IPAddressAllow')).toBe('localhost');
    expect(value(text, 'Install', 'WantedBy')).toBe('multi-user.target');
  });

  it('says why for every setting of [Service]', () => {
    const uncommented = unitLines(text).filter(
      (line) => line.section === 'Service' && line.comment.length === 0,
    );
    expect(uncommented).toEqual([]);
  });

  it('explains the traps next to the settings that avoid them', () => {
    expect(comments('NotifyAccess')).toContain('`npm start`');
    expect(comments('SystemCallErrorNumber')).toContain('status=31/SYS');
    expect(comments('MemoryDenyWriteExecute')).toContain('JIT');
    expect(comments('KillSignal')).toContain('STOPPING=1');
    expect(comments('TimeoutStopSec')).toContain('extendTimeout');
  });

  it('wraps its comments within 96 columns, commands to type aside', () => {
    const long = text
      .split('\n')
      .filter((line) => line.startsWith('#') && !line.startsWith('#  ') && line.length > 96);
    expect(long).toEqual([]);
  });

  it('repeats the command line in its header, wrapped as a shell reads it', () => {
    const withCommand = service({
      commandLine: ['npx', 'nestjs-systemd', 'unit', '--port', '4000', '--env', "'A=b c'"],
    });
    expect(withCommand).toContain(
      "# Made with:\n#   npx nestjs-systemd unit --port 4000 --env 'A=b c'\n",
    );
    const many = service({ commandLine: ['npx', ...Array.from({ length: 30 }, () => '--socket')] });
    const made = many
      .slice(many.indexOf('# Made with:'))
      .split('\n')
      .slice(1)
      .filter((line) => line.startsWith('#   '));
    expect(made.length).toBeGreaterThan(1);
    expect(made.slice(0, -1).every((line) => line.endsWith(' \\'))).toBe(true);
    expect(made.at(-1)).toMatch(/--socket$/);
    expect(made.map((line) => line.slice(4).replace(/ \\$/, '')).join(' ')).toBe(
      ['npx', ...Array.from({ length: 30 }, () => '--socket')].join(' '),
    );
  });
});

describe('options', () => {
  it('--port and --host set PORT and HOST', () => {
    const text = service({ port: 8080, host: '::1' });
    expect(value(text, 'Service', 'Environment')).toBe(
      'NODE_ENV=production NO_COLOR=1 PORT=8080 HOST=::1',
    );
    // ::1 is loopback: the allow list stays.
    expect(value(text, 'Service', 'IPAddressAllow')).toBe('localhost');
  });

  it('a host that serves other hosts drops the IP allow list, and says so', () => {
    const text = service({ host: '0.0.0.0' });
    expect(values(text, 'Service', 'IPAddressDeny')).toEqual([]);
    expect(values(text, 'Service', 'IPAddressAllow')).toEqual([]);
    const why = unitLines(text).find((line) => line.key === 'RestrictAddressFamilies')!.comment;
    expect(why.join(' ')).toContain('HOST=0.0.0.0 serves other hosts, so no IP allow list');
  });

  it('--ip-allow adds peers to localhost and waits for the network to be online', () => {
    const text = service({ ipAllow: ['10.0.0.5', '192.168.0.0/16', '10.0.0.5', 'localhost'] });
    expect(value(text, 'Service', 'IPAddressAllow')).toBe('localhost 10.0.0.5 192.168.0.0/16');
    expect(value(text, 'Unit', 'Wants')).toBe('network-online.target');
    expect(value(text, 'Unit', 'After')).toBe('network-online.target');
  });

  it('--after orders the app after the local services it uses, and wants them, each once', () => {
    const text = service({
      after: ['redis-server.service', 'postgresql@15-main.service', 'redis-server.service'],
    });
    const units = 'redis-server.service postgresql@15-main.service';
    expect(values(text, 'Unit', 'Wants')).toEqual([units]);
    expect(values(text, 'Unit', 'After')).toEqual(['network.target', units]);
    expect(commentsAbove(text, 'Wants')).toMatch(/start first and stop after it/);
    // Not Requires=: a failed Redis must not keep the app (and its restarts) from running.
    expect(values(text, 'Unit', 'Requires')).toEqual([]);
    expect(values(service(), 'Unit', 'Wants')).toEqual([]);
  });

  it('--ip-allow with a host that serves others restores the allow list to those peers', () => {
    const text = service({ host: '0.0.0.0', ipAllow: ['10.0.0.0/8'] });
    expect(value(text, 'Service', 'IPAddressDeny')).toBe('any');
    expect(value(text, 'Service', 'IPAddressAllow')).toBe('localhost 10.0.0.0/8');
  });

  it('--watchdog-sec sets WatchdogSec=, and 0 leaves it out with a comment', () => {
    const five = service({ watchdogSec: 5 });
    expect(value(five, 'Service', 'WatchdogSec')).toBe('5');
    const why = unitLines(five)
      .find((line) => line.key === 'WatchdogSec')!
      .comment.join(' ');
    expect(why).toContain('5 s after the last one systemd kills it with SIGABRT');
    const none = service({ watchdogSec: 0 });
    expect(values(none, 'Service', 'WatchdogSec')).toEqual([]);
    expect(none).toContain('# No WatchdogSec= (--watchdog-sec 0)');
  });

  it('--timeout-stop-sec sets TimeoutStopSec=', () => {
    expect(value(service({ timeoutStopSec: 45 }), 'Service', 'TimeoutStopSec')).toBe('45');
  });

  it('--reload: Type=notify-reload, explained, and nothing else to run', () => {
    const text = service({ reload: 'notify-reload' });
    expect(value(text, 'Service', 'Type')).toBe('notify-reload');
    expect(values(text, 'Service', 'ExecReload')).toEqual([]);
    expect(text).toMatch(/systemctl reload` sends SIGHUP and waits for RELOADING=1/);
    expect(text).toMatch(/app\.enableShutdownHooks\(\['SIGTERM', 'SIGINT'\]\)/);
  });

  it('--reload-kill: Type=notify with ExecReload= sending SIGHUP to the main process', () => {
    const text = service({ reload: 'kill' });
    expect(value(text, 'Service', 'Type')).toBe('notify');
    expect(values(text, 'Service', 'ExecReload')).toEqual(['/bin/kill -HUP $MAINPID']);
    expect(text).toMatch(/systemd does not wait for them/);
  });

  it('without either, no reload: systemctl reload is refused as systemd refuses it', () => {
    expect(values(service(), 'Service', 'ExecReload')).toEqual([]);
    expect(value(service(), 'Service', 'Type')).toBe('notify');
  });

  it('--user replaces DynamicUser=yes', () => {
    const text = service({ user: 'my-app' });
    expect(value(text, 'Service', 'User')).toBe('my-app');
    expect(values(text, 'Service', 'DynamicUser')).toEqual([]);
  });

  it('--state-directory and --cache-directory make those writable', () => {
    const text = service({ stateDirectory: 'my-app', cacheDirectory: 'my-app/http' });
    expect(value(text, 'Service', 'StateDirectory')).toBe('my-app');
    expect(value(text, 'Service', 'CacheDirectory')).toBe('my-app/http');
    expect(text).toContain('/var/lib/my-app');
  });

  it('--environment-file and --env add variables, quoted and escaped', () => {
    const text = service({
      environmentFile: '/etc/my-app/env',
      environment: [
        { name: 'GREETING', value: 'hello "world" \\ 100%' },
        { name: 'EMPTY', value: '' },
      ],
    });
    expect(value(text, 'Service', 'EnvironmentFile')).toBe('/etc/my-app/env');
    expect(values(text, 'Service', 'Environment')).toEqual([
      'NODE_ENV=production NO_COLOR=1 PORT=3000 HOST=127.0.0.1',
      '"GREETING=hello \\"world\\" \\\\ 100%%"',
      '"EMPTY="',
    ]);
  });

  it('--credential writes LoadCredential= lines, explained', () => {
    const text = service({
      credentials: [
        { name: 'db-password', path: '/etc/my-app/db-password' },
        { name: 'api-key', path: '/etc/my-app/api-key' },
      ],
    });
    expect(values(text, 'Service', 'LoadCredential')).toEqual([
      'db-password:/etc/my-app/db-password',
      'api-key:/etc/my-app/api-key',
    ]);
    const why = unitLines(text)
      .find((line) => line.key === 'LoadCredential')!
      .comment.join(' ');
    expect(why).toContain("readSystemdCredential('<name>')");
    expect(why).toContain('/proc/PID/environ');
  });

  it('escapes specifiers and variables in paths and the description', () => {
    const text = service({
      description: '100% Nest',
      nodePath: '/opt/node$1/bin/node',
      entryPath: '/opt/app%/main.js',
      workingDirectory: '/opt/app%',
    });
    expect(value(text, 'Unit', 'Description')).toBe('100%% Nest');
    expect(value(text, 'Service', 'ExecStart')).toBe('/opt/node$$1/bin/node /opt/app%%/main.js');
    expect(value(text, 'Service', 'WorkingDirectory')).toBe('/opt/app%%');
  });
});

describe('--socket', () => {
  const [serviceUnit, socketUnit] = generate({ socket: true });

  it('adds <name>.socket, which the service requires', () => {
    expect([serviceUnit!.fileName, socketUnit!.fileName]).toEqual([
      'my-app.service',
      'my-app.socket',
    ]);
    expect(value(serviceUnit!.text, 'Unit', 'Requires')).toBe('my-app.socket');
    expect(values(serviceUnit!.text, 'Unit', 'After')).toEqual(['network.target', 'my-app.socket']);
  });

  it('listens on HOST:PORT, one service for all connections, no ReusePort', () => {
    const text = socketUnit!.text;
    expect(value(text, 'Socket', 'ListenStream')).toBe('127.0.0.1:3000');
    expect(value(text, 'Socket', 'FileDescriptorName')).toBe('http');
    expect(value(text, 'Socket', 'Accept')).toBe('no');
    expect(values(text, 'Socket', 'ReusePort')).toEqual([]);
    expect(value(text, 'Socket', 'IPAddressAllow')).toBe('localhost');
    expect(value(text, 'Install', 'WantedBy')).toBe('sockets.target');
  });

  it('brackets an IPv6 address and allows a privileged port (systemd binds it)', () => {
    const [, socket] = generate({ socket: true, host: '::', port: 443 });
    expect(value(socket!.text, 'Socket', 'ListenStream')).toBe('[::]:443');
    expect(values(socket!.text, 'Socket', 'IPAddressDeny')).toEqual([]);
  });

  it('tells the app to serve the passed socket', () => {
    expect(serviceUnit!.text).toContain('listenOnActivatedSocket(app');
  });
});

describe('--instances', () => {
  const units = generate({ instances: true, credentials: [{ name: 'k', path: '/etc/k' }] });
  const [serviceUnit, socketUnit] = units;

  it('writes the template pair <name>@.service and <name>@.socket', () => {
    expect(units.map((unit) => unit.fileName)).toEqual(['my-app@.service', 'my-app@.socket']);
  });

  it('binds each instance to its own socket', () => {
    expect(value(serviceUnit!.text, 'Unit', 'Requires')).toBe('my-app@%i.socket');
    expect(value(serviceUnit!.text, 'Unit', 'Description')).toBe('My app (instance %i)');
    expect(value(socketUnit!.text, 'Unit', 'Description')).toBe(
      'Listening socket of my-app@%i.service',
    );
  });

  it('shares the port between instances with ReusePort=yes', () => {
    expect(value(socketUnit!.text, 'Socket', 'ListenStream')).toBe('127.0.0.1:3000');
    expect(value(socketUnit!.text, 'Socket', 'ReusePort')).toBe('yes');
  });

  it('keeps everything else of the plain service', () => {
    const text = serviceUnit!.text;
    expect(value(text, 'Service', 'Type')).toBe('notify');
    expect(value(text, 'Service', 'DynamicUser')).toBe('yes');
    expect(value(text, 'Service', 'LoadCredential')).toBe('k:/etc/k');
    expect(text).toContain('systemctl enable --now my-app@1.socket my-app@2.socket');
  });
});

describe('--oneshot', () => {
  const units = generate({ oneshot: true, watchdogSec: 2, entryPath: '/opt/my-app/dist/job.js' });
  const text = units[0]!.text;
  const comments = (key: string) => commentsAbove(text, key);

  it("is one service unit of Type=oneshot that still hears the job's notifications", () => {
    expect(units.map((unit) => unit.fileName)).toEqual(['my-app.service']);
    expect(value(text, 'Service', 'Type')).toBe('oneshot');
    expect(value(text, 'Service', 'NotifyAccess')).toBe('main');
    expect(comments('NotifyAccess')).toContain('NOTIFY_SOCKET');
    expect(value(text, 'Service', 'ExecStart')).toBe('/usr/bin/node /opt/my-app/dist/job.js');
  });

  it('serves nothing: no PORT or HOST, no socket; runs when started, not at boot', () => {
    expect(value(text, 'Service', 'Environment')).toBe('NODE_ENV=production NO_COLOR=1');
    expect(values(text, 'Unit', 'Requires')).toEqual([]);
    expect(unitLines(text).filter((line) => line.section === 'Install')).toEqual([]);
    expect(text.split('\n')).not.toContain('[Install]');
    expect(text).toContain('my-app.timer');
  });

  it('is not restarted, has no start limit of its own, and is watched by the watchdog', () => {
    expect(value(text, 'Service', 'Restart')).toBe('no');
    expect(values(text, 'Unit', 'StartLimitBurst')).toEqual([]);
    expect(values(text, 'Unit', 'StartLimitIntervalSec')).toEqual([]);
    expect(value(text, 'Service', 'TimeoutStartSec')).toBe('infinity');
    expect(value(text, 'Service', 'WatchdogSec')).toBe('2');
    expect(comments('WatchdogSec')).toContain('Result=watchdog');
    expect(value(text, 'Service', 'KillSignal')).toBe('SIGTERM');
    expect(comments('TimeoutStopSec')).not.toContain('keep-alive');
    // systemd ignores a oneshot's STOPPING=1: its watchdog outlives the pings.
    expect(comments('TimeoutStopSec')).toMatch(/close\(\) outlasts WatchdogSec=.*extension/);
    // SIGTERM is a clean exit for every type but oneshot.
    expect(comments('KillSignal')).toContain('Result=signal');
  });

  it('without a watchdog, says so and promises none', () => {
    const unwatched = generate({ oneshot: true, watchdogSec: 0 })[0]!.text;
    expect(values(unwatched, 'Service', 'WatchdogSec')).toEqual([]);
    expect(commentsAbove(unwatched, 'TimeoutStartSec')).toContain('no watchdog');
    expect(unwatched).not.toContain('health-gated watchdog');
    expect(service({ watchdogSec: 0 })).not.toContain('health-gated watchdog');
    expect(service()).toContain('health-gated watchdog');
  });

  it("keeps the service's sandbox, and says why for every setting", () => {
    const plain = service();
    for (const key of ['DynamicUser', 'ProtectSystem', 'SystemCallFilter', 'IPAddressAllow']) {
      expect(values(text, 'Service', key)).toEqual(values(plain, 'Service', key));
    }
    expect(
      unitLines(text).filter((line) => line.section === 'Service' && line.comment.length === 0),
    ).toEqual([]);
    const long = text
      .split('\n')
      .filter((line) => line.startsWith('#') && !line.startsWith('#  ') && line.length > 96);
    expect(long).toEqual([]);
  });
});

describe('--no-port', () => {
  const units = generate({ noPort: true, ipAllow: ['10.0.0.7'] });
  const text = units[0]!.text;
  const comments = (key: string) => commentsAbove(text, key);

  it('is a supervised service without PORT or HOST', () => {
    expect(units.map((unit) => unit.fileName)).toEqual(['my-app.service']);
    expect(value(text, 'Service', 'Type')).toBe('notify');
    expect(value(text, 'Service', 'Environment')).toBe('NODE_ENV=production NO_COLOR=1');
    expect(comments('Environment')).toMatch(/No PORT or HOST.*--env/);
    expect(text).not.toMatch(/PORT=|HOST=|listens on PORT/);
    expect(comments('Type')).toContain("a microservice's transports listen");
    expect(value(text, 'Service', 'Restart')).toBe('on-failure');
    expect(values(text, 'Unit', 'StartLimitBurst')).toEqual(['5']);
    expect(values(text, 'Install', 'WantedBy')).toEqual(['multi-user.target']);
  });

  it('stops its transports, not a server, and says nothing of keep-alive connections', () => {
    expect(comments('KillSignal')).toContain('closes its transports');
    expect(comments('TimeoutStopSec')).not.toContain('keep-alive');
  });

  it('keeps the allow list: localhost and the broker given with --ip-allow', () => {
    expect(value(text, 'Service', 'IPAddressDeny')).toBe('any');
    expect(value(text, 'Service', 'IPAddressAllow')).toBe('localhost 10.0.0.7');
    expect(values(text, 'Unit', 'After')).toEqual(['network-online.target']);
    const alone = service({ noPort: true });
    expect(value(alone, 'Service', 'IPAddressAllow')).toBe('localhost');
    expect(commentsAbove(alone, 'RestrictAddressFamilies')).toMatch(/its broker.*--ip-allow/);
  });

  it('does not read the host: --host cannot drop the allow list of an app that serves none', () => {
    const unlisted = service({ noPort: true, host: '0.0.0.0' });
    expect(value(unlisted, 'Service', 'IPAddressAllow')).toBe('localhost');
    expect(unlisted).not.toContain('0.0.0.0');
  });
});

describe('bad options', () => {
  it.each<[string, Partial<UnitOptions>, RegExp]>([
    ['port 0', { port: 0 }, /--port "0" must be a whole number from 1 to 65535/],
    ['port 65536', { port: 65_536 }, /--port "65536" must be a whole number from 1 to 65535/],
    ['a fractional port', { port: 3000.5 }, /--port "3000.5"/],
    ['a privileged port without a socket', { port: 80 }, /--port 80 is below 1024.*add --socket/],
    ['a host with a space', { host: 'my host' }, /--host "my host" is neither/],
    ['a host name for a socket', { host: 'localhost', socket: true }, /takes an IP address/],
    ['a oneshot with a socket', { oneshot: true, socket: true }, /--oneshot and --socket/],
    ['a oneshot with instances', { oneshot: true, instances: true }, /--oneshot and --instances/],
    ['a oneshot with a reload', { oneshot: true, reload: 'notify-reload' }, /and --reload do/],
    ['a oneshot with a kill reload', { oneshot: true, reload: 'kill' }, /and --reload-kill/],
    ['no port with a socket', { noPort: true, socket: true }, /--no-port and --socket/],
    ['no port with instances', { noPort: true, instances: true }, /--no-port and --instances/],
    ['a negative watchdog', { watchdogSec: -1 }, /--watchdog-sec "-1"/],
    ['a zero stop timeout', { timeoutStopSec: 0 }, /--timeout-stop-sec "0" .* from 1/],
    ['user root', { user: 'root' }, /--user root would run the app as root/],
    ['a bad user name', { user: 'my user' }, /--user "my user" is not a valid user name/],
    ['a state directory with ..', { stateDirectory: '../etc' }, /--state-directory "..\/etc"/],
    ['an absolute cache directory', { cacheDirectory: '/var/cache/x' }, /--cache-directory/],
    ['a relative environment file', { environmentFile: 'env' }, /must be an absolute path/],
    ['a bad variable name', { environment: [{ name: '1X', value: '' }] }, /--env "1X"/],
    ['a two-line value', { environment: [{ name: 'X', value: 'a\nb' }] }, /one line/],
    [
      'a credential name with a slash',
      { credentials: [{ name: 'a/b', path: '/x' }] },
      /--credential "a\/b" is not a valid credential name: it contains a slash/,
    ],
    ['a credential named ..', { credentials: [{ name: '..', path: '/x' }] }, /names a directory/],
    ['a credential name with a colon', { credentials: [{ name: 'a:b', path: '/x' }] }, /colon/],
    [
      'a credential name with a space',
      { credentials: [{ name: 'a b', path: '/x' }] },
      /use letters, digits/,
    ],
    [
      'a credential given twice',
      {
        credentials: [
          { name: 'a', path: '/x' },
          { name: 'a', path: '/y' },
        ],
      },
      /--credential a is given twice/,
    ],
    [
      'a relative credential path',
      { credentials: [{ name: 'a', path: 'secrets/a' }] },
      /must be an absolute path/,
    ],
    ['an IP allow entry that is no address', { ipAllow: ['db.local'] }, /--ip-allow "db.local"/],
    ['a prefix too long', { ipAllow: ['10.0.0.0/33'] }, /--ip-allow "10.0.0.0\/33"/],
    [
      'an --after unit without its type',
      { after: ['redis-server'] },
      /--after "redis-server" names no unit type.*--after redis-server\.service$/,
    ],
    ['an --after that is no unit', { after: ['redis server.service'] }, /is not a unit name/],
    ['an --after of an unknown type', { after: ['redis.server'] }, /is not a unit name/],
    ['an --after of the app itself', { after: ['my-app.service'] }, /this app's own unit/],
    [
      'an --after of one of its own instances',
      { instances: true, after: ['my-app@2.service'] },
      /this app's own unit/,
    ],
    ['a unit name with a space', { name: 'my app' }, /cannot name a unit/],
    ['a unit name with @', { name: 'my@app' }, /cannot name a unit/],
    ['a relative node', { nodePath: 'node' }, /--node "node" must be an absolute path/],
    ['a node path with a space', { nodePath: '/opt/my node/node' }, /contains whitespace/],
    [
      'a working directory with ..',
      { workingDirectory: '/opt/../srv/app' },
      /not a normalized path; write "\/srv\/app"/,
    ],
    ['an empty description', { description: ' ' }, /--description/],
  ])('rejects %s', (_, overrides, message) => {
    expect(() => generate(overrides)).toThrow(UnitOptionsError);
    expect(() => generate(overrides)).toThrow(message);
  });
});

describe('helpers', () => {
  it.each([
    ['my-app', 'my-app'],
    ['@acme/billing-api', 'acme-billing-api'],
    ['app~v2', 'app-v2'],
  ])('names the unit of package %j %j', (packageName, unit) => {
    expect(unitNameFromPackageName(packageName)).toBe(unit);
  });

  it.each(['127.0.0.1', '127.1.2.3', '::1', 'localhost'])('%s is loopback', (host) => {
    expect(isLoopbackHost(host)).toBe(true);
  });

  it.each(['0.0.0.0', '::', '10.0.0.1', 'example.com'])('%s is not loopback', (host) => {
    expect(isLoopbackHost(host)).toBe(false);
  });

  it.each(['10.0.0.5', '10.0.0.0/8', 'fd00::/8', '::1', 'any', 'link-local', 'multicast'])(
    'accepts IPAddressAllow=%s',
    (entry) => {
      expect(ipAllowProblem(entry)).toBeUndefined();
    },
  );

  it.each(['10.0.0.256', '10.0.0.0/', '10.0.0.0/x', 'fd00::/129', '1.2.3.4/8/9', ''])(
    'rejects IPAddressAllow=%s',
    (entry) => {
      expect(ipAllowProblem(entry)).toMatch(/is not an IP address/);
    },
  );
});
