import { NestFactory } from '@nestjs/core';
import { listenOnActivatedSocket } from 'nestjs-systemd/activation';
import { JournaldLogger } from 'nestjs-systemd/journal';
import { AppModule } from './app.module.js';
import { readListenAddress } from './listen-address.js';

const { port, host } = readListenAddress(process.env);
// Under systemd, log lines carry their priority into the journal (journalctl -p warning works);
// anywhere else this is Nest's ConsoleLogger.
const app = await NestFactory.create(AppModule, { logger: new JournaldLogger() });
// Without shutdown hooks SIGTERM kills node outright: no STOPPING=1 and no graceful close,
// so systemd would see every stop as a crash of a service that was still "running".
// SIGHUP is not among them: it asks for a reload (`reload: true`), not for a shutdown.
app.enableShutdownHooks(['SIGTERM', 'SIGINT']);
// Serves the socket systemd passes when nestjs-systemd-sample.socket is active (no connection
// is refused while the service restarts), and binds PORT/HOST itself otherwise. Either way
// READY=1 is sent once the server listens, not before.
await listenOnActivatedSocket(app, { fallback: { port, host } });
