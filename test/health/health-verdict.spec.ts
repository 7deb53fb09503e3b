// judgeHealthResult and describeHealthError on their own: every row of judgeHealthResult's
// table, the shapes the real @nestjs/terminus 12 produces (taken from a real TerminusModule,
// not written by hand), and what a failed check can throw.
//
// The whole file fails on 0707cbe: neither function existed (its interpretHealthResult had no
// degraded, and read a HealthCheckResult, 'PONG' or null as unhealthy).
import 'reflect-metadata';
import { Module, ServiceUnavailableException, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import {
  HealthCheckService,
  HealthIndicatorService,
  TerminusModule,
  type HealthCheckResult,
  type HealthIndicatorResult,
} from '@nestjs/terminus';
import {
  describeHealthError,
  interpretHealthResult,
  judgeHealthResult,
  type SystemdHealthVerdict,
} from '../../lib/health/health-verdict.js';

const UP: SystemdHealthVerdict = { status: 'up' };
const down = (reason: string): SystemdHealthVerdict => ({ status: 'down', reason });
const degraded = (reason: string): SystemdHealthVerdict => ({ status: 'degraded', reason });

describe('judgeHealthResult: the rows of its table', () => {
  it('false: down', () => {
    expect(judgeHealthResult(false)).toEqual(down('reported unhealthy'));
  });

  describe('a Terminus HealthCheckResult', () => {
    it.each<[string, HealthCheckResult, SystemdHealthVerdict]>([
      [
        "'ok': up",
        {
          status: 'ok',
          info: { db: { status: 'up' } },
          error: {},
          details: { db: { status: 'up' } },
        },
        UP,
      ],
      [
        "'degraded': degraded, naming the degraded entries of details",
        {
          status: 'degraded',
          info: { db: { status: 'up' }, cache: { status: 'degraded', message: 'replica lagging' } },
          error: {},
          details: {
            db: { status: 'up' },
            cache: { status: 'degraded', message: 'replica lagging' },
          },
        },
        degraded('cache: replica lagging'),
      ],
      [
        "'degraded' without a degraded entry to name: degraded all the same",
        { status: 'degraded', details: { db: { status: 'up' } } },
        degraded('degraded'),
      ],
      [
        "'error': down, naming the entries of error (not the passing ones of info)",
        {
          status: 'error',
          info: { redis: { status: 'up' } },
          error: { db: { status: 'down', message: 'timeout after 1000 ms' } },
          details: {
            redis: { status: 'up' },
            db: { status: 'down', message: 'timeout after 1000 ms' },
          },
        },
        down('db: timeout after 1000 ms'),
      ],
      [
        "'error' with only details: down, naming the down entries of details",
        {
          status: 'error',
          details: { redis: { status: 'up' }, db: { status: 'down' } },
        },
        down('db is down'),
      ],
      [
        "'shutting_down' with every entry up: down",
        {
          status: 'shutting_down',
          info: { db: { status: 'up' } },
          error: {},
          details: { db: { status: 'up' } },
        },
        down('shutting down'),
      ],
    ])('%s', (_, result, verdict) => {
      expect(judgeHealthResult(result)).toEqual(verdict);
    });
  });

  describe('Terminus indicator entries { key: { status } }', () => {
    it.each<[string, HealthIndicatorResult, SystemdHealthVerdict]>([
      [
        'any down: down, naming every down entry (message, error, or neither)',
        {
          db: { status: 'down', message: 'connection refused' },
          queue: { status: 'down', error: 'ECONNRESET' },
          cache: { status: 'degraded', message: 'slow' },
          disk: { status: 'down' },
          memory: { status: 'up' },
        },
        down('db: connection refused, queue: ECONNRESET, disk is down'),
      ],
      [
        'else any degraded: degraded, naming the degraded entries',
        {
          db: { status: 'up' },
          cache: { status: 'degraded', message: 'slow' },
          search: { status: 'degraded' },
        },
        degraded('cache: slow, search is degraded'),
      ],
      ['else: up', { db: { status: 'up' }, cache: { status: 'up', responseTime: 3 } }, UP],
    ])('%s', (_, result, verdict) => {
      expect(judgeHealthResult(result)).toEqual(verdict);
    });
  });

  it.each<[string, unknown]>([
    ['undefined', undefined],
    ['true', true],
    ["ioredis' 'PONG'", 'PONG'],
    ["MongoDB's { ok: 1 }", { ok: 1 }],
    ['the rows of SELECT 1', [{ '?column?': 1 }]],
    ['a number', 42],
    ['zero', 0],
    ['an empty string', ''],
    ['null', null],
    ['an empty object', {}],
  ])('anything else, such as %s: up', (_, value) => {
    expect(judgeHealthResult(value)).toEqual(UP);
  });

  it('interpretHealthResult (0.1) agrees: a reason for down only', () => {
    expect(interpretHealthResult(false)).toBe('reported unhealthy');
    expect(interpretHealthResult({ db: { status: 'down', message: 'gone' } })).toBe('db: gone');
    expect(interpretHealthResult({ db: { status: 'degraded' } })).toBeUndefined();
    expect(interpretHealthResult('PONG')).toBeUndefined();
  });
});

describe("the real Terminus 12's results", () => {
  @Module({ imports: [TerminusModule.forRoot({ logger: false })] })
  class TerminusOnly {}
  let app: INestApplicationContext;
  let health: HealthCheckService;
  let indicators: HealthIndicatorService;

  beforeAll(async () => {
    app = await NestFactory.createApplicationContext(TerminusOnly, { logger: false });
    health = app.get(HealthCheckService);
    indicators = app.get(HealthIndicatorService);
  });
  afterAll(() => app.close());

  it('HealthIndicatorService sessions: up(), degraded(message), down({ message })', () => {
    expect(judgeHealthResult(indicators.check('db').up())).toEqual(UP);
    expect(judgeHealthResult(indicators.check('db').degraded('replica lagging'))).toEqual(
      degraded('db: replica lagging'),
    );
    expect(
      judgeHealthResult(indicators.check('db').down({ message: 'connection refused' })),
    ).toEqual(down('db: connection refused'));
  });

  it('check(key).attempt(fn): up when fn resolves, down with its error message when it throws', async () => {
    const ok = await indicators.check('db').attempt(() => ({ rows: 1 }));
    expect(judgeHealthResult(ok)).toEqual(UP);
    const failed = await indicators.check('db').attempt(() => {
      throw new Error('connect ECONNREFUSED 127.0.0.1:5432');
    });
    expect(judgeHealthResult(failed)).toEqual(down('db: connect ECONNREFUSED 127.0.0.1:5432'));
  });

  it("health.check(): 'ok' up, 'degraded' degraded", async () => {
    const ok = await health.check([() => indicators.check('db').up()]);
    expect(ok.status).toBe('ok');
    expect(judgeHealthResult(ok)).toEqual(UP);
    const impaired = await health.check([
      () => indicators.check('db').up(),
      () => indicators.check('cache').degraded({ message: 'slow' }),
    ]);
    expect(impaired.status).toBe('degraded');
    expect(judgeHealthResult(impaired)).toEqual(degraded('cache: slow'));
  });

  it('health.check() with an indicator down throws ServiceUnavailableException: described by the failing key', async () => {
    const thrown: unknown = await health
      .check([
        () => indicators.check('redis').up(),
        () => indicators.check('db').down({ message: 'timeout' }),
      ])
      .catch((error: unknown) => error);
    expect(thrown).toBeInstanceOf(ServiceUnavailableException);
    expect(describeHealthError(thrown)).toBe('db: timeout');
  });
});

describe('describeHealthError', () => {
  const failedResult: HealthCheckResult = {
    status: 'error',
    info: { redis: { status: 'up' } },
    error: { db: { status: 'down', message: 'timeout' } },
    details: { redis: { status: 'up' }, db: { status: 'down', message: 'timeout' } },
  };

  it('ServiceUnavailableException with a HealthCheckResult response: its failing entries', () => {
    const error = new ServiceUnavailableException(failedResult);
    // Not the exception's own wording.
    expect(error.message).toBe('Service Unavailable Exception');
    expect(describeHealthError(error)).toBe('db: timeout');
  });

  it('ServiceUnavailableException while shutting down (every entry up): shutting down', () => {
    const error = new ServiceUnavailableException({
      status: 'shutting_down',
      info: { db: { status: 'up' } },
      error: {},
      details: { db: { status: 'up' } },
    });
    expect(describeHealthError(error)).toBe('shutting down');
  });

  it('ServiceUnavailableException with a message of its own: the message', () => {
    expect(describeHealthError(new ServiceUnavailableException('maintenance window'))).toBe(
      'maintenance window',
    );
  });

  it("Terminus 10's HealthCheckError (message and causes): the failing causes", () => {
    // Terminus 12 no longer exports it; apps written for 10 still throw their own copy.
    class HealthCheckError extends Error {
      readonly isHealthCheckError = true;
      constructor(
        message: string,
        readonly causes: unknown,
      ) {
        super(message);
      }
    }
    expect(
      describeHealthError(
        new HealthCheckError('Redis check failed', { redis: { status: 'down', message: 'EPIPE' } }),
      ),
    ).toBe('redis: EPIPE');
  });

  it.each<[string, Error, string]>([
    ['a plain Error: its message', new Error('pool exhausted'), 'pool exhausted'],
    ['an Error without a message: its name', new TypeError(''), 'TypeError'],
  ])('%s', (_, error, reason) => {
    expect(describeHealthError(error)).toBe(reason);
  });

  it('a throw that is not an Error: what was thrown', () => {
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    expect(describeHealthError('plain string')).toBe('threw "plain string"');
    expect(describeHealthError(42)).toBe('threw 42');
    expect(describeHealthError(undefined)).toBe('threw undefined');
    expect(describeHealthError(null)).toBe('threw null');
    expect(describeHealthError({ code: 'ECONNRESET' })).toBe('threw {"code":"ECONNRESET"}');
    expect(describeHealthError(circular)).toBe('threw [object Object]');
    expect(describeHealthError(10n)).toBe('threw 10');
  });
});
