/**
 * A directory written atomically: files go into a hidden temporary directory beside the
 * destination, which is renamed to the destination only when every file is written. A failure
 * or an interruption leaves no directory under the final name (only, after a crash, a hidden
 * `.<name>.<random>.tmp` directory, which readers globbing `<name>/…` never see).
 *
 * The destination must not exist, or be an empty directory: nothing the user has is replaced or
 * deleted.
 *
 * @module
 */

import { directoryWriteError } from "../core/atomic_file.ts";
import { ValidationError } from "../core/errors.ts";

let fsModule: Promise<typeof import("node:fs/promises")> | undefined;
/** `node:fs/promises`, imported on first use (as in `src/core/atomic_file.ts`: start-up cost). */
const fs = () => fsModule ??= import("node:fs/promises");

/**
 * Checks that a directory can be created by an export: the path is not empty, its parent exists,
 * and it does not exist yet or is an empty directory. Call it before sending requests.
 *
 * @param path The destination directory.
 * @param field The option name to report, e.g. `"--out"`.
 * @returns The resolved absolute path.
 * @throws {ValidationError} When the path is empty, the parent is missing, or the path is a
 * file or a non-empty directory.
 *
 * @example Reject an existing non-empty directory
 * ```ts
 * import { checkOutputDirectory } from "./atomic_directory.ts";
 *
 * const dir = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${dir}/x`, "");
 * await checkOutputDirectory(dir, "--out").catch((e) => console.log(e.message));
 * ```
 */
export async function checkOutputDirectory(path: string, field = "path"): Promise<string> {
  const absolute = await inspectOutputDirectory(path, field);
  const { dirname } = await import("node:path");
  const parent = dirname(absolute);
  const unwritable = await directoryWriteError(parent);
  if (unwritable !== undefined) {
    throw new ValidationError(
      field,
      `Cannot write a dataset to "${path}": the directory "${parent}" is not writable (${unwritable})`,
    );
  }
  return absolute;
}

/** The checks of {@linkcode checkOutputDirectory} but the probe; returns the absolute path. */
async function inspectOutputDirectory(path: string, field: string): Promise<string> {
  if (typeof path !== "string" || path.trim() === "") {
    throw new ValidationError(field, `Cannot write to ${field}: the path is empty`);
  }
  const { dirname, resolve } = await import("node:path"); // on first use: start-up cost
  const absolute = resolve(path);
  const parent = dirname(absolute);
  const parentStat = await (await fs()).stat(parent).catch(() => undefined);
  if (!parentStat?.isDirectory()) {
    throw new ValidationError(
      field,
      `Cannot write to "${path}": the directory "${parent}" does not exist`,
    );
  }
  const target = await (await fs()).stat(absolute).catch(() => undefined);
  if (target !== undefined) {
    if (!target.isDirectory()) {
      throw new ValidationError(field, `Cannot write a dataset to "${path}": it is a file`);
    }
    if ((await (await fs()).readdir(absolute)).length > 0) {
      throw new ValidationError(
        field,
        `Cannot write a dataset to "${path}": the directory is not empty (choose a new path)`,
      );
    }
  }
  return absolute;
}

/**
 * A directory being written: create files under {@linkcode AtomicDirectory.temporaryPath}, then
 * {@linkcode AtomicDirectory.commit} renames it to the destination, or
 * {@linkcode AtomicDirectory.abort} deletes it (it is the writer's own temporary directory).
 *
 * @example Write a file, then publish the directory
 * ```ts
 * import { AtomicDirectory } from "./atomic_directory.ts";
 * import { writeFileAtomic } from "../core/atomic_file.ts";
 *
 * const parent = await Deno.makeTempDir();
 * const dir = await AtomicDirectory.create(`${parent}/dataset`);
 * try {
 *   await writeFileAtomic(`${dir.temporaryPath}/part-0.csv`, "a,b\n");
 *   await dir.commit();
 * } finally {
 *   await dir.abort(); // no-op after commit
 * }
 * ```
 */
export class AtomicDirectory {
  readonly #target: string;
  readonly #temporary: string;
  #state: "open" | "committed" | "aborted" = "open";

  private constructor(target: string, temporary: string) {
    this.#target = target;
    this.#temporary = temporary;
  }

  /**
   * Creates the temporary directory beside `path` (after {@linkcode checkOutputDirectory}).
   *
   * @param path The destination directory.
   * @param options `field`: the option name reported in errors.
   * @returns The open directory.
   * @throws {ValidationError} See {@linkcode checkOutputDirectory}.
   */
  static async create(path: string, options: { field?: string } = {}): Promise<AtomicDirectory> {
    // No write probe: making the temporary directory below is one.
    const target = await inspectOutputDirectory(path, options.field ?? "path");
    const random = crypto.getRandomValues(new Uint32Array(2));
    const suffix = `${random[0]!.toString(36)}${random[1]!.toString(36)}`;
    const { basename, dirname, join } = await import("node:path");
    const temporary = join(dirname(target), `.${basename(target)}.${suffix}.tmp`);
    await (await fs()).mkdir(temporary);
    return new AtomicDirectory(target, temporary);
  }

  /** The destination (absolute). */
  get path(): string {
    return this.#target;
  }

  /** Where to write the files until the commit. */
  get temporaryPath(): string {
    return this.#temporary;
  }

  /**
   * Renames the temporary directory to the destination.
   *
   * @throws {ValidationError} When something appeared under the destination meanwhile.
   * @throws {TypeError} After commit or abort.
   */
  async commit(): Promise<void> {
    if (this.#state !== "open") {
      throw new TypeError(`Cannot commit "${this.#target}": it is already ${this.#state}`);
    }
    try {
      // Checked again: a file or a non-empty directory created meanwhile is never replaced.
      await inspectOutputDirectory(this.#target, "path");
      await (await fs()).rename(this.#temporary, this.#target);
      this.#state = "committed";
    } catch (error) {
      await this.abort();
      throw error;
    }
  }

  /** Deletes the temporary directory; a no-op after commit. */
  async abort(): Promise<void> {
    if (this.#state !== "open") return;
    this.#state = "aborted";
    await (await fs()).rm(this.#temporary, { recursive: true, force: true }).catch(() => {});
  }

  /** Aborts an uncommitted directory (for `await using`). */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.abort();
  }
}
