// STATUS= is readable by every local user (`systemctl status`), the log is not: a failing
// check's reason reaches systemd with its credentials masked and cut short, and the log keeps
// all of it. Real app, real socket, the module's own logger output.
//
// Every test here fails on 0707cbe: it put the reason into STATUS= as it was, secrets and all,
// up to the datagram's size.
import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import type { SystemdHealthIndicatorInput } from '../../lib/health/health-indicator.interface.js';
import { SystemdModule } from '../../lib/systemd.module.js';
import { DEGRADED_PREFIX, expectWithheld, supervisedApps, UNHEALTHY_PREFIX } from './helpers.js';

const SECRETS = ['s3cret', 'hunter2', 'abc123', 'eyJhbGciOiJIUzI1NiJ9'];
/** What a pg driver's connection error can look like once an app wraps it. */
const LEAKY_ERROR =
  'connect ECONNREFUSED postgres://app:s3cret@db:5432/orders?password=hunter2&token=abc123 ' +
  'Authorization: Bearer eyJhbGciOiJIUzI1NiJ9';

function appWith(healthIndicators: SystemdHealthIndicatorInput[]): new () => object {
  @Module({
    imports: [ScheduleModule.forRoot(), SystemdModule.forRoot({ healthIndicators })],
  })
  class RedactionAppModule {}
  return RedactionAppModule;
}

/** An upstream that answered with a whole page: a 5000-character error message. */
const page = (host: string): string =>
  `GET https://${host}/status: 503 <html>${'<p>maintenance</p>'.repeat(300)}</html>`.slice(0, 5000);

describe('STATUS= redaction of failing checks', () => {
  const apps = supervisedApps();

  it('credentials in a rejection reach the log, not systemd', async () => {
    const { systemd, logger } = await apps.start(
      appWith([{ name: 'orders-db', check: () => Promise.reject(new Error(LEAKY_ERROR)) }]),
    );
    const status = await expectWithheld(systemd, 0);
    expect(status.startsWith(`${UNHEALTHY_PREFIX}orders-db: connect ECONNREFUSED `)).toBe(true);
    expect(status).toContain('postgres://app:');
    expect(status).toContain('@db:5432/orders');
    for (const record of systemd.messages) {
      for (const secret of SECRETS) expect(record.raw).not.toContain(secret);
    }
    // The log (journal, readable by the admins) has the whole story.
    expect(logger.fromSystemd('warn')).toContain(
      `health check failed, withholding the watchdog ping: orders-db: ${LEAKY_ERROR}`,
    );
  });

  it('a degraded reason is masked too', async () => {
    const { systemd, logger } = await apps.start(
      appWith([
        {
          name: 'replica',
          check: () => ({
            replica: { status: 'degraded', message: 'lagging: postgres://app:s3cret@replica/x' },
          }),
        },
      ]),
    );
    const degraded = await systemd.waitFor(
      (record) => record.assignments.STATUS?.startsWith(DEGRADED_PREFIX) ?? false,
    );
    expect(degraded.raw).toBe(
      `WATCHDOG=1\nSTATUS=${DEGRADED_PREFIX}replica: lagging: postgres://app:***@replica/x`,
    );
    expect(logger.fromSystemd('warn').join('\n')).toContain('postgres://app:s3cret@replica/x');
  });

  it('a 5000-character reason is cut to 160 characters per check, ending with …', async () => {
    // Two upstreams failing at once, each with a whole page.
    const { systemd, logger } = await apps.start(
      appWith([
        { name: 'billing', check: () => Promise.reject(new Error(page('billing.internal'))) },
        { name: 'search', check: () => Promise.reject(new Error(page('search.internal'))) },
      ]),
    );
    const status = await expectWithheld(systemd, 0);
    const reasons = status.slice(UNHEALTHY_PREFIX.length).split('; ');
    expect(reasons).toHaveLength(2);
    expect(reasons[0]!.startsWith('billing: GET https://billing.internal/status: 503')).toBe(true);
    expect(reasons[1]!.startsWith('search: GET https://search.internal/status: 503')).toBe(true);
    for (const reason of reasons) {
      expect([...reason].length).toBeLessThanOrEqual(160);
      expect(reason.endsWith('…')).toBe(true);
    }
    const warning = logger.fromSystemd('warn').join('\n');
    expect(warning).toContain(`billing: ${page('billing.internal')}`);
    expect(warning).toContain(`search: ${page('search.internal')}`);
  });
});
