import { request } from 'node:http';
import { connect, createServer } from 'node:net';
import { networkInterfaces } from 'node:os';

/** A TCP port on 127.0.0.1 that nothing listens on right now (the container shares our network). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address !== null && typeof address === 'object') resolve(address.port);
        else reject(new Error('no port from listen(0)'));
      });
    });
  });
}

export { acceptsConnections } from '../../e2e/helpers.js';

/** A port held open by the test runner, until {@link release}d. */
export interface HeldPort {
  readonly port: number;
  release(): Promise<void>;
}

/**
 * Listens on a free port of 127.0.0.1 (the container shares our network, so its services find
 * it taken) and accepts nothing from it: a port in use, for an app that must fail to bind it.
 */
export function holdPort(): Promise<HeldPort> {
  return new Promise((resolve, reject) => {
    const server = createServer((socket) => socket.destroy());
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (address === null || typeof address !== 'object') {
        server.close();
        reject(new Error('no port from listen(0)'));
        return;
      }
      resolve({
        port: address.port,
        release: () => new Promise((done) => server.close(() => done())),
      });
    });
  });
}

/** How a TCP connection attempt ended: a dropped SYN shows as 'timeout', not 'refused'. */
export function connectOutcome(
  host: string,
  port: number,
  timeoutMs: number,
): Promise<'connected' | 'refused' | 'timeout'> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: timeoutMs });
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve('timeout');
    });
    socket.once('error', () => resolve('refused'));
  });
}

/** An IPv4 address of this host other than loopback, if it has one. */
export function nonLoopbackIPv4(): string | undefined {
  return Object.values(networkInterfaces())
    .flat()
    .find((info) => info !== undefined && info.family === 'IPv4' && !info.internal)?.address;
}

export interface HttpResponse {
  readonly status: number;
  readonly body: string;
}

/** One HTTP request to 127.0.0.1:port; rejects on a connection error or after `timeoutMs`. */
export function httpRequest(
  port: number,
  method: 'GET' | 'POST',
  path: string,
  timeoutMs = 5000,
): Promise<HttpResponse> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.once('end', () =>
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
      );
      res.once('error', reject);
    });
    req.once('timeout', () =>
      req.destroy(new Error(`${method} ${path}: no answer in ${timeoutMs} ms`)),
    );
    req.once('error', reject);
    req.end();
  });
}
