/**
 * The runtime edge: environment variables, files and the home directory.
 *
 * This is the only module of the client that touches the host runtime. It uses `node:` built-ins,
 * which Deno, Bun and Node all provide, so the rest of the client stays runtime-free.
 *
 * @module
 */

// Start-up cost: importing `node:process`, `node:os`, `node:fs/promises` or `node:path` makes
// Deno load its Node compatibility layer (measured: ~60 ms of CPU for `node:fs/promises` alone on
// the 2-core bench machine), which every CLI command and script would pay before its first
// request. So nothing of Node's is imported at load: environment, working directory and home come
// from `Deno` or from the global `process` (Node, Bun), and the file and path functions import
// `node:fs/promises` and `node:path` on first use (`node:path` alone costs ~20 ms of start-up on
// Deno: a script importing the transport went from 108 to 88 ms without it).

/** The part of the `Deno` global used here. */
interface DenoLike {
  readonly env: { toObject(): Record<string, string>; get(name: string): string | undefined };
  cwd(): string;
  readTextFile(path: string): Promise<string>;
}

/** The part of Node's and Bun's global `process` used here. */
interface ProcessLike {
  readonly env: Record<string, string | undefined>;
  cwd(): string;
  getBuiltinModule?: (name: string) => unknown;
}

const deno = (globalThis as { Deno?: DenoLike }).Deno;
const nodeProcess = (): ProcessLike | undefined =>
  (globalThis as { process?: ProcessLike }).process;

let fsModule: Promise<typeof import("node:fs/promises")> | undefined;
/** `node:fs/promises`, imported on first use. */
const fs = () => fsModule ??= import("node:fs/promises");

/** A read-only view of environment variables, injectable for tests. */
export type Env = Readonly<Record<string, string | undefined>>;

/**
 * The process environment, or an empty one when the runtime denies access.
 *
 * @returns A snapshot of the environment variables.
 *
 * @example
 * ```ts
 * import { processEnv } from "./runtime.ts";
 *
 * const key = processEnv()["SWANLAB_API_KEY"];
 * ```
 */
export function processEnv(): Env {
  try {
    return deno ? deno.env.toObject() : { ...nodeProcess()?.env };
  } catch {
    return {};
  }
}

/**
 * The current working directory, or `"."` when the runtime denies access.
 *
 * @returns An absolute path.
 *
 * @example
 * ```ts
 * import { currentDir } from "./runtime.ts";
 *
 * console.log(currentDir());
 * ```
 */
export function currentDir(): string {
  try {
    return deno ? deno.cwd() : (nodeProcess()?.cwd() ?? ".");
  } catch {
    return ".";
  }
}

/**
 * The user's home directory, or `undefined` when unknown.
 *
 * @param env The environment to read `HOME`/`USERPROFILE` from first.
 * @returns The home directory.
 *
 * @example
 * ```ts
 * import { homeDir, processEnv } from "./runtime.ts";
 *
 * console.log(homeDir(processEnv()));
 * ```
 */
export function homeDir(env: Env): string | undefined {
  const fromEnv = env["HOME"] ?? env["USERPROFILE"];
  if (fromEnv) return fromEnv;
  try {
    if (deno) return deno.env.get("HOME") ?? deno.env.get("USERPROFILE");
    const os = nodeProcess()?.getBuiltinModule?.("node:os") as
      | { homedir(): string }
      | undefined;
    return os?.homedir();
  } catch {
    return undefined;
  }
}

/**
 * Reads a UTF-8 text file, or returns `undefined` when it does not exist or cannot be read.
 *
 * @param path The file to read.
 * @returns The file's text, or `undefined`.
 *
 * @example
 * ```ts
 * import { readTextFileIfExists } from "./runtime.ts";
 *
 * const text = await readTextFileIfExists("/nonexistent/.netrc"); // undefined
 * ```
 */
export async function readTextFileIfExists(path: string): Promise<string | undefined> {
  try {
    // Every command reads the netrc file: on Deno without `node:fs/promises` (see above).
    if (deno) return await deno.readTextFile(path);
    return await (await fs()).readFile(path, "utf8");
  } catch {
    return undefined;
  }
}

/**
 * Whether a directory does not exist yet or has no entries.
 *
 * @param path The directory.
 * @returns `true` when it is missing or empty.
 *
 * @example
 * ```ts
 * import { isMissingOrEmptyDir } from "./runtime.ts";
 *
 * console.log(await isMissingOrEmptyDir("/nonexistent/.swanlab")); // true
 * ```
 */
export async function isMissingOrEmptyDir(path: string): Promise<boolean> {
  try {
    return (await (await fs()).readdir(path)).length === 0;
  } catch (error) {
    if ((error as { code?: unknown }).code === "ENOENT") return true;
    throw error;
  }
}

/**
 * Deletes a file; a file that does not exist is not an error.
 *
 * @param path The file to delete.
 * @returns `true` when a file was deleted, `false` when there was none.
 *
 * @example
 * ```ts
 * import { removeFileIfExists } from "./runtime.ts";
 *
 * console.log(await removeFileIfExists("/nonexistent/.netrc")); // false
 * ```
 */
export async function removeFileIfExists(path: string): Promise<boolean> {
  try {
    await (await fs()).unlink(path);
    return true;
  } catch (error) {
    if ((error as { code?: unknown }).code === "ENOENT") return false;
    throw error;
  }
}

/**
 * Joins and resolves path segments with the platform's separator.
 *
 * @param segments The segments to join.
 * @returns The resolved absolute path (`node:path` is loaded on first use).
 *
 * @example
 * ```ts
 * import { resolvePath } from "./runtime.ts";
 *
 * console.log(await resolvePath("/a", "b", ".netrc")); // "/a/b/.netrc"
 * ```
 */
export async function resolvePath(...segments: string[]): Promise<string> {
  const { join, resolve } = await import("node:path");
  return resolve(join(...segments));
}
