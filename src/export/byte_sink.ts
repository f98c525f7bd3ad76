/**
 * Where the export writers put their bytes: a file written atomically (a path), or any
 * {@linkcode ByteSink} (standard output, a buffer in memory).
 *
 * @module
 */

import { AtomicFile } from "../core/atomic_file.ts";

/**
 * A destination for bytes that is either committed (complete) or aborted. An {@linkcode AtomicFile}
 * is one: nothing appears under its final name before `commit()`.
 *
 * @example Count the bytes written
 * ```ts
 * import type { ByteSink } from "./byte_sink.ts";
 *
 * let bytes = 0;
 * const sink: ByteSink = {
 *   write: (chunk) => {
 *     bytes += typeof chunk === "string" ? new TextEncoder().encode(chunk).length : chunk.length;
 *     return Promise.resolve();
 *   },
 *   commit: () => Promise.resolve(),
 *   abort: () => Promise.resolve(),
 * };
 * ```
 */
export interface ByteSink {
  /**
   * Appends bytes (text is written as UTF-8). Unless the sink says
   * {@linkcode ByteSink.releasesChunks}, writers never touch a chunk again once handed over (the
   * sink may keep or queue it).
   */
  write(chunk: Uint8Array | string): Promise<void>;
  /**
   * True when `write` is done with a chunk once its promise settles (written out, or copied), so
   * that a writer may refill the same buffer instead of allocating a new one.
   *
   * @default false
   */
  readonly releasesChunks?: boolean;
  /** Marks the output complete (an atomic file is renamed to its final name). */
  commit(): Promise<void>;
  /** Discards the output (an atomic file's temporary file is deleted). A no-op after `commit`. */
  abort(): Promise<void>;
}

/**
 * A writer's destination: a file path (written atomically through {@linkcode AtomicFile}) or a
 * {@linkcode ByteSink}.
 *
 * @example A path or a sink
 * ```ts
 * import type { SinkTarget } from "./byte_sink.ts";
 *
 * const target: SinkTarget = "runs.csv";
 * ```
 */
export type SinkTarget = string | ByteSink;

/**
 * Opens a target: a path becomes a sink writing an {@linkcode AtomicFile} (its directory must
 * exist); a sink is returned as it is.
 *
 * @param target The path or sink.
 * @param field The option name reported in errors about the path, e.g. `"--out"`.
 * @returns The sink to write to, then commit or abort.
 * @throws {ValidationError} When the path is empty, a directory, or in a missing directory.
 *
 * @example Open a file
 * ```ts
 * import { openSink } from "./byte_sink.ts";
 *
 * const dir = await Deno.makeTempDir();
 * const sink = await openSink(`${dir}/out.txt`);
 * await sink.write("hello\n");
 * await sink.commit();
 * ```
 */
export async function openSink(target: SinkTarget, field = "path"): Promise<ByteSink> {
  if (typeof target !== "string") return target;
  const file = await AtomicFile.create(target, { field });
  // A file write is complete when its promise settles: writers may reuse their buffers.
  return {
    write: (chunk) => file.write(chunk),
    commit: () => file.commit(),
    abort: () => file.abort(),
    releasesChunks: true,
  };
}
