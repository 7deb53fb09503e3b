/**
 * Where the service is in systemd's eyes: `starting` until READY, `ready` (or `reloading`,
 * between RELOADING and READY) until STOPPING, then `stopping`, and `stopped` once the module's
 * own `onApplicationShutdown` has run. That is the first of them: other modules' come after it,
 * and a status they send is still delivered.
 */
export type SystemdPhase = 'starting' | 'ready' | 'reloading' | 'stopping' | 'stopped';
