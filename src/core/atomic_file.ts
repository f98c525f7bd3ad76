/**
 * Atomic file writes: every file the library or the CLI writes goes to a temporary file in the
 * destination's own directory and is renamed over the destination only when it is complete. A
 * failure, an abort or a crash leaves the previous file untouched and no partial file under the
 * final name.
 *
 * Output paths are checked before anything is written (and before any request is sent, when the
 * caller checks first with {@linkcode checkOutputPath}): the path must not be empty and its parent
 * directory must already exist, except for the directories the library owns (`createParent`).
 *
 * @module
 */

import type { FileHandle } from "node:fs/promises";
import { ValidationError } from "./errors.ts";

let fsModule: Promise<typeof import("node:fs/promises")> | undefined;
/**
 * `node:fs/promises`, imported on first use: importing it at load makes Deno load its Node
 * compatibility layer (~60 ms of CPU on the bench machine), which every command would pay.
 * `node:path` is imported where it is used for the same reason (~20 ms of start-up on Deno).
 */
const fs = () => fsModule ??= import("node:fs/promises");
let statusModule: Promise<typeof import("./path_status.ts")> | undefined;
/** `./path_status.ts` (which imports `node:fs`), on first use for the same reason. */
const pathStatus = () => statusModule ??= import("./path_status.ts");

/** Options of {@linkcode AtomicFile.create} and {@linkcode writeFileAtomic}. */
export interface AtomicFileOptions {
  /**
   * The file mode of the new file, e.g. `0o600` for secrets.
   *
   * @default 0o644 (less the process umask)
   */
  readonly mode?: number;
  /**
   * Create the parent directory (and its parents) when missing. Only for directories the library
   * owns (the SwanLab `.netrc` folder, a mirror's own layout); paths a user typed must exist.
   *
   * @default false
   */
  readonly createParent?: boolean;
  /**
   * The field named in a {@linkcode ValidationError} about the path, e.g. `"--out"`.
   *
   * @default "path"
   */
  readonly field?: string;
}

const encoder = new TextEncoder();

/**
 * Why files cannot be created in a directory, found by creating and removing a probe file
 * (`.write-check.<random>.tmp`, a name the writers' clean-up treats as temporary). Not
 * `access(W_OK)`: under Deno's Node layer it answers from permission bits, so it passes for root
 * and on read-only mounts, and a command failed only after its requests, with a raw `EROFS`.
 *
 * @param dir An existing directory.
 * @returns `undefined` when a file could be created there, else the error code (`EROFS`,
 *   `EACCES`, …) or `"unknown"`.
 *
 * @example
 * ```ts
 * import { directoryWriteError } from "./atomic_file.ts";
 *
 * console.log(await directoryWriteError(await Deno.makeTempDir())); // undefined
 * ```
 */
export async function directoryWriteError(dir: string): Promise<string | undefined> {
  const { join } = await import("node:path");
  const random = crypto.getRandomValues(new Uint32Array(2));
  const probe = join(dir, `.write-check.${random[0]!.toString(36)}${random[1]!.toString(36)}.tmp`);
  try {
    await (await (await fs()).open(probe, "wx")).close();
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === "string" ? code : "unknown";
  }
  await (await fs()).rm(probe, { force: true });
  return undefined;
}

/**
 * Checks that a path can be written: not empty, not a directory, and in an existing directory
 * where files can be created. Call it before sending requests so bad output paths fail first.
 *
 * @param path The destination file.
 * @param field The option or parameter name to report, e.g. `"--out"`.
 * @returns The resolved absolute path.
 * @throws {ValidationError} When the path is empty, is a directory, or its parent directory does
 * not exist, is not a directory or is not writable.
 *
 * @example Reject a path in a missing directory
 * ```ts
 * import { checkOutputPath } from "./atomic_file.ts";
 *
 * await checkOutputPath("/no/such/dir/out.csv", "--out").catch((e) => console.log(e.message));
 * ```
 */
export async function checkOutputPath(path: string, field = "path"): Promise<string> {
  const { absolute, parent } = await inspectOutputPath(path, field);
  const unwritable = await directoryWriteError(parent);
  if (unwritable !== undefined) {
    throw new ValidationError(
      field,
      `Cannot write to "${path}": the directory "${parent}" is not writable (${unwritable})`,
    );
  }
  return absolute;
}

/**
 * The checks of {@linkcode checkOutputPath} but the probe: the absolute path and its directory.
 * With `createParent`, a missing directory is created (and an existing one costs no `mkdir`).
 */
async function inspectOutputPath(
  path: string,
  field: string,
  createParent = false,
): Promise<{ absolute: string; parent: string }> {
  if (typeof path !== "string" || path.trim() === "") {
    throw new ValidationError(field, `Cannot write to ${field}: the path is empty`);
  }
  const { dirname, resolve } = await import("node:path");
  const { statIfAny } = await pathStatus();
  const absolute = resolve(path);
  const parent = dirname(absolute);
  let parentStat = statIfAny(parent);
  if (!parentStat && createParent) {
    await (await fs()).mkdir(parent, { recursive: true });
    parentStat = statIfAny(parent);
  }
  if (!parentStat) {
    throw new ValidationError(
      field,
      `Cannot write to "${path}": the directory "${parent}" does not exist`,
    );
  }
  if (!parentStat.isDirectory()) {
    throw new ValidationError(field, `Cannot write to "${path}": "${parent}" is not a directory`);
  }
  if (statIfAny(absolute)?.isDirectory()) {
    throw new ValidationError(field, `Cannot write to "${path}": it is a directory`);
  }
  return { absolute, parent };
}

async function temporaryName(target: string): Promise<string> {
  const { basename, dirname, join } = await import("node:path");
  const random = crypto.getRandomValues(new Uint32Array(2));
  const suffix = `${random[0]!.toString(36)}${random[1]!.toString(36)}`;
  return join(dirname(target), `.${basename(target)}.${suffix}.tmp`);
}

/**
 * A file being written atomically: write chunks, then {@linkcode AtomicFile.commit} renames it
 * over the destination, or {@linkcode AtomicFile.abort} deletes it. Disposing an uncommitted
 * file aborts it, so `await using` never leaves a temporary file behind.
 *
 * @example Stream rows into a file that appears only when complete
 * ```ts
 * import { AtomicFile } from "./atomic_file.ts";
 *
 * const dir = await Deno.makeTempDir();
 * const file = await AtomicFile.create(`${dir}/points.csv`);
 * try {
 *   await file.write("step,value\n");
 *   await file.write("0,1.5\n");
 *   await file.commit();
 * } finally {
 *   await file.abort(); // no-op after a commit
 * }
 * ```
 */
export class AtomicFile {
  readonly #target: string;
  readonly #temporary: string;
  readonly #mode: number | undefined;
  #handle: FileHandle | undefined;
  #state: "open" | "committed" | "aborted" = "open";
  #bytes = 0;

  private constructor(
    target: string,
    temporary: string,
    handle: FileHandle,
    mode: number | undefined,
  ) {
    this.#target = target;
    this.#temporary = temporary;
    this.#handle = handle;
    this.#mode = mode;
  }

  /**
   * Opens a temporary file beside `path`.
   *
   * @param path The destination file.
   * @param options The mode, whether to create the parent, and the field name for errors.
   * @returns The open file.
   * @throws {ValidationError} When the path is empty or its directory is missing (see
   * {@linkcode checkOutputPath}).
   *
   * @example Write a secret with mode 0600
   * ```ts
   * import { AtomicFile } from "./atomic_file.ts";
   *
   * const dir = await Deno.makeTempDir();
   * const file = await AtomicFile.create(`${dir}/key`, { mode: 0o600 });
   * await file.write("secret\n");
   * await file.commit();
   * ```
   */
  static async create(path: string, options: AtomicFileOptions = {}): Promise<AtomicFile> {
    // No write probe: opening the temporary file below is one (a mirror writes thousands).
    const { absolute: target } = await inspectOutputPath(
      path,
      options.field ?? "path",
      options.createParent === true,
    );
    const temporary = await temporaryName(target);
    const handle = await (await fs()).open(temporary, "wx", options.mode ?? 0o644);
    return new AtomicFile(target, temporary, handle, options.mode);
  }

  /** The destination (absolute). */
  get path(): string {
    return this.#target;
  }

  /** The bytes written so far. */
  get bytesWritten(): number {
    return this.#bytes;
  }

  /** Whether the file was committed. */
  get committed(): boolean {
    return this.#state === "committed";
  }

  /**
   * Appends a chunk (text is written as UTF-8).
   *
   * @param chunk The bytes or text to append.
   * @throws {TypeError} When the file was already committed or aborted.
   */
  async write(chunk: Uint8Array | string): Promise<void> {
    const handle = this.#open("write to");
    const bytes = typeof chunk === "string" ? encoder.encode(chunk) : chunk;
    let offset = 0;
    while (offset < bytes.byteLength) {
      const { bytesWritten } = await handle.write(bytes, offset, bytes.byteLength - offset);
      offset += bytesWritten;
    }
    this.#bytes += bytes.byteLength;
  }

  /**
   * Flushes the file to disk and renames it over the destination.
   *
   * @throws {TypeError} When the file was already committed or aborted.
   */
  async commit(): Promise<void> {
    const handle = this.#open("commit");
    try {
      await handle.sync();
      await handle.close();
      this.#handle = undefined;
      // An explicit mode is applied exactly, whatever the umask (secrets stay 0600).
      if (this.#mode !== undefined) await (await fs()).chmod(this.#temporary, this.#mode);
      await (await fs()).rename(this.#temporary, this.#target);
      this.#state = "committed";
    } catch (error) {
      await this.abort();
      throw error;
    }
  }

  /** Deletes the temporary file; the destination is left as it was. A no-op after a commit. */
  async abort(): Promise<void> {
    if (this.#state !== "open") return;
    this.#state = "aborted";
    await this.#handle?.close().catch(() => {});
    this.#handle = undefined;
    await (await fs()).unlink(this.#temporary).catch(() => {});
  }

  /** Aborts an uncommitted file (for `await using`). */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.abort();
  }

  #open(action: string): FileHandle {
    if (this.#state !== "open" || !this.#handle) {
      throw new TypeError(`Cannot ${action} "${this.#target}": the file is already ${this.#state}`);
    }
    return this.#handle;
  }
}

/**
 * Writes a whole file atomically from text, bytes or an async iterable of chunks. When the
 * iterable throws, the destination is left as it was and the error is rethrown.
 *
 * @param path The destination file.
 * @param data The content: text, bytes, or chunks as they arrive.
 * @param options The mode, whether to create the parent, and the field name for errors.
 * @returns The number of bytes written.
 * @throws {ValidationError} When the path is empty or its directory is missing.
 *
 * @example Write a JSON document
 * ```ts
 * import { writeFileAtomic } from "./atomic_file.ts";
 *
 * const dir = await Deno.makeTempDir();
 * await writeFileAtomic(`${dir}/result.json`, JSON.stringify({ ok: true }) + "\n");
 * ```
 */
export async function writeFileAtomic(
  path: string,
  data: string | Uint8Array | AsyncIterable<Uint8Array | string>,
  options: AtomicFileOptions = {},
): Promise<number> {
  const file = await AtomicFile.create(path, options);
  try {
    if (typeof data === "string" || data instanceof Uint8Array) await file.write(data);
    else for await (const chunk of data) await file.write(chunk);
    await file.commit();
    return file.bytesWritten;
  } finally {
    await file.abort();
  }
}
