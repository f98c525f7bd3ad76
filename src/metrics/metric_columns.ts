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
import { ColumnCollector } from "./_column_collector.ts";
import { scanMetricRows, type ScanMetricsOptions } from "./scan_metrics.ts";

/**
 * The points of one key, as three arrays of the same length, in step order (CSV order).
 *
 * The arrays may be views of larger buffers whose unused part was never written (and so takes
 * no memory): use them as they are, or `slice()` one for a compact copy of its own.
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
  // Key by key, so that each key's blocks can be freed once joined.
  for (const key of distinct) list.push(collector.take(key).toColumns(key));
  return { projectId: ref.projectId, experimentId: ref.runId, list };
}
