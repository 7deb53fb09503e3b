// The unit test a CommonJS Nest app runs with its starter's test setup (Jest 29 + ts-jest, the
// starter's `jest` block unchanged): copied into the Nest 10 and 11 apps as
// src/app.module.spec.ts. Named so that the repo's own Jest does not pick it up.
import { Test } from '@nestjs/testing';
import { NotifyListener } from 'nestjs-systemd/testing';
import { AppModule } from './app.module.js';

describe('AppModule under a stand-in systemd', () => {
  let systemd: NotifyListener;

  beforeAll(async () => {
    systemd = await NotifyListener.start({ watchdogUsec: 400_000 });
    Object.assign(process.env, systemd.env());
  });

  afterAll(async () => {
    for (const key of Object.keys(systemd.env())) delete process.env[key];
    await systemd.close();
  });

  it('tells systemd READY=1 once the test app listens, STOPPING=1 on close', async () => {
    const moduleRef = await Test.createTestingModule({ imports: [AppModule] }).compile();
    const app = moduleRef.createNestApplication();
    await app.init();
    await app.listen(0, '127.0.0.1');
    const ready = await systemd.waitFor('READY=1', { timeoutMs: 5_000 });
    const { port } = app.getHttpServer().address();
    expect(ready.assignments.STATUS).toBe(`Listening on 127.0.0.1:${port}`);
    await systemd.waitFor('WATCHDOG=1', { since: systemd.messages.indexOf(ready) + 1 });
    await app.close();
    await systemd.waitFor('STOPPING=1', { timeoutMs: 2_000 });
  });
});
