import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module.js';
import { readListenAddress } from './listen-address.js';

const { port, host } = readListenAddress(process.env);
const app = await NestFactory.create(AppModule);
// Without shutdown hooks SIGTERM kills node outright: no STOPPING=1 and no graceful close,
// so systemd would see every stop as a crash of a service that was still "running".
app.enableShutdownHooks();
// READY=1 is sent once this has bound the port, not before.
await app.listen(port, host);
