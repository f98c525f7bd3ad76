/**
 * Largest-Triangle-Three-Buckets downsampling over an indexed point source.
 *
 * Points are read through accessors, so a series of 10^7 computed points is downsampled in
 * O(n) time without being materialized.
 *
 * @module
 */

/**
 * Read access to `count` points `(x(i), y(i))` ordered by `x`.
 *
 * @example A source over an array
 * ```ts
 * import type { LttbSource } from "./lttb.ts";
 * const ys = [3, 1, 4, 1, 5];
 * const src: LttbSource = { count: ys.length, x: (i) => i, y: (i) => ys[i]! };
 * ```
 */
export interface LttbSource {
  /** Number of points. */
  readonly count: number;
  /** X value of point `i`. */
  x(i: number): number;
  /** Y value of point `i` (non-finite values are never chosen as bucket representatives). */
  y(i: number): number;
}

/**
 * Returns the indices of the points kept by LTTB, ascending.
 *
 * The first and last points are always kept; at most `threshold` indices are returned; when
 * `count <= threshold` every index is returned. Non-finite y values are skipped inside buckets
 * (a bucket with no finite value keeps its first point).
 *
 * @param source the points
 * @param threshold maximum number of points to keep (≥ 1)
 * @returns ascending point indices
 *
 * @example Downsample 10 000 points to 100
 * ```ts
 * import { lttbIndices } from "./lttb.ts";
 * const idx = lttbIndices({ count: 10_000, x: (i) => i, y: (i) => Math.sin(i / 100) }, 100);
 * idx.length; // 100
 * ```
 */
export function lttbIndices(source: LttbSource, threshold: number): number[] {
  const n = source.count;
  if (n <= 0) return [];
  if (threshold >= n) return Array.from({ length: n }, (_, i) => i);
  if (threshold <= 1) return [0];
  if (threshold === 2) return [0, n - 1];
  const { x, y } = source;
  const out: number[] = [0];
  const every = (n - 2) / (threshold - 2);
  let a = 0;
  for (let b = 0; b < threshold - 2; b++) {
    // Average of the next bucket (the last point for the final bucket).
    let avgX = 0;
    let avgY = 0;
    let m = 0;
    const nextStart = Math.floor((b + 1) * every) + 1;
    const nextEnd = Math.min(Math.floor((b + 2) * every) + 1, n);
    for (let j = nextStart; j < nextEnd; j++) {
      const yj = y(j);
      if (!Number.isFinite(yj)) continue;
      avgX += x(j);
      avgY += yj;
      m++;
    }
    if (m === 0) {
      avgX = x(n - 1);
      avgY = finiteOr(y(n - 1), 0);
    } else {
      avgX /= m;
      avgY /= m;
    }
    const start = Math.floor(b * every) + 1;
    const end = Math.min(Math.floor((b + 1) * every) + 1, n - 1);
    const ax = x(a);
    const ay = finiteOr(y(a), avgY);
    let best = start;
    let bestArea = -1;
    for (let j = start; j < end; j++) {
      const yj = y(j);
      if (!Number.isFinite(yj)) continue;
      const area = Math.abs((ax - avgX) * (yj - ay) - (ax - x(j)) * (avgY - ay));
      if (area > bestArea) {
        bestArea = area;
        best = j;
      }
    }
    out.push(best);
    a = best;
  }
  out.push(n - 1);
  return out;
}

function finiteOr(v: number, fallback: number): number {
  return Number.isFinite(v) ? v : fallback;
}
