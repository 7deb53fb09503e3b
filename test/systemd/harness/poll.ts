export const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, ms));

export interface PollOptions {
  readonly timeoutMs: number;
  readonly intervalMs?: number;
  /** Names the awaited condition in the timeout error. */
  readonly what: string;
}

/** Calls `probe` until it returns something other than undefined, or throws after `timeoutMs`. */
export async function pollUntil<T>(
  probe: () => Promise<T | undefined> | T | undefined,
  { timeoutMs, intervalMs = 100, what }: PollOptions,
): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    // oxlint-disable-next-line no-await-in-loop -- polling: one probe at a time, paced
    const value = await probe();
    if (value !== undefined) return value;
    if (performance.now() >= deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    }
    // oxlint-disable-next-line no-await-in-loop -- polling: one probe at a time, paced
    await sleep(intervalMs);
  }
}

/** Calls `probe` every `intervalMs` for `durationMs` and returns what it returned, in order. */
export async function sampleFor<T>(
  probe: () => Promise<T>,
  { durationMs, intervalMs }: { durationMs: number; intervalMs: number },
): Promise<T[]> {
  const samples: T[] = [];
  const end = performance.now() + durationMs;
  while (performance.now() < end) {
    // oxlint-disable-next-line no-await-in-loop -- sampling over time, one at a time
    samples.push(await probe());
    // oxlint-disable-next-line no-await-in-loop -- sampling over time, one at a time
    await sleep(intervalMs);
  }
  return samples;
}

/** Whether `promise` settles within `ms`; the timer never outlives the call. */
export async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([promise.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
