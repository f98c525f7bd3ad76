/**
 * Statistics of a computed scalar series (min, max, average, median, standard deviation,
 * latest), cached per series.
 *
 * @module
 */

import type { KeySeries } from "./metric_source.ts";

/**
 * Statistics of one series. Min, max, average, median and standard deviation ignore non-finite
 * values; `latest` is the last point whatever its value.
 *
 * @example Read the minimum
 * ```ts ignore
 * const s = seriesStats(series);
 * console.log(s.minStep, s.min);
 * ```
 */
export interface SeriesStats {
  /** Number of points. */
  count: number;
  /** Number of finite points. */
  finite: number;
  /** Minimum (NaN when no finite point). */
  min: number;
  /** Step of the minimum (-1 when none). */
  minStep: number;
  /** Maximum. */
  max: number;
  /** Step of the maximum. */
  maxStep: number;
  /** Mean. */
  avg: number;
  /** Median (exact up to 2·10^6 points, else over an even sample of 10^6 points). */
  median: number;
  /** Population standard deviation. */
  stdDev: number;
  /** Step of the last point (-1 when empty). */
  latestStep: number;
  /** Value of the last point. */
  latest: number;
}

const EXACT_MEDIAN_LIMIT = 2_000_000;
const SAMPLE = 1_000_000;
const cache = new WeakMap<KeySeries, SeriesStats>();

/**
 * Computes (once) the statistics of `series`.
 *
 * @param series the series
 * @returns its statistics
 *
 * @example Stats of a run's loss
 * ```ts
 * import { createRunMetrics } from "./metric_source.ts";
 * import { seriesStats } from "./series_stats.ts";
 * const m = createRunMetrics({ seed: 1, runSeed: 1, steps: 100, startMs: 0, lr: 0.1, extraKeys: 0 });
 * seriesStats(m.series("train/loss")!).min;
 * ```
 */
export function seriesStats(series: KeySeries): SeriesStats {
  const cached = cache.get(series);
  if (cached) return cached;
  const n = series.count;
  let min = Infinity;
  let max = -Infinity;
  let minStep = -1;
  let maxStep = -1;
  let sum = 0;
  let finite = 0;
  for (let i = 0; i < n; i++) {
    const s = series.stepAt(i);
    const v = series.value(s);
    if (v !== v || v === Infinity || v === -Infinity) continue;
    finite++;
    sum += v;
    if (v < min) {
      min = v;
      minStep = s;
    }
    if (v > max) {
      max = v;
      maxStep = s;
    }
  }
  const avg = finite > 0 ? sum / finite : NaN;
  let sq = 0;
  const exact = n <= EXACT_MEDIAN_LIMIT;
  const stride = exact ? 1 : n / SAMPLE;
  const sample = new Float64Array(exact ? finite : SAMPLE);
  let m = 0;
  for (let i = 0; i < n; i++) {
    const v = series.value(series.stepAt(i));
    if (v !== v || v === Infinity || v === -Infinity) continue;
    const d = v - avg;
    sq += d * d;
  }
  const limit = exact ? n : SAMPLE;
  for (let j = 0; j < limit; j++) {
    const i = exact ? j : Math.floor(j * stride);
    const v = series.value(series.stepAt(i));
    if (v !== v || v === Infinity || v === -Infinity) continue;
    sample[m++] = v;
  }
  const sorted = sample.subarray(0, m).sort();
  const median = m === 0
    ? NaN
    : m % 2 === 1
    ? sorted[(m - 1) / 2]!
    : (sorted[m / 2 - 1]! + sorted[m / 2]!) / 2;
  const latestStep = n > 0 ? series.stepAt(n - 1) : -1;
  const stats: SeriesStats = {
    count: n,
    finite,
    min: finite ? min : NaN,
    minStep,
    max: finite ? max : NaN,
    maxStep,
    avg,
    median,
    stdDev: finite ? Math.sqrt(sq / finite) : NaN,
    latestStep,
    latest: n > 0 ? series.value(latestStep) : NaN,
  };
  cache.set(series, stats);
  return stats;
}

/**
 * JSON form of a value: numbers as is, non-finite values as `"NaN"`, `"INF"`, `"-INF"`.
 *
 * @example Encode
 * ```ts
 * import { jsonValue } from "./series_stats.ts";
 * jsonValue(Infinity); // "INF"
 * ```
 */
export function jsonValue(v: number): number | "NaN" | "INF" | "-INF" {
  if (v !== v) return "NaN";
  if (v === Infinity) return "INF";
  if (v === -Infinity) return "-INF";
  return v;
}
