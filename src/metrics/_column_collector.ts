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

/**
 * The growing columns of one key, in fixed blocks so that growing never copies (the columns are
 * joined once, at the end, or read part by part).
 */
export class SeriesBuilder {
  /** Full blocks. */
  readonly full: SeriesPart[] = [];
  /** The block being filled, up to `fill`. */
  steps = new Float64Array(BLOCK);
  values = new Float64Array(BLOCK);
  timestamps = new Float64Array(BLOCK);
  fill = 0;

  /** Points so far. */
  get length(): number {
    return this.full.length * BLOCK + this.fill;
  }

  /** Closes the current block (which must be full) and starts a new one. */
  grow(): void {
    this.full.push({ steps: this.steps, values: this.values, timestamps: this.timestamps });
    this.steps = new Float64Array(BLOCK);
    this.values = new Float64Array(BLOCK);
    this.timestamps = new Float64Array(BLOCK);
    this.fill = 0;
  }

  /** Appends one point. */
  push(step: number, value: number, timestamp: number): void {
    if (this.fill === BLOCK) this.grow();
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

  /** Joins the parts into one exact-size array per column. */
  toColumns(key: string): MetricSeriesColumns {
    const length = this.length;
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
        if (fill === BLOCK) {
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
