/**
 * One metric key of a run, as `Key.metric()` and `Column.metric()` return it (wire reference
 * §4.10, §4.11).
 *
 * @example A scalar key and a media key
 * ```ts ignore
 * import { fetchSingleMetric } from "./single_metric.ts";
 *
 * const loss = await fetchSingleMetric(transport, ref, "train/loss", "SCALAR", { sample: 200 });
 * const image = await fetchSingleMetric(transport, ref, "samples/image", "MEDIA", { mediaStep: 10 });
 * ```
 *
 * @module
 */

import { ValidationError } from "../core/errors.ts";
import type { RequestOptions } from "../core/request_options.ts";
import type { Transport } from "../core/transport.ts";
import { fetchMedias, type MediaStepJson } from "./medias.ts";
import type { RunRef } from "./run_ref.ts";
import {
  fetchSampledSeries,
  fetchValueStats,
  type FullPointJson,
  type SampledPointJson,
  withoutTimestamps,
} from "./scalar_metrics.ts";
import { resolveSample } from "./sample_size.ts";
import { scanMetricRows } from "./scan_metrics.ts";
import { PointCollector } from "./_full_points.ts";
import { type ScalarStatsJson, STAT_FIELDS } from "./stats.ts";

/**
 * What to read of one key.
 *
 * @example The media of step 10
 * ```ts
 * import type { SingleMetricQuery } from "./single_metric.ts";
 *
 * const query: SingleMetricQuery = { mediaStep: 10 };
 * ```
 */
export interface SingleMetricQuery {
  /**
   * SCALAR: points of the sampled series, an integer ≥ 1 (above 1500 clamped with a warning).
   * @default 1500
   */
  sample?: number;
  /**
   * SCALAR: remove `timestamp` from every point (statistics keep theirs).
   * @default false
   */
  ignoreTimestamp?: boolean;
  /**
   * MEDIA: the step to read; `null` lets the server choose (normally the latest step).
   * @default null
   */
  mediaStep?: number | null;
  /**
   * MEDIA: every step (`POST /house/metrics/f_media`). SCALAR: the full-resolution series from
   * the CSV export (the SDK ignores `all` for SCALAR).
   * @default false
   */
  all?: boolean;
  /**
   * Receives warnings (a clamped `sample`).
   * @default console.warn
   */
  onWarning?: (message: string) => void;
}

/**
 * A scalar key's JSON: its points and, when it has points, its statistics.
 *
 * @example
 * ```ts
 * import type { SingleScalarMetricJson } from "./single_metric.ts";
 *
 * const json: SingleScalarMetricJson = {
 *   key: "loss", metric_type: "SCALAR", metrics: [{ index: 1, data: 0.5 }],
 *   project_id: "cproj1", run_id: "crun1", min: { index: 1, data: 0.5, timestamp: 1722470401000 },
 * };
 * ```
 */
export interface SingleScalarMetricJson extends ScalarStatsJson {
  /** The metric key. */
  key: string;
  /** Always `"SCALAR"`. */
  metric_type: "SCALAR";
  /** Sampled points (`{index, data, timestamp}`), or full-resolution ones with `all`. */
  metrics: SampledPointJson[] | FullPointJson[];
  /** The project cuid. */
  project_id: string;
  /** The run cuid. */
  run_id: string;
}

/**
 * A media key's JSON: one step (with `step` and `steps`) or every step.
 *
 * @example
 * ```ts
 * import type { SingleMediaMetricJson } from "./single_metric.ts";
 *
 * const json: SingleMediaMetricJson = {
 *   key: "img", metric_type: "MEDIA", metrics: [{ index: 5, items: [] }],
 *   project_id: "cproj1", run_id: "crun1", step: 5, steps: [0, 5],
 * };
 * ```
 */
export interface SingleMediaMetricJson {
  /** The metric key. */
  key: string;
  /** Always `"MEDIA"`. */
  metric_type: "MEDIA";
  /** The media per step. */
  metrics: MediaStepJson[];
  /** The project cuid. */
  project_id: string;
  /** The run cuid. */
  run_id: string;
  /** Single-step mode: the step returned (`null` when none). */
  step?: number | null;
  /** Single-step mode: every step that has media. */
  steps?: number[];
}

/**
 * The JSON of one metric key.
 *
 * @example
 * ```ts
 * import type { SingleMetricJson } from "./single_metric.ts";
 *
 * function describe(json: SingleMetricJson): string {
 *   return json.metric_type === "MEDIA" ? `${json.metrics.length} steps` : `${json.metrics.length} points`;
 * }
 * ```
 */
export type SingleMetricJson = SingleScalarMetricJson | SingleMediaMetricJson;

/**
 * Reads one metric key of a run, as the Python SDK's `Key.metric()` / `Column.metric()` JSON.
 *
 * - SCALAR: `POST /house/metrics/scalar` (one key, `num` = `sample`); only when points came back,
 *   the two `POST /house/metrics/scalar/value` statistics requests (concurrently). Output
 *   `{key, metric_type, metrics, project_id, run_id, min?, max?, avg?, median?, latest?}`.
 * - SCALAR with `all`: the full-resolution series from the CSV export (points
 *   `{step, value, timestamp?}`), then the statistics when it has points.
 * - MEDIA: `POST /house/metrics/media` (`step` omitted when `mediaStep` is `null`), output
 *   `{key, metric_type, metrics: [{index, items}], project_id, run_id, step, steps}`; with `all`,
 *   `POST /house/metrics/f_media` and `{key, metric_type, metrics: [{index, items}, …], project_id, run_id}`.
 *   URLs are presigned in one call, as in {@linkcode fetchMedias}.
 *
 * Deliberate differences from the SDK: failures throw typed errors instead of returning empty
 * metrics; `all` is honoured for SCALAR; with `all` for MEDIA the series of the requested key is
 * used (the SDK takes the first series of the answer whatever its key).
 *
 * @param transport The client's transport.
 * @param ref The run.
 * @param key The metric key (non-blank).
 * @param metricType `"SCALAR"` or `"MEDIA"`.
 * @param query Sample, step, mode and timestamp handling.
 * @param options Per-call signal, timeout and retries.
 * @returns The single-metric JSON.
 * @throws {ValidationError} For an invalid key, type or query (before any request).
 * @throws {ResponseError} For a malformed answer.
 * @throws {ApiError} (or a subclass) and {@linkcode ConnectionError} for failed requests.
 *
 * @example A sampled scalar key
 * ```ts ignore
 * import { fetchSingleMetric } from "./single_metric.ts";
 *
 * const json = await fetchSingleMetric(transport, ref, "train/loss", "SCALAR", { sample: 100 });
 * console.log(json.metrics.length, json.latest);
 * ```
 */
export async function fetchSingleMetric(
  transport: Transport,
  ref: RunRef,
  key: string,
  metricType: "SCALAR",
  query?: SingleMetricQuery,
  options?: RequestOptions,
): Promise<SingleScalarMetricJson>;
/**
 * Reads one media key of a run; see the SCALAR overload for the details.
 *
 * @param transport The client's transport.
 * @param ref The run.
 * @param key The media key (non-blank).
 * @param metricType `"MEDIA"`.
 * @param query The step (`mediaStep`) or `all`.
 * @param options Per-call signal, timeout and retries.
 * @returns `{key, metric_type, metrics, project_id, run_id, step?, steps?}`.
 *
 * @example Every step of a media key
 * ```ts ignore
 * import { fetchSingleMetric } from "./single_metric.ts";
 *
 * const json = await fetchSingleMetric(transport, ref, "samples/image", "MEDIA", { all: true });
 * for (const step of json.metrics) console.log(step.index, step.items.length);
 * ```
 */
export async function fetchSingleMetric(
  transport: Transport,
  ref: RunRef,
  key: string,
  metricType: "MEDIA",
  query?: SingleMetricQuery,
  options?: RequestOptions,
): Promise<SingleMediaMetricJson>;
/**
 * Reads one metric key of a run whose type is known only at run time; see the SCALAR overload.
 *
 * @param transport The client's transport.
 * @param ref The run.
 * @param key The metric key (non-blank).
 * @param metricType `"SCALAR"` or `"MEDIA"`.
 * @param query Sample, step, mode and timestamp handling.
 * @param options Per-call signal, timeout and retries.
 * @returns The single-metric JSON.
 *
 * @example A key of either type
 * ```ts ignore
 * import { fetchSingleMetric } from "./single_metric.ts";
 *
 * const type: "SCALAR" | "MEDIA" = key.startsWith("samples/") ? "MEDIA" : "SCALAR";
 * const json = await fetchSingleMetric(transport, ref, key, type);
 * ```
 */
export async function fetchSingleMetric(
  transport: Transport,
  ref: RunRef,
  key: string,
  metricType: "SCALAR" | "MEDIA",
  query?: SingleMetricQuery,
  options?: RequestOptions,
): Promise<SingleMetricJson>;
export async function fetchSingleMetric(
  transport: Transport,
  ref: RunRef,
  key: string,
  metricType: "SCALAR" | "MEDIA",
  query: SingleMetricQuery = {},
  options: RequestOptions = {},
): Promise<SingleMetricJson> {
  if (typeof key !== "string" || key.trim() === "") {
    throw new ValidationError("key", "Cannot parse key: expected a non-blank string");
  }
  if (metricType !== "SCALAR" && metricType !== "MEDIA") {
    throw new ValidationError(
      "metricType",
      `Cannot parse metricType ${JSON.stringify(metricType)}: expected "SCALAR" or "MEDIA"`,
    );
  }
  if (typeof query !== "object" || query === null || Array.isArray(query)) {
    throw new ValidationError("query", "Cannot parse query: expected an object");
  }
  for (const flag of ["all", "ignoreTimestamp"] as const) {
    if (query[flag] !== undefined && typeof query[flag] !== "boolean") {
      throw new ValidationError(flag, `Cannot parse ${flag}: expected a boolean`);
    }
  }
  const all = query.all === true;

  if (metricType === "MEDIA") {
    const step = query.mediaStep ?? null;
    const json = await fetchMedias(transport, ref, [key], all ? { all } : { step }, options);
    const series = json.list[0];
    const base: SingleMediaMetricJson = {
      key,
      metric_type: "MEDIA",
      metrics: series?.metrics ?? [],
      project_id: ref.projectId,
      run_id: ref.runId,
    };
    if (!all) {
      base.step = series?.step ?? null;
      base.steps = series?.steps ?? [];
    }
    return base;
  }

  const num = resolveSample(query.sample, query.onWarning);
  const ignoreTimestamp = query.ignoreTimestamp === true;
  let metrics: SampledPointJson[] | FullPointJson[];
  if (all) {
    const collector = new PointCollector([key], ignoreTimestamp);
    await scanMetricRows(transport, ref, [key], { all: true }, options, collector);
    metrics = collector.take(key);
  } else {
    const series = await fetchSampledSeries(transport, ref, [key], num, options);
    const points = series.get(key) ?? [];
    metrics = ignoreTimestamp ? withoutTimestamps(points) : points;
  }
  const json: SingleScalarMetricJson = {
    key,
    metric_type: "SCALAR",
    metrics,
    project_id: ref.projectId,
    run_id: ref.runId,
  };
  if (metrics.length > 0) {
    const stats = (await fetchValueStats(transport, ref, [key], num, options)).get(key);
    for (const field of STAT_FIELDS) {
      const stat = stats?.[field];
      if (stat !== undefined && Object.keys(stat).length > 0) json[field] = stat;
    }
  }
  return json;
}
