import { spawn } from 'node:child_process';

export interface CommandResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CommandOptions {
  readonly env?: NodeJS.ProcessEnv;
  /** Killed with SIGKILL after this long; the result then has signal 'SIGKILL'. */
  readonly timeoutMs?: number;
}

/** Runs a command to completion and returns its output, whatever its exit status. */
export function runCommand(
  file: string,
  args: readonly string[],
  options: CommandOptions = {},
): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, {
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    const timer =
      options.timeoutMs === undefined
        ? undefined
        : setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({
        code,
        signal,
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderr: Buffer.concat(stderr).toString('utf8'),
      });
    });
  });
}

/** Like {@link runCommand}, but a non-zero exit is an error that quotes the command and its stderr. */
export async function runChecked(
  file: string,
  args: readonly string[],
  options: CommandOptions = {},
): Promise<string> {
  const result = await runCommand(file, args, options);
  if (result.code !== 0) {
    const how = result.signal ? `killed by ${result.signal}` : `exit status ${result.code}`;
    throw new Error(
      `${[file, ...args].join(' ')}: ${how}\n${result.stderr.trim() || result.stdout.trim()}`,
    );
  }
  return result.stdout;
}

/**
 * `setpriv` + `unshare` arguments that run a bash script in a private mount namespace (its mounts
 * vanish with it) and send it SIGTERM if the test runner dies, so it can clean up after itself.
 */
export function privateScriptCommand(script: string, args: readonly string[]): [string, string[]] {
  return [
    'setpriv',
    [
      '--pdeathsig',
      'TERM',
      '--',
      'unshare',
      '--mount',
      '--propagation',
      'private',
      '--',
      'bash',
      script,
      ...args,
    ],
  ];
}
