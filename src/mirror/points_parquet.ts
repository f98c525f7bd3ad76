/**
 * A run's scalar points as one Parquet file (columns `key`, `step`, `value`, `timestamp`).
 *
 * @module
 */

import { parquetWriteBuffer } from "hyparquet-writer";

/**
 * The points of one run, column by column, in the order they were read.
 *
 * @example Collect two points
 * ```ts
 * import { PointColumns } from "./points_parquet.ts";
 * const cols = new PointColumns();
 * cols.push("loss", 0, 1.5, 1722470401000);
 * cols.push("loss", 1, 1.2, undefined);
 * cols.length; // 2
 * ```
 */
export class PointColumns {
  /** Metric keys. */
  readonly keys: string[] = [];
  /** Steps. */
  readonly steps: number[] = [];
  /** Values (`NaN`, `±Infinity` kept). */
  readonly values: number[] = [];
  /** Unix milliseconds, or `null` when the source gave none. */
  readonly timestamps: (number | null)[] = [];

  /** Number of points. */
  get length(): number {
    return this.steps.length;
  }

  /** Appends one point. */
  push(key: string, step: number, value: number, timestamp: number | undefined): void {
    this.keys.push(key);
    this.steps.push(step);
    this.values.push(value);
    this.timestamps.push(timestamp ?? null);
  }
}

/**
 * Encodes the points as Parquet bytes (Snappy, row groups of 100 000 rows, statistics on).
 *
 * Rows are written in memory: one run's points at a time (24 bytes per point and the key),
 * which keeps the writer a single library call.
 *
 * @param points The points.
 * @returns The file's bytes.
 *
 * @example Encode
 * ```ts
 * import { encodePoints, PointColumns } from "./points_parquet.ts";
 * const cols = new PointColumns();
 * cols.push("loss", 0, 1.5, 1722470401000);
 * const bytes = encodePoints(cols);
 * ```
 */
export function encodePoints(points: PointColumns): Uint8Array<ArrayBuffer> {
  // Rows grouped by key (in order of first appearance), ascending steps within a key: the
  // row-group statistics then let readers skip keys.
  const order = new Map<string, number>();
  for (const key of points.keys) if (!order.has(key)) order.set(key, order.size);
  const rows = Array.from({ length: points.length }, (_, i) => i);
  rows.sort((a, b) =>
    order.get(points.keys[a]!)! - order.get(points.keys[b]!)! || points.steps[a]! - points.steps[b]!
  );
  const keys = rows.map((i) => points.keys[i]!);
  const steps = BigInt64Array.from(rows, (i) => BigInt(points.steps[i]!));
  const values = Float64Array.from(rows, (i) => points.values[i]!);
  const timestamps = rows.map((i) => {
    const t = points.timestamps[i];
    return t === null || t === undefined ? null : BigInt(t);
  });
  const buffer = parquetWriteBuffer({
    columnData: [
      { name: "key", data: keys, type: "STRING", nullable: false },
      { name: "step", data: steps, type: "INT64", nullable: false },
      { name: "value", data: values, type: "DOUBLE", nullable: false },
      { name: "timestamp", data: timestamps, type: "INT64", nullable: true },
    ],
    rowGroupSize: 100_000,
    createdBy: "swanlab-ts mirror",
  });
  return new Uint8Array(buffer);
}
