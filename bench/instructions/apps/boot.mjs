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

/**
 * Five feature modules, as an app's own (orders, billing, ...), each importing `imports`.
 * @param {unknown[]} imports
 */
export function featureModules(imports) {
  return ['Orders', 'Billing', 'Mail', 'Users', 'Reports'].map((name) => {
    // oxlint-disable-next-line typescript/no-extraneous-class -- a Nest module is a class carrying metadata
    const feature = { [`${name}Module`]: class {} }[`${name}Module`];
    Module({ imports: /** @type {any[]} */ (imports) })(feature);
    return feature;
  });
}
