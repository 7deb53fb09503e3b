import { notifyMessages } from './notify.messages.js';

/**
 * Where systemd listens for notifications, as `NOTIFY_SOCKET` names it.
 *
 * Only `path` can be reached by this library's transport (`unix-dgram`); the other
 * kinds are valid for libsystemd and are recognised so that the error says exactly
 * what is unsupported instead of sending into the void.
 */
export type NotifyAddress =
  | { readonly kind: 'path'; readonly path: string }
  | { readonly kind: 'abstract'; readonly name: string }
  | { readonly kind: 'vsock'; readonly value: string };

/** The outcome of reading `NOTIFY_SOCKET`. */
export type NotifyAddressResult =
  /** The variable is absent: not supervised, sending is a silent no-op (as in libsystemd). */
  | { readonly state: 'unset' }
  /** A filesystem socket this library can send to. */
  | { readonly state: 'usable'; readonly address: NotifyAddress & { kind: 'path' } }
  /** Valid for systemd, but this transport cannot reach it. */
  | { readonly state: 'unsupported'; readonly address: NotifyAddress; readonly reason: string }
  /** libsystemd itself would reject it (`sd_notify` returns -EINVAL). */
  | { readonly state: 'invalid'; readonly reason: string };

/** `sizeof(sockaddr_un.sun_path) - 1`: libsystemd insists on a terminating NUL, and so does unix-dgram. */
export const MAX_NOTIFY_SOCKET_PATH_BYTES = 107;

const VSOCK_PREFIX = /^vsock(?:-stream|-dgram|-seqpacket)?:/;

/**
 * Parses a `NOTIFY_SOCKET` value the way libsystemd's `sd_pid_notify_with_fds()` does:
 * `/path` is a filesystem socket, `@name` an abstract one, `vsock:CID:PORT` a VM socket,
 * anything else (empty, relative, a lone `/` or `@`, over 107 bytes) an error.
 */
export function parseNotifySocket(value: string | undefined): NotifyAddressResult {
  if (value === undefined) return { state: 'unset' };
  if (VSOCK_PREFIX.test(value)) {
    return {
      state: 'unsupported',
      address: { kind: 'vsock', value },
      reason: notifyMessages.vsockUnsupported(value),
    };
  }
  const first = value[0];
  if (first !== '/' && first !== '@') {
    return { state: 'invalid', reason: notifyMessages.addressNotAbsolute(value) };
  }
  const bytes = Buffer.byteLength(value);
  if (bytes < 2) return { state: 'invalid', reason: notifyMessages.addressTooShort(value) };
  if (bytes > MAX_NOTIFY_SOCKET_PATH_BYTES) {
    return { state: 'invalid', reason: notifyMessages.addressTooLong(value, bytes) };
  }
  if (first === '@') {
    return {
      state: 'unsupported',
      address: { kind: 'abstract', name: value.slice(1) },
      reason: notifyMessages.abstractUnsupported(value),
    };
  }
  return { state: 'usable', address: { kind: 'path', path: value } };
}
