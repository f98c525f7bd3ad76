/**
 * Long-format metric rows of one run as columns (typed arrays, no object per row): what
 * `runs.scanMetrics(...).columns()` yields and the metric writers take as cheaply as possible.
 *
 * @module
 */

import type { MetricRow } from "./metric_row.ts";
import type { RowSource } from "./row_source.ts";

const BATCH = 1024;

/**
 * Rows of one run as columns: row `i` is `{ run, key: keys[keyIndex[i]], step: steps[i],
 * value: values[i], timestamp: timestamps[i] }`, with a `NaN` timestamp meaning none. The
 * arrays may be longer than `length` (only the first `length` entries are rows).
 *
 * @example The same two rows as `MetricRow` objects and as columns
 * ```ts
 * import type { MetricRowColumns } from "./metric_row_columns.ts";
 *
 * // [{ run: "c1", key: "loss", step: 0, value: 1.5, timestamp: 1722470400000 },
 * //  { run: "c1", key: "acc", step: 0, value: 0.1 }]
 * const columns: MetricRowColumns = {
 *   run: "c1",
 *   length: 2,
 *   keys: ["loss", "acc"],
 *   keyIndex: Uint16Array.of(0, 1),
 *   steps: Float64Array.of(0, 0),
 *   values: Float64Array.of(1.5, 0.1),
 *   timestamps: Float64Array.of(1722470400000, NaN),
 * };
 * ```
 */
export interface MetricRowColumns {
  /** The run's id (its cuid), the same for every row. */
  readonly run: string;
  /** The number of rows. */
  readonly length: number;
  /** The metric keys the rows refer to. */
  readonly keys: readonly string[];
  /** Each row's key, as an index into `keys`. */
  readonly keyIndex: Uint16Array;
  /** Each row's step (an integer). */
  readonly steps: Float64Array;
  /** Each row's value (`NaN` and `±Infinity` possible). */
  readonly values: Float64Array;
  /** Each row's timestamp in Unix milliseconds, `NaN` when it has none. */
  readonly timestamps: Float64Array;
}

/**
 * What the metric writers read: rows (one by one or in arrays, see {@linkcode RowSource}) or
 * {@linkcode MetricRowColumns} blocks, mixed as they come.
 *
 * @example A scan's column blocks
 * ```ts
 * import { Api } from "@swanlab-ts/api";
 * import type { MetricSource } from "./metric_row_columns.ts";
 *
 * const api = new Api({ apiKey: "k", host: "http://127.0.0.1:1" });
 * const source: MetricSource = api.runs("team/sweep").scanMetrics(["loss"]).columns();
 * ```
 */
export type MetricSource =
  | RowSource<MetricRow>
  | AsyncIterable<MetricRow | readonly MetricRow[] | MetricRowColumns>
  | Iterable<MetricRow | readonly MetricRow[] | MetricRowColumns>;

/**
 * Whether an item of a {@linkcode MetricSource} is a column block.
 *
 * @param item A row, an array of rows or a column block.
 * @returns True for a column block.
 *
 * @example
 * ```ts
 * import { isMetricRowColumns } from "./metric_row_columns.ts";
 *
 * isMetricRowColumns({ run: "c1", key: "loss", step: 0, value: 1 }); // false
 * ```
 */
export function isMetricRowColumns(item: unknown): item is MetricRowColumns {
  return typeof item === "object" && item !== null && !Array.isArray(item) &&
    (item as { keyIndex?: unknown }).keyIndex instanceof Uint16Array;
}

/**
 * Yields a {@linkcode MetricSource} as arrays of rows (single rows grouped up to 1024) and
 * column blocks, in order, none empty.
 *
 * @param source The rows and blocks.
 * @returns The arrays and blocks.
 *
 * @example
 * ```ts
 * import { metricBatches } from "./metric_row_columns.ts";
 *
 * for await (const batch of metricBatches([{ run: "c1", key: "loss", step: 0, value: 1 }])) {
 *   console.log(Array.isArray(batch)); // true
 * }
 * ```
 */
export async function* metricBatches(
  source: MetricSource,
): AsyncGenerator<readonly MetricRow[] | MetricRowColumns> {
  let pending: MetricRow[] = [];
  for await (
    const item of source as AsyncIterable<MetricRow | readonly MetricRow[] | MetricRowColumns>
  ) {
    if (Array.isArray(item) || isMetricRowColumns(item)) {
      if (pending.length > 0) {
        yield pending;
        pending = [];
      }
      if (item.length > 0) yield item as readonly MetricRow[] | MetricRowColumns;
    } else {
      pending.push(item as MetricRow);
      if (pending.length >= BATCH) {
        yield pending;
        pending = [];
      }
    }
  }
  if (pending.length > 0) yield pending;
}
