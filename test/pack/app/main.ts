// The smallest production-shaped app, compiled once as ESM (Nest 12) and once as CommonJS
// (Nest 11) against the packed library, to prove both install and boot the way users do it.
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { listenOnActivatedSocket } from 'nestjs-systemd/activation';
import { JournaldLogger } from 'nestjs-systemd/journal';
import { AppModule } from './app.module.js';

// The app's own SIGTERM listener, added before Nest's as apps add theirs (a farewell line, a
// metrics flush), and slow when SLOW_SIGTERM_LISTENER_MS says so: the packaging test checks,
// under each Nest major, that STOPPING=1 leaves before it runs.
process.on('SIGTERM', () => {
  const until = performance.now() + Number(process.env.SLOW_SIGTERM_LISTENER_MS ?? 0);
  while (performance.now() < until);
});

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
