/**
 * What a writer reports when it has committed its output.
 *
 * @module
 */

/**
 * Counts of a finished export.
 *
 * @example
 * ```ts
 * import type { ExportStats } from "./export_stats.ts";
 *
 * const stats: ExportStats = { rows: 1000, bytes: 18_432, files: 1 };
 * ```
 */
export interface ExportStats {
  /** Rows written. */
  rows: number;
  /** Bytes written (all files). */
  bytes: number;
  /** Files written (1 for a single file; one per part for a dataset directory). */
  files: number;
}
