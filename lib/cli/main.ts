#!/usr/bin/env node
// The `nestjs-systemd` command (package.json "bin"): `npx nestjs-systemd unit [options]`.
import { spawnSync } from 'node:child_process';
import { runCli } from './cli.js';

/** "systemd 252 (252.39-1~deb12u2)" from `systemctl --version`; undefined without systemd. */
function systemdVersion(): number | undefined {
  const { stdout } = spawnSync('systemctl', ['--version'], { encoding: 'utf8', timeout: 5000 });
  const version = /^systemd (\d+)/.exec(stdout ?? '')?.[1];
  return version === undefined ? undefined : Number(version);
}

process.exitCode = runCli(process.argv.slice(2), {
  cwd: process.cwd(),
  execPath: process.execPath,
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  systemdVersion,
  userAgent: process.env.npm_config_user_agent,
});
