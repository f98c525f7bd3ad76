/**
 * What the writers read: rows one at a time or in arrays (a scan's batches), sync or async.
 *
 * @module
 */

/**
 * Rows one by one, or in arrays, from a sync or async iterable (an array of rows, a generator,
 * a multi-run scan).
 *
 * @example Rows in batches
 * ```ts
 * import type { RowSource } from "./row_source.ts";
 *
 * async function* batches() {
 *   yield [{ step: 0 }, { step: 1 }];
 * }
 * const source: RowSource<{ step: number }> = batches();
 * ```
 */
export type RowSource<T> =
  | AsyncIterable<T | readonly T[]>
  | Iterable<T | readonly T[]>;

const BATCH = 1024;

/**
 * Yields the rows of a source in arrays (single rows are grouped up to 1024), so the writers'
 * inner loops stay plain `for` loops.
 *
 * @param source The rows.
 * @returns The arrays of rows, none empty.
 *
 * @example
 * ```ts
 * import { rowBatches } from "./row_source.ts";
 *
 * for await (const batch of rowBatches([{ a: 1 }, [{ a: 2 }, { a: 3 }]])) console.log(batch.length);
 * ```
 */
export async function* rowBatches<T>(source: RowSource<T>): AsyncGenerator<readonly T[]> {
  let pending: T[] = [];
  for await (const item of source as AsyncIterable<T | readonly T[]>) {
    if (Array.isArray(item)) {
      if (pending.length > 0) {
        yield pending;
        pending = [];
      }
      if (item.length > 0) yield item as readonly T[];
    } else {
      pending.push(item as T);
      if (pending.length >= BATCH) {
        yield pending;
        pending = [];
      }
    }
  }
  if (pending.length > 0) yield pending;
}
