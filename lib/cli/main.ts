#!/usr/bin/env node
// The `nestjs-systemd` command (package.json "bin"): `npx nestjs-systemd unit [options]`.
import { runCli } from './cli.js';

process.exitCode = runCli(process.argv.slice(2), {
  cwd: process.cwd(),
  execPath: process.execPath,
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
});
