/**
 * The npm packages that `deno.json` imports, for the scripts that hand them to another tool (a
 * `package.json` for Bun, `deno install --reload`).
 *
 * @module
 */

/** One `npm:` entry of `deno.json`'s imports. */
export interface NpmImport {
  /** The import map key, e.g. `@optique/core`. */
  key: string;
  /** The specifier, e.g. `npm:@optique/core@^1.3.6`. */
  specifier: string;
  /** The package name, e.g. `@optique/core`. */
  name: string;
  /** The version range, e.g. `^1.3.6`. */
  range: string;
}

/**
 * Reads the `npm:` imports of a checkout's `deno.json`.
 *
 * @param root The checkout's root directory (a `file:` URL ending in `/`).
 * @returns The npm imports, in `deno.json`'s order.
 *
 * @example The package names
 * ```ts ignore
 * const names = (await npmImports(new URL("../", import.meta.url))).map((i) => i.name);
 * ```
 */
export async function npmImports(root: URL): Promise<NpmImport[]> {
  const config = JSON.parse(await Deno.readTextFile(new URL("deno.json", root)));
  const result: NpmImport[] = [];
  for (const [key, specifier] of Object.entries(config.imports as Record<string, string>)) {
    const match = /^npm:((?:@[^/]+\/)?[^@/]+)@([^/]+)$/.exec(specifier);
    if (match) result.push({ key, specifier, name: match[1]!, range: match[2]! });
  }
  return result;
}
