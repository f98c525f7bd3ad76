/**
 * A run's scalar points as one Parquet file (columns `key`, `step`, `value`, `timestamp`),
 * written with the export layer's streaming {@linkcode MetricsParquetWriter} into memory, so
 * that the file can be named after its content hash.
 *
 * @module
 */

import type { ByteSink } from "../export/byte_sink.ts";
import type { MetricRow } from "../export/metric_row.ts";
import type { MetricRowColumns } from "../export/metric_row_columns.ts";
import { MetricsParquetWriter } from "../export/metrics_parquet_writer.ts";
import type { ParquetCompression } from "../export/parquet_options.ts";

const BATCH = 8192;

/**
 * Collects the points of one run and encodes them as Parquet, one row group at a time (only
 * the compressed bytes of finished row groups are held).
 *
 * @example Encode two points
 * ```ts
 * import { PointsEncoder } from "./points_parquet.ts";
 * const encoder = await PointsEncoder.create();
 * await encoder.push({ key: "loss", step: 0, value: 1.5, timestamp: 1722470401000 });
 * await encoder.push({ key: "loss", step: 1, value: 1.2 });
 * await encoder.pushColumns({
 *   run: "",
 *   length: 1,
 *   keys: ["loss"],
 *   keyIndex: Uint16Array.of(0),
 *   steps: Float64Array.of(2),
 *   values: Float64Array.of(1.1),
 *   timestamps: Float64Array.of(NaN),
 * });
 * const bytes = await encoder.finish(); // a Parquet file with 3 rows
 * ```
 */
export class PointsEncoder {
  readonly #writer: MetricsParquetWriter;
  readonly #chunks: Uint8Array[];
  #batch: MetricRow[] = [];
  #rows = 0;

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
    const chunks: Uint8Array[] = [];
    const sink: ByteSink = {
      write: (chunk) => {
        // The writer may reuse its chunk: keep a copy.
        chunks.push(typeof chunk === "string" ? new TextEncoder().encode(chunk) : chunk.slice());
        return Promise.resolve();
      },
      commit: () => Promise.resolve(),
      abort: () => Promise.resolve(),
    };
    const writer = await MetricsParquetWriter.create(sink, {
      includeRun: false,
      rowGroupSize: 100_000,
      compression,
    });
    return new PointsEncoder(writer, chunks);
  }

  /** Points pushed so far. */
  get rows(): number {
    return this.#rows;
  }

  /**
   * Appends one point (kept as given until its batch is written: no copy per point; `run` is not
   * read, the file has no run column).
   */
  async push(point: Omit<MetricRow, "run">): Promise<void> {
    this.#batch.push(point as MetricRow);
    this.#rows++;
    if (this.#batch.length >= BATCH) await this.#flush();
  }

  /**
   * Appends a block of points given as columns (its `run` is not read), after the points pushed
   * one by one so far: the fast path (no object per point).
   */
  async pushColumns(block: MetricRowColumns): Promise<void> {
    await this.#flush();
    await this.#writer.writeColumns(block);
    this.#rows += block.length;
  }

  /** Finishes the file and returns its bytes. */
  async finish(): Promise<Uint8Array<ArrayBuffer>> {
    await this.#flush();
    await this.#writer.commit();
    const size = this.#chunks.reduce((n, c) => n + c.byteLength, 0);
    const out = new Uint8Array(size);
    let offset = 0;
    for (const c of this.#chunks) {
      out.set(c, offset);
      offset += c.byteLength;
    }
    return out;
  }

  /** Discards the file. */
  async abort(): Promise<void> {
    await this.#writer.abort();
  }

  async #flush(): Promise<void> {
    if (this.#batch.length === 0) return;
    const batch = this.#batch;
    this.#batch = [];
    await this.#writer.write(batch);
  }
}
