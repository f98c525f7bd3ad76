/**
 * Private: the messages between the mirror and its points-encoding worker
 * (`_points_worker.ts`). Every message names the file it is about by `id`.
 *
 * @module
 */

import type { ParquetCompression } from "../export/parquet_options.ts";

/** The buffers of one column block (transferred with it, and given back once written). */
export interface BlockBuffers {
  keyIndex: Uint16Array<ArrayBuffer>;
  steps: Float64Array<ArrayBuffer>;
  values: Float64Array<ArrayBuffer>;
  timestamps: Float64Array<ArrayBuffer>;
}

/** To the worker: open a file, add rows (`keys` when they changed), finish or abort it. */
export type ToWorker =
  | { op: "open"; id: number; compression: ParquetCompression }
  | ({ op: "rows"; id: number; length: number; keys: readonly string[] | undefined } & BlockBuffers)
  | { op: "finish"; id: number }
  | { op: "abort"; id: number };

/** From the worker: started, a block's buffers given back, a file's chunks, or a failure. */
export type FromWorker =
  | { op: "ready"; id: number }
  | ({ op: "free"; id: number } & BlockBuffers)
  | { op: "done"; id: number; rows: number; chunks: Uint8Array<ArrayBuffer>[] }
  | { op: "error"; id: number; name: string; message: string };
