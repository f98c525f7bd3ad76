/**
 * The package version, sent as `X-SwanLab-SDK-Version` and shown by the CLI.
 *
 * A test checks that it matches `deno.json` and `jsr.json`.
 *
 * @module
 */

/**
 * The version of swanlab-ts.
 *
 * @example
 * ```ts
 * import { VERSION } from "./version.ts";
 *
 * console.log(`swanlab-ts ${VERSION}`);
 * ```
 */
export const VERSION = "0.1.0";
