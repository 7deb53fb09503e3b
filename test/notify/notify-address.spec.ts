import { parseNotifySocket } from '../../lib/notify/notify-address.js';

describe('parseNotifySocket', () => {
  it('treats an absent variable as "not supervised"', () => {
    expect(parseNotifySocket(undefined)).toEqual({ state: 'unset' });
  });

  it('accepts an absolute filesystem path up to 107 bytes', () => {
    const path = '/' + 'a'.repeat(106);
    expect(parseNotifySocket('/run/systemd/notify')).toEqual({
      state: 'usable',
      address: { kind: 'path', path: '/run/systemd/notify' },
    });
    expect(parseNotifySocket(path).state).toBe('usable');
  });

  it.each([
    ['', /neither an absolute path/],
    ['run/systemd/notify', /neither an absolute path/],
    ['/', /names no socket/],
    ['@', /names no socket/],
    ['/' + 'a'.repeat(107), /108 bytes long, over the 107 bytes/],
    // Bytes, not characters: 54 two-byte characters are 109 bytes.
    ['/' + 'é'.repeat(54), /109 bytes long/],
  ])('rejects %j as libsystemd does, saying why', (value, reason) => {
    const result = parseNotifySocket(value);
    expect(result.state).toBe('invalid');
    expect(result.state === 'invalid' && result.reason).toMatch(reason);
  });

  it('recognises an abstract address and says the transport cannot reach it', () => {
    const result = parseNotifySocket('@/org/example/notify');
    expect(result).toMatchObject({
      state: 'unsupported',
      address: { kind: 'abstract', name: '/org/example/notify' },
    });
    expect(result.state === 'unsupported' && result.reason).toMatch(
      /abstract-namespace .* cannot reach/,
    );
  });

  it.each(['vsock:2:1234', 'vsock-stream:2:1234', 'vsock-dgram:2:1', 'vsock-seqpacket:2:1'])(
    'recognises the AF_VSOCK address %j as unsupported',
    (value) => {
      const result = parseNotifySocket(value);
      expect(result).toMatchObject({ state: 'unsupported', address: { kind: 'vsock', value } });
      expect(result.state === 'unsupported' && result.reason).toContain(value);
    },
  );
});
