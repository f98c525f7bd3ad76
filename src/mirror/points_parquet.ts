/**
 * A run's scalar points as one Parquet file (columns `key`, `step`, `value`, `timestamp`),
 * written with the export layer's streaming {@linkcode MetricsParquetWriter} into memory (a
 * chunk per row group), so that the file can be named after its content hash.
 *
 * @module
 */

import { MemorySink } from "../export/memory_sink.ts";
import type { MetricRowColumns } from "../export/metric_row_columns.ts";
import { MetricsParquetWriter } from "../export/metrics_parquet_writer.ts";
import type { ParquetCompression } from "../export/parquet_options.ts";
import { copyBlockPoints } from "../metrics/long_point_columns.ts";
import type { MetricPoint, MetricRowBlock, MetricRowSink } from "../metrics/scan_metrics.ts";

/** Rows collected before they go to the writer. */
const BLOCK = 8192;

/**
 * Collects the points of one run and encodes them as Parquet, one row group at a time (only
 * the compressed bytes of finished row groups are held). It is the {@linkcode MetricRowSink} of
 * a paced scan (`paceMetricRows`): the parser's rows are copied into one reused column block,
 * and {@linkcode PointsEncoder.drain} hands the block to the writer each time the scan pauses,
 * so nothing is allocated per point or per block.
 *
 * @example Encode two points
 * ```ts
 * import { PointsEncoder } from "./points_parquet.ts";
 * const encoder = await PointsEncoder.create();
 * encoder.rows(["loss"], {
 *   steps: Float64Array.of(0, 1),
 *   values: Float64Array.of(1.5, 1.2),
 *   hasValue: Uint8Array.of(1, 1),
 *   timestamps: Float64Array.of(1722470401000, NaN),
 * }, 0, 2);
 * await encoder.drain();
 * const chunks = await encoder.finish(); // a Parquet file with 2 rows, in chunks
 * ```
 */
export class PointsEncoder implements MetricRowSink {
  readonly #writer: MetricsParquetWriter;
  readonly #chunks: Uint8Array[];
  /** Every key seen (a new array when one is added: the writer caches by array). */
  #keys: readonly string[] = [];
  readonly #keyOf = new Map<string, number>();
  /** The keys of the last chunk, and their indexes into `#keys`. */
  #chunk: readonly string[] | undefined;
  #chunkIndex = new Uint16Array(0);
  #keyIndex = new Uint16Array(BLOCK);
  #steps = new Float64Array(BLOCK);
  #values = new Float64Array(BLOCK);
  #timestamps = new Float64Array(BLOCK);
  #length = 0;

  private constructor(writer: MetricsParquetWriter, chunks: Uint8Array[]) {
    this.#writer = writer;
    this.#chunks = chunks;
  }

  /**
   * Creates an encoder.
   *
   * @param compression The codec of every column.
   */
  static async create(compression: ParquetCompression = "SNAPPY"): Promise<PointsEncoder> {
    const sink = new MemorySink();
    const writer = await MetricsParquetWriter.create(sink, {
      includeRun: false,
      rowGroupSize: 100_000,
      compression,
    });
    return new PointsEncoder(writer, sink.chunks);
  }

  /** Points written so far (collected points not drained yet are not counted). */
  get written(): number {
    return this.#writer.rows;
  }

  /** Copies rows `[from, to)` of a parser block (a point per cell that has a value). */
  rows(keys: readonly string[], block: MetricRowBlock, from: number, to: number): void {
    if (keys !== this.#chunk) {
      this.#chunk = keys;
      this.#chunkIndex = Uint16Array.from(keys, (key) => this.#indexOf(key));
    }
    this.#reserve(this.#length + (to - from) * keys.length); // room for every cell: one call
    const columns = {
      keyIndex: this.#keyIndex,
      steps: this.#steps,
      values: this.#values,
      timestamps: this.#timestamps,
    };
    const position = { row: from, key: 0 };
    this.#length = copyBlockPoints(block, this.#chunkIndex, to, position, columns, this.#length);
  }

  /** One point (of a range-filtered scan, which the mirror does not use). */
  point(point: MetricPoint): void {
    this.#reserve(this.#length + 1);
    const at = this.#length++;
    this.#keyIndex[at] = this.#indexOf(point.key);
    this.#steps[at] = point.step;
    this.#values[at] = point.value;
    this.#timestamps[at] = point.timestamp ?? NaN;
  }

  /** Whether a block's worth of rows is collected (the paced scan then pauses for `drain`). */
  ready(): boolean {
    return this.#length >= BLOCK;
  }

  /** Writes the collected rows (encoding each row group that fills up). */
  async drain(): Promise<void> {
    if (this.#length === 0) return;
    const block: MetricRowColumns = {
      run: "",
      length: this.#length,
      keys: this.#keys,
      keyIndex: this.#keyIndex,
      steps: this.#steps,
      values: this.#values,
      timestamps: this.#timestamps,
    };
    this.#length = 0;
    await this.#writer.writeColumns(block);
  }

  /** Finishes the file and returns its bytes, in chunks (not concatenated: 10⁸ bytes and more). */
  async finish(): Promise<readonly Uint8Array[]> {
    await this.drain();
    await this.#writer.commit();
    return this.#chunks;
  }

  /** Discards the file. */
  async abort(): Promise<void> {
    await this.#writer.abort();
  }

  #indexOf(key: string): number {
    let index = this.#keyOf.get(key);
    if (index === undefined) {
      if (this.#keys.length === 65_536) {
        throw new RangeError("Cannot mirror more than 65536 keys of a run into one points file");
      }
      index = this.#keys.length;
      this.#keys = [...this.#keys, key];
      this.#keyOf.set(key, index);
    }
    return index;
  }

  /** Grows the block to hold `n` rows (a parser block may add more than `BLOCK` at once). */
  #reserve(n: number): void {
    if (n <= this.#steps.length) return;
    const size = Math.max(n, this.#steps.length * 2);
    const keyIndex = new Uint16Array(size);
    keyIndex.set(this.#keyIndex.subarray(0, this.#length));
    this.#keyIndex = keyIndex;
    const grow = (old: Float64Array): Float64Array<ArrayBuffer> => {
      const next = new Float64Array(size);
      next.set(old.subarray(0, this.#length));
      return next;
    };
    this.#steps = grow(this.#steps);
    this.#values = grow(this.#values);
    this.#timestamps = grow(this.#timestamps);
  }
}
