/**
 * Options of {@link startServer}.
 *
 * @module
 */

import type { FaultOptions } from "./faults.ts";

/**
 * Options of `startServer`. Every size is deterministic for a given `seed`.
 *
 * @example A small, fast data set with short sessions
 * ```ts
 * import type { ServerOptions } from "./server_options.ts";
 * const options: ServerOptions = { runs: 4, steps: 200, sessionTtlMs: 60_000 };
 * ```
 */
export interface ServerOptions {
  /**
   * Serve this mirror directory (written by `swanlab-ts mirror`, see `docs/MIRROR_FORMAT.md`)
   * read-only instead of the seeded data set. The sizes and `seed` are then ignored, the
   * printed key logs in as the mirrored user, and `dataset` is not available.
   */
  data?: string;
  /**
   * API port (0 = ephemeral).
   * @default 0
   */
  port?: number;
  /**
   * Port of the storage origin (0 = ephemeral).
   * @default 0
   */
  storagePort?: number;
  /**
   * Interface to bind both listeners to.
   * @default "127.0.0.1"
   */
  hostname?: string;
  /**
   * Data set seed: the same seed gives the same ids, values and bytes.
   * @default 42
   */
  seed?: number;
  /**
   * Number of runs in `vision-lab/resnet-sweep` (≥ 1).
   * @default 24
   */
  runs?: number;
  /**
   * Steps per run (points are computed, never stored, so 10^7 is fine).
   * @default 1000
   */
  steps?: number;
  /**
   * Additional scalar keys per run (`extra/metric_000` …).
   * @default 0
   */
  extraKeys?: number;
  /**
   * Console log lines per run.
   * @default 2500
   */
  logLines?: number;
  /**
   * Session lifetime in milliseconds (sessions expire server-side too, then calls get 401).
   * @default 2_592_000_000 (30 days)
   */
  sessionTtlMs?: number;
  /**
   * Lifetime of presigned storage URLs in milliseconds.
   * @default 3_600_000 (1 hour)
   */
  presignTtlMs?: number;
  /**
   * Keep the bytes of recent CSV exports in memory, up to this many bytes in all, and serve a
   * repeated identical export from memory. Off by default, so that a run's points are never held
   * in memory; benchmarks turn it on so that they measure the client, not CSV generation.
   * @default 0 (off)
   */
  exportCacheBytes?: number;
  /**
   * Faults to inject from the start (change later with `setFaults`).
   * @default {} (none)
   */
  faults?: FaultOptions;
  /**
   * Largest request body the API accepts, in bytes; a larger one is answered 413 (code `"413"`)
   * without being kept in memory, as a real server's proxy does.
   * @default 1_048_576 (1 MiB)
   */
  maxBodyBytes?: number;
  /**
   * Maximum number of recorded requests kept (oldest dropped first).
   * @default 20_000
   */
  maxRecordedRequests?: number;
}
