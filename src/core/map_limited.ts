/**
 * Order-keeping concurrent mapping of a list that ends with nothing of it running.
 *
 * @module
 */

// Type only: the CLI imports this module, and its start-up does not load the limiter's errors.
import type { Limiter } from "./limiter.ts";

/**
 * Maps every item with at most `limit` calls at once (or under a shared {@linkcode Limiter}),
 * keeping the items' order. The first failure stops it: no item is started after it, and it is
 * thrown only once the calls already running have settled, so that nothing the mapping started
 * (a request, a download) is still running when it rejects.
 *
 * @param items The items.
 * @param limit The most calls at once, or the limiter to share.
 * @param task The mapping of one item (and its index).
 * @returns The results in the items' order.
 * @throws The first failure of `task`.
 *
 * @example Two at a time
 * ```ts
 * import { mapLimited } from "./map_limited.ts";
 *
 * const doubled = await mapLimited([1, 2, 3], 2, async (n) => n * 2);
 * console.log(doubled); // [2, 4, 6]
 * ```
 */
export async function mapLimited<T, R>(
  items: readonly T[],
  limit: number | Limiter,
  task: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  let failure: { error: unknown } | undefined;
  // The failure is recorded as the task fails, before a shared limiter hands its slot on, and
  // checked once a slot is free: an item that waited for one does not start after a failure.
  const call = (index: number): Promise<void> =>
    failure !== undefined ? Promise.resolve() : task(items[index]!, index).then(
      (result) => {
        results[index] = result;
      },
      (error: unknown) => {
        failure ??= { error };
      },
    );
  const worker = async (): Promise<void> => {
    while (failure === undefined && next < items.length) {
      const index = next++;
      await (typeof limit === "number" ? call(index) : limit.run(() => call(index)));
    }
  };
  const workers = typeof limit === "number" ? limit : limit.concurrency;
  await Promise.all(Array.from({ length: Math.min(Math.max(1, workers), items.length) }, worker));
  if (failure !== undefined) throw failure.error;
  return results;
}
