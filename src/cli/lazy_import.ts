/**
 * Loads the CLI's command modules and the library on first use, without letting `deno run`
 * read them at start-up.
 *
 * Why: before running anything, `deno run` builds the module graph of the entry, and that graph
 * follows every `import("./literal.ts")`, even one that never runs: with literal specifiers,
 * `swanlab-ts --help` fetched and analyzed all ~100 modules of the CLI, the library and the
 * local server (about a third of its start-up). Specifiers computed at run time are not
 * followed, so each run reads only the modules it executes.
 *
 * Bundlers (`bun build --compile`) need literal specifiers to include a module: a bundled entry
 * (`scripts/binary_entry.ts`) registers literal loaders with {@linkcode registerModules}, which
 * are then used instead of the computed import.
 *
 * @module
 */

/**
 * The package root (this file is `src/cli/lazy_import.ts`) and the modules' extension: `.ts` in
 * the sources, `.js` once transpiled (`deno pack`), the same as this file's. Worked out on first
 * use: the first `URL` costs about a millisecond, which `--help` does not need to pay.
 */
let packageLocation: { root: URL; extension: string } | undefined;

let registered: Record<string, () => Promise<unknown>> = {};

/**
 * Registers literal loaders (for bundles, whose modules must be imported with literal
 * specifiers); later {@linkcode importModule} calls for these paths use them.
 *
 * @param loaders One loader per path, e.g. `{ "mod.ts": () => import("../mod.ts") }`.
 *
 * @example A bundled entry
 * ```ts ignore
 * import { registerModules } from "../src/cli/lazy_import.ts";
 *
 * registerModules({ "src/cli/commands/user.ts": () => import("../src/cli/commands/user.ts") });
 * ```
 */
export function registerModules(
  loaders: Record<string, () => Promise<unknown>>,
): void {
  registered = { ...registered, ...loaders };
}

/**
 * Imports a module of the package by its repository-relative path, with a specifier computed at
 * run time (see the module doc), or through a registered loader.
 *
 * @param path The module's path from the package root, e.g. `"src/cli/commands/user.ts"`.
 * @returns The module namespace.
 *
 * @example Load the user command
 * ```ts ignore
 * import { importModule } from "./lazy_import.ts";
 *
 * const { userCommand } = await importModule<typeof import("./commands/user.ts")>(
 *   "src/cli/commands/user.ts",
 * );
 * ```
 */
export function importModule<T>(path: string): Promise<T> {
  const loader = registered[path];
  if (loader !== undefined) return loader() as Promise<T>;
  packageLocation ??= {
    root: new URL("../../", import.meta.url),
    extension: /\.[cm]?[jt]s$/.exec(new URL(import.meta.url).pathname)?.[0] ?? ".ts",
  };
  const url = new URL(path.replace(/\.ts$/, packageLocation.extension), packageLocation.root).href;
  return import(url) as Promise<T>;
}
