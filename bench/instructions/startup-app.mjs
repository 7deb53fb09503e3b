// One Nest app's start, up to its server's 'listening', for counting instructions (see
// "Start-up work, counted" in the README): BENCH_VARIANT says what the root module holds besides ScheduleModule.
//   schedule      nothing else (the baseline: the module's prerequisite alone)
//   import        nestjs-systemd imported, not used
//   module        SystemdModule.forRoot()
//   least         ./least-module.mjs, the least a module can do for systemd
// Whether NOTIFY_SOCKET is set is the driver's choice. The process exits once it listens.
// Nest is imported statically, as an app's compiled main imports it: the loader's paths for a
// module's static imports are then warm, and the library's own static imports pay only for
// themselves.
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ScheduleModule } from '@nestjs/schedule';

const variant = process.env.BENCH_VARIANT ?? 'schedule';

/** @type {unknown[]} */
const imports = [ScheduleModule.forRoot()];
if (variant === 'import' || variant === 'module') {
  const { SystemdModule } = await import('nestjs-systemd');
  if (variant === 'module') imports.push(SystemdModule.forRoot());
} else if (variant === 'least') {
  const { LeastSystemdModule } = await import('./least-module.mjs');
  imports.push(LeastSystemdModule.forRoot());
} else if (variant !== 'schedule') {
  throw new Error(`unknown BENCH_VARIANT ${variant}`);
}
// oxlint-disable-next-line typescript/no-extraneous-class -- a Nest module is a class carrying metadata
class AppModule {}
Module({ imports: /** @type {any[]} */ (imports) })(AppModule);
const app = await NestFactory.create(AppModule, { logger: ['error', 'warn'] });
app.getHttpServer().once('listening', () => process.exit(0));
await app.listen(0, '127.0.0.1');
