// Starts a compiled fixture app in a child process and keeps everything it prints from the very
// first line: the module's warnings are logged while Nest builds the module, before the app
// listens, so a listener attached after start-up (as in e2e/helpers.ts) would miss them.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { exitedAndRead, fixturePath } from '../e2e/helpers.js';

/** One line a fixture logged through its stdout logger (`log <JSON>`). */
export interface ChildLogLine {
  readonly level: string;
  readonly message: string;
}

export interface ChildApp {
  readonly child: ChildProcess;
  readonly port: number;
  /** Lines logged so far (and later), oldest first. */
  readonly logs: ChildLogLine[];
  /** Every line printed on stdout so far (and later), oldest first. */
  readonly lines: string[];
  /** What the child wrote to stderr so far: shown when something fails. */
  readonly stderr: () => string;
  readonly exit: Promise<[number | null, NodeJS.Signals | null]>;
  /** Whether the child has exited (by itself or killed). */
  readonly exited: () => boolean;
  /** SIGKILLs the child if it still runs and waits for it to be gone. */
  readonly kill: () => Promise<void>;
}

/**
 * Spawns `node [nodeArgs] test/fixtures/dist/<name>.js [args]` with `env` added, and resolves
 * once it printed `port <n>`. Rejects (after killing it) if it exits or takes longer than
 * `startTimeoutMs` first.
 */
export async function startChildApp(
  name: string,
  args: readonly string[],
  env: Record<string, string>,
  { nodeArgs = [], startTimeoutMs = 15_000 }: { nodeArgs?: string[]; startTimeoutMs?: number } = {},
): Promise<ChildApp> {
  const child = spawn(process.execPath, [...nodeArgs, fixturePath(name), ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let hasExited = false;
  const exit = exitedAndRead(child).then((result) => {
    hasExited = true;
    return result;
  });
  let stderr = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (chunk: string) => {
    stderr += chunk;
  });
  const logs: ChildLogLine[] = [];
  const printed: string[] = [];
  const kill = async (): Promise<void> => {
    if (!hasExited) child.kill('SIGKILL');
    await exit;
  };
  const lines = createInterface({ input: child.stdout! });
  let timer: NodeJS.Timeout | undefined;
  try {
    const port = await new Promise<number>((resolve, reject) => {
      lines.on('line', (line) => {
        printed.push(line);
        if (line.startsWith('log ')) logs.push(JSON.parse(line.slice(4)) as ChildLogLine);
        const match = /^port (\d+)$/.exec(line);
        if (match) resolve(Number(match[1]));
      });
      void exit.then(([code, signal]) =>
        reject(new Error(`fixture ${name} exited early: ${code ?? signal}\n${stderr}`)),
      );
      timer = setTimeout(
        () => reject(new Error(`fixture ${name} did not listen within ${startTimeoutMs} ms`)),
        startTimeoutMs,
      );
    });
    return {
      child,
      port,
      logs,
      lines: printed,
      stderr: () => stderr,
      exit,
      exited: () => hasExited,
      kill,
    };
  } catch (error) {
    await kill();
    throw error;
  } finally {
    clearTimeout(timer);
  }
}
