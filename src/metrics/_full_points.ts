/**
 * The full-resolution points of `run.metrics({ all | rangeQuery })` and `key.metrics({ all })`
 * (`{ step, value, timestamp? }` per point, per key), built straight from the parser's blocks.
 *
 * Why this way (memory is the limit of full-resolution reads): the point objects are the result,
 * so they are made once, as the rows arrive, and nothing else per point is kept: no intermediate
 * `{ key, step, value, timestamp }` object and no typed-array copy of the columns (collecting
 * columns first and building the objects afterwards held both at the peak: 119 bytes per point
 * on the bench export, against about 90 this way). A step is stored as a small integer where it
 * fits one: read from a `Float64Array` it would otherwise take a 16-byte box in every point. The
 * objects and their JSON are the same either way.
 *
 * Private to `src/metrics/`.
 *
 * @module
 */

import type { FullPointJson } from "./scalar_metrics.ts";
import type { MetricPoint, MetricRowBlock, MetricRowSink } from "./scan_metrics.ts";

/**
 * One point object: the step as a small integer where it is one, no `timestamp` when it is
 * unknown (`NaN`) or left out.
 */
function pointOf(raw: number, value: number, timestamp: number, withTime: boolean): FullPointJson {
  const step = (raw | 0) === raw ? raw | 0 : raw;
  return timestamp === timestamp && withTime ? { step, value, timestamp } : { step, value };
}

/**
 * Collects a scan's rows (or range-filtered points) as the point objects of each key.
 *
 * @example
 * ```ts ignore
 * const collector = new PointCollector(["loss"], false);
 * await scanMetricRows(transport, ref, ["loss"], {}, options, collector);
 * const points = collector.take("loss");
 * ```
 */
export class PointCollector implements MetricRowSink {
  readonly #points = new Map<string, FullPointJson[]>();
  readonly #withTime: boolean;

  /**
   * @param keys The keys, each getting a (possibly empty) list.
   * @param ignoreTimestamp Leave `timestamp` out of every point.
   */
  constructor(keys: readonly string[], ignoreTimestamp: boolean) {
    this.#withTime = !ignoreTimestamp;
    for (const key of keys) this.#points.set(key, []);
  }

  /** Appends rows `[from, to)` of a block, key by key. */
  rows(keys: readonly string[], block: MetricRowBlock, from: number, to: number): void {
    const { steps, values, hasValue, timestamps } = block;
    const withTime = this.#withTime;
    const count = keys.length;
    for (let k = 0; k < count; k++) {
      const points = this.#list(keys[k] as string);
      for (let row = from, cell = from * count + k; row < to; row++, cell += count) {
        if (hasValue[cell] === 0) continue;
        points.push(
          pointOf(
            steps[row] as number,
            values[cell] as number,
            timestamps[cell] as number,
            withTime,
          ),
        );
      }
    }
  }

  /** Appends one point that passed a range query. */
  point(point: MetricPoint): void {
    this.#list(point.key).push(
      pointOf(point.step, point.value, point.timestamp ?? NaN, this.#withTime),
    );
  }

  /** The points of a key, in scan order (empty when it had none). */
  take(key: string): FullPointJson[] {
    return this.#points.get(key) ?? [];
  }

  #list(key: string): FullPointJson[] {
    let points = this.#points.get(key);
    if (points === undefined) {
      points = [];
      this.#points.set(key, points);
    }
    return points;
  }
}
