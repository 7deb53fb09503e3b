// @ts-nocheck -- checked against Nest 10's microservices in the Nest 10 app (this line is removed there).
// A TCP microservice with the module, as a Nest 10 user writes one: Nest 10 does not announce
// its transports, so READY follows bootstrap and the module must say so (see boot.mjs).
import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Transport, type MicroserviceOptions } from '@nestjs/microservices';
import { ScheduleModule } from '@nestjs/schedule';
import { SystemdModule } from 'nestjs-systemd';

@Module({ imports: [ScheduleModule.forRoot(), SystemdModule.forRoot()] })
class WorkerModule {}

async function bootstrap(): Promise<void> {
  const app = await NestFactory.createMicroservice<MicroserviceOptions>(WorkerModule, {
    transport: Transport.TCP,
    // Nest 10 reads port 0 as "unset" and listens on 3000: the test picks a free port.
    options: { host: '127.0.0.1', port: Number(process.env.PORT) },
    logger: ['log', 'warn', 'error'],
  });
  app.enableShutdownHooks(['SIGTERM', 'SIGINT']);
  await app.listen();
}

void bootstrap();
