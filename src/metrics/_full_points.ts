/**
 * The full-resolution points of `run.metrics({ all | rangeQuery })` and `key.metrics({ all })`
 * (`{ step, value, timestamp? }` per point, per key), built from the columns of a collecting
 * scan (`_column_collector.ts`).
 *
 * Why this way (memory is the limit of full-resolution reads): the scan appends the parser's
 * blocks to typed arrays (24 bytes per point, no object), and only then is each key's list built,
 * one key after the other, releasing that key's columns: no intermediate
 * `{ key, step, value, timestamp }` object per point. A step is stored as a small integer where
 * it fits one: read from a `Float64Array` it would otherwise take a 16-byte box in every point
 * (measured on Deno 2.9: 88 instead of 104 bytes of heap per point, and faster). The objects and
 * their JSON are the same either way.
 *
 * Private to `src/metrics/`.
 *
 * @module
 */

import type { SeriesBuilder } from "./_column_collector.ts";
import type { FullPointJson } from "./scalar_metrics.ts";

/**
 * Builds the points of one key from its collected series.
 *
 * @param series The key's series (from `ColumnCollector.take`).
 * @param ignoreTimestamp Leave `timestamp` out of every point.
 * @returns The points, in scan order.
 *
 * @example
 * ```ts ignore
 * const points = fullPoints(collector.take("loss"), false);
 * ```
 */
export function fullPoints(series: SeriesBuilder, ignoreTimestamp: boolean): FullPointJson[] {
  const points: FullPointJson[] = [];
  for (const { steps, values, timestamps } of series.parts()) {
    const length = steps.length;
    for (let i = 0; i < length; i++) {
      const raw = steps[i] as number;
      const step = (raw | 0) === raw ? raw | 0 : raw; // a small integer, not a boxed double
      const value = values[i] as number;
      const timestamp = timestamps[i] as number;
      points.push(
        timestamp !== timestamp || ignoreTimestamp ? { step, value } : { step, value, timestamp },
      );
    }
  }
  return points;
}
