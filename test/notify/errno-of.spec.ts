import { connect } from 'node:net';
import { once } from 'node:events';
import { errnoOf } from '../../lib/notify/errno-of.js';

/** A real ECONNREFUSED from the kernel: a port nothing listens on. */
async function refusedConnection(): Promise<Error> {
  const socket = connect({ host: '127.0.0.1', port: 1 });
  const [error] = (await once(socket, 'error')) as [Error];
  return error;
}

describe('errnoOf', () => {
  it('reads a Node system error by its errno, or by its code', async () => {
    const refused = await refusedConnection();
    expect(errnoOf(refused)).toBe(111);
    expect(errnoOf({ code: 'EADDRINUSE' })).toBe(98);
  });

  it("follows the error a client's own error wraps: cause, or nats.js' chainedError", async () => {
    const refused = await refusedConnection();
    expect(errnoOf(new Error('broker unreachable', { cause: refused }))).toBe(111);
    // nats.js 2: NatsError { code: 'CONNECTION_REFUSED', chainedError }.
    expect(errnoOf({ code: 'CONNECTION_REFUSED', chainedError: refused })).toBe(111);
    expect(errnoOf(new Error('a', { cause: new Error('b', { cause: refused }) }))).toBe(111);
  });

  it("prefers the error's own errno to its cause's", async () => {
    const refused = await refusedConnection();
    expect(errnoOf(Object.assign(new Error('x', { cause: refused }), { code: 'EPIPE' }))).toBe(32);
  });

  it('gives undefined for errors without one, a cycle of causes, or a chain too deep', async () => {
    expect(errnoOf(new Error('plain'))).toBeUndefined();
    expect(errnoOf({ code: 'CONNECTION_REFUSED' })).toBeUndefined();
    expect(errnoOf('ECONNREFUSED')).toBeUndefined();
    const looped: { cause?: unknown } = {};
    looped.cause = looped;
    expect(errnoOf(looped)).toBeUndefined();
    let deep: unknown = await refusedConnection();
    for (let i = 0; i < 10; i++) deep = new Error(`wrap ${i}`, { cause: deep });
    expect(errnoOf(deep)).toBeUndefined();
  });
});
