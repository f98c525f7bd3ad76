/**
 * The long-format row of a metrics export: one point of one key of one run.
 *
 * @module
 */

/**
 * One point of one metric key of one run, as multi-run scans yield it and the metric writers
 * take it.
 *
 * @example
 * ```ts
 * import type { MetricRow } from "./metric_row.ts";
 *
 * const row: MetricRow = { run: "cabc", key: "loss", step: 3, value: 0.5, timestamp: 1722470401000 };
 * ```
 */
export interface MetricRow {
  /** The run's id (its cuid, `run.json().run_id`). */
  run: string;
  /** The metric key. */
  key: string;
  /** The step (an integer). */
  step: number;
  /** The value (`NaN` and `±Infinity` possible). */
  value: number;
  /** When the point was logged, in Unix milliseconds, when known. */
  timestamp?: number;
}

/**
 * The columns of a metrics export, in order.
 *
 * @example CSV header
 * ```ts
 * import { METRIC_ROW_COLUMNS } from "./metric_row.ts";
 *
 * console.log(METRIC_ROW_COLUMNS.join(",")); // run,key,step,value,timestamp
 * ```
 */
export const METRIC_ROW_COLUMNS: readonly ["run", "key", "step", "value", "timestamp"] = [
  "run",
  "key",
  "step",
  "value",
  "timestamp",
];
