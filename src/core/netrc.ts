/**
 * The SwanLab `.netrc` file: where it lives, how it is parsed and how it is written.
 *
 * SwanLab keeps its own `.netrc` (not `~/.netrc`): `./.swanlab/.netrc` first, then
 * `<root>/.netrc` where root is `$SWANLAB_ROOT`, else `$SWANLAB_SAVE_DIR`, else `~/.swanlab`.
 * Only the first `machine` entry is used: `machine` is the API host, `login` the web host and
 * `password` the API key. The format written here is the one the Python SDK writes and reads.
 *
 * @module
 */

import { SwanLabError, ValidationError } from "./errors.ts";
import { writeFileAtomic } from "./atomic_file.ts";
import { normalizeHost } from "./hosts.ts";
import {
  currentDir,
  type Env,
  homeDir,
  isMissingOrEmptyDir,
  readTextFileIfExists,
  removeFileIfExists,
  resolvePath,
} from "./runtime.ts";

/** One SwanLab login stored in a `.netrc` file. */
export interface NetrcEntry {
  /** The normalized API host (`machine`). */
  apiHost: string;
  /** The normalized web host (`login`). */
  webHost: string;
  /** The API key (`password`). */
  apiKey: string;
}

/**
 * Parses the first complete `machine` entry of a `.netrc` text.
 *
 * Tokens may be spread over lines or share one; `#` starts a comment at the beginning of a
 * token; `default` entries and `macdef` blocks are skipped. A machine ending in `/api` (a legacy
 * form) is accepted without the suffix.
 *
 * @param text The file's content.
 * @returns The entry, or `undefined` when the text has no entry with host, login and password.
 * @throws {SwanLabError} When a host in the file cannot be parsed.
 *
 * @example
 * ```ts
 * import { parseNetrc } from "./netrc.ts";
 *
 * const entry = parseNetrc("machine api.swanlab.cn login swanlab.cn password KEY");
 * console.log(entry?.apiHost); // "https://api.swanlab.cn"
 * ```
 */
export function parseNetrc(text: string): NetrcEntry | undefined {
  const tokens: string[] = [];
  let inMacro = false;
  for (const line of text.split(/\r?\n/)) {
    if (inMacro) {
      if (line.trim() === "") inMacro = false;
      continue;
    }
    for (const token of line.split(/\s+/)) {
      if (token === "") continue;
      if (token.startsWith("#")) break;
      tokens.push(token);
    }
    if (tokens.at(-2) === "macdef") inMacro = true;
  }
  let current: Partial<Record<"machine" | "login" | "password", string>> | undefined;
  const entries: Partial<Record<"machine" | "login" | "password", string>>[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i];
    if (token === "machine") {
      current = { machine: tokens[++i] ?? "" };
      entries.push(current);
    } else if (token === "default") {
      current = undefined;
    } else if ((token === "login" || token === "password") && current) {
      current[token] = tokens[++i] ?? "";
    } else if (token === "account" || token === "macdef") {
      i++;
    }
  }
  const first = entries[0];
  if (!first?.machine || !first.login || !first.password) return undefined;
  try {
    return {
      apiHost: normalizeHost(first.machine.replace(/\/api\/?$/, ""), "netrc.machine"),
      webHost: normalizeHost(first.login, "netrc.login"),
      apiKey: first.password,
    };
  } catch (error) {
    throw new SwanLabError("Cannot parse .netrc: invalid host", { cause: error });
  }
}

/**
 * Formats one entry the way the Python SDK writes it (tab-indented, one entry per file).
 *
 * @param entry The login to store.
 * @returns The file content.
 * @throws {ValidationError} When a value contains whitespace, which `.netrc` cannot hold.
 *
 * @example
 * ```ts
 * import { formatNetrc } from "./netrc.ts";
 *
 * formatNetrc({ apiHost: "https://api.swanlab.cn", webHost: "https://swanlab.cn", apiKey: "K" });
 * // "machine https://api.swanlab.cn\n\tlogin https://swanlab.cn\n\tpassword K\n"
 * ```
 */
export function formatNetrc(entry: NetrcEntry): string {
  for (const [field, value] of Object.entries(entry)) {
    if (value === "" || /\s/.test(value)) {
      throw new ValidationError(
        field,
        `Cannot store ${field} in .netrc: it is empty or has whitespace`,
      );
    }
  }
  return `machine ${entry.apiHost}\n\tlogin ${entry.webHost}\n\tpassword ${entry.apiKey}\n`;
}

/**
 * The SwanLab root directory: `$SWANLAB_ROOT`, else `$SWANLAB_SAVE_DIR`, else `~/.swanlab`.
 *
 * @param env The environment to read.
 * @returns The directory, or `undefined` when no home directory is known.
 *
 * @example
 * ```ts
 * import { swanlabRoot } from "./netrc.ts";
 *
 * await swanlabRoot({ SWANLAB_ROOT: "/srv/swanlab" }); // "/srv/swanlab"
 * ```
 */
export async function swanlabRoot(env: Env): Promise<string | undefined> {
  const root = env["SWANLAB_ROOT"]?.trim() || env["SWANLAB_SAVE_DIR"]?.trim();
  if (root) return await resolvePath(root);
  const home = homeDir(env);
  return home === undefined ? undefined : await resolvePath(home, ".swanlab");
}

/**
 * The `.netrc` files SwanLab reads, in lookup order: `./.swanlab/.netrc`, then `<root>/.netrc`.
 *
 * @param env The environment to read the root from.
 * @param cwd The working directory for the project-level file.
 * @returns The candidate paths.
 *
 * @example
 * ```ts
 * import { netrcPaths } from "./netrc.ts";
 *
 * await netrcPaths({ SWANLAB_ROOT: "/r" }, "/work"); // ["/work/.swanlab/.netrc", "/r/.netrc"]
 * ```
 */
export async function netrcPaths(env: Env, cwd: string = currentDir()): Promise<string[]> {
  const paths = [await resolvePath(cwd, ".swanlab", ".netrc")];
  const root = await swanlabRoot(env);
  if (root !== undefined) paths.push(await resolvePath(root, ".netrc"));
  return paths;
}

/**
 * Reads the first usable SwanLab `.netrc` entry; unreadable or unparsable files count as absent.
 *
 * @param env The environment to read the root from.
 * @param cwd The working directory for the project-level file.
 * @returns The entry and the file it came from, or `undefined`.
 *
 * @example
 * ```ts
 * import { readNetrc } from "./netrc.ts";
 *
 * const found = await readNetrc({ SWANLAB_ROOT: "/nonexistent" }, "/nonexistent");
 * console.log(found); // undefined
 * ```
 */
export async function readNetrc(
  env: Env,
  cwd: string = currentDir(),
): Promise<{ entry: NetrcEntry; path: string } | undefined> {
  for (const path of await netrcPaths(env, cwd)) {
    const text = await readTextFileIfExists(path);
    if (text === undefined) continue;
    try {
      const entry = parseNetrc(text);
      if (entry) return { entry, path };
    } catch {
      // An unparsable file counts as absent, as in the Python SDK.
    }
  }
  return undefined;
}

/**
 * Writes `<root>/.netrc` (or `./.swanlab/.netrc` with `local`) with mode 0600, replacing any
 * previous entry, as `swanlab login` does.
 *
 * @param entry The login to store.
 * @param options `local` writes the project-level file; `env` and `cwd` locate the files.
 * @returns The path written.
 * @throws {ValidationError} When a value cannot be stored in `.netrc`.
 *
 * @example
 * ```ts ignore
 * import { writeNetrc } from "./netrc.ts";
 *
 * await writeNetrc(
 *   { apiHost: "https://api.swanlab.cn", webHost: "https://swanlab.cn", apiKey: "KEY" },
 *   { env: { SWANLAB_ROOT: "/tmp/swanlab" } },
 * );
 * ```
 */
export async function writeNetrc(
  entry: NetrcEntry,
  options: { local?: boolean; env: Env; cwd?: string },
): Promise<string> {
  const cwd = options.cwd ?? currentDir();
  const text = formatNetrc(entry);
  let path: string;
  if (options.local) {
    const dir = await resolvePath(cwd, ".swanlab");
    // Like `swanlab login --local`: a new (or empty) ./.swanlab is kept out of git; an existing
    // folder with content is the user's, and its ignore rules are left alone.
    if (await isMissingOrEmptyDir(dir)) {
      await writeFileAtomic(await resolvePath(dir, ".gitignore"), "*\n", {
        mode: 0o644,
        createParent: true,
      });
    }
    path = await resolvePath(dir, ".netrc");
  } else {
    const root = await swanlabRoot(options.env);
    if (root === undefined) {
      throw new ValidationError(
        "SWANLAB_ROOT",
        "Cannot locate .netrc: no home directory; set SWANLAB_ROOT",
      );
    }
    path = await resolvePath(root, ".netrc");
  }
  await writeFileAtomic(path, text, { mode: 0o600, createParent: true });
  return path;
}

/**
 * Removes the `.netrc` file {@linkcode writeNetrc} writes: `<root>/.netrc`, or with `local`
 * `./.swanlab/.netrc`. A missing file is not an error.
 *
 * @param options `local` removes the project-level file; `env` and `cwd` locate the files.
 * @returns The path removed, or `undefined` when there was no file.
 * @throws {SwanLabError} When the file exists but cannot be removed.
 *
 * @example Forget the saved key
 * ```ts ignore
 * import { removeNetrc } from "./netrc.ts";
 *
 * await removeNetrc({ env: { SWANLAB_ROOT: "/tmp/swanlab" } });
 * ```
 */
export async function removeNetrc(
  options: { local?: boolean; env: Env; cwd?: string },
): Promise<string | undefined> {
  const cwd = options.cwd ?? currentDir();
  let path: string;
  if (options.local) {
    path = await resolvePath(cwd, ".swanlab", ".netrc");
  } else {
    const root = await swanlabRoot(options.env);
    if (root === undefined) return undefined;
    path = await resolvePath(root, ".netrc");
  }
  try {
    return await removeFileIfExists(path) ? path : undefined;
  } catch (error) {
    throw new SwanLabError(`Cannot remove ${path}`, { cause: error });
  }
}
