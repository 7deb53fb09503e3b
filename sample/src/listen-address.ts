/** Where the HTTP server listens. */
export interface ListenAddress {
  readonly port: number;
  readonly host: string;
}

/** Reads `PORT` (default 3000) and `HOST` (default 127.0.0.1); throws on a port that is not one. */
export function readListenAddress(env: NodeJS.ProcessEnv): ListenAddress {
  const rawPort = env.PORT ?? '3000';
  const port = Number(rawPort);
  if (!/^\d+$/.test(rawPort) || port > 65_535) {
    throw new Error(`PORT must be an integer from 0 to 65535, got ${JSON.stringify(rawPort)}`);
  }
  // Loopback by default: behind a reverse proxy is how this should face the world.
  return { port, host: env.HOST || '127.0.0.1' };
}
