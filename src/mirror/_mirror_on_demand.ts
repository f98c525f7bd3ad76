/**
 * Private: the library's `mirror` export, which imports the mirror implementation
 * (`./mirror.ts`, with `node:fs/promises` and `node:crypto` under it) on first call. Loading
 * those Node built-ins makes Deno load its Node compatibility layer (~50 ms of CPU each on the
 * bench machine), which every program importing the library, and every CLI command, would
 * otherwise pay at start-up.
 *
 * @module
 */

import type { MirrorOptions, MirrorReport } from "./mirror.ts";

/**
 * Mirrors `target` (`workspace`, `workspace/project` or `workspace/project/run`) into
 * `options.out`: metadata, every scalar point (Parquet), logs and media. Run again, it fetches
 * only runs that changed, and after an interruption it resumes with the runs not yet complete.
 * The manifest is written last: the directory always holds the previous complete mirror or the
 * new one.
 *
 * @param target What to mirror.
 * @param options Where, filters, and client options (key, host, retries …).
 * @returns The report.
 * @throws {ValidationError} For a bad target or option, or an output directory that is a file,
 * not writable, not a mirror, another host's mirror, or of an unknown format version (before
 * anything is written).
 * @throws {ApiError} (or a subclass), {@linkcode ConnectionError} or {@linkcode AbortError} when
 * a request fails; files completed so far stay for the next attempt, the manifest is unchanged.
 *
 * @example Mirror a project
 * ```ts ignore
 * import { mirror } from "@swanlab-ts/api";
 *
 * const report = await mirror("my-team/my-project", { out: "backup" });
 * console.log(report.runs.fetched, report.points);
 * ```
 */
export async function mirror(target: string, options: MirrorOptions): Promise<MirrorReport> {
  const implementation = await import("./mirror.ts");
  return await implementation.mirror(target, options);
}
