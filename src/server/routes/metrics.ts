/**
 * Scalar metrics from the metric store: keys, availability, LTTB-downsampled series,
 * statistics, CSV export jobs and summaries.
 *
 * @module
 */

import type { CsvColumn } from "../csv_export.ts";
import { HttpError, json } from "../http.ts";
import { lttbIndices } from "../lttb.ts";
import type { KeySeries, RunMetrics } from "../metric_source.ts";
import type { Route } from "../route.ts";
import { jsonValue, seriesStats } from "../series_stats.ts";
import { houseRun, type Schemas, visibleProjectByCuid } from "./_common.ts";
import { availabilityResponse, keysResponse } from "./_keys.ts";

type Point = Schemas["ScalarPoint"];
const lttbCache = new WeakMap<KeySeries, Map<string, Point[]>>();

/** First point index whose x (step or timestamp) is >= `x`. */
function lowerIndex(s: KeySeries, x: (step: number) => number, bound: number): number {
  let lo = 0;
  let hi = s.count;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (x(s.stepAt(mid)) < bound) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function sampled(
  s: KeySeries,
  m: RunMetrics,
  xType: "step" | "timestamp",
  range: [number, number],
  num: number,
): Point[] {
  const cacheKey = `${xType}:${range[0]}:${range[1]}:${num}`;
  let perSeries = lttbCache.get(s);
  const hit = perSeries?.get(cacheKey);
  if (hit) return hit;
  const ts = s.timestamp ?? m.timestamp;
  const x = xType === "step" ? (step: number): number => step : ts;
  let i0 = 0;
  let i1 = s.count; // exclusive
  if (range[0] !== 0 || range[1] !== 0) {
    i0 = lowerIndex(s, x, range[0]);
    i1 = range[1] > 0 ? lowerIndex(s, x, range[1] + 1) : s.count;
  }
  const count = Math.max(0, i1 - i0);
  const indices = lttbIndices({
    count,
    x: (j) => x(s.stepAt(i0 + j)),
    y: (j) => s.value(s.stepAt(i0 + j)),
  }, num);
  const points = indices.map((j): Point => {
    const step = s.stepAt(i0 + j);
    return { index: x(step), data: jsonValue(s.value(step)), timestamp: ts(step) };
  });
  if (!perSeries) {
    perSeries = new Map();
    lttbCache.set(s, perSeries);
  }
  if (perSeries.size > 16) perSeries.clear();
  perSeries.set(cacheKey, points);
  return points;
}

/**
 * Routes of the scalar metrics group.
 *
 * @example List the routes
 * ```ts
 * import { metricRoutes } from "./metrics.ts";
 * const paths = metricRoutes.map((r) => `${r.method} ${r.path}`);
 * ```
 */
export const metricRoutes: readonly Route[] = [
  {
    method: "POST",
    path: "/house/metrics/scalar/keys",
    operationId: "listScalarKeys",
    auth: true,
    handler: (ctx): Response => keysResponse(ctx, (run) => run.metrics.keys),
  },
  {
    method: "POST",
    path: "/house/metrics/scalar/availability",
    operationId: "getScalarAvailability",
    auth: true,
    handler: (ctx): Response =>
      availabilityResponse(ctx, (run, key) => run.metrics.series(key) !== undefined),
  },
  {
    method: "POST",
    path: "/house/metrics/scalar",
    operationId: "getScalarMetrics",
    auth: true,
    handler: (ctx): Response => {
      const body = ctx.body as Schemas["ScalarMetricsRequest"];
      if (body.num < 1) throw new HttpError(400, `Invalid request body field "num": must be >= 1`);
      visibleProjectByCuid(ctx, body.projectId);
      const out: Schemas["ScalarMetricsResponse"] = body.columns.map((col) => {
        const run = houseRun(ctx, col, body.projectId);
        const s = run.metrics.series(col.key);
        return {
          key: col.key,
          experimentId: col.experimentId,
          metrics: s ? sampled(s, run.metrics, body.xType, body.range, body.num) : [],
        };
      });
      return json(out);
    },
  },
  {
    method: "POST",
    path: "/house/metrics/scalar/value",
    operationId: "getScalarStats",
    auth: true,
    handler: (ctx): Response => {
      const body = ctx.body as Schemas["ScalarMetricsRequest"];
      visibleProjectByCuid(ctx, body.projectId);
      const out: Schemas["ScalarStatsResponse"] = body.columns.map((col) => {
        const run = houseRun(ctx, col, body.projectId);
        const s = run.metrics.series(col.key);
        if (!s || s.count === 0) return { key: col.key };
        const st = seriesStats(s);
        const ts = s.timestamp ?? run.metrics.timestamp;
        const x = (step: number): number => body.xType === "timestamp" ? ts(step) : step;
        const item: Schemas["ScalarStats"] = {
          key: col.key,
          latest: { index: x(st.latestStep), data: jsonValue(st.latest) },
        };
        if (st.finite > 0) {
          item.min = { index: x(st.minStep), data: jsonValue(st.min) };
          item.max = { index: x(st.maxStep), data: jsonValue(st.max) };
          item.avg = { data: jsonValue(st.avg) };
          item.median = { data: jsonValue(st.median) };
        }
        return item;
      });
      return json(out);
    },
  },
  {
    method: "POST",
    path: "/house/metrics/scalar/export",
    operationId: "exportScalarCsv",
    auth: true,
    handler: (ctx): Response => {
      const body = ctx.body as Schemas["ScalarExportRequest"];
      visibleProjectByCuid(ctx, body.projectId);
      const columns: CsvColumn[] = body.columns.map((col) => {
        const run = houseRun(ctx, col, body.projectId);
        const series = run.metrics.series(col.key);
        return {
          header: `${col.experimentName ?? col.experimentId}-${col.key}`,
          series,
          timestamp: series?.timestamp ?? run.metrics.timestamp,
        };
      });
      // Identical requests export identical bytes (the data never changes): the storage origin
      // may serve a repeat from memory when its export cache is on.
      const fingerprint = JSON.stringify([
        body.projectId,
        body.columns.map((
          c,
        ) => [
          c.experimentId,
          c.key,
          c.experimentName ?? null,
          c.rootProId ?? null,
          c.rootExpId ?? null,
        ]),
      ]);
      const out: Schemas["CosKeyResponse"] = {
        cosKey: ctx.store.addExport({ kind: "csv", columns, fingerprint }, "csv"),
      };
      return json(out);
    },
  },
  {
    method: "POST",
    path: "/house/metrics/summaries",
    operationId: "getSummaries",
    auth: true,
    handler: (ctx): Response => {
      const body = ctx.body as Schemas["SummariesRequest"];
      const out: Schemas["SummariesResponse"] = {};
      for (const ref of body.experiments) {
        let run;
        try {
          run = houseRun(ctx, ref);
        } catch (err) {
          if (err instanceof HttpError && err.status === 404) {
            out[ref.experimentId] = null;
            continue;
          }
          throw err;
        }
        const keys = body.keys ?? run.metrics.keys;
        const perKey: Record<string, Schemas["SummaryItem"]> = {};
        for (const key of keys) {
          const s = run.metrics.series(key);
          if (!s || s.count === 0) continue;
          const st = seriesStats(s);
          const item: Schemas["SummaryItem"] = { step: st.latestStep, value: jsonValue(st.latest) };
          if (st.finite > 0) {
            item.minMax = [jsonValue(st.min), jsonValue(st.max)];
            item.min = { step: st.minStep, value: jsonValue(st.min) };
            item.max = { step: st.maxStep, value: jsonValue(st.max) };
            item.avg = jsonValue(st.avg);
            item.median = jsonValue(st.median);
            item.stdDev = jsonValue(st.stdDev);
          }
          perKey[key] = item;
        }
        out[ref.experimentId] = perKey;
      }
      return json(out);
    },
  },
];
