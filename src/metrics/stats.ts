/**
 * The statistics of scalar series: merging the two `/house/metrics/scalar/value` answers (one with
 * `xType: "step"`, one with `xType: "timestamp"`) into one object per key, as the SDK's
 * `_merge_value_stats` does (wire reference §4.6.3).
 *
 * @example Merge the step and timestamp answers
 * ```ts
 * import { mergeValueStats } from "./stats.ts";
 *
 * const merged = mergeValueStats(
 *   [{ key: "loss", min: { index: 1, data: 0.5 }, avg: { data: 0.7 } }],
 *   [{ key: "loss", min: { index: 1722470401000, data: 0.5 }, avg: { data: 0.7 } }],
 * );
 * console.log(merged.get("loss"));
 * // { min: { index: 1, data: 0.5, timestamp: 1722470401000 }, avg: { data: 0.7 } }
 * ```
 *
 * @module
 */

/**
 * One statistic of a series: the point's step (`index`), its value (`data`, a number or one of
 * the strings `"NaN"`, `"INF"`, `"-INF"` as the server sent it) and, after merging, the point's
 * timestamp in milliseconds. Computed values (`avg`, `median`) have no `index`.
 *
 * @example
 * ```ts
 * import type { ScalarStatJson } from "./stats.ts";
 *
 * const min: ScalarStatJson = { index: 1, data: 0.5, timestamp: 1722470401000 };
 * ```
 */
export interface ScalarStatJson {
  /** The step of the point (or its timestamp, in a timestamp-only answer). */
  index?: number;
  /** The value. */
  data?: number | string;
  /** The point's timestamp in milliseconds, from the `xType: "timestamp"` answer. */
  timestamp?: number;
  /** Any further field the server sent, passed through. */
  [field: string]: unknown;
}

/**
 * The names of the statistics, in output order.
 *
 * @example
 * ```ts
 * import { STAT_FIELDS } from "./stats.ts";
 *
 * console.log(STAT_FIELDS.join(",")); // "min,max,avg,median,latest"
 * ```
 */
export const STAT_FIELDS = ["min", "max", "avg", "median", "latest"] as const;

/**
 * The merged statistics of one key; a statistic is absent when neither answer had it (or it was
 * empty).
 *
 * @example
 * ```ts
 * import type { ScalarStatsJson } from "./stats.ts";
 *
 * const stats: ScalarStatsJson = { min: { index: 1, data: 0.5, timestamp: 1722470401000 }, avg: { data: 0.7 } };
 * ```
 */
export interface ScalarStatsJson {
  /** The minimum. */
  min?: ScalarStatJson;
  /** The maximum. */
  max?: ScalarStatJson;
  /** The average (no `index`). */
  avg?: ScalarStatJson;
  /** The median (no `index`). */
  median?: ScalarStatJson;
  /** The latest point. */
  latest?: ScalarStatJson;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Copies an object's own enumerable fields (`__proto__` included, as a plain field). */
function copy(value: Record<string, unknown>): ScalarStatJson {
  return Object.fromEntries(Object.entries(value)) as ScalarStatJson;
}

/** Entries with a non-empty string `key`, by key; a later duplicate wins, as in the SDK. */
function byKey(entries: readonly unknown[]): Map<string, Record<string, unknown>> {
  const map = new Map<string, Record<string, unknown>>();
  for (const entry of entries) {
    if (!isRecord(entry)) continue;
    const key = entry["key"];
    if (typeof key === "string" && key !== "") map.set(key, entry);
  }
  return map;
}

/**
 * Merges the statistics answers of `/house/metrics/scalar/value` per key and field (wire
 * reference §4.6.3):
 *
 * - if the step answer's field is an object, it is copied, and when the timestamp answer's field
 *   is an object with a non-null `index`, that index is added as `timestamp`;
 * - else if only the timestamp answer's field is an object, it is copied as is;
 * - fields that end up empty (`{}`) or missing are left out.
 *
 * Entries are matched by their `key` (order and omissions tolerated; entries without a string
 * `key` are ignored). Keys present in neither answer are absent from the result. Pure: the inputs
 * are not changed.
 *
 * @param stepStats The answer of the `xType: "step"` request (an array of `{key, min, …}`).
 * @param timestampStats The answer of the `xType: "timestamp"` request.
 * @returns The merged statistics, by key.
 *
 * @example A statistic only the timestamp answer has is copied as is
 * ```ts
 * import { mergeValueStats } from "./stats.ts";
 *
 * const merged = mergeValueStats([], [{ key: "acc", latest: { index: 1722470402000, data: 0.9 } }]);
 * console.log(merged.get("acc")); // { latest: { index: 1722470402000, data: 0.9 } }
 * ```
 */
export function mergeValueStats(
  stepStats: readonly unknown[],
  timestampStats: readonly unknown[],
): Map<string, ScalarStatsJson> {
  const steps = byKey(stepStats);
  const times = byKey(timestampStats);
  const merged = new Map<string, ScalarStatsJson>();
  for (const key of new Set([...steps.keys(), ...times.keys()])) {
    const stepEntry = steps.get(key);
    const timeEntry = times.get(key);
    const stats: ScalarStatsJson = {};
    for (const field of STAT_FIELDS) {
      const stepValue = stepEntry?.[field];
      const timeValue = timeEntry?.[field];
      let stat: ScalarStatJson | undefined;
      if (isRecord(stepValue)) {
        stat = copy(stepValue);
        const index = isRecord(timeValue) ? timeValue["index"] : undefined;
        if (index !== undefined && index !== null) stat.timestamp = index as number;
      } else if (isRecord(timeValue)) {
        stat = copy(timeValue);
      }
      if (stat !== undefined && Object.keys(stat).length > 0) stats[field] = stat;
    }
    merged.set(key, stats);
  }
  return merged;
}
