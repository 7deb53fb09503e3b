import { MAX_TIMER_MS, readWatchdogEnv } from '../../lib/notify/watchdog-env.js';

const PID = 4242;

describe('readWatchdogEnv (sd_watchdog_enabled semantics)', () => {
  it('is disabled when WATCHDOG_USEC is absent, even with WATCHDOG_PID', () => {
    expect(readWatchdogEnv({}, PID).state).toBe('disabled');
    expect(readWatchdogEnv({ WATCHDOG_PID: String(PID) }, PID).state).toBe('disabled');
  });

  it('is enabled for us when WATCHDOG_PID is absent, pinging at half the timeout', () => {
    expect(readWatchdogEnv({ WATCHDOG_USEC: '30000000' }, PID)).toEqual({
      state: 'enabled',
      usec: 30_000_000n,
      periodMs: 15_000,
      timeoutMs: 30_000,
    });
  });

  it('is enabled when WATCHDOG_PID is our pid', () => {
    expect(
      readWatchdogEnv({ WATCHDOG_USEC: '2000000', WATCHDOG_PID: String(PID) }, PID),
    ).toMatchObject({
      state: 'enabled',
      periodMs: 1000,
    });
  });

  it('is disabled when WATCHDOG_PID names another process (a child must not ping for its parent)', () => {
    const result = readWatchdogEnv({ WATCHDOG_USEC: '2000000', WATCHDOG_PID: '1' }, PID);
    expect(result.state).toBe('disabled');
    expect(result.state === 'disabled' && result.reason).toMatch(/names another process/);
  });

  it.each(['abc', '0', '-5', '1e3', '18446744073709551615', '', ' 5 '])(
    'reports WATCHDOG_USEC=%j as invalid',
    (value) => {
      const result = readWatchdogEnv({ WATCHDOG_USEC: value }, PID);
      expect(result.state).toBe('invalid');
      expect(result.state === 'invalid' && result.reason).toContain(
        `WATCHDOG_USEC=${JSON.stringify(value)}`,
      );
    },
  );

  it.each(['abc', '0', '-1', '99999999999'])('reports WATCHDOG_PID=%j as invalid', (value) => {
    const result = readWatchdogEnv({ WATCHDOG_USEC: '1000000', WATCHDOG_PID: value }, PID);
    expect(result.state).toBe('invalid');
  });

  it('clamps periods beyond Node timer range instead of letting them fire at once', () => {
    // 2^32 ms as microseconds: Node would clamp such a delay to 1 ms.
    const result = readWatchdogEnv({ WATCHDOG_USEC: String(2n ** 32n * 1000n * 2n) }, PID);
    expect(result).toMatchObject({
      state: 'enabled',
      periodMs: MAX_TIMER_MS,
      timeoutMs: MAX_TIMER_MS,
    });
  });

  it('never yields a zero period for sub-millisecond timeouts', () => {
    expect(readWatchdogEnv({ WATCHDOG_USEC: '1' }, PID)).toMatchObject({
      state: 'enabled',
      periodMs: 1,
    });
  });

  it('reads the real process environment and pid by default', () => {
    const saved = process.env.WATCHDOG_USEC;
    process.env.WATCHDOG_USEC = '4000000';
    try {
      expect(readWatchdogEnv()).toMatchObject({ state: 'enabled', periodMs: 2000 });
    } finally {
      if (saved === undefined) delete process.env.WATCHDOG_USEC;
      else process.env.WATCHDOG_USEC = saved;
    }
  });
});
