/**
 * Growing columns of doubles for the collecting scans (`run.metricsColumns()`,
 * `run.metrics({ all })`): the rows of the parser's blocks, or range-filtered points, appended
 * per key without one object per point.
 *
 * Private to `src/metrics/`.
 *
 * @module
 */

import type { MetricSeriesColumns } from "./metric_columns.ts";
import type { MetricPoint, MetricRowBlock, MetricRowSink } from "./scan_metrics.ts";

/** Points per block of a growing series. */
const BLOCK = 1 << 16;

/** A filled part of a series: the same number of steps, values and timestamps. */
export interface SeriesPart {
  /** Steps. */
  readonly steps: Float64Array;
  /** Values. */
  readonly values: Float64Array;
  /** Timestamps (`NaN` for none). */
  readonly timestamps: Float64Array;
}

/** The largest block reserved up front, in points (2 GiB per column). */
const MAX_RESERVED = 2 ** 28;

const EMPTY = new Float64Array(0);

/**
 * The growing columns of one key.
 *
 * Memory: when the download's length is known, {@linkcode SeriesBuilder.reserve} allocates one
 * block per column large enough for every row the download can hold. The operating system maps
 * such a large allocation lazily (untouched pages take no memory), so the resident cost is the
 * 24 bytes per point actually written, nothing is ever copied, and the result is a view of it.
 * (Fixed 64 Ki-point blocks joined at the end, the fallback, touch every point twice: measured
 * on the bench export, about twice the resident memory and a third more CPU.)
 */
export class SeriesBuilder {
  /** Full blocks. */
  readonly full: SeriesPart[] = [];
  /** The block being filled, up to `fill` (of `capacity`). */
  steps: Float64Array = EMPTY;
  values: Float64Array = EMPTY;
  timestamps: Float64Array = EMPTY;
  fill = 0;
  capacity = 0;
  #length = 0;

  /** Points so far. */
  get length(): number {
    return this.#length + this.fill;
  }

  /**
   * Sizes the first block for `points` points, if nothing was appended yet.
   *
   * @param points An upper bound of the points to come.
   */
  reserve(points: number): void {
    if (this.full.length > 0 || this.capacity > 0 || points <= 0) return;
    try {
      this.#allocate(Math.min(points, MAX_RESERVED));
    } catch {
      this.capacity = 0; // no such allocation here (strict overcommit): fixed blocks instead
    }
  }

  /** Closes the current block (which must be full) and starts a new one. */
  grow(): void {
    if (this.capacity > 0) {
      this.full.push({ steps: this.steps, values: this.values, timestamps: this.timestamps });
      this.#length += this.fill;
    }
    this.#allocate(BLOCK);
  }

  #allocate(size: number): void {
    const steps = new Float64Array(size);
    const values = new Float64Array(size);
    const timestamps = new Float64Array(size);
    this.steps = steps;
    this.values = values;
    this.timestamps = timestamps;
    this.capacity = size;
    this.fill = 0;
  }

  /** Appends one point. */
  push(step: number, value: number, timestamp: number): void {
    if (this.fill === this.capacity) this.grow();
    const i = this.fill++;
    this.steps[i] = step;
    this.values[i] = value;
    this.timestamps[i] = timestamp;
  }

  /** The filled parts, in order. */
  parts(): SeriesPart[] {
    const fill = this.fill;
    return [...this.full, {
      steps: this.steps.subarray(0, fill),
      values: this.values.subarray(0, fill),
      timestamps: this.timestamps.subarray(0, fill),
    }];
  }

  /** One array per column: a view of the only block, else the blocks joined. */
  toColumns(key: string): MetricSeriesColumns {
    const length = this.length;
    if (this.full.length === 0) {
      return {
        key,
        steps: this.steps.subarray(0, length),
        values: this.values.subarray(0, length),
        timestamps: this.timestamps.subarray(0, length),
      };
    }
    const columns: MetricSeriesColumns = {
      key,
      steps: new Float64Array(length),
      values: new Float64Array(length),
      timestamps: new Float64Array(length),
    };
    let offset = 0;
    for (const part of this.parts()) {
      columns.steps.set(part.steps, offset);
      columns.values.set(part.values, offset);
      columns.timestamps.set(part.timestamps, offset);
      offset += part.steps.length;
    }
    return columns;
  }
}

/** Appends a scan's rows or points to the columns of their keys. */
export class ColumnCollector implements MetricRowSink {
  readonly #series = new Map<string, SeriesBuilder>();

  /** @param keys The keys, each getting a (possibly empty) series. */
  constructor(keys: readonly string[]) {
    for (const key of keys) this.#series.set(key, new SeriesBuilder());
  }

  /** Appends rows `[from, to)` of a block, key by key. */
  rows(keys: readonly string[], block: MetricRowBlock, from: number, to: number): void {
    const { steps, values, hasValue, timestamps } = block;
    const count = keys.length;
    for (let k = 0; k < count; k++) {
      const series = this.#builder(keys[k] as string);
      let fill = series.fill;
      let stepColumn = series.steps;
      let valueColumn = series.values;
      let timestampColumn = series.timestamps;
      for (let row = from, cell = from * count + k; row < to; row++, cell += count) {
        if (hasValue[cell] === 0) continue;
        if (fill === series.capacity) {
          series.fill = fill;
          series.grow();
          fill = 0;
          stepColumn = series.steps;
          valueColumn = series.values;
          timestampColumn = series.timestamps;
        }
        stepColumn[fill] = steps[row] as number;
        valueColumn[fill] = values[cell] as number;
        timestampColumn[fill] = timestamps[cell] as number;
        fill++;
      }
      series.fill = fill;
    }
  }

  /** Sizes each key's columns for every row a download of `expectedBytes` can hold. */
  begin(keys: readonly string[], expectedBytes: number | undefined): void {
    if (expectedBytes === undefined) return;
    const rows = Math.ceil(expectedBytes / (2 * keys.length + 2));
    for (const key of keys) this.#builder(key).reserve(rows);
  }

  /** Appends one point that passed a range query. */
  point(point: MetricPoint): void {
    this.#builder(point.key).push(point.step, point.value, point.timestamp ?? NaN);
  }

  /** Hands over a key's series and forgets it (so that its memory can go once used). */
  take(key: string): SeriesBuilder {
    const series = this.#builder(key);
    this.#series.delete(key);
    return series;
  }

  #builder(key: string): SeriesBuilder {
    let series = this.#series.get(key);
    if (series === undefined) {
      series = new SeriesBuilder();
      this.#series.set(key, series);
    }
    return series;
  }
}
