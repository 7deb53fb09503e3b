import {
  encodeNotifyMessage,
  encodeReadyMessage,
  NOTIFY_DATAGRAM_MAX_BYTES,
  NotifyMessageError,
} from '../../lib/notify/notify-message.js';

const text = (state: Parameters<typeof encodeNotifyMessage>[0]) =>
  encodeNotifyMessage(state).bytes.toString('utf8');

describe('encodeNotifyMessage', () => {
  it.each([
    [{ ready: true }, 'READY=1'],
    [{ stopping: true }, 'STOPPING=1'],
    [{ status: 'Listening on :3000' }, 'STATUS=Listening on :3000'],
    [{ ready: true, status: 'up' }, 'READY=1\nSTATUS=up'],
    [{ errno: 2 }, 'ERRNO=2'],
    [
      { busError: 'org.freedesktop.DBus.Error.Failed' },
      'BUSERROR=org.freedesktop.DBus.Error.Failed',
    ],
    [{ mainPid: 1234 }, 'MAINPID=1234'],
    [{ watchdog: true }, 'WATCHDOG=1'],
    [{ watchdog: 'trigger' }, 'WATCHDOG=trigger'],
    [{ watchdogUsec: 5_000_000 }, 'WATCHDOG_USEC=5000000'],
    [{ extendTimeoutUsec: 10_000_000n }, 'EXTEND_TIMEOUT_USEC=10000000'],
    [{ reloading: true, monotonicUsec: 123n }, 'RELOADING=1\nMONOTONIC_USEC=123'],
    [{ custom: { FDNAME: 'web' } }, 'FDNAME=web'],
  ] as const)('encodes %j as %j', (state, expected) => {
    expect(text(state)).toBe(expected);
  });

  it('stamps RELOADING with CLOCK_MONOTONIC (process.hrtime), not wall-clock time', () => {
    const before = process.hrtime.bigint() / 1000n;
    const lines = text({ reloading: true }).split('\n');
    const after = process.hrtime.bigint() / 1000n;
    expect(lines[0]).toBe('RELOADING=1');
    const stamp = BigInt(lines[1]!.replace('MONOTONIC_USEC=', ''));
    expect(stamp >= before && stamp <= after).toBe(true);
  });

  it('neutralises newline injection in STATUS: one line, no extra assignment', () => {
    const encoded = encodeNotifyMessage({ status: 'ok\nREADY=1\r\nMAINPID=1\0WATCHDOG=trigger' });
    expect(encoded.bytes.toString()).toBe('STATUS=ok READY=1 MAINPID=1 WATCHDOG=trigger');
    expect(encoded.adjustments).toEqual([expect.stringMatching(/control characters/)]);
  });

  it('sanitises custom values too', () => {
    expect(text({ custom: { X_NOTE: 'a\nSTOPPING=1' } })).toBe('X_NOTE=a STOPPING=1');
  });

  it('replaces unpaired surrogates so STATUS stays valid UTF-8', () => {
    const encoded = encodeNotifyMessage({ status: 'bad \ud800 pair' });
    expect(encoded.bytes.toString()).toBe('STATUS=bad \ufffd pair');
    expect(new TextDecoder('utf-8', { fatal: true }).decode(encoded.bytes)).toContain('\ufffd');
  });

  it('shortens a long STATUS at a character boundary to fit 4096 bytes', () => {
    const encoded = encodeNotifyMessage({ ready: true, status: '€'.repeat(1_000_000) });
    expect(encoded.bytes.length).toBeLessThanOrEqual(NOTIFY_DATAGRAM_MAX_BYTES);
    expect(encoded.bytes.length).toBeGreaterThan(NOTIFY_DATAGRAM_MAX_BYTES - 4);
    const decoded = new TextDecoder('utf-8', { fatal: true }).decode(encoded.bytes);
    expect(decoded.startsWith('READY=1\nSTATUS=€€')).toBe(true);
    expect(decoded.endsWith('…')).toBe(true);
    expect(encoded.adjustments).toEqual([expect.stringMatching(/shortened/)]);
  });

  it('marks only lone STATUS and lone WATCHDOG=1 as replaceable while queued', () => {
    expect(encodeNotifyMessage({ status: 'x' }).coalesceKey).toBe('STATUS');
    expect(encodeNotifyMessage({ watchdog: true }).coalesceKey).toBe('WATCHDOG');
    expect(encodeNotifyMessage({ ready: true, status: 'x' }).coalesceKey).toBeUndefined();
    expect(encodeNotifyMessage({ stopping: true }).coalesceKey).toBeUndefined();
    expect(encodeNotifyMessage({ watchdog: 'trigger' }).coalesceKey).toBeUndefined();
  });

  it.each([
    [{}, /at least one assignment/],
    [{ custom: { 'READY\nX': '1' } }, /not a valid notify key/],
    [{ custom: { lower: '1' } }, /not a valid notify key/],
    [{ custom: { '': '1' } }, /not a valid notify key/],
    [{ mainPid: 0 }, /MAINPID must be an integer between 1/],
    [{ mainPid: 1.5 }, /MAINPID/],
    [{ errno: -1 }, /ERRNO/],
    [{ extendTimeoutUsec: -1 }, /EXTEND_TIMEOUT_USEC/],
    [{ extendTimeoutUsec: Number.NaN }, /EXTEND_TIMEOUT_USEC/],
    [{ watchdogUsec: 0 }, /WATCHDOG_USEC/],
    [{ custom: { BIG: 'x'.repeat(5000) } }, /over systemd's 4096-byte limit/],
  ])('rejects %j with a clear error', (state, message) => {
    expect(() => encodeNotifyMessage(state as never)).toThrow(NotifyMessageError);
    expect(() => encodeNotifyMessage(state as never)).toThrow(message);
  });
});

describe('encodeReadyMessage', () => {
  it.each([undefined, 1, 4321, 2 ** 31 - 1])(
    'encodes READY=1 with MAINPID=%j as encodeNotifyMessage does',
    (mainPid) => {
      expect(encodeReadyMessage(mainPid)).toEqual(encodeNotifyMessage({ ready: true, mainPid }));
    },
  );

  it.each([0, -1, 2 ** 31, 1.5, Number.NaN])(
    'leaves MAINPID=%j to the encoder, which refuses it',
    (mainPid) => {
      expect(encodeReadyMessage(mainPid)).toBeUndefined();
      expect(() => encodeNotifyMessage({ ready: true, mainPid })).toThrow(NotifyMessageError);
    },
  );
});
