/**
 * A run's scalar points as one Parquet file (columns `key`, `step`, `value`, `timestamp`),
 * written with the export layer's streaming {@linkcode MetricsParquetWriter} into a
 * {@linkcode ByteSink} (the mirror's is a file named after its content hash).
 *
 * @module
 */

import type { ByteSink } from "../export/byte_sink.ts";
import { MetricsParquetWriter } from "../export/metrics_parquet_writer.ts";
import type { ParquetCompression } from "../export/parquet_options.ts";
import {
  copyBlockPoints,
  type LongPointColumns,
  writePoint,
} from "../metrics/long_point_columns.ts";
import type { MetricPoint, MetricRowBlock, MetricRowSink } from "../metrics/scan_metrics.ts";

/** Rows per row group (also the size of the encoder's column buffers). */
const GROUP = 100_000;

/**
 * Group buffers of finished encoders, reused by the next ones (a mirror encodes runs one after
 * the other, 2.6 MB per buffer: fresh memory for each run cost page faults and collections).
 */
const pool: LongPointColumns[] = [];
const POOL_SIZE = 4;
/** The "group" of a finished encoder: nothing fits. */
const NO_COLUMNS: LongPointColumns = {
  keyIndex: new Uint16Array(0),
  steps: new Float64Array(0),
  values: new Float64Array(0),
  timestamps: new Float64Array(0),
};

function columnsOf(): LongPointColumns {
  return pool.pop() ?? {
    keyIndex: new Uint16Array(GROUP),
    steps: new Float64Array(GROUP),
    values: new Float64Array(GROUP),
    timestamps: new Float64Array(GROUP),
  };
}

/**
 * Collects the points of one run and encodes them as Parquet, one row group at a time. It is the
 * {@linkcode MetricRowSink} of a paced scan (`paceMetricRows`): the parser's rows are copied once,
 * into column buffers of exactly one row group, and each full group is handed to the writer as
 * it is (the writer encodes a whole group straight from the given arrays), when the scan pauses
 * for {@linkcode PointsEncoder.drain}. Buffers are reused; nothing is allocated per point.
 *
 * @example Encode two points into memory
 * ```ts
 * import { MemorySink } from "../export/memory_sink.ts";
 * import { PointsEncoder } from "./points_parquet.ts";
 *
 * const sink = new MemorySink();
 * const encoder = await PointsEncoder.create(sink);
 * encoder.rows(["loss"], {
 *   steps: Float64Array.of(0, 1),
 *   values: Float64Array.of(1.5, 1.2),
 *   hasValue: Uint8Array.of(1, 1),
 *   timestamps: Float64Array.of(1722470401000, NaN),
 * }, 0, 2);
 * await encoder.drain();
 * console.log(await encoder.finish()); // 2: sink.chunks hold a Parquet file with 2 rows
 * ```
 */
export class PointsEncoder implements MetricRowSink {
  readonly #writer: MetricsParquetWriter;
  /** Every key seen (a new array when one is added: the writer caches by array). */
  #keys: readonly string[] = [];
  readonly #keyOf = new Map<string, number>();
  /** The keys of the last chunk, and their indexes into `#keys`. */
  #chunk: readonly string[] | undefined;
  #chunkIndex = new Uint16Array(0);
  /** The group being filled, and how many points it holds. */
  #current: LongPointColumns;
  #length = 0;
  /** Full groups waiting for `drain`, and emptied ones to reuse. */
  readonly #full: LongPointColumns[] = [];
  readonly #spare: LongPointColumns[] = [];
  readonly #position = { row: 0, key: 0 };

  private constructor(writer: MetricsParquetWriter) {
    this.#writer = writer;
    this.#current = columnsOf();
  }

  /**
   * Creates an encoder.
   *
   * @param sink Where the file goes (committed by {@linkcode PointsEncoder.finish} when the file
   * has points, else aborted).
   * @param compression The codec of every column.
   */
  static async create(
    sink: ByteSink,
    compression: ParquetCompression = "SNAPPY",
  ): Promise<PointsEncoder> {
    const writer = await MetricsParquetWriter.create(sink, {
      includeRun: false,
      rowGroupSize: GROUP,
      compression,
    });
    return new PointsEncoder(writer);
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
    const position = this.#position;
    position.row = from;
    position.key = 0;
    for (;;) {
      this.#length = copyBlockPoints(
        block,
        this.#chunkIndex,
        to,
        position,
        this.#current,
        this.#length,
      );
      if (position.row >= to) return;
      this.#nextGroup(); // the group is full: the rest of the rows go to the next one
    }
  }

  /** One point (of a range-filtered scan, which the mirror does not use). */
  point(point: MetricPoint): void {
    if (this.#length === GROUP) this.#nextGroup();
    writePoint(this.#current, this.#length++, this.#indexOf(point.key), point);
  }

  /** Whether a row group is full (the paced scan then pauses for `drain`). */
  ready(): boolean {
    return this.#full.length > 0;
  }

  /** Encodes and writes the full row groups. */
  async drain(): Promise<void> {
    while (this.#full.length > 0) {
      const columns = this.#full.shift()!;
      await this.#write(columns, GROUP);
      this.#spare.push(columns);
    }
  }

  /**
   * Writes the last rows and the footer and commits the sink; a file without points is not
   * written (the sink is aborted).
   *
   * @returns The number of points in the file (0: nothing was written).
   */
  async finish(): Promise<number> {
    await this.drain();
    if (this.#length > 0) await this.#write(this.#current, this.#length);
    this.#length = 0;
    this.#release();
    if (this.#writer.rows === 0) {
      await this.#writer.abort();
      return 0;
    }
    await this.#writer.commit();
    return this.#writer.rows;
  }

  /** Discards the file. */
  async abort(): Promise<void> {
    this.#release();
    await this.#writer.abort();
  }

  /** Hands the group buffers to the pool (once; the encoder collects nothing more). */
  #release(): void {
    for (const columns of [this.#current, ...this.#spare, ...this.#full]) {
      if (columns === NO_COLUMNS || pool.includes(columns)) continue;
      if (pool.length < POOL_SIZE) pool.push(columns);
    }
    this.#spare.length = 0;
    this.#full.length = 0;
    this.#current = NO_COLUMNS;
    this.#length = 0;
  }

  async #write(columns: LongPointColumns, length: number): Promise<void> {
    await this.#writer.writeColumns({ run: "", length, keys: this.#keys, ...columns });
  }

  #nextGroup(): void {
    this.#full.push(this.#current);
    this.#current = this.#spare.pop() ?? columnsOf();
    this.#length = 0;
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
}
