// A check marked `critical: false` (a remote dependency a restart cannot bring back): its failure,
// whatever form it takes, degrades the round, so STATUS= says so and the pings go on; a critical
// check failing beside it still withholds them. Each in a real Nest app under a real notify
// socket.
import 'reflect-metadata';
import { Injectable, Module, Scope } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import type { SystemdHealthIndicatorInput } from '../../lib/health/health-indicator.interface.js';
import { SystemdModule } from '../../lib/systemd.module.js';
import type { NotifyListener, NotifyRecord } from '../../lib/testing/notify-listener.js';
import { expectReady } from '../e2e/helpers.js';
import {
  DEGRADED_PREFIX,
  expectPings,
  expectRecovered,
  expectWithheld,
  supervisedApps,
  UNHEALTHY_PREFIX,
} from './helpers.js';

type DatabaseState = 'up' | 'refusing' | 'silent' | 'false';

/** The remote database the checks ask about; the tests switch how it fails. */
@Injectable()
class Database {
  #state: DatabaseState = 'up';
  /** Pings that got no answer: answered once the database is back, as a driver's queue would. */
  readonly #unanswered: (() => void)[] = [];

  get state(): DatabaseState {
    return this.#state;
  }

  set state(state: DatabaseState) {
    this.#state = state;
    if (state === 'up') for (const answer of this.#unanswered.splice(0)) answer();
  }

  ping(): Promise<unknown> {
    switch (this.#state) {
      case 'up':
        return Promise.resolve('PONG');
      case 'refusing':
        return Promise.reject(new Error('connect ECONNREFUSED 10.0.0.5:5432'));
      case 'silent':
        return new Promise((resolve) => this.#unanswered.push(() => resolve('PONG')));
      case 'false':
        return Promise.resolve(false);
    }
  }
}

@Module({ providers: [Database], exports: [Database] })
class DatabaseModule {}

/** An app whose checks `checks(db)` builds from the module's Database. */
function appWith(
  checks: (db: Database) => SystemdHealthIndicatorInput[],
  providers: (new (...args: never[]) => object)[] = [],
): new () => object {
  @Module({
    imports: [
      ScheduleModule.forRoot(),
      DatabaseModule,
      SystemdModule.forRootAsync({
        imports: [DatabaseModule],
        inject: [Database],
        useFactory: (db: Database) => ({ healthIndicators: checks(db) }),
      }),
    ],
    providers,
  })
  class AppModule {}
  return AppModule;
}

const isDegraded = (record: NotifyRecord): boolean =>
  record.assignments.STATUS?.startsWith(DEGRADED_PREFIX) ?? false;

/**
 * READY and pings; then the database fails as `state` says: the round that finds it pings and
 * says why (`reason`), and pings go on; then it answers again and the app's status is back.
 */
async function expectDegradedOnly(
  systemd: NotifyListener,
  db: Database,
  state: DatabaseState,
  reason: string,
): Promise<void> {
  await expectReady(systemd, 'Running');
  await expectPings(systemd);
  const since = systemd.messages.length;
  db.state = state;
  const degraded = await systemd.waitFor(isDegraded, { since, timeoutMs: 2000 });
  expect(degraded.raw).toBe(`WATCHDOG=1\nSTATUS=${DEGRADED_PREFIX}${reason}`);
  await expectPings(systemd, systemd.messages.indexOf(degraded) + 1, 2);
  db.state = 'up';
  await expectRecovered(systemd, 'Running');
}

describe('a health check marked critical: false', () => {
  const apps = supervisedApps();

  // Each fails without the option's handling: the round is down and the pings are withheld.
  it.each([
    ['rejects', 'refusing', 'database: connect ECONNREFUSED 10.0.0.5:5432'],
    ['misses the deadline', 'silent', 'database: no answer within 50 ms'],
    ['resolves to false', 'false', 'database: reported unhealthy'],
  ] as const)('that %s: degraded, pings go on', async (_, state, reason) => {
    let db!: Database;
    const module = appWith((database) => {
      db = database;
      return [{ name: 'database', critical: false, check: () => database.ping() }];
    });
    const { systemd, logger } = await apps.start(module);
    await expectDegradedOnly(systemd, db, state, reason);
    expect(logger.fromSystemd('warn')).toContain(
      `health check degraded, watchdog pings continue: ${reason}`,
    );
  });

  it('beside a critical check that fails: the pings are withheld for that one', async () => {
    const local = { healthy: true };
    let db!: Database;
    const module = appWith((database) => {
      db = database;
      return [
        { name: 'database', critical: false, check: () => database.ping() },
        { name: 'pool', check: () => local.healthy },
      ];
    });
    const { systemd } = await apps.start(module);
    await expectReady(systemd, 'Running');
    await expectPings(systemd);
    db.state = 'refusing';
    local.healthy = false;
    expect(await expectWithheld(systemd)).toBe(`${UNHEALTHY_PREFIX}pool: reported unhealthy`);
    local.healthy = true;
    const degraded = await systemd.waitFor(isDegraded, { timeoutMs: 2000 });
    expect(degraded.raw).toBe(
      `WATCHDOG=1\nSTATUS=${DEGRADED_PREFIX}database: connect ECONNREFUSED 10.0.0.5:5432`,
    );
  });

  it.each([
    ['a singleton', Scope.DEFAULT],
    ['a request-scoped', Scope.REQUEST],
  ] as const)('%s indicator class with critical = false', async (_, scope) => {
    @Injectable({ scope })
    class DatabaseHealth {
      readonly healthIndicatorName = 'database';
      readonly critical = false;
      constructor(private readonly db: Database) {}
      isHealthy(): Promise<unknown> {
        return this.db.ping();
      }
    }
    const module = appWith(() => [DatabaseHealth], [DatabaseHealth]);
    const { app, systemd } = await apps.start(module);
    await expectDegradedOnly(
      systemd,
      app.get(Database),
      'refusing',
      'database: connect ECONNREFUSED 10.0.0.5:5432',
    );
  });
});
