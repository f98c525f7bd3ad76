/**
 * The status of a local path without an error object for the usual answer "nothing there".
 *
 * Writers check thousands of paths that do not exist yet (a mirror checks each media file and
 * each file's destination): the promise API answers each with a rejected `ENOENT` error, an
 * async round trip and an error with its stack, about a tenth of a millisecond each under Deno's
 * Node layer, against a few microseconds for a synchronous check of a local path.
 *
 * @module
 */

import { existsSync, type Stats, statSync } from "node:fs";

/**
 * The status of `path` (following symbolic links), or `undefined` when nothing is there or it
 * cannot be read (the write that follows reports the real problem).
 *
 * @param path A file or directory path.
 * @returns Its status, or `undefined`.
 *
 * @example Check whether a directory exists
 * ```ts
 * import { statIfAny } from "./path_status.ts";
 *
 * const dir = await Deno.makeTempDir();
 * console.log(statIfAny(dir)?.isDirectory()); // true
 * console.log(statIfAny(`${dir}/missing`)); // undefined
 * ```
 */
export function statIfAny(path: string): Stats | undefined {
  try {
    // `existsSync` answers "nothing there" with a boolean; Deno's `statSync` builds (and catches)
    // an error for it even with `throwIfNoEntry: false` (15 µs against 3 µs a missing path).
    return existsSync(path) ? statSync(path, { throwIfNoEntry: false }) : undefined;
  } catch {
    return undefined;
  }
}
