/**
 * Collects the full-resolution points of `run.metrics({ all | rangeQuery })` and
 * `key.metrics({ all })` (`{ step, value, timestamp? }` per point, per key) straight from the
 * CSV parser's blocks.
 *
 * Why this shape (memory is the limit of full-resolution reads): a point is one object with a
 * small integer `step`, a boxed `value` (16 bytes) and a `timestamp`. All keys of a CSV row
 * usually share one timestamp, so the collector boxes each distinct timestamp once and stores
 * the same box in every point of the row (`timestampBox`), and {@linkcode fullPoint} keeps its
 * `timestamp` field "tagged" (it is first created with a non-number timestamp, so V8 stores a
 * reference rather than a fresh box per object). Measured on Deno 2.9 for 4 keys: about 76
 * bytes of heap per point instead of 90, and no intermediate `{ key, step, value, timestamp }`
 * object per point. The objects and their JSON are the same either way.
 *
 * Private to `src/metrics/`.
 *
 * @module
 */

import type { FullPointJson } from "./scalar_metrics.ts";
import type { MetricPoint, MetricRowBlock, MetricRowSink } from "./scan_metrics.ts";

/** The one allocation site of points with a timestamp (see the module doc). */
function fullPoint(step: number, value: number, timestamp: unknown): FullPointJson {
  return { step, value, timestamp } as FullPointJson;
}

/** The one allocation site of points without one. */
function untimedPoint(step: number, value: number): FullPointJson {
  return { step, value };
}

// A first point with a non-number timestamp makes the field hold references (see above).
fullPoint(0, 0, null);

/**
 * The points of each key of a scan, in CSV order, as `{ step, value, timestamp? }`.
 *
 * @example Collect a scan
 * ```ts ignore
 * const collector = new FullPointCollector(["loss"], false);
 * await scanMetricRows(transport, ref, ["loss"], {}, {}, collector);
 * console.log(collector.points.get("loss")?.length);
 * ```
 */
export class FullPointCollector implements MetricRowSink {
  /** The points of each key (an empty list for a key without points). */
  readonly points: Map<string, FullPointJson[]>;
  readonly #ignoreTimestamp: boolean;
  /** Holds the current row's timestamp as one boxed number shared by the row's points. */
  readonly #timestampBox: unknown[] = [null];

  /**
   * @param keys The keys, each getting a list.
   * @param ignoreTimestamp Leave `timestamp` out of every point.
   */
  constructor(keys: readonly string[], ignoreTimestamp: boolean) {
    this.points = new Map(keys.map((key) => [key, []]));
    this.#ignoreTimestamp = ignoreTimestamp;
  }

  /** Appends rows `[from, to)` of a block. */
  rows(keys: readonly string[], block: MetricRowBlock, from: number, to: number): void {
    const lists = keys.map((key) => this.#list(key));
    const { steps, values, hasValue, timestamps } = block;
    const count = keys.length;
    const ignore = this.#ignoreTimestamp;
    const box = this.#timestampBox;
    let last = NaN;
    let cell = from * count;
    for (let row = from; row < to; row++) {
      const step = steps[row] as number;
      for (let k = 0; k < count; k++, cell++) {
        if (hasValue[cell] === 0) continue;
        const value = values[cell] as number;
        const timestamp = timestamps[cell] as number;
        const list = lists[k] as FullPointJson[];
        if (timestamp !== timestamp || ignore) {
          list.push(untimedPoint(step, value));
        } else {
          if (timestamp !== last) {
            last = timestamp;
            box[0] = timestamp;
          }
          list.push(fullPoint(step, value, box[0]));
        }
      }
    }
  }

  /** Appends one point that passed a range query. */
  point(point: MetricPoint): void {
    this.#list(point.key).push(
      point.timestamp === undefined || this.#ignoreTimestamp
        ? untimedPoint(point.step, point.value)
        : fullPoint(point.step, point.value, point.timestamp),
    );
  }

  #list(key: string): FullPointJson[] {
    let list = this.points.get(key);
    if (list === undefined) {
      list = [];
      this.points.set(key, list);
    }
    return list;
  }
}
