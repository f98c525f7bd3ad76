/**
 * Long-format point columns filled from the CSV parser's blocks: one entry per point (a cell with
 * a value), as a key index, a step, a value and a timestamp. The collecting sinks of the project
 * scan (`runs.scanMetrics().columns()`) and of the mirror's points files fill them with
 * {@linkcode copyBlockPoints}, each with its own block policy (fixed blocks handed over, or one
 * growing block that is reused).
 *
 * @module
 */

import type { MetricPoint, MetricRowBlock } from "./scan_metrics.ts";

/**
 * The columns a sink fills, all at least as long as the points they will hold.
 *
 * @example
 * ```ts
 * import type { LongPointColumns } from "./long_point_columns.ts";
 *
 * const columns: LongPointColumns = {
 *   keyIndex: new Uint16Array(1024),
 *   steps: new Float64Array(1024),
 *   values: new Float64Array(1024),
 *   timestamps: new Float64Array(1024),
 * };
 * ```
 */
export interface LongPointColumns {
  /** The key of each point, as an index into the sink's own key list. */
  readonly keyIndex: Uint16Array;
  /** The step of each point. */
  readonly steps: Float64Array;
  /** The value of each point. */
  readonly values: Float64Array;
  /** The timestamp of each point (`NaN` for none). */
  readonly timestamps: Float64Array;
}

/**
 * Where a copy of a block's rows stands: the next row, and the next key within it.
 *
 * @example
 * ```ts
 * import type { BlockPosition } from "./long_point_columns.ts";
 *
 * const position: BlockPosition = { row: 0, key: 0 };
 * ```
 */
export interface BlockPosition {
  /** The next row of the block to copy. */
  row: number;
  /** The next key (cell) of that row. */
  key: number;
}

/**
 * Copies the points of a parser block's rows, from `position` up to row `to`, into `columns` from
 * index `at`, in row order and key order within a row, until the rows are done or the columns
 * are full (at `columns.steps.length`); `position` is moved to where it stopped.
 *
 * @param block The parser's block (`hasValue` holding 0 or 1 per cell, as the parser writes it).
 * @param chunkIndex Per key of the block's chunk, its index in the sink's key list.
 * @param to The end (exclusive) of the rows to copy.
 * @param position Where to start; updated to where the copy stopped.
 * @param columns The columns to fill.
 * @param at The first free index of the columns.
 * @returns The next free index of the columns.
 *
 * @example Copy the points of two rows of one key
 * ```ts
 * import { copyBlockPoints } from "./long_point_columns.ts";
 *
 * const columns = {
 *   keyIndex: new Uint16Array(4),
 *   steps: new Float64Array(4),
 *   values: new Float64Array(4),
 *   timestamps: new Float64Array(4),
 * };
 * const block = {
 *   steps: Float64Array.of(0, 1),
 *   values: Float64Array.of(0.5, 0.25),
 *   hasValue: Uint8Array.of(1, 1),
 *   timestamps: Float64Array.of(NaN, NaN),
 * };
 * const position = { row: 0, key: 0 };
 * console.log(copyBlockPoints(block, Uint16Array.of(0), 2, position, columns, 0)); // 2
 * ```
 */
export function copyBlockPoints(
  block: MetricRowBlock,
  chunkIndex: Uint16Array,
  to: number,
  position: BlockPosition,
  columns: LongPointColumns,
  at: number,
): number {
  const { steps, values, hasValue, timestamps } = block;
  const { keyIndex, steps: outSteps, values: outValues, timestamps: outTimestamps } = columns;
  const count = chunkIndex.length;
  const end = outSteps.length;
  let row = position.row;
  let k = position.key;
  let cell = row * count + k;
  if (k === 0 && (to - row) * count <= end - at) {
    // Room for every cell: each one is written, and kept (the index moves on) only when it has a
    // value; no branch to mispredict on keys logged at irregular steps (in the bench (h) mirror
    // this took about a seventh off the copy's time). A slot written for an empty cell is
    // overwritten by the next point or lies past the end.
    for (; row < to; row++) {
      const step = steps[row] as number;
      for (k = 0; k < count; k++, cell++) {
        keyIndex[at] = chunkIndex[k] as number;
        outSteps[at] = step;
        outValues[at] = values[cell] as number;
        outTimestamps[at] = timestamps[cell] as number;
        at += hasValue[cell] as number;
      }
    }
    position.row = to;
    position.key = 0;
    return at;
  }
  for (; row < to; row++, k = 0) {
    const step = steps[row] as number;
    for (; k < count; k++, cell++) {
      if (hasValue[cell] === 0) continue;
      if (at === end) {
        position.row = row;
        position.key = k;
        return at;
      }
      keyIndex[at] = chunkIndex[k] as number;
      outSteps[at] = step;
      outValues[at] = values[cell] as number;
      outTimestamps[at] = timestamps[cell] as number;
      at++;
    }
  }
  position.row = to;
  position.key = 0;
  return at;
}

/**
 * Writes one point (of a range-filtered scan) at index `at` of the columns; a missing timestamp
 * becomes `NaN`.
 *
 * @param columns The columns (with room at `at`).
 * @param at Where to write.
 * @param keyIndex The point's key, as an index into the sink's key list.
 * @param point The point.
 *
 * @example Write a point
 * ```ts
 * import { writePoint } from "./long_point_columns.ts";
 *
 * const columns = {
 *   keyIndex: new Uint16Array(1),
 *   steps: new Float64Array(1),
 *   values: new Float64Array(1),
 *   timestamps: new Float64Array(1),
 * };
 * writePoint(columns, 0, 0, { key: "loss", step: 3, value: 0.5 });
 * console.log(columns.timestamps[0]); // NaN
 * ```
 */
export function writePoint(
  columns: LongPointColumns,
  at: number,
  keyIndex: number,
  point: MetricPoint,
): void {
  columns.keyIndex[at] = keyIndex;
  columns.steps[at] = point.step;
  columns.values[at] = point.value;
  columns.timestamps[at] = point.timestamp ?? NaN;
}
