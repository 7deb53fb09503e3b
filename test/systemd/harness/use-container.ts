import { SystemdContainer, type BootOptions } from './container.js';

/** Booting takes about a second; a clean poweroff with services to stop a few more. */
const HOOK_TIMEOUT_MS = 60_000;

export interface UseContainerOptions {
  /** Called in beforeAll, so that slow preparation (building an image) counts against its timeout. */
  readonly boot?: () => Promise<BootOptions> | BootOptions;
  /** Timeout of the beforeAll hook that prepares and boots, when preparing may take longer. */
  readonly setupTimeoutMs?: number;
}

/**
 * Boots one container for the calling test file or describe block (beforeAll) and powers it off
 * afterwards (afterAll, which Jest runs even when beforeAll or tests failed). Returns an accessor
 * for it.
 */
export function useContainer(options: UseContainerOptions = {}): () => SystemdContainer {
  let container: SystemdContainer | undefined;
  beforeAll(async () => {
    container = await SystemdContainer.boot(await options.boot?.());
  }, options.setupTimeoutMs ?? HOOK_TIMEOUT_MS);
  afterAll(async () => {
    await container?.shutdown();
  }, HOOK_TIMEOUT_MS);
  return () => {
    if (container === undefined) throw new Error('the container did not boot (see beforeAll)');
    return container;
  };
}
