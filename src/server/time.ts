/**
 * Time formatting helpers shared by the server modules.
 *
 * @module
 */

/**
 * Formats epoch milliseconds as `YYYY-MM-DDTHH:MM:SS.mmmZ` (always with milliseconds).
 *
 * @example Format a login expiry
 * ```ts
 * import { isoMs } from "./time.ts";
 * isoMs(0); // "1970-01-01T00:00:00.000Z"
 * ```
 */
export function isoMs(ms: number): string {
  return new Date(ms).toISOString();
}

/**
 * Converts epoch milliseconds to whole epoch seconds (10 digits for current dates).
 *
 * @example Seconds of a run's creation time
 * ```ts
 * import { toSeconds } from "./time.ts";
 * toSeconds(Date.parse("2024-08-01T00:00:00.000Z")); // 1722470400
 * ```
 */
export function toSeconds(ms: number): number {
  return Math.floor(ms / 1000);
}

/**
 * Resolves after `ms` milliseconds (immediately for `ms <= 0`).
 *
 * @example Inject latency
 * ```ts
 * import { sleep } from "./time.ts";
 * await sleep(5);
 * ```
 */
export function sleep(ms: number): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve) => setTimeout(resolve, ms));
}
