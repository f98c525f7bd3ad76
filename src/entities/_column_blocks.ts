/**
 * {@linkcode runColumnBlocks}: one run's rows of a metrics scan (`run.scanMetrics(keys).columns()`
 * and, run by run, `runs.scanMetrics(keys).columns()`) as fixed-size column blocks.
 *
 * Private to `src/entities/` (loaded with the metrics engine, on first use).
 *
 * @module
 */

import type { MetricRowColumns } from "../export/metric_row_columns.ts";
import {
  copyBlockPoints,
  type LongPointColumns,
  writePoint,
} from "../metrics/long_point_columns.ts";
import type { Transport } from "../core/transport.ts";
import type { RunRef } from "../metrics/run_ref.ts";
import {
  type MetricPoint,
  type MetricRowBlock,
  type MetricRowSink,
  paceMetricRows,
  type ScanMetricsOptions,
  type ScanMetricsQuery,
} from "../metrics/scan_metrics.ts";

/** Rows per block of `columns()` (26 bytes each). */
const COLUMN_BLOCK = 8192;

/**
 * Reads one run's scan into column blocks, handed over as they fill (the scan pauses while the
 * consumer takes them, so memory stays at a few blocks whatever the number of points).
 *
 * @param transport The client's transport.
 * @param ref The run.
 * @param keys The metric keys, distinct (at most 65,536).
 * @param query The range query; without one, every point.
 * @param options Per-call signal, timeouts, retries, clock and warnings.
 * @returns The blocks, in arrays of those finished together.
 *
 * @example Count a run's rows
 * ```ts ignore
 * import { runColumnBlocks } from "./_column_blocks.ts";
 *
 * let rows = 0;
 * for await (const blocks of runColumnBlocks(transport, ref, ["loss"], {}, {})) {
 *   for (const block of blocks) rows += block.length;
 * }
 * ```
 */
export async function* runColumnBlocks(
  transport: Transport,
  ref: RunRef,
  keys: readonly string[],
  query: ScanMetricsQuery,
  options: ScanMetricsOptions,
): AsyncGenerator<MetricRowColumns[]> {
  const blocks = new ColumnBlocks(ref.runId, keys);
  for await (const _ of paceMetricRows(transport, ref, keys, query, options, blocks)) {
    const done = blocks.take();
    if (done.length > 0) yield done;
  }
  blocks.end();
  const done = blocks.take();
  if (done.length > 0) yield done;
}

/**
 * Collects a run's rows into {@linkcode MetricRowColumns} blocks, straight from the parser's
 * blocks (or, with a range query, from the points that pass it).
 */
class ColumnBlocks implements MetricRowSink {
  readonly #run: string;
  readonly #keys: readonly string[];
  readonly #keyOf: Map<string, number>;
  readonly #done: MetricRowColumns[] = [];
  #chunk: readonly string[] | undefined;
  #chunkIndex = new Uint16Array(0);
  #columns = newBlock();
  #length = 0;

  constructor(run: string, keys: readonly string[]) {
    this.#run = run;
    this.#keys = keys;
    this.#keyOf = new Map(keys.map((key, i) => [key, i]));
  }

  rows(keys: readonly string[], block: MetricRowBlock, from: number, to: number): void {
    if (keys !== this.#chunk) {
      this.#chunk = keys;
      this.#chunkIndex = Uint16Array.from(keys, (key) => this.#indexOf(key));
    }
    const position = { row: from, key: 0 };
    for (;;) {
      this.#length = copyBlockPoints(
        block,
        this.#chunkIndex,
        to,
        position,
        this.#columns,
        this.#length,
      );
      if (position.row === to) return;
      this.#finish(); // the block is full and a point is left
    }
  }

  point(point: MetricPoint): void {
    if (this.#length === COLUMN_BLOCK) this.#finish();
    writePoint(this.#columns, this.#length++, this.#indexOf(point.key), point);
  }

  ready(): boolean {
    return this.#done.length > 0;
  }

  /** Closes the last block. */
  end(): void {
    if (this.#length > 0) this.#finish();
  }

  /** The finished blocks, handed over once. */
  take(): MetricRowColumns[] {
    return this.#done.splice(0);
  }

  #indexOf(key: string): number {
    const index = this.#keyOf.get(key);
    if (index === undefined) throw new Error(`Unexpected key "${key}" in a metrics scan`);
    return index;
  }

  #finish(): void {
    this.#done.push({ run: this.#run, length: this.#length, keys: this.#keys, ...this.#columns });
    this.#columns = newBlock();
    this.#length = 0;
  }
}

/** The columns of a new block (handed over when full, so never reused). */
function newBlock(): LongPointColumns {
  return {
    keyIndex: new Uint16Array(COLUMN_BLOCK),
    steps: new Float64Array(COLUMN_BLOCK),
    values: new Float64Array(COLUMN_BLOCK),
    timestamps: new Float64Array(COLUMN_BLOCK),
  };
}
