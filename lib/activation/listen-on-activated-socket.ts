import { Logger, type INestApplication } from '@nestjs/common';
import { SYSTEMD_LOGGER_CONTEXT } from '../systemd.constants.js';
import { activationMessages } from './activation.messages.js';
import { readListenFds, type ListenFd } from './listen-fds.js';

/** Options for {@link listenOnActivatedSocket}. */
export interface ActivatedListenOptions {
  /** `FileDescriptorName=` of the socket to serve; needed only when systemd passed several. */
  readonly name?: string;
  /**
   * Where to listen when the process was not socket-activated (a laptop, a test run). Without
   * it, not being activated is an error.
   */
  readonly fallback?: { readonly port: number | string; readonly host?: string };
  /** Remove `LISTEN_*` from `process.env` so that child processes do not see them. Default true. */
  readonly unsetEnvironment?: boolean;
}

/** Where {@link listenOnActivatedSocket} listens. */
export type ActivatedListenResult =
  | { readonly activated: true; readonly fd: number; readonly name: string }
  | { readonly activated: false };

function pick(fds: readonly ListenFd[], name: string | undefined): ListenFd {
  const names = fds.map((socket) => socket.name);
  if (name !== undefined) {
    const socket = fds.find((candidate) => candidate.name === name);
    if (!socket) throw new Error(activationMessages.noSuchName(name, names));
    return socket;
  }
  if (fds.length > 1) throw new Error(activationMessages.ambiguous(names));
  return fds[0]!;
}

/**
 * `app.listen()` on the socket systemd passed (socket activation, `sd_listen_fds(3)`), or on
 * `fallback` when there is none. Express and Fastify alike; READY=1 still follows the real
 * listen. Throws, naming the variable, when the passed sockets are unusable (a bootstrap
 * error, like a port already in use).
 *
 * ```ts
 * await listenOnActivatedSocket(app, { fallback: { port: 3000, host: '127.0.0.1' } });
 * ```
 */
export async function listenOnActivatedSocket(
  app: INestApplication,
  options: ActivatedListenOptions = {},
): Promise<ActivatedListenResult> {
  const passed = readListenFds({ unsetEnvironment: options.unsetEnvironment ?? true });
  if (passed.state === 'invalid') throw new Error(passed.reason);
  if (passed.state === 'none') {
    // libsystemd passes over such sockets silently; a client waiting on them would hang.
    const notOurs =
      passed.passedTo === undefined
        ? undefined
        : activationMessages.passedToAnother(passed.passedTo, process.pid);
    if (!options.fallback) throw new Error(notOurs ?? activationMessages.noSocket());
    if (notOurs !== undefined) {
      new Logger(SYSTEMD_LOGGER_CONTEXT).warn(activationMessages.fallingBack(notOurs));
    }
    const { port, host } = options.fallback;
    await (host === undefined ? app.listen(port) : app.listen(port, host));
    return { activated: false };
  }
  const socket = pick(passed.fds, options.name);
  // Both adapters hand these options to Node's server.listen(), which serves the descriptor as
  // it is (bound and listening already) and ignores the host. The host is there for Fastify:
  // without one, Nest 11's adapter would not take the object as options, and Fastify would try
  // to bind extra 'localhost' addresses.
  await app.listen({ fd: socket.fd, host: '0.0.0.0' } as unknown as number);
  new Logger(SYSTEMD_LOGGER_CONTEXT).log(activationMessages.listening(socket.name, socket.fd));
  return { activated: true, fd: socket.fd, name: socket.name };
}
