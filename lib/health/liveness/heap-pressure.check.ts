import type { NamedSystemdHealthCheck } from '../health-indicator.interface.js';

const mib = (bytes: number): number => Math.round(bytes / 2 ** 20);

/** Options of {@link heapPressureCheck}. */
export interface HeapPressureCheckOptions {
  /** Down when the used heap stays above this fraction of V8's `heap_size_limit`. Default 0.9. */
  readonly fraction?: number;
  /** ...for this many consecutive rounds (a collection usually brings it back). Default 3. */
  readonly rounds?: number;
  /** Name in `STATUS=` and logs. Default `'heap'`. */
  readonly name?: string;
}

/**
 * A liveness check for a leak heading for an out-of-memory crash: down when the used heap
 * stays above a fraction of V8's limit for several rounds in a row, so that systemd restarts
 * the service while it still can shut down cleanly, rather than after V8 aborts it.
 *
 * The limit is V8's `heap_size_limit`, which includes the young generation's reserve (three
 * semi-spaces, up to 48 MiB) besides `--max-old-space-size`: negligible for the usual heaps of
 * a gigabyte or more, but with a small old space (say 64 MiB, a 112 MiB limit) V8 runs out at
 * about half the limit: lower `fraction`, or `--max-semi-space-size`, for such heaps.
 */
export function heapPressureCheck(options: HeapPressureCheckOptions = {}): NamedSystemdHealthCheck {
  const fraction = options.fraction ?? 0.9;
  const rounds = options.rounds ?? 3;
  if (!(fraction > 0 && fraction < 1))
    throw new RangeError(`fraction must be in (0, 1), got ${fraction}`);
  if (!(Number.isInteger(rounds) && rounds >= 1))
    throw new RangeError(`rounds must be a positive integer, got ${rounds}`);
  const percent = Math.round(fraction * 1000) / 10;
  let above = 0;
  return {
    name: options.name ?? 'heap',
    check() {
      const { used_heap_size: used, heap_size_limit: limit } = process
        .getBuiltinModule('node:v8')
        .getHeapStatistics();
      above = used > limit * fraction ? above + 1 : 0;
      if (above < rounds) return true;
      throw new Error(
        `${mib(used)} MiB used of a ${mib(limit)} MiB heap limit for ${above} rounds, above ${percent}%`,
      );
    },
  };
}
