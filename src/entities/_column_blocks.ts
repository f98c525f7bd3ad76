/**
 * {@linkcode ColumnBlocks}: one run's rows of a multi-run metrics scan
 * (`runs.scanMetrics(keys).columns()`) collected as fixed-size column blocks.
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
import type { MetricPoint, MetricRowBlock, MetricRowSink } from "../metrics/scan_metrics.ts";

/** Rows per block of `columns()` (26 bytes each). */
const COLUMN_BLOCK = 8192;

/**
 * Collects a run's rows into {@linkcode MetricRowColumns} blocks, straight from the parser's
 * blocks (or, with a range query, from the points that pass it).
 */
export class ColumnBlocks implements MetricRowSink {
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
