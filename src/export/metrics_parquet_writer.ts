/**
 * Long-format metric rows (`run, key, step, value, timestamp`) to Parquet, streamed in row
 * groups: the writer the metrics export and the Hive dataset writer share.
 *
 * Column types: `run` and `key` UTF-8 strings (dictionary-encoded by the encoder when it pays),
 * `step` INT64, `value` DOUBLE (`NaN` and `±Infinity` kept), `timestamp` INT64 Unix milliseconds
 * (null when the point has none). Compression SNAPPY by default.
 *
 * Encodings are fixed rather than tried: steps and timestamps grow steadily, so
 * `DELTA_BINARY_PACKED` makes them small; values rarely repeat, so they are not dictionary-encoded
 * but `BYTE_STREAM_SPLIT` (byte planes, cheap to compress; read by DuckDB, Polars, Spark 3.2+,
 * pyarrow, hyparquet); `run` and `key` are dictionary-encoded (a handful of distinct strings per
 * row group). Rows are buffered as typed columns and each row group is encoded by a specialised
 * encoder built on hyparquet-writer's format code (see `_metric_group_encoder.ts` for why and the
 * measured gain).
 *
 * @module
 */

import { ValidationError } from "../core/errors.ts";
import { type ByteSink, openSink, type SinkTarget } from "./byte_sink.ts";
import type { ExportStats } from "./export_stats.ts";
import type { MetricRow } from "./metric_row.ts";
import {
  type ParquetCompression,
  type ParquetWriteOptions,
  resolveParquetOptions,
} from "./parquet_options.ts";
import {
  isMetricRowColumns,
  metricBatches,
  type MetricRowColumns,
  type MetricSource,
} from "./metric_row_columns.ts";
// Types only: the encoder and byte writer (and hyparquet-writer under them) are imported on
// first use in `create`, so loading the library does not evaluate hyparquet-writer.
import type { SinkByteWriter } from "./_sink_byte_writer.ts";
import type { MetricGroupEncoder } from "./_metric_group_encoder.ts";

/** The classes that encode row groups (loaded on first use, see the imports). */
interface ParquetEncoding {
  SinkByteWriter: typeof SinkByteWriter;
  MetricGroupEncoder: typeof MetricGroupEncoder;
}

let encodingModules: Promise<ParquetEncoding> | undefined;

function loadParquetEncoding(): Promise<ParquetEncoding> {
  encodingModules ??= Promise.all([
    import("./_sink_byte_writer.ts"),
    import("./_metric_group_encoder.ts"),
  ]).then(([bytes, encoder]) => ({
    SinkByteWriter: bytes.SinkByteWriter,
    MetricGroupEncoder: encoder.MetricGroupEncoder,
  }));
  return encodingModules;
}

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
  readonly #encoder: MetricGroupEncoder;
  readonly #includeRun: boolean;
  readonly #groupSize: number;
  /** The run and key of each buffered row, as indexes into the group's distinct strings. */
  readonly #runs = new GroupStrings();
  readonly #keys = new GroupStrings();
  #runIds: Int32Array;
  #keyIds: Int32Array;
  #steps: Float64Array;
  #values: Float64Array;
  /** `NaN` marks a point without a timestamp. */
  #timestamps: Float64Array;
  #length = 0;
  #runZeros = new Int32Array(0);
  #rows = 0;
  #bytesWritten = 0;
  #state: "open" | "committed" | "aborted" = "open";

  private constructor(
    sink: ByteSink,
    includeRun: boolean,
    groupSize: number,
    codec: ParquetCompression,
    encoding: ParquetEncoding,
  ) {
    this.#sink = {
      write: (chunk) => {
        this.#bytesWritten += typeof chunk === "string" ? chunk.length : chunk.byteLength;
        return sink.write(chunk);
      },
      commit: () => sink.commit(),
      abort: () => sink.abort(),
      ...(sink.releasesChunks === true ? { releasesChunks: true } : {}),
    };
    this.#bytes = new encoding.SinkByteWriter(this.#sink);
    this.#includeRun = includeRun;
    this.#groupSize = groupSize;
    this.#encoder = new encoding.MetricGroupEncoder(this.#bytes, includeRun, codec, "swanlab-ts");
    // Buffers grow up to one row group (a small file does not allocate a full group).
    const initial = Math.min(groupSize, 8192);
    this.#runIds = new Int32Array(includeRun ? initial : 0);
    this.#keyIds = new Int32Array(initial);
    this.#steps = new Float64Array(initial);
    this.#values = new Float64Array(initial);
    this.#timestamps = new Float64Array(initial);
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
    const encoding = await loadParquetEncoding();
    const sink = await openSink(target, options.field);
    return new MetricsParquetWriter(sink, includeRun, rowGroupSize, compression, encoding);
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
    const includeRun = this.#includeRun;
    let i = 0;
    while (i < rows.length) {
      const end = Math.min(rows.length, i + this.#groupSize - this.#length);
      this.#reserve(this.#length + end - i);
      const runs = this.#runs;
      const keys = this.#keys;
      const runIds = this.#runIds;
      const keyIds = this.#keyIds;
      const steps = this.#steps;
      const values = this.#values;
      const timestamps = this.#timestamps;
      let at = this.#length;
      for (; i < end; i++, at++) {
        const row = rows[i] as MetricRow;
        const { step, timestamp } = row;
        if (!Number.isSafeInteger(step)) {
          this.#rows += at - this.#length;
          this.#length = at;
          throw new ValidationError("step", `Cannot write step ${step}: expected an integer`);
        }
        if (timestamp === undefined || timestamp === null) timestamps[at] = NaN;
        else if (Number.isSafeInteger(timestamp)) timestamps[at] = timestamp;
        else {
          this.#rows += at - this.#length;
          this.#length = at;
          throw new ValidationError(
            "timestamp",
            `Cannot write timestamp ${timestamp}: expected integer milliseconds`,
          );
        }
        if (includeRun) runIds[at] = runs.id(row.run);
        keyIds[at] = keys.id(row.key);
        steps[at] = step;
        values[at] = row.value;
      }
      this.#rows += at - this.#length;
      this.#length = at;
      if (at === this.#groupSize) await this.#flushGroup();
    }
  }

  /**
   * Adds one run's rows given as columns (the cheapest input: no object per row); the file is
   * the same as for the same rows given to {@linkcode MetricsParquetWriter.write}.
   *
   * @param columns The rows.
   * @throws {ValidationError} For a row with a non-integer step or timestamp.
   * @throws {TypeError} After commit or abort.
   */
  async writeColumns(columns: MetricRowColumns): Promise<void> {
    this.#check("write to");
    const { run, keys, keyIndex, steps: stepsIn, values: valuesIn, timestamps: timestampsIn } =
      columns;
    const includeRun = this.#includeRun;
    const n = columns.length;
    const groupSize = this.#groupSize;
    let i = 0;
    while (i < n) {
      // A whole row group at a group boundary, with valid rows: encoded from the block's own
      // arrays, without copying them into the group buffers (the same bytes either way).
      if (this.#length === 0 && n - i >= groupSize && validRows(columns, i, i + groupSize)) {
        const end = i + groupSize;
        this.#encoder.writeGroup({
          length: groupSize,
          runs: includeRun ? { strings: [run], indexes: this.#zeros(groupSize) } : undefined,
          keys: { strings: keys, indexes: keyIndex.subarray(i, end) },
          steps: stepsIn.subarray(i, end),
          values: valuesIn.subarray(i, end),
          timestamps: timestampsIn.subarray(i, end),
        });
        this.#rows += groupSize;
        i = end;
        await this.#bytes.flush();
        continue;
      }
      const end = Math.min(n, i + groupSize - this.#length);
      this.#reserve(this.#length + end - i);
      // The block's key indexes as indexes into the group's keys (-1: out of range).
      const keyIdOf = this.#keys.ids(keys);
      const runId = includeRun ? this.#runs.id(run) : 0;
      const runIds = this.#runIds;
      const keyIds = this.#keyIds;
      const steps = this.#steps;
      const values = this.#values;
      const timestamps = this.#timestamps;
      let at = this.#length;
      for (; i < end; i++, at++) {
        const step = stepsIn[i] as number;
        const timestamp = timestampsIn[i] as number;
        const keyId = keyIdOf[keyIndex[i] as number] ?? -1;
        if (
          !Number.isSafeInteger(step) ||
          (timestamp === timestamp && !Number.isSafeInteger(timestamp)) ||
          keyId < 0
        ) {
          this.#rows += at - this.#length;
          this.#length = at;
          this.#badColumnRow(step, timestamp, keyId);
        }
        if (includeRun) runIds[at] = runId;
        keyIds[at] = keyId;
        steps[at] = step;
        values[at] = valuesIn[i] as number;
        timestamps[at] = timestamp;
      }
      this.#rows += at - this.#length;
      this.#length = at;
      if (at === this.#groupSize) await this.#flushGroup();
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
      this.#encoder.writeFooter();
      await this.#bytes.finish();
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

  /** Grows the column buffers to hold `n` rows (at most one row group). */
  #reserve(n: number): void {
    if (n <= this.#steps.length) return;
    const size = Math.min(this.#groupSize, Math.max(n, this.#steps.length * 2));
    const grow = <T extends Float64Array | Int32Array>(old: T, make: (size: number) => T): T => {
      const next = make(size);
      next.set(old.subarray(0, this.#length));
      return next;
    };
    const float = (size: number) => new Float64Array(size);
    const int = (size: number) => new Int32Array(size);
    if (this.#includeRun) this.#runIds = grow(this.#runIds, int);
    this.#keyIds = grow(this.#keyIds, int);
    this.#steps = grow(this.#steps, float);
    this.#values = grow(this.#values, float);
    this.#timestamps = grow(this.#timestamps, float);
  }

  async #flushGroup(): Promise<void> {
    const length = this.#length;
    if (length === 0) return;
    this.#encoder.writeGroup({
      length,
      runs: this.#includeRun ? { strings: this.#runs.strings, indexes: this.#runIds } : undefined,
      keys: { strings: this.#keys.strings, indexes: this.#keyIds },
      steps: this.#steps,
      values: this.#values,
      timestamps: this.#timestamps,
    });
    this.#length = 0;
    // The strings are dropped with the group; the typed arrays are reused.
    this.#runs.clear();
    this.#keys.clear();
    await this.#bytes.flush();
  }

  /** `n` zeros (the run column's indexes of a zero-copy group). */
  #zeros(n: number): Int32Array {
    if (this.#runZeros.length < n) this.#runZeros = new Int32Array(n);
    return this.#runZeros.subarray(0, n);
  }

  #badColumnRow(step: number, timestamp: number, keyId: number): never {
    if (!Number.isSafeInteger(step)) {
      throw new ValidationError("step", `Cannot write step ${step}: expected an integer`);
    }
    if (keyId < 0) {
      throw new ValidationError("keyIndex", "Cannot write a row: its key index is out of range");
    }
    throw new ValidationError(
      "timestamp",
      `Cannot write timestamp ${timestamp}: expected integer milliseconds`,
    );
  }

  #check(action: string): void {
    if (this.#state !== "open") {
      throw new TypeError(`Cannot ${action} the Parquet file: it is already ${this.#state}`);
    }
  }
}

/**
 * Whether rows `[from, to)` of a block are valid (integer steps, integer or missing timestamps,
 * key indexes in range): one read-only pass, so that a whole group can skip the checked copy.
 */
function validRows(columns: MetricRowColumns, from: number, to: number): boolean {
  const { steps, timestamps, keyIndex } = columns;
  const keyCount = columns.keys.length;
  for (let i = from; i < to; i++) {
    const timestamp = timestamps[i] as number;
    if (
      !Number.isSafeInteger(steps[i]) ||
      (timestamp === timestamp && !Number.isSafeInteger(timestamp)) ||
      (keyIndex[i] as number) >= keyCount
    ) return false;
  }
  return true;
}

/** The distinct strings of a row group's column, each with its index (in order of first use). */
class GroupStrings {
  readonly strings: string[] = [];
  readonly #index = new Map<string, number>();
  #last: string | undefined;
  #lastId = -1;
  #given: readonly string[] | undefined;
  #givenIds = new Int32Array(0);

  /** The index of `s`, added when new. */
  id(s: string): number {
    if (s === this.#last) return this.#lastId;
    let id = this.#index.get(s);
    if (id === undefined) {
      id = this.strings.length;
      this.strings.push(s);
      this.#index.set(s, id);
    }
    this.#last = s;
    this.#lastId = id;
    return id;
  }

  /** The indexes of a list of strings (a column block's keys; computed once per list). */
  ids(given: readonly string[]): Int32Array {
    if (given !== this.#given) {
      this.#givenIds = Int32Array.from(given, (s) => this.id(s));
      this.#given = given;
    }
    return this.#givenIds;
  }

  clear(): void {
    this.strings.length = 0;
    this.#index.clear();
    this.#last = undefined;
    this.#lastId = -1;
    this.#given = undefined;
  }
}

/**
 * Writes metric rows to one Parquet file as they arrive (see {@linkcode MetricsParquetWriter}
 * for the column types). Given a path, the file appears only when complete; when the rows fail,
 * the previous file (if any) is left as it was and the error is rethrown.
 *
 * @param target The file path, or a {@linkcode ByteSink}.
 * @param rows The rows, one by one, in arrays (e.g. a multi-run scan's `batches()`) or as
 * column blocks (its `columns()`, the fastest).
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
  rows: MetricSource,
  options: MetricsParquetOptions = {},
): Promise<ExportStats> {
  const writer = await MetricsParquetWriter.create(target, options);
  try {
    for await (const batch of metricBatches(rows)) {
      if (isMetricRowColumns(batch)) await writer.writeColumns(batch);
      else await writer.write(batch);
    }
    return await writer.commit();
  } finally {
    await writer.abort();
  }
}
