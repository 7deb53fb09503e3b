/**
 * Every text the protocol layer logs or throws, in one place, so that wording stays
 * consistent and each message names the value and the fix.
 */
export const notifyMessages = {
  addressNotAbsolute: (value: string) =>
    `NOTIFY_SOCKET=${JSON.stringify(value)} is neither an absolute path nor an @abstract name; ` +
    'systemd will not be notified (libsystemd rejects it too)',
  addressTooShort: (value: string) =>
    `NOTIFY_SOCKET=${JSON.stringify(value)} names no socket; systemd will not be notified`,
  addressTooLong: (value: string, bytes: number) =>
    `NOTIFY_SOCKET is ${bytes} bytes long, over the 107 bytes an AF_UNIX address holds; ` +
    `systemd will not be notified (${JSON.stringify(value.slice(0, 40))}...)`,
  abstractUnsupported: (value: string) =>
    `NOTIFY_SOCKET=${JSON.stringify(value)} is an abstract-namespace address, which the unix-dgram ` +
    'transport cannot reach; systemd will not be notified. Use a filesystem socket path ' +
    '(systemd itself always passes one to services)',
  vsockUnsupported: (value: string) =>
    `NOTIFY_SOCKET=${JSON.stringify(value)} is an AF_VSOCK address, which Node cannot reach; ` +
    'systemd will not be notified',
  watchdogUnset: () => 'WATCHDOG_USEC is not set',
  watchdogUsecInvalid: (value: string, error: string) =>
    `WATCHDOG_USEC=${JSON.stringify(value)} is not a valid timeout (${error}: expected microseconds ` +
    'between 1 and 2^64-2); the watchdog stays disabled, and systemd may kill the service',
  watchdogPidInvalid: (value: string, error: string) =>
    `WATCHDOG_PID=${JSON.stringify(value)} is not a valid pid (${error}); the watchdog stays disabled`,
  watchdogForOtherPid: (value: string, pid: number) =>
    `WATCHDOG_PID=${value} names another process (this is ${pid}); no watchdog pings from here`,
  valueNotString: (key: string, type: string) => `${key} must be a string, got ${type}`,
  controlCharactersReplaced: (key: string) =>
    `${key} contained control characters (such as newlines), replaced with spaces so they cannot ` +
    'inject other assignments',
  loneSurrogatesReplaced: (key: string) =>
    `${key} contained unpaired UTF-16 surrogates, replaced with U+FFFD to keep it valid UTF-8`,
  invalidInteger: (key: string, value: unknown, min: bigint, max: bigint) =>
    `${key} must be an integer between ${min} and ${max}, got ${String(value)}`,
  invalidKey: (key: string) =>
    `${JSON.stringify(key)} is not a valid notify key (expected [A-Z][A-Z0-9_]*)`,
  emptyMessage: () => 'a notification must carry at least one assignment',
  datagramTooLarge: (bytes: number) =>
    `the notification is ${bytes} bytes without STATUS, over systemd's 4096-byte limit`,
  statusTruncated: (max: number) =>
    `STATUS was shortened to keep the datagram within systemd's ${max}-byte limit`,
  transportUnavailable: (detail: string) =>
    `the unix-dgram native addon could not be loaded (${detail}). ` +
    'Its build must be allowed: npm "allowScripts": {"unix-dgram": true}, then reinstall; ' +
    'pnpm "onlyBuiltDependencies": ["unix-dgram"], then pnpm install --force (a plain pnpm ' +
    'install or pnpm rebuild does not build it); Yarn 4 "dependenciesMeta": {"unix-dgram": ' +
    '{"built": true}} and node-gyp among the devDependencies (yarn add -D node-gyp@^12), in ' +
    "the workspace root's package.json, then yarn install",
  packageMissing: (from: string) =>
    `the unix-dgram package, which holds the native addon, is not installed where ${from} ` +
    'finds its dependencies. A bundle (webpack, esbuild) needs node_modules/unix-dgram shipped ' +
    "beside it, or nestjs-systemd and unix-dgram kept external (as Nest CLI's webpack build " +
    'keeps node_modules); otherwise reinstall',
  addonForOtherNode: (built: string, needed: string) =>
    `the unix-dgram native addon was built for another Node.js (NODE_MODULE_VERSION ${built}; ` +
    `this one, ${process.version}, needs ${needed}). Rebuild it with this Node.js: ` +
    'npm rebuild unix-dgram (pnpm: pnpm install --force --config.side-effects-cache=false), ' +
    'or reinstall',
  notNotifying: (reason: string) => `systemd will not be notified: ${reason}`,
  workerThread: () =>
    'loaded in a worker thread: notifications are only sent from the main thread ' +
    '(unix-dgram is not context-aware, and systemd expects the main process)',
  listenerInWorker: () =>
    'NotifyListener needs the main thread: unix-dgram, which binds its socket, is not ' +
    'context-aware and cannot be loaded in a worker thread. Run the tests in child processes ' +
    "instead (Jest does; Vitest with pool: 'forks', its default, not 'threads' or 'vmThreads')",
  sendFailed: (path: string, errno: string, pending: number) =>
    `could not notify systemd at ${path}: ${errno}; ${pending} message(s) kept and retried with the next one`,
  queueOverflow: (dropped: number) =>
    `notify queue full: dropped ${dropped} oldest message(s) that systemd did not accept in time`,
  droppedOnClose: (pending: number, errno: string) =>
    `closing with ${pending} undelivered notification(s) (${errno})`,
  suppressed: (count: number) => ` (${count} similar message(s) suppressed)`,
} as const;
