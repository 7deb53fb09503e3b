// A credential missing at start-up, read by systemdCredentialsConfig in @nestjs/config: the
// start fails before the systemd module exists, and systemd must still be told why (a stranger's
// app died with STATUS= empty). Real child processes, a real notify socket.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NotifyListener } from '../../lib/testing/notify-listener.js';
import { exitWithin, expectReady, fixturePath, startFixtureApp } from '../e2e/helpers.js';

describe('a credential missing at start-up', () => {
  let systemd: NotifyListener;
  let directory: string;
  beforeEach(async () => {
    systemd = await NotifyListener.start();
    directory = mkdtempSync(join(tmpdir(), 'nestjs-systemd-credentials-'));
  });
  afterEach(async () => {
    await systemd.close();
    rmSync(directory, { recursive: true, force: true });
  });

  /** Starts the app and waits for it to end, as a failed start does. */
  async function failedStart(): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    const child = spawn(process.execPath, [fixturePath('config-credentials-app')], {
      env: { ...process.env, ...systemd.env(), CREDENTIALS_DIRECTORY: directory },
      stdio: 'ignore',
    });
    return exitWithin(
      child,
      once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>,
      10_000,
    );
  }

  it('not passed by the unit: STATUS= names them and the fix, with ERRNO=2, and the start fails', async () => {
    const exit = await failedStart();
    expect(exit.code === 0 && exit.signal === null).toBe(false);
    const status = await systemd.waitFor('ERRNO=2');
    expect(status.assignments.STATUS).toBe(
      'Failed to start: credentials "api-key", "db-password" not passed: add a LoadCredential= line for each to the unit (see the log)',
    );
    expect(systemd.received('READY=1')).toEqual([]);
  });

  it('one passed, the other unreadable (a directory): the unreadable one is named, with its errno', async () => {
    writeFileSync(join(directory, 'db-password'), 'hunter2\n');
    mkdirSync(join(directory, 'api-key'));
    await failedStart();
    const status = await systemd.waitFor(
      (record) => record.assignments.STATUS?.startsWith('Failed') ?? false,
    );
    expect(status.assignments).toMatchObject({
      STATUS: 'Failed to start: credential "api-key" cannot be read (see the log)',
      ERRNO: '21', // EISDIR
    });
  });

  it('all passed: the app starts, configured from them, and nothing is said of credentials', async () => {
    writeFileSync(join(directory, 'api-key'), 'k3y-of-16-chars!\n');
    writeFileSync(join(directory, 'db-password'), 'hunter2\n');
    const { child, exit } = await startFixtureApp('config-credentials-app', [], {
      ...systemd.env(),
      CREDENTIALS_DIRECTORY: directory,
    });
    try {
      await expectReady(systemd, 'Serving, with an API key of 16 characters', {
        timeoutMs: 10_000,
      });
      expect(systemd.messages.filter((record) => record.raw.includes('credential'))).toEqual([]);
    } finally {
      child.kill('SIGTERM');
      await exitWithin(child, exit, 10_000);
    }
  });
});
