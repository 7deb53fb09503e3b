import { SystemdContainer } from './container.js';

/** Booting takes about a second; a clean poweroff with services to stop a few more. */
const HOOK_TIMEOUT_MS = 60_000;

/**
 * Boots one container for the calling test file (beforeAll) and powers it off afterwards
 * (afterAll, which Jest runs even when beforeAll or tests failed). Returns an accessor for it.
 */
export function useContainer(): () => SystemdContainer {
  let container: SystemdContainer | undefined;
  beforeAll(async () => {
    container = await SystemdContainer.boot();
  }, HOOK_TIMEOUT_MS);
  afterAll(async () => {
    await container?.shutdown();
  }, HOOK_TIMEOUT_MS);
  return () => {
    if (container === undefined) throw new Error('the container did not boot (see beforeAll)');
    return container;
  };
}
