/**
 * Full-resolution scalar metrics as columns: per key, typed arrays of steps, values and
 * timestamps (24 bytes per point), read from the CSV export without one object per point.
 *
 * @example Every point of two keys
 * ```ts ignore
 * import { fetchMetricColumns } from "./metric_columns.ts";
 *
 * const columns = await fetchMetricColumns(transport, ref, ["train/loss", "val/loss"], { all: true });
 * const loss = columns.list[0]!;
 * console.log(loss.key, loss.steps.length, loss.values[0]);
 * ```
 *
 * @module
 */

import { ValidationError } from "../core/errors.ts";
import type { RunRef } from "./run_ref.ts";
import type { Transport } from "../core/transport.ts";
import { validateMetricKeys } from "./metric_keys.ts";
import type { RangeQuery } from "./range_query.ts";
import {
  type MetricPoint,
  type MetricRowBlock,
  type MetricRowSink,
  scanMetricRows,
  type ScanMetricsOptions,
} from "./scan_metrics.ts";

/**
 * The points of one key, as three arrays of the same length, in step order (CSV order).
 *
 * @example The last value
 * ```ts
 * import type { MetricSeriesColumns } from "./metric_columns.ts";
 *
 * const series: MetricSeriesColumns = {
 *   key: "loss",
 *   steps: Float64Array.of(1, 2),
 *   values: Float64Array.of(0.5, 0.4),
 *   timestamps: Float64Array.of(1722470401000, NaN),
 * };
 * console.log(series.values.at(-1)); // 0.4
 * ```
 */
export interface MetricSeriesColumns {
  /** The metric key. */
  key: string;
  /** The steps (integers). */
  steps: Float64Array;
  /** The values (`NaN` and `±Infinity` possible, as in the CSV). */
  values: Float64Array;
  /** Unix milliseconds; `NaN` where the CSV row had no timestamp. */
  timestamps: Float64Array;
}

/**
 * What `run.metricsColumns()` returns.
 *
 * @example
 * ```ts
 * import type { MetricColumns } from "./metric_columns.ts";
 *
 * const columns: MetricColumns = { projectId: "cproj1", experimentId: "crun1", list: [] };
 * ```
 */
export interface MetricColumns {
  /** The project cuid. */
  projectId: string;
  /** The run cuid. */
  experimentId: string;
  /** One entry per distinct key, in request order (empty arrays for a key without data). */
  list: MetricSeriesColumns[];
}

/**
 * Which points {@linkcode fetchMetricColumns} reads: every point (the default, and what
 * `all: true` says), or those a {@linkcode RangeQuery} selects.
 *
 * @example Steps 1000 to 5000
 * ```ts
 * import type { MetricColumnsQuery } from "./metric_columns.ts";
 *
 * const query: MetricColumnsQuery = { rangeQuery: { start: 1000, end: 5000 } };
 * ```
 */
export interface MetricColumnsQuery {
  /**
   * Read every point (full resolution; the default).
   * @default true
   */
  all?: boolean;
  /** Range filter and truncation, see {@linkcode RangeQuery}. */
  rangeQuery?: RangeQuery | Record<string, unknown>;
}

/** Points per block of a growing column. */
const BLOCK = 1 << 16;

/**
 * A growing column of doubles, kept in fixed blocks so that growing never copies, then joined
 * into one exact-size array (block by block, so the peak stays near one copy).
 */
class Float64Column {
  #blocks: Float64Array[] = [];
  #current = new Float64Array(BLOCK);
  #fill = 0;
  length = 0;

  push(value: number): void {
    if (this.#fill === BLOCK) {
      this.#blocks.push(this.#current);
      this.#current = new Float64Array(BLOCK);
      this.#fill = 0;
    }
    this.#current[this.#fill++] = value;
    this.length++;
  }

  finish(): Float64Array {
    const result = new Float64Array(this.length);
    let offset = 0;
    for (const block of this.#blocks) {
      result.set(block, offset);
      offset += block.length;
    }
    result.set(this.#current.subarray(0, this.#fill), offset);
    this.#blocks = [];
    this.#current = new Float64Array(0);
    this.#fill = 0;
    return result;
  }
}

/** The growing columns of one key. */
class SeriesBuilder {
  readonly steps = new Float64Column();
  readonly values = new Float64Column();
  readonly timestamps = new Float64Column();

  finish(key: string): MetricSeriesColumns {
    return {
      key,
      steps: this.steps.finish(),
      values: this.values.finish(),
      timestamps: this.timestamps.finish(),
    };
  }
}

/** Appends a scan's rows or points to the columns of their keys. */
class ColumnCollector implements MetricRowSink {
  readonly series = new Map<string, SeriesBuilder>();

  constructor(keys: readonly string[]) {
    for (const key of keys) this.series.set(key, new SeriesBuilder());
  }

  rows(keys: readonly string[], block: MetricRowBlock, from: number, to: number): void {
    const builders = keys.map((key) => this.series.get(key) as SeriesBuilder);
    const { steps, values, hasValue, timestamps } = block;
    const count = keys.length;
    for (let k = 0; k < count; k++) {
      const builder = builders[k] as SeriesBuilder;
      for (let row = from, cell = from * count + k; row < to; row++, cell += count) {
        if (hasValue[cell] === 0) continue;
        builder.steps.push(steps[row] as number);
        builder.values.push(values[cell] as number);
        builder.timestamps.push(timestamps[cell] as number);
      }
    }
  }

  point(point: MetricPoint): void {
    const builder = this.series.get(point.key) as SeriesBuilder;
    builder.steps.push(point.step);
    builder.values.push(point.value);
    builder.timestamps.push(point.timestamp ?? NaN);
  }
}

/**
 * Reads full-resolution scalar metrics of a run into columns: per key, `steps`, `values` and
 * `timestamps` as `Float64Array`s (24 bytes per point), ready for plotting and numeric work.
 *
 * The same requests, points, order, range filtering, retries and errors as
 * {@linkcode scanMetrics} (one CSV export per 16 keys, one after the other); the points of each
 * key keep their CSV order. Statistics are not included (see `run.metrics()`).
 *
 * @param transport The client's transport.
 * @param ref The run.
 * @param keys The metric keys (non-empty, non-blank; duplicates are removed).
 * @param query `all` (the default) or a `rangeQuery`.
 * @param options Per-call signal, timeouts, retries, clock and warnings.
 * @returns The columns, one entry per distinct key in request order.
 * @throws {ValidationError} For invalid keys, flag or range query (before any request).
 * @throws {ResponseError} For a malformed export or a download that stays cut.
 * @throws {ApiError} (or a subclass) and {@linkcode ConnectionError} for failed requests.
 *
 * @example The mean of a key
 * ```ts ignore
 * import { fetchMetricColumns } from "./metric_columns.ts";
 *
 * const { list: [loss] } = await fetchMetricColumns(transport, ref, ["train/loss"]);
 * const mean = loss!.values.reduce((sum, v) => sum + v, 0) / loss!.values.length;
 * ```
 */
export async function fetchMetricColumns(
  transport: Transport,
  ref: RunRef,
  keys: readonly string[],
  query: MetricColumnsQuery = {},
  options: ScanMetricsOptions = {},
): Promise<MetricColumns> {
  const distinct = validateMetricKeys(keys);
  if (typeof query !== "object" || query === null || Array.isArray(query)) {
    throw new ValidationError("query", "Cannot parse query: expected an object");
  }
  if (query.all !== undefined && typeof query.all !== "boolean") {
    throw new ValidationError("all", "Cannot parse all: expected a boolean");
  }
  const collector = new ColumnCollector(distinct);
  const scanQuery = query.rangeQuery === undefined || query.rangeQuery === null
    ? {}
    : { rangeQuery: query.rangeQuery };
  await scanMetricRows(transport, ref, distinct, scanQuery, options, collector);
  const list: MetricSeriesColumns[] = [];
  for (const key of distinct) {
    list.push((collector.series.get(key) as SeriesBuilder).finish(key));
    collector.series.delete(key); // free this key's blocks before joining the next
  }
  return { projectId: ref.projectId, experimentId: ref.runId, list };
}
