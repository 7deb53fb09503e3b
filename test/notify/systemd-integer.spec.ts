import { parseSystemdPid, parseSystemdU64 } from '../../lib/notify/systemd-integer.js';

// Expected values are what libsystemd's safe_atou64()/parse_pid() return for the same input.
describe('parseSystemdU64 (libsystemd safe_atou64)', () => {
  it.each([
    ['0', 0n],
    ['30000000', 30000000n],
    ['  \t42', 42n],
    ['+7', 7n],
    ['0x1f', 31n],
    ['0X1F', 31n],
    ['010', 8n],
    ['0b101', 5n],
    ['0o17', 15n],
    ['-0', 0n],
    ['18446744073709551615', 18446744073709551615n],
    // Both sides of the plain-decimal shortcut's 19 digits, and a leading zero it leaves alone.
    ['9999999999999999999', 9999999999999999999n],
    ['10000000000000000000', 10000000000000000000n],
    ['0000000000000000000012', 10n],
  ])('accepts %j as %s', (input, expected) => {
    expect(parseSystemdU64(input)).toEqual({ ok: true, value: expected });
  });

  it.each([
    ['', 'EINVAL'],
    ['abc', 'EINVAL'],
    ['1e3', 'EINVAL'],
    ['12 ', 'EINVAL'],
    ['12\n', 'EINVAL'],
    ['0x', 'EINVAL'],
    ['09', 'EINVAL'],
    ['1.5', 'EINVAL'],
    ['-5', 'ERANGE'],
    ['18446744073709551616', 'ERANGE'],
    ['99999999999999999999999', 'ERANGE'],
  ])('rejects %j with %s', (input, error) => {
    expect(parseSystemdU64(input)).toEqual({ ok: false, error });
  });
});

describe('parseSystemdPid (libsystemd parse_pid)', () => {
  it('accepts a positive pid_t', () => {
    expect(parseSystemdPid('1234')).toEqual({ ok: true, value: 1234n });
    expect(parseSystemdPid('2147483647')).toEqual({ ok: true, value: 2147483647n });
  });

  it.each([
    ['0', 'ERANGE'],
    ['2147483648', 'ERANGE'],
    ['abc', 'EINVAL'],
    ['-1', 'ERANGE'],
  ])('rejects %j with %s', (input, error) => {
    expect(parseSystemdPid(input)).toEqual({ ok: false, error });
  });
});
