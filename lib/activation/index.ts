// nestjs-systemd/activation: serving the socket systemd passes (socket activation). An entry
// point of its own, so that an app that binds its own port never loads it.
export { listenOnActivatedSocket } from './listen-on-activated-socket.js';
export type {
  ActivatedListenOptions,
  ActivatedListenResult,
} from './listen-on-activated-socket.js';
export { readListenFds, LISTEN_FDS_START } from './listen-fds.js';
export type { ListenFd, ListenFdsResult, ReadListenFdsOptions } from './listen-fds.js';
