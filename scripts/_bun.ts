/**
 * Bun, from npm: the command every script runs it with (`scripts/test_bun.ts`, `deno task binary`,
 * the benchmark) and how the single binary is built (the benchmark's single-binary rows build
 * their floor, an empty program, the same way).
 *
 * @module
 */

/**
 * The `bun` command, from npm through `npx` (no global Bun needed).
 *
 * @example
 * ```ts
 * import { BUN } from "./_bun.ts";
 *
 * console.log([...BUN, "--version"].join(" ")); // "npx --yes bun@1 --version"
 * ```
 */
export const BUN: readonly string[] = ["npx", "--yes", "bun@1"];

/**
 * The flags of `bun build` for a single executable. With `--bytecode` the binary holds the
 * bundle compiled to JavaScriptCore bytecode, so a start loads it instead of parsing ~3 MB of
 * source (measured on the bench machine, medians of 15: `--help` 82 → 26 ms, `user info`
 * 93 → 29 ms; an empty Bun binary starts in 7 ms). ESM bytecode needs `--compile` and an
 * explicit `--format=esm`.
 *
 * @example
 * ```ts
 * import { BUN, BUN_COMPILE_FLAGS } from "./_bun.ts";
 *
 * const command = [...BUN, "build", ...BUN_COMPILE_FLAGS, "cli.ts", "--outfile", "bin/cli"];
 * ```
 */
export const BUN_COMPILE_FLAGS: readonly string[] = ["--compile", "--bytecode", "--format=esm"];
