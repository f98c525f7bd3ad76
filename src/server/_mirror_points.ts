/**
 * Private to the server: a mirror's points file (Parquet, `docs/MIRROR_FORMAT.md`) decoded into
 * the typed arrays a served run's metrics read from, about 24 bytes per point.
 *
 * A file in the mirror's own layout is read by `_points_layout_decoder.ts`; any other valid file
 * by hyparquet, chunk by chunk, straight into typed arrays of the file's row count, then scattered
 * by key into arrays of exactly each key's size: no object, array or boxed number per row either
 * way. Decoding into a list per column and a list of row numbers per key, then sorting each list
 * with a comparator, took 18 s and 2.6 GB to serve a mirror of 19 M points (the bench (h) mirror);
 * this takes 3.6 s and 0.55 GB.
 *
 * @module
 */

import { parquetRead } from "hyparquet";
import type { KeySeries, RunMetrics } from "./metric_source.ts";
import {
  decodePointsLayout,
  type KeyColumns,
  KeyList,
  type RowColumns,
  UnsupportedLayout,
} from "./_points_layout_decoder.ts";

/** The columns of a points file, in the order they are read. */
const COLUMNS = ["key", "step", "value", "timestamp"] as const;
type ColumnName = (typeof COLUMNS)[number];
/** Keys looked up by identity before the map: a run's rows cycle through its keys. */
const RECENT_KEYS = 16;

/** A points file the format does not allow (the caller names the mirror and the file). */
export class PointsFileError extends Error {
  /**
   * @param message What is wrong with the file.
   */
  constructor(message: string) {
    super(message);
    this.name = "PointsFileError";
  }
}

/**
 * Decodes a points file into the metrics of its run.
 *
 * @param bytes The file (its checksum already checked).
 * @param rows The row count the run document gives.
 * @param scalarKeys The run's scalar keys (the metrics' key list; the file's keys when empty).
 * @param options `layout: false` skips the decoder of the mirror's own layout (tests compare the
 *   two decoders).
 * @returns The run's metrics.
 * @throws {PointsFileError} When the file is not valid Parquet or a column does not hold
 *   `rows` values.
 *
 * @example Decode a file written by the mirror
 * ```ts ignore
 * const metrics = await decodePointsFile(bytes, document.points.rows, document.scalarKeys);
 * metrics.series("train/loss")?.count;
 * ```
 */
export async function decodePointsFile(
  bytes: Uint8Array,
  rows: number,
  scalarKeys: readonly string[],
  options: { layout?: boolean } = {},
): Promise<RunMetrics> {
  let columns: KeyColumns | undefined;
  if (options.layout !== false) {
    try {
      columns = decodePointsLayout(bytes, rows);
    } catch (error) {
      if (!(error instanceof UnsupportedLayout)) throw error;
    }
  }
  columns ??= byKey(await decodeAnyLayout(bytes, rows));
  const points = columns.keys.map((key, k) =>
    inStepOrder({
      key,
      steps: columns.steps[k]!,
      values: columns.values[k]!,
      times: columns.times[k]!,
    })
  );
  return runMetrics(points, scalarKeys);
}

/** Any points file, with hyparquet. */
async function decodeAnyLayout(bytes: Uint8Array, rows: number): Promise<RowColumns> {
  const keyOf = new Uint32Array(rows);
  const steps = new Float64Array(rows);
  const values = new Float64Array(rows);
  const times = new Float64Array(rows);
  const keyList = new KeyList();
  const filled: Record<ColumnName, number> = { key: 0, step: 0, value: 0, timestamp: 0 };
  const numbers = { step: steps, value: values, timestamp: times };
  // The last few key objects seen, replaced in turn (each row group decodes its own dictionary).
  const recent: unknown[] = new Array(RECENT_KEYS).fill(null);
  const recentIds = new Uint32Array(RECENT_KEYS);
  let replace = 0;
  try {
    await parquetRead({
      file: bytes.buffer.slice(
        bytes.byteOffset,
        bytes.byteOffset + bytes.byteLength,
      ) as ArrayBuffer,
      columns: [...COLUMNS],
      onChunk: ({ columnName, columnData, rowStart }) => {
        const name = columnName as ColumnName;
        const data = columnData as ArrayLike<unknown>;
        const count = Math.min(data.length, rows - rowStart);
        if (rowStart < 0 || count < 0) {
          throw new Error(`column "${name}" has a chunk at row ${rowStart} of ${rows}`);
        }
        filled[name] += data.length;
        if (name === "key") {
          // A row group's keys repeat as the same string objects (its dictionary's): found by
          // identity among the last few seen, without hashing every row's key.
          for (let i = 0; i < count; i++) {
            const key = data[i];
            let at = 0;
            while (at < RECENT_KEYS && recent[at] !== key) at++;
            if (at === RECENT_KEYS) {
              at = replace;
              replace = (replace + 1) % RECENT_KEYS;
              recent[at] = key;
              recentIds[at] = keyList.idOf(String(key));
            }
            keyOf[rowStart + i] = recentIds[at]!;
          }
        } else if (name === "value" && data instanceof Float64Array) {
          values.set(data.subarray(0, count), rowStart);
        } else if (data instanceof BigInt64Array) {
          // Each 64-bit integer from its two 32-bit halves: reading it as a BigInt would allocate
          // one per row. The sum is rounded once, as Number(bigint) rounds.
          const out = numbers[name];
          const halves = new Int32Array(data.buffer, data.byteOffset, data.length * 2);
          for (let i = 0; i < count; i++) {
            out[rowStart + i] = halves[2 * i + 1]! * 4294967296 + (halves[2 * i]! >>> 0);
          }
        } else {
          // INT64 columns arrive as BigInt64Array (required) or a list with nulls (optional).
          const out = numbers[name];
          for (let i = 0; i < count; i++) {
            const value = data[i];
            // No timestamp: NaN, served as an empty CSV cell (never an invented time).
            out[rowStart + i] = value === null || value === undefined ? NaN : Number(value);
          }
        }
      },
    });
  } catch (error) {
    throw new PointsFileError(
      `is not valid Parquet: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  for (const name of COLUMNS) {
    if (filled[name] !== rows) {
      throw new PointsFileError(`has ${filled[name]} values in column "${name}", expected ${rows}`);
    }
  }
  return { keyOf, keys: keyList.keys, steps, values, times };
}

/** One key's points, ascending by step. */
interface KeyPoints {
  key: string;
  steps: Float64Array;
  values: Float64Array;
  times: Float64Array;
}

/** The rows of each key, in file order. */
function byKey({ keys, keyOf, steps, values, times }: RowColumns): KeyColumns {
  const counts = new Uint32Array(keys.length);
  for (let i = 0; i < keyOf.length; i++) counts[keyOf[i]!]!++;
  const out: KeyColumns = {
    keys,
    steps: keys.map((_, k) => new Float64Array(counts[k]!)),
    values: keys.map((_, k) => new Float64Array(counts[k]!)),
    times: keys.map((_, k) => new Float64Array(counts[k]!)),
  };
  const at = new Uint32Array(keys.length);
  for (let i = 0; i < keyOf.length; i++) {
    const k = keyOf[i]!;
    const j = at[k]!++;
    out.steps[k]![j] = steps[i]!;
    out.values[k]![j] = values[i]!;
    out.times[k]![j] = times[i]!;
  }
  return out;
}

/** The points sorted by step (stable: equal steps keep the file's order); as is when sorted. */
function inStepOrder(points: KeyPoints): KeyPoints {
  const { steps } = points;
  let sorted = true;
  for (let i = 1; i < steps.length && sorted; i++) sorted = steps[i - 1]! <= steps[i]!;
  if (sorted) return points;
  const order = Array.from(steps.keys()).sort((a, b) => steps[a]! - steps[b]!);
  const pick = (from: Float64Array) => Float64Array.from(order, (i) => from[i]!);
  return {
    key: points.key,
    steps: pick(steps),
    values: pick(points.values),
    times: pick(points.times),
  };
}

function runMetrics(points: readonly KeyPoints[], scalarKeys: readonly string[]): RunMetrics {
  const series = new Map<string, KeySeries>();
  let maxStep = -1;
  for (const p of points) {
    const n = p.steps.length;
    if (n > 0 && p.steps[n - 1]! > maxStep) maxStep = p.steps[n - 1]!;
    series.set(p.key, storedSeries(p));
  }
  const first = series.values().next().value;
  return {
    steps: maxStep + 1,
    keys: scalarKeys.length > 0 ? [...scalarKeys] : [...series.keys()],
    timestamp: (step: number): number => first?.timestamp?.(step) ?? NaN,
    series: (key: string): KeySeries | undefined => series.get(key),
  };
}

function storedSeries({ key, steps, values, times }: KeyPoints): KeySeries {
  let every = steps.length > 1 ? steps[1]! - steps[0]! : 1;
  if (steps.length > 0 && steps[0] !== 0) every = 0;
  for (let i = 0; every > 0 && i < steps.length; i++) if (steps[i] !== i * every) every = 0;
  const at = every > 0
    ? (step: number): number => (step % every === 0 ? step / every : -1)
    : (step: number): number => indexOf(steps, step);
  return {
    key,
    every,
    count: steps.length,
    stepAt: (i: number): number => steps[i]!,
    value: (step: number): number => {
      const i = at(step);
      return i >= 0 && i < values.length ? values[i]! : NaN;
    },
    timestamp: (step: number): number => {
      const i = at(step);
      return i >= 0 && i < times.length ? times[i]! : NaN;
    },
  };
}

/** Index of `step` in ascending `steps`, or -1. */
function indexOf(steps: Float64Array, step: number): number {
  let lo = 0;
  let hi = steps.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const s = steps[mid]!;
    if (s === step) return mid;
    if (s < step) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}
