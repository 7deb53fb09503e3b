import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import type { NotifyLogger } from '../../lib/notify/notify-logger.js';

/** A logger that keeps what it is told, for assertions. */
export class RecordingLogger implements NotifyLogger {
  readonly lines: { level: 'debug' | 'warn' | 'error'; message: string }[] = [];
  debug(message: string): void {
    this.lines.push({ level: 'debug', message });
  }
  warn(message: string): void {
    this.lines.push({ level: 'warn', message });
  }
  error(message: string): void {
    this.lines.push({ level: 'error', message });
  }
  at(level: 'debug' | 'warn' | 'error'): string[] {
    return this.lines.filter((line) => line.level === level).map((line) => line.message);
  }
}

export const fixture = (name: string): string =>
  new URL(`../fixtures/dist/${name}.js`, import.meta.url).pathname;

/** A notify receiver in its own process (so SIGSTOP can make it stop reading). */
export class ChildReceiver {
  readonly datagrams: string[] = [];
  /** With `stamped`: each datagram's arrival, in ms of the receiver's clock, in order. */
  readonly arrivals: number[] = [];
  private constructor(readonly child: ChildProcess) {}

  static async start(path: string, { stamped = false } = {}): Promise<ChildReceiver> {
    const args = [fixture('notify-receiver'), path, ...(stamped ? ['stamped'] : [])];
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    const receiver = new ChildReceiver(child);
    const lines = createInterface({ input: child.stdout! });
    let ready!: () => void;
    const listening = new Promise<void>((resolve, reject) => {
      ready = resolve;
      child.once('exit', (code) => reject(new Error(`notify receiver exited with ${code}`)));
    });
    lines.on('line', (line) => {
      if (line === 'listening') {
        ready();
      } else if (stamped) {
        const { at, data } = JSON.parse(line) as { at: number; data: string };
        receiver.arrivals.push(at);
        receiver.datagrams.push(data);
      } else {
        receiver.datagrams.push(JSON.parse(line) as string);
      }
    });
    await listening;
    return receiver;
  }

  /** Waits until `predicate` holds for the datagrams received so far. */
  async waitUntil(predicate: (datagrams: string[]) => boolean, timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(this.datagrams)) {
      if (Date.now() > deadline) {
        throw new Error(`condition not met; received: ${JSON.stringify(this.datagrams)}`);
      }
      // oxlint-disable-next-line no-await-in-loop -- polling a child process's output
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill('SIGKILL');
    await once(this.child, 'exit');
  }
}
