// The smallest production-shaped app, compiled once as ESM (Nest 12) and once as CommonJS
// (Nest 11) against the packed library, to prove both install and boot the way users do it.
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { listenOnActivatedSocket } from 'nestjs-systemd/activation';
import { JournaldLogger } from 'nestjs-systemd/journal';
import { AppModule } from './app.module.js';

async function bootstrap(): Promise<void> {
  // The journal format on stderr as under systemd, whichever Nest major extends the logger
  // (entries on stderr, not over journald's socket, which this test has no stand-in for).
  const logger = new JournaldLogger({
    journal: 'always',
    native: false,
    logLevels: ['log', 'warn', 'error'],
  });
  const app = await NestFactory.create(AppModule, { logger });
  app.enableShutdownHooks(['SIGTERM', 'SIGINT']);
  // The packaging test passes a socket, as a .socket unit would.
  await listenOnActivatedSocket(app, { fallback: { port: 0, host: '127.0.0.1' } });
}

void bootstrap();
