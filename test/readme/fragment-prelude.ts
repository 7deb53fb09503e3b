// Imported by each README fragment when it is compiled: the imports a fragment takes for
// granted, and stand-ins for the reader's own modules and services that it mentions.
import { Injectable, Module } from '@nestjs/common';

export { Controller, Get, Injectable, Module, ServiceUnavailableException } from '@nestjs/common';
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

/** The import line put at the top of each fragment. */
export const FRAGMENT_IMPORT =
  'import { AppModule, Controller, DatabaseModule, DatabaseService, eventLoopDelayCheck, ExportService, Get, heapPressureCheck, Injectable, Module, NestFactory, OnSystemdReload, OrdersService, QueueService, ServiceUnavailableException, SystemdModule, SystemdService, type SystemdHealthIndicator } from "./fragment-prelude.js";\n';
