/**
 * Whether a listener of `signal` also listens to SIGTERM: that is what a shutdown hook looks
 * like (Nest's `enableShutdownHooks()` registers one function for all its signals), as opposed
 * to an app's own handler of that one signal (`process.on('SIGHUP', reopenLogs)`).
 */
export function signalStopsTheApp(signal: NodeJS.Signals): boolean {
  if (signal === 'SIGTERM') return process.listenerCount('SIGTERM') > 0;
  const stoppers = new Set(process.listeners('SIGTERM'));
  return process.listeners(signal).some((listener) => stoppers.has(listener));
}
