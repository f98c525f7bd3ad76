/**
 * Long-format metric rows (`run, key, step, value, timestamp`) to Parquet, streamed in row
 * groups: the writer the metrics export and the Hive dataset writer share.
 *
 * Column types: `run` and `key` UTF-8 strings (dictionary-encoded by the encoder when it pays),
 * `step` INT64, `value` DOUBLE (`NaN` and `±Infinity` kept), `timestamp` INT64 Unix milliseconds
 * (null when the point has none). Compression SNAPPY by default.
 *
 * @module
 */

import { ParquetWriter } from "hyparquet-writer";
import { ValidationError } from "../core/errors.ts";
import { type ByteSink, openSink, type SinkTarget } from "./byte_sink.ts";
import type { ExportStats } from "./export_stats.ts";
import type { MetricRow } from "./metric_row.ts";
import {
  type ParquetCompression,
  type ParquetWriteOptions,
  resolveParquetOptions,
} from "./parquet_options.ts";
import { rowBatches, type RowSource } from "./row_source.ts";
import { SinkByteWriter } from "./_sink_byte_writer.ts";

/**
 * Options of {@linkcode MetricsParquetWriter} and {@linkcode writeMetricsParquet}.
 *
 * @example A file without the run column (a Hive partition holds it)
 * ```ts
 * import type { MetricsParquetOptions } from "./metrics_parquet_writer.ts";
 *
 * const options: MetricsParquetOptions = { includeRun: false, rowGroupSize: 50_000 };
 * ```
 */
export interface MetricsParquetOptions extends ParquetWriteOptions {
  /**
   * Whether the file has the `run` column. A Hive dataset leaves it out: the `run_id=<id>`
   * folder holds it, as DuckDB's and Spark's partitioned writes do.
   * @default true
   */
  includeRun?: boolean;
}

type SchemaElement = ConstructorParameters<typeof ParquetWriter>[0]["schema"][number];

function metricSchema(includeRun: boolean): SchemaElement[] {
  const columns: SchemaElement[] = [
    ...(includeRun
      ? [{ name: "run", type: "BYTE_ARRAY", converted_type: "UTF8", repetition_type: "REQUIRED" }]
      : []) as SchemaElement[],
    { name: "key", type: "BYTE_ARRAY", converted_type: "UTF8", repetition_type: "REQUIRED" },
    { name: "step", type: "INT64", repetition_type: "REQUIRED" },
    { name: "value", type: "DOUBLE", repetition_type: "REQUIRED" },
    { name: "timestamp", type: "INT64", repetition_type: "OPTIONAL" },
  ];
  return [{ name: "root", num_children: columns.length }, ...columns];
}

/**
 * A Parquet file of metric rows being written: {@linkcode MetricsParquetWriter.write} buffers
 * rows and encodes a row group each time `rowGroupSize` rows are buffered;
 * {@linkcode MetricsParquetWriter.commit} writes the last group and the footer and commits the
 * sink (an atomic file appears under its final name only then);
 * {@linkcode MetricsParquetWriter.abort} discards everything. Memory: about one row group.
 *
 * Rows must have an integer `step` and, when present, an integer `timestamp` (Unix ms); a row
 * that does not is a {@linkcode ValidationError} (nothing is rounded).
 *
 * @example Write rows in two calls
 * ```ts
 * import { MetricsParquetWriter } from "./metrics_parquet_writer.ts";
 *
 * const dir = await Deno.makeTempDir();
 * const writer = await MetricsParquetWriter.create(`${dir}/points.parquet`);
 * try {
 *   await writer.write([{ run: "c1", key: "loss", step: 0, value: 1.5, timestamp: 1722470400000 }]);
 *   await writer.write([{ run: "c1", key: "loss", step: 1, value: 1.2 }]);
 *   const stats = await writer.commit();
 *   console.log(stats.rows); // 2
 * } finally {
 *   await writer.abort(); // no-op after commit
 * }
 * ```
 */
export class MetricsParquetWriter {
  readonly #sink: ByteSink;
  readonly #bytes: SinkByteWriter;
  readonly #parquet: ParquetWriter;
  readonly #includeRun: boolean;
  readonly #groupSize: number;
  #runs: string[];
  #keys: string[];
  #steps: BigInt64Array;
  #values: Float64Array;
  #timestamps: (bigint | null)[];
  #length = 0;
  #rows = 0;
  #bytesWritten = 0;
  #state: "open" | "committed" | "aborted" = "open";

  private constructor(
    sink: ByteSink,
    includeRun: boolean,
    groupSize: number,
    codec: ParquetCompression,
  ) {
    this.#sink = {
      write: (chunk) => {
        this.#bytesWritten += typeof chunk === "string" ? chunk.length : chunk.byteLength;
        return sink.write(chunk);
      },
      commit: () => sink.commit(),
      abort: () => sink.abort(),
    };
    this.#bytes = new SinkByteWriter(this.#sink);
    this.#includeRun = includeRun;
    this.#groupSize = groupSize;
    this.#parquet = new ParquetWriter({
      writer: this.#bytes,
      schema: metricSchema(includeRun),
      codec,
      createdBy: "swanlab-ts",
    });
    this.#runs = [];
    this.#keys = [];
    this.#steps = new BigInt64Array(groupSize);
    this.#values = new Float64Array(groupSize);
    this.#timestamps = [];
  }

  /**
   * Opens a Parquet file (atomically, given a path) for metric rows.
   *
   * @param target The file path, or a {@linkcode ByteSink}.
   * @param options Compression, row group size, whether to write the `run` column.
   * @returns The open writer.
   * @throws {ValidationError} For bad options or a path that cannot be written.
   */
  static async create(
    target: SinkTarget,
    options: MetricsParquetOptions = {},
  ): Promise<MetricsParquetWriter> {
    const { compression, rowGroupSize } = resolveParquetOptions(options);
    const includeRun = options.includeRun ?? true;
    if (typeof includeRun !== "boolean") {
      throw new ValidationError("includeRun", "Cannot parse includeRun: expected a boolean");
    }
    const sink = await openSink(target, options.field);
    return new MetricsParquetWriter(sink, includeRun, rowGroupSize, compression);
  }

  /** The rows written so far (including buffered rows). */
  get rows(): number {
    return this.#rows;
  }

  /**
   * Adds rows; each full row group is encoded and written before the promise settles.
   *
   * @param rows The rows.
   * @throws {ValidationError} For a row with a non-integer step or timestamp.
   * @throws {TypeError} After commit or abort.
   */
  async write(rows: readonly MetricRow[]): Promise<void> {
    this.#check("write to");
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i] as MetricRow;
      const { step, timestamp } = row;
      if (!Number.isSafeInteger(step)) {
        throw new ValidationError("step", `Cannot write step ${step}: expected an integer`);
      }
      const at = this.#length;
      if (this.#includeRun) this.#runs.push(row.run);
      this.#keys.push(row.key);
      this.#steps[at] = BigInt(step);
      this.#values[at] = row.value;
      if (timestamp === undefined || timestamp === null) this.#timestamps.push(null);
      else if (Number.isSafeInteger(timestamp)) this.#timestamps.push(BigInt(timestamp));
      else {
        throw new ValidationError(
          "timestamp",
          `Cannot write timestamp ${timestamp}: expected integer milliseconds`,
        );
      }
      this.#length++;
      this.#rows++;
      if (this.#length === this.#groupSize) await this.#flushGroup();
    }
  }

  /**
   * Writes the buffered rows and the footer, then commits the sink.
   *
   * @returns The rows and bytes written.
   * @throws {TypeError} After commit or abort.
   */
  async commit(): Promise<ExportStats> {
    this.#check("commit");
    try {
      await this.#flushGroup();
      await this.#parquet.finish();
      await this.#sink.commit();
      this.#state = "committed";
    } catch (error) {
      await this.abort();
      throw error;
    }
    return { rows: this.#rows, bytes: this.#bytesWritten, files: 1 };
  }

  /** Discards the output (a no-op after commit). */
  async abort(): Promise<void> {
    if (this.#state !== "open") return;
    this.#state = "aborted";
    await this.#sink.abort();
  }

  /** Aborts an uncommitted writer (for `await using`). */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.abort();
  }

  async #flushGroup(): Promise<void> {
    const n = this.#length;
    if (n === 0) return;
    const columnData = [
      ...(this.#includeRun ? [{ name: "run", data: this.#runs }] : []),
      { name: "key", data: this.#keys },
      { name: "step", data: n === this.#groupSize ? this.#steps : this.#steps.subarray(0, n) },
      { name: "value", data: n === this.#groupSize ? this.#values : this.#values.subarray(0, n) },
      { name: "timestamp", data: this.#timestamps },
    ];
    this.#length = 0;
    this.#runs = [];
    this.#keys = [];
    this.#timestamps = [];
    // One `write` per row group: `rowGroupSize: n` keeps it one group.
    await this.#parquet.write({ columnData, rowGroupSize: n });
    // The typed arrays are reused for the next group only after this group is encoded.
  }

  #check(action: string): void {
    if (this.#state !== "open") {
      throw new TypeError(`Cannot ${action} the Parquet file: it is already ${this.#state}`);
    }
  }
}

/**
 * Writes metric rows to one Parquet file as they arrive (see {@linkcode MetricsParquetWriter}
 * for the column types). Given a path, the file appears only when complete; when the rows fail,
 * the previous file (if any) is left as it was and the error is rethrown.
 *
 * @param target The file path, or a {@linkcode ByteSink}.
 * @param rows The rows, one by one or in arrays (e.g. a multi-run scan).
 * @param options Compression, row group size, whether to write the `run` column.
 * @returns The rows and bytes written.
 * @throws {ValidationError} For bad options, a bad row or a path that cannot be written.
 *
 * @example Write and read back with hyparquet
 * ```ts
 * import { writeMetricsParquet } from "./metrics_parquet_writer.ts";
 * import { parquetReadObjects } from "hyparquet";
 *
 * const dir = await Deno.makeTempDir();
 * const path = `${dir}/points.parquet`;
 * await writeMetricsParquet(path, [{ run: "c1", key: "loss", step: 0, value: 1.5 }]);
 * const bytes = await Deno.readFile(path);
 * const rows = await parquetReadObjects({ file: bytes.buffer });
 * console.log(rows[0]); // { run: "c1", key: "loss", step: 0n, value: 1.5, timestamp: null }
 * ```
 */
export async function writeMetricsParquet(
  target: SinkTarget,
  rows: RowSource<MetricRow>,
  options: MetricsParquetOptions = {},
): Promise<ExportStats> {
  const writer = await MetricsParquetWriter.create(target, options);
  try {
    for await (const batch of rowBatches(rows)) await writer.write(batch);
    return await writer.commit();
  } finally {
    await writer.abort();
  }
}
