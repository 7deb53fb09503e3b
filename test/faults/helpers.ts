import 'reflect-metadata';
import {
  Controller,
  Get,
  Module,
  Query,
  type INestApplication,
  type LoggerService,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ScheduleModule } from '@nestjs/schedule';
import type { AddressInfo } from 'node:net';
import { SystemdModule } from '../../lib/systemd.module.js';
import { SystemdService } from '../../lib/systemd.service.js';
import { withSystemdEnv } from '../e2e/helpers.js';

type Level = 'log' | 'error' | 'warn' | 'debug' | 'verbose' | 'fatal';

/** A Nest logger that keeps what it is told, for assertions. */
export class RecordingNestLogger implements LoggerService {
  readonly entries: { level: Level; message: string; context: string | undefined }[] = [];
  log = this.record('log');
  error = this.record('error');
  warn = this.record('warn');
  debug = this.record('debug');
  verbose = this.record('verbose');
  fatal = this.record('fatal');

  /** Messages of `levels` logged by the module. */
  fromSystemd(...levels: Level[]): string[] {
    return this.entries
      .filter((entry) => entry.context === 'SystemdModule' && levels.includes(entry.level))
      .map((entry) => entry.message);
  }

  private record(level: Level) {
    return (message: unknown, ...rest: unknown[]): void => {
      // Nest passes the context last; errors may carry a stack before it.
      const context = rest.length > 0 ? String(rest[rest.length - 1]) : undefined;
      this.entries.push({ level, message: String(message), context });
    };
  }
}

@Controller()
class FaultAppController {
  constructor(private readonly systemd: SystemdService) {}

  @Get()
  hello(): string {
    return 'serving';
  }

  /** Request content on its way to STATUS=, as apps do with job names or client input. */
  @Get('status')
  status(@Query('text') text: string): boolean {
    return this.systemd.status(`Working on ${text}`);
  }
}

@Module({
  imports: [ScheduleModule.forRoot(), SystemdModule.forRoot()],
  controllers: [FaultAppController],
})
export class FaultAppModule {}

export interface RunningApp {
  readonly app: INestApplication;
  readonly url: string;
  readonly logger: RecordingNestLogger;
  readonly systemd: SystemdService;
}

/** Starts a real HTTP app with `env` as systemd's variables, listening on a free port. */
export async function startFaultApp(env: Record<string, string>): Promise<RunningApp> {
  const logger = new RecordingNestLogger();
  const app = await withSystemdEnv(env, async () => {
    const created = await NestFactory.create(FaultAppModule, { logger });
    created.enableShutdownHooks(['SIGTERM', 'SIGINT']);
    await created.listen(0, '127.0.0.1');
    return created;
  });
  const { port } = app.getHttpServer().address() as AddressInfo;
  return { app, url: `http://127.0.0.1:${port}`, logger, systemd: app.get(SystemdService) };
}

/** GET `path` and its body; throws on anything but 200. */
export async function get(app: RunningApp, path = '/'): Promise<string> {
  const response = await fetch(`${app.url}${path}`);
  const body = await response.text();
  if (response.status !== 200) throw new Error(`GET ${path}: ${response.status} ${body}`);
  return body;
}

/** Polls `condition` every 10 ms until it holds; throws after `timeoutMs`. */
export async function until(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    // oxlint-disable-next-line no-await-in-loop -- polling
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
