/**
 * A {@linkcode ByteSink} that keeps what is written in memory, as chunks (not concatenated: a
 * Parquet file of a long run is 10⁸ bytes and more).
 *
 * @module
 */

import type { ByteSink } from "./byte_sink.ts";

const encoder = new TextEncoder();

/**
 * An in-memory sink: `chunks` holds a copy of every chunk written (writers may reuse theirs).
 *
 * @example Write a Parquet file into memory
 * ```ts ignore
 * import { MemorySink } from "./memory_sink.ts";
 *
 * const sink = new MemorySink();
 * await writeMetricsParquet(sink, rows);
 * console.log(sink.chunks.length);
 * ```
 */
export class MemorySink implements ByteSink {
  /** The bytes written so far, in order. */
  readonly chunks: Uint8Array[] = [];
  /** Chunks are copied: writers may reuse theirs. */
  readonly releasesChunks = true;

  /** Keeps a copy of the chunk (text as UTF-8). */
  write(chunk: Uint8Array | string): Promise<void> {
    this.chunks.push(typeof chunk === "string" ? encoder.encode(chunk) : chunk.slice());
    return Promise.resolve();
  }

  /** Nothing to do: the chunks are the output. */
  commit(): Promise<void> {
    return Promise.resolve();
  }

  /** Nothing to do: the caller drops the sink. */
  abort(): Promise<void> {
    return Promise.resolve();
  }
}
