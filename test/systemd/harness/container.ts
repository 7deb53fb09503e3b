import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { chmod, mkdir, open, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { privateScriptCommand, runChecked, runCommand, type CommandResult } from './command.js';
import { assertBuilt, BOOT_SCRIPT, REPO_DIR } from './paths.js';
import { pollUntil, settlesWithin } from './poll.js';
import { allocateRunDirs, releaseRunDirs, type RunDirs } from './run-dirs.js';

/** What commands run inside get: no pager, no colours, no inherited test-runner variables. */
const CONTAINER_ENV: NodeJS.ProcessEnv = {
  PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
  LANG: 'C.UTF-8',
  SYSTEMD_PAGER: '',
  SYSTEMD_COLORS: '0',
};

const BOOT_TIMEOUT_MS = 30_000;
/** The boot script's own budget (graceful poweroff, then halt, then kill) plus some slack. */
const SHUTDOWN_TIMEOUT_MS = 45_000;

async function assertHostReady(): Promise<void> {
  if (process.getuid?.() !== 0) {
    throw new Error('the systemd tests must run as root (nspawn, mounts, cgroups)');
  }
  const nspawn = await runCommand('systemd-nspawn', ['--version']).catch(() => undefined);
  if (nspawn?.code !== 0) {
    throw new Error('systemd-nspawn is missing: run test/systemd/prepare-host.sh first');
  }
  await assertBuilt();
}

/** How to boot a container. */
export interface BootOptions {
  /**
   * The root file system, under a tmpfs overlay that takes every change: the host's own `/`
   * (default), or a cached image (see image.ts), which thus stays clean for the next boot.
   */
  readonly rootDir?: string;
  /**
   * A network namespace of its own with only a loopback interface, for tests whose ports are
   * fixed (the README's 3000) and must not collide with anything on the host. Default: the host's
   * network, so that services in the container are reached at 127.0.0.1 from the tests.
   */
  readonly privateNetwork?: boolean;
}

/**
 * A real systemd booted as PID 1 of a throwaway systemd-nspawn container whose root is the host's
 * own `/` (or an image) under a tmpfs overlay, with this repository read-only at
 * /opt/nestjs-systemd and the test runner's node at /usr/bin/node.
 */
export class SystemdContainer {
  private shutdownResult: Promise<void> | undefined;

  private constructor(
    private readonly dirs: RunDirs,
    private readonly bootScript: ChildProcess,
    private readonly bootScriptExit: Promise<unknown>,
    /** The container's systemd, as a pid of the host. */
    readonly pid1: number,
  ) {}

  /** Boots a fresh container and waits until its systemd has finished starting up. */
  static async boot(options: BootOptions = {}): Promise<SystemdContainer> {
    await assertHostReady();
    const dirs = await allocateRunDirs();
    const bootScript = await startBootScript(dirs, options);
    const bootScriptExit = once(bootScript, 'exit');
    let container: SystemdContainer | undefined;
    try {
      const pid1 = await pollUntil(
        async () => {
          if (bootScript.exitCode !== null || bootScript.signalCode !== null) {
            throw new Error('the boot script exited before the container started');
          }
          const procs = join(dirs.cgroupDir, 'payload/init.scope/cgroup.procs');
          const first = (await readFile(procs, 'utf8').catch(() => '')).split('\n')[0];
          return first ? Number(first) : undefined;
        },
        { timeoutMs: BOOT_TIMEOUT_MS, intervalMs: 20, what: "the container's systemd" },
      );
      container = new SystemdContainer(dirs, bootScript, bootScriptExit, pid1);
      await container.waitUntilRunning();
      return container;
    } catch (error) {
      const consoleText = await readConsole(dirs);
      if (container) await container.shutdown().catch(() => undefined);
      else await stopBootScript(bootScript, bootScriptExit).then(() => releaseRunDirs(dirs));
      throw new Error(`${(error as Error).message}\n--- container console ---\n${consoleText}`, {
        cause: error,
      });
    }
  }

  /** Runs a command inside the container (all its namespaces); never throws on a non-zero exit. */
  exec(command: readonly string[], timeoutMs = 30_000): Promise<CommandResult> {
    return runCommand('nsenter', this.nsenterArgs(command), { env: CONTAINER_ENV, timeoutMs });
  }

  /** Like {@link exec}, but a non-zero exit is an error; resolves to stdout. */
  run(command: readonly string[], timeoutMs = 30_000): Promise<string> {
    return runChecked('nsenter', this.nsenterArgs(command), { env: CONTAINER_ENV, timeoutMs });
  }

  systemctl(...args: string[]): Promise<string> {
    return this.run(['systemctl', '--no-pager', ...args]);
  }

  /**
   * Writes a file into the container's (overlay) file system, creating its directory. The file is
   * world-readable whatever the test runner's umask: services run under DynamicUser= uids.
   */
  async writeFile(path: string, content: string): Promise<void> {
    const hostPath = join(`/proc/${this.pid1}/root`, path);
    await mkdir(dirname(hostPath), { recursive: true, mode: 0o755 });
    await writeFile(hostPath, content);
    await chmod(hostPath, 0o644);
  }

  /**
   * Powers the container off and removes everything the boot made: mounts, cgroups, processes,
   * directories. Throws if anything had to be removed by force. Safe to call twice.
   */
  shutdown(): Promise<void> {
    this.shutdownResult ??= this.doShutdown();
    return this.shutdownResult;
  }

  private async doShutdown(): Promise<void> {
    const problems: string[] = [];
    if (!(await stopBootScript(this.bootScript, this.bootScriptExit))) {
      problems.push(`the boot script did not finish within ${SHUTDOWN_TIMEOUT_MS} ms`);
    }
    const consoleText = await readConsole(this.dirs);
    problems.push(...(await releaseRunDirs(this.dirs)).map((what) => `left behind: ${what}`));
    if (problems.length > 0) {
      throw new Error(`${problems.join('\n')}\n--- container console ---\n${consoleText}`);
    }
  }

  /** Every namespace of the container's PID 1, and so its root directory, /run and cgroups too. */
  private nsenterArgs(command: readonly string[]): string[] {
    return ['--target', String(this.pid1), '--all', '--', ...command];
  }

  private async waitUntilRunning(): Promise<void> {
    // systemd appears in init.scope before its control socket exists: until then systemctl
    // prints no state at all, so retry; once it answers, --wait waits for start-up to finish.
    const answer = await pollUntil(
      async () => {
        const result = await this.exec(
          ['systemctl', 'is-system-running', '--wait'],
          BOOT_TIMEOUT_MS,
        );
        return result.stdout.trim() ? result : undefined;
      },
      { timeoutMs: BOOT_TIMEOUT_MS, intervalMs: 50, what: "the container's systemctl to answer" },
    );
    const state = answer.stdout.trim();
    if (state === 'running') return;
    const failed = await this.exec(['systemctl', '--no-pager', '--failed', '--no-legend']);
    throw new Error(`the container's systemd is ${state}:\n${failed.stdout}${answer.stderr}`);
  }
}

/**
 * Starts boot-container.sh in a private mount namespace, in a session of its own (a Ctrl-C in the
 * terminal reaches the test runner only), with the parent-death signal set so that the script
 * cleans up even if the test runner dies without calling shutdown().
 */
async function startBootScript(dirs: RunDirs, options: BootOptions): Promise<ChildProcess> {
  const rootDir = options.rootDir ?? '/';
  // overlayfs takes its directories in a comma- and colon-separated option string.
  if (/[,:]/.test(rootDir)) throw new Error(`cannot overlay ${rootDir}: it contains , or :`);
  const log = await open(dirs.consoleLog, 'a');
  try {
    const [command, args] = privateScriptCommand(BOOT_SCRIPT, [
      dirs.mountDir,
      dirs.cgroupDir,
      rootDir,
      REPO_DIR,
      process.execPath,
      'nestjs-systemd-test',
      ...(options.privateNetwork ? ['--private-network'] : []),
    ]);
    const child = spawn(command, args, { detached: true, stdio: ['ignore', log.fd, log.fd] });
    await once(child, 'spawn');
    return child;
  } finally {
    await log.close();
  }
}

/** SIGTERM, then SIGKILL if the script's own cleanup overran. Resolves whether it ended in time. */
async function stopBootScript(script: ChildProcess, exit: Promise<unknown>): Promise<boolean> {
  if (script.exitCode !== null || script.signalCode !== null) return true;
  script.kill('SIGTERM');
  if (await settlesWithin(exit, SHUTDOWN_TIMEOUT_MS)) return true;
  script.kill('SIGKILL');
  await exit;
  return false;
}

async function readConsole(dirs: RunDirs): Promise<string> {
  const text = await readFile(dirs.consoleLog, 'utf8').catch(() => '(no console log)');
  return stripVTControlCharacters(text).slice(-8000);
}
