/**
 * Where the service is in systemd's eyes: `starting` until READY, `ready` (or `reloading`,
 * between RELOADING and READY) until STOPPING, then `stopping`, and `stopped` once the app is
 * closed.
 */
export type SystemdPhase = 'starting' | 'ready' | 'reloading' | 'stopping' | 'stopped';
