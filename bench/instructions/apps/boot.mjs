// The start every variant of ../run.mjs shares: a root module with the variant's imports, an
// Express app listening on an ephemeral port, and the process's exit at its 'listening'.
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';

/** @param {unknown[]} imports what the root module imports */
export async function listen(imports) {
  // oxlint-disable-next-line typescript/no-extraneous-class -- a Nest module is a class carrying metadata
  class AppModule {}
  Module({ imports: /** @type {any[]} */ (imports) })(AppModule);
  const app = await NestFactory.create(AppModule, { logger: ['error', 'warn'] });
  app.getHttpServer().once('listening', () => process.exit(0));
  await app.listen(0, '127.0.0.1');
}
