/**
 * Checks where an export will be written, before any request: a file (its directory must
 * exist) or a dataset directory (it must not exist yet, or be empty).
 *
 * @module
 */

import { checkOutputPath } from "../core/atomic_file.ts";
import { checkOutputDirectory } from "./atomic_directory.ts";

/**
 * Options of {@linkcode checkExportTarget}.
 *
 * @example A dataset directory named by `--out`
 * ```ts
 * import type { ExportTargetOptions } from "./export_target.ts";
 *
 * const options: ExportTargetOptions = { dataset: true, field: "--out" };
 * ```
 */
export interface ExportTargetOptions {
  /**
   * Whether the target is a dataset directory (Hive-partitioned Parquet) rather than one file.
   * @default false
   */
  dataset?: boolean;
  /**
   * The option name reported in errors.
   * @default "path"
   */
  field?: string;
}

/**
 * Checks an export target, so a bad path fails before any request is sent.
 *
 * @param path The file or dataset directory.
 * @param options Whether it is a dataset directory, and the field name for errors.
 * @returns The absolute path.
 * @throws {ValidationError} For an empty path, a missing parent directory, a file path that is a
 * directory, or a dataset directory that is a file or not empty.
 *
 * @example Check a file target
 * ```ts
 * import { checkExportTarget } from "./export_target.ts";
 *
 * const dir = await Deno.makeTempDir();
 * await checkExportTarget(`${dir}/runs.csv`, { field: "--out" });
 * await checkExportTarget(`${dir}/missing/runs.csv`).catch((e) => console.log(e.message));
 * ```
 */
export async function checkExportTarget(
  path: string,
  options: ExportTargetOptions = {},
): Promise<string> {
  const field = options.field ?? "path";
  return options.dataset
    ? await checkOutputDirectory(path, field)
    : await checkOutputPath(path, field);
}
