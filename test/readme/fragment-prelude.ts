// Imported by each README fragment when it is compiled: the imports a fragment takes for
// granted, and stand-ins for the reader's own modules and services that it mentions.
import { Injectable, Module } from '@nestjs/common';

export {
  Controller,
  Get,
  Injectable,
  Module,
  ServiceUnavailableException,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
export { NestFactory } from '@nestjs/core';
export {
  eventLoopDelayCheck,
  heapPressureCheck,
  OnSystemdReload,
  SystemdModule,
  SystemdService,
  type SystemdHealthIndicator,
} from 'nestjs-systemd';

@Module({})
export class DatabaseModule {}

@Injectable()
export class DatabaseService {
  async ping(): Promise<void> {}
}

@Module({})
export class AppModule {}

@Injectable()
export class OrdersService {}

@Injectable()
export class QueueService {
  readonly connected: boolean = true;
}

@Injectable()
export class ExportService {
  async run(): Promise<void> {}
}

/**
 * Stand-ins for `@nestjs/bullmq`'s and `bullmq`'s, which the project does not install: the
 * parts the README's queue worker uses, with their types.
 */
export function Processor(_queue: string): ClassDecorator {
  return () => undefined;
}
export interface Job {
  readonly data: unknown;
}
export abstract class WorkerHost {
  readonly worker = { waitUntilReady: async (): Promise<void> => undefined };
  abstract process(job: Job): Promise<unknown>;
}
export async function sendEmail(_data: unknown): Promise<void> {}

/** The import line put at the top of each fragment. */
export const FRAGMENT_IMPORT =
  'import { AppModule, type BeforeApplicationShutdown, Controller, DatabaseModule, DatabaseService, eventLoopDelayCheck, ExportService, Get, heapPressureCheck, Injectable, type Job, Module, NestFactory, type OnApplicationBootstrap, OnSystemdReload, OrdersService, Processor, QueueService, sendEmail, ServiceUnavailableException, SystemdModule, SystemdService, type SystemdHealthIndicator, WorkerHost } from "./fragment-prelude.js";\n';
