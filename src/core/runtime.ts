/**
 * The runtime edge: environment variables, files and the home directory.
 *
 * This is the only module of the client that touches the host runtime. It uses `node:` built-ins,
 * which Deno, Bun and Node all provide, so the rest of the client stays runtime-free.
 *
 * @module
 */

import process from "node:process";
import { homedir } from "node:os";
import { readdir, readFile, unlink } from "node:fs/promises";
import { join, resolve } from "node:path";

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
    return { ...process.env };
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
    return process.cwd();
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
    return homedir();
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
    return await readFile(path, "utf8");
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
    return (await readdir(path)).length === 0;
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
    await unlink(path);
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
 * @returns The resolved absolute path.
 *
 * @example
 * ```ts
 * import { resolvePath } from "./runtime.ts";
 *
 * console.log(resolvePath("/a", "b", ".netrc")); // "/a/b/.netrc"
 * ```
 */
export function resolvePath(...segments: string[]): string {
  return resolve(join(...segments));
}
