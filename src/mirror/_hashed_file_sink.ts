/**
 * Private: a content-addressed file of the mirror written as a stream, for the points files
 * (10⁸ bytes and more): the bytes go to disk and into a SHA-256 as they are written, and the file
 * is named after the hash only at the end. Before this, the whole file was held in memory, copied
 * once more, hashed and then written.
 *
 * @module
 */

import { createHash } from "node:crypto";
import { rename, unlink } from "node:fs/promises";
import { join } from "node:path";
import { AtomicFile } from "../core/atomic_file.ts";
import type { ByteSink } from "../export/byte_sink.ts";
import { type FileRef, hashedName } from "./mirror_format.ts";
import { statIfAny } from "../core/path_status.ts";

/**
 * A {@linkcode ByteSink} for the file `<dir>/<stem>-<h>.<ext>` of a mirror: written atomically
 * (an {@linkcode AtomicFile} under the provisional name `<dir>/.<stem>.<ext>.pending`, which
 * readers globbing `*.<ext>` do not see and the mirror's clean-up removes), then, on commit,
 * renamed to its content-derived name, or dropped when a file of that name and size exists.
 *
 * @example Write a file named after its content
 * ```ts ignore
 * const sink = await HashedFileSink.create(out, "points/w/p/run=c1", "part", "parquet", written);
 * await sink.write(bytes);
 * await sink.commit();
 * console.log(sink.ref.file); // "points/w/p/run=c1/part-0123456789abcdef.parquet"
 * ```
 */
export class HashedFileSink implements ByteSink {
  readonly #out: string;
  readonly #dir: string;
  readonly #stem: string;
  readonly #ext: string;
  readonly #file: AtomicFile;
  readonly #hash = createHash("sha256");
  readonly #written: { files: number; bytes: number };
  /** A chunk is written out before `write` settles. */
  readonly releasesChunks = true;
  #bytes = 0;
  #ref: FileRef | undefined;

  private constructor(
    out: string,
    dir: string,
    stem: string,
    ext: string,
    file: AtomicFile,
    written: { files: number; bytes: number },
  ) {
    this.#out = out;
    this.#dir = dir;
    this.#stem = stem;
    this.#ext = ext;
    this.#file = file;
    this.#written = written;
  }

  /**
   * Opens the provisional file (creating the mirror's directories on the way).
   *
   * @param out The mirror directory.
   * @param dir The file's directory, relative to `out`.
   * @param stem The name's stem.
   * @param ext The extension.
   * @param written Counts files and bytes this sync wrote (updated on commit).
   */
  static async create(
    out: string,
    dir: string,
    stem: string,
    ext: string,
    written: { files: number; bytes: number },
  ): Promise<HashedFileSink> {
    const file = await AtomicFile.create(join(out, dir, `.${stem}.${ext}.pending`), {
      createParent: true,
      field: "out",
    });
    return new HashedFileSink(out, dir, stem, ext, file, written);
  }

  /** The committed file (after {@linkcode HashedFileSink.commit}). */
  get ref(): FileRef {
    if (this.#ref === undefined) throw new TypeError("HashedFileSink.ref before commit()");
    return this.#ref;
  }

  /** Appends bytes to the file and the hash. */
  async write(chunk: Uint8Array | string): Promise<void> {
    const bytes = typeof chunk === "string" ? new TextEncoder().encode(chunk) : chunk;
    this.#hash.update(bytes);
    this.#bytes += bytes.byteLength;
    await this.#file.write(bytes);
  }

  /** Completes the file and moves it under its content-derived name. */
  async commit(): Promise<void> {
    await this.#file.commit();
    const sha256 = this.#hash.digest("hex");
    const file = `${this.#dir}/${hashedName(this.#stem, sha256, this.#ext)}`;
    const path = join(this.#out, file);
    const existing = statIfAny(path);
    if (existing?.isFile() && existing.size === this.#bytes) await unlink(this.#file.path);
    else {
      await rename(this.#file.path, path);
      this.#written.files++;
      this.#written.bytes += this.#bytes;
    }
    this.#ref = { file, sha256, bytes: this.#bytes };
  }

  /** Deletes the provisional file. */
  async abort(): Promise<void> {
    await this.#file.abort();
  }
}
