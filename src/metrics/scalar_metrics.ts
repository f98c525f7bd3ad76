/**
 * Scalar metrics of one run, as `run.metrics()` returns them: sampled series from the server,
 * or full-resolution series from the CSV export, with their statistics (wire reference §4.6).
 *
 * @example Sampled and full series
 * ```ts ignore
 * import { fetchScalarMetrics } from "./scalar_metrics.ts";
 *
 * const sampled = await fetchScalarMetrics(transport, ref, ["train/loss"], { sample: 500 });
 * const full = await fetchScalarMetrics(transport, ref, ["train/loss"], { all: true });
 * ```
 *
 * @module
 */

import { ResponseError, ValidationError } from "../core/errors.ts";
import { settleAll } from "../core/settle_all.ts";
import { checkRequestOptions } from "../core/option_checks.ts";
import type { RequestOptions } from "../core/request_options.ts";
import type { Transport } from "../core/transport.ts";
import { chunkKeys, type ColumnRef, columnRef, validateMetricKeys } from "./metric_keys.ts";
import { normalizeRangeQuery, type RangeQuery } from "./range_query.ts";
import type { RunRef } from "./run_ref.ts";
import { PointCollector } from "./_full_points.ts";
import { scanMetricRows } from "./scan_metrics.ts";
import { mergeValueStats, type ScalarStatsJson, STAT_FIELDS } from "./stats.ts";
import { defaultWarning, resolveSample } from "./sample_size.ts";

/**
 * A point of a sampled series, passed through as the server sent it: `index` is the step,
 * `data` the value (a number, or `"NaN"`, `"INF"`, `"-INF"`), `timestamp` Unix milliseconds.
 *
 * @example
 * ```ts
 * import type { SampledPointJson } from "./scalar_metrics.ts";
 *
 * const point: SampledPointJson = { index: 2, data: "NaN", timestamp: 1722470402000 };
 * ```
 */
export interface SampledPointJson {
  /** The step. */
  index: number;
  /** The value, as the server sent it. */
  data: number | string;
  /** Unix milliseconds. */
  timestamp?: number;
  /** Any further field the server sent. */
  [field: string]: unknown;
}

/**
 * A point of a full-resolution series (from the CSV export). `value` is a number: the CSV's
 * `NaN`, `INF` and `-INF` are `NaN`, `Infinity` and `-Infinity`, which `JSON.stringify` writes as
 * `null`, as the Python CLI does (the Python `json` module would write invalid JSON).
 *
 * @example
 * ```ts
 * import type { FullPointJson } from "./scalar_metrics.ts";
 *
 * const point: FullPointJson = { step: 1, value: 0.5, timestamp: 1722470401000 };
 * ```
 */
export interface FullPointJson {
  /** The step. */
  step: number;
  /** The value (`NaN` and `±Infinity` possible). */
  value: number;
  /** Unix milliseconds, when the CSV row had one. */
  timestamp?: number;
}

/**
 * One key of {@linkcode MetricsJson}: its points and its statistics over the whole series
 * (statistics are not range-filtered).
 *
 * @example
 * ```ts
 * import type { ScalarSeriesJson } from "./scalar_metrics.ts";
 *
 * const series: ScalarSeriesJson = {
 *   key: "loss",
 *   metrics: [{ index: 1, data: 0.5, timestamp: 1722470401000 }],
 *   min: { index: 1, data: 0.5, timestamp: 1722470401000 },
 * };
 * ```
 */
export interface ScalarSeriesJson extends ScalarStatsJson {
  /** The metric key. */
  key: string;
  /** Sampled points, or full-resolution points in full/range mode; `[]` without data. */
  metrics: SampledPointJson[] | FullPointJson[];
}

/**
 * What `run.metrics()` returns: the Python SDK's `Metrics.json()` (wire reference §4.6.5).
 *
 * @example
 * ```ts
 * import type { MetricsJson } from "./scalar_metrics.ts";
 *
 * const json: MetricsJson = {
 *   keys: ["loss"], metricType: "SCALAR", projectId: "cproj1", experimentId: "crun1",
 *   list: [{ key: "loss", metrics: [] }],
 * };
 * ```
 */
export interface MetricsJson {
  /** The keys as requested (duplicates kept). */
  keys: string[];
  /** Always `"SCALAR"`. */
  metricType: "SCALAR";
  /** The project cuid. */
  projectId: string;
  /** The run cuid. */
  experimentId: string;
  /** One entry per distinct key, in request order. */
  list: ScalarSeriesJson[];
}

/**
 * Which scalar data to read.
 *
 * Mode: sampled (server-side downsampling to at most `sample` points per key) unless `all` or
 * `rangeQuery` is set; then full resolution, read from the CSV export.
 *
 * @example The first 50 points between steps 0 and 500
 * ```ts
 * import type { ScalarMetricsQuery } from "./scalar_metrics.ts";
 *
 * const query: ScalarMetricsQuery = { rangeQuery: { start: 0, end: 500, head: 50 } };
 * ```
 */
export interface ScalarMetricsQuery {
  /**
   * Points per key in sampled mode, an integer ≥ 1; values above 1500 are clamped to 1500 with a
   * warning. Also sent with the statistics requests.
   * @default 1500
   */
  sample?: number;
  /**
   * Read every point (full resolution, from the CSV export).
   * @default false
   */
  all?: boolean;
  /** Read a range of points (full resolution), see {@linkcode RangeQuery}. */
  rangeQuery?: RangeQuery | Record<string, unknown>;
  /**
   * Remove `timestamp` from every point (statistics keep theirs).
   * @default false
   */
  ignoreTimestamp?: boolean;
  /**
   * Receives warnings (a clamped `sample`, points without timestamp dropped by a range).
   * @default console.warn
   */
  onWarning?: (message: string) => void;
}

/**
 * Per-call options of {@linkcode fetchScalarMetrics}.
 *
 * @example
 * ```ts
 * import type { ScalarMetricsOptions } from "./scalar_metrics.ts";
 *
 * const options: ScalarMetricsOptions = { timeoutMs: 10_000, nowMs: Date.now() };
 * ```
 */
export interface ScalarMetricsOptions extends RequestOptions {
  /**
   * The current time in milliseconds, for `rangeQuery.last`.
   * @default Date.now()
   */
  nowMs?: number;
  /**
   * Fail a CSV download when no byte arrives for this long, in milliseconds.
   * @default the request timeout
   */
  idleTimeoutMs?: number;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function checkFlag(field: string, value: unknown): boolean {
  if (value === undefined) return false;
  if (typeof value !== "boolean") {
    throw new ValidationError(field, `Cannot parse ${field}: expected a boolean`);
  }
  return value;
}

/** The body of `/house/metrics/scalar` and `/scalar/value`. */
function seriesBody(
  ref: RunRef,
  columns: ColumnRef[],
  xType: "step" | "timestamp",
  num: number,
): {
  projectId: string;
  xType: "step" | "timestamp";
  range: [number, number];
  columns: ColumnRef[];
  num: number;
} {
  return { projectId: ref.projectId, xType, range: [0, 0], columns, num };
}

/**
 * Sends the two statistics requests (`xType` `"step"` and `"timestamp"`) of some keys and merges
 * them (wire reference §4.6.3).
 *
 * @param transport The client's transport.
 * @param ref The run.
 * @param keys At most 16 keys.
 * @param num The sample size sent with the requests.
 * @param options Per-call signal, timeout and retries.
 * @param limited Take a `transport.limiter` slot per request.
 * @returns The merged statistics, by key.
 * @throws {ResponseError} If an answer is not an array.
 * @throws {ApiError} (or a subclass) and {@linkcode ConnectionError} for failed requests.
 *
 * @example
 * ```ts ignore
 * import { fetchValueStats } from "./scalar_metrics.ts";
 *
 * const stats = await fetchValueStats(transport, ref, ["loss"], 1500);
 * console.log(stats.get("loss")?.min);
 * ```
 */
export async function fetchValueStats(
  transport: Transport,
  ref: RunRef,
  keys: readonly string[],
  num: number,
  options: RequestOptions = {},
  limited = false,
): Promise<Map<string, ScalarStatsJson>> {
  const columns = keys.map((key) => columnRef(ref, key));
  const request = (xType: "step" | "timestamp"): Promise<unknown[]> => {
    const send = async (): Promise<unknown[]> => {
      const body = await transport.call(
        (api) =>
          api.POST("/house/metrics/scalar/value", { body: seriesBody(ref, columns, xType, num) }),
        options,
      );
      if (!Array.isArray(body)) {
        throw new ResponseError(
          "Cannot use response of POST /api/house/metrics/scalar/value: expected an array",
        );
      }
      return body;
    };
    return limited ? transport.limiter.run(send) : send();
  };
  const [stepStats, timestampStats] = await settleAll([request("step"), request("timestamp")]);
  return mergeValueStats(stepStats, timestampStats);
}

/**
 * Sends `POST /house/metrics/scalar` for at most 16 keys and returns each key's points (entries
 * matched by `key`; keys the server left out are absent).
 *
 * @param transport The client's transport.
 * @param ref The run.
 * @param keys At most 16 keys.
 * @param num Points per key.
 * @param options Per-call signal, timeout and retries.
 * @param limited Take a `transport.limiter` slot for the request.
 * @returns The points by key, as the server sent them.
 * @throws {ResponseError} If the answer is not an array, or a key's `metrics` is not an array.
 * @throws {ApiError} (or a subclass) and {@linkcode ConnectionError} for failed requests.
 *
 * @example
 * ```ts ignore
 * import { fetchSampledSeries } from "./scalar_metrics.ts";
 *
 * const series = await fetchSampledSeries(transport, ref, ["loss"], 500);
 * console.log(series.get("loss")?.length);
 * ```
 */
export async function fetchSampledSeries(
  transport: Transport,
  ref: RunRef,
  keys: readonly string[],
  num: number,
  options: RequestOptions = {},
  limited = false,
): Promise<Map<string, SampledPointJson[]>> {
  const columns = keys.map((key) => columnRef(ref, key));
  const send = () =>
    transport.call(
      (api) => api.POST("/house/metrics/scalar", { body: seriesBody(ref, columns, "step", num) }),
      options,
    );
  const body: unknown = limited ? await transport.limiter.run(send) : await send();
  const label = "POST /api/house/metrics/scalar";
  if (!Array.isArray(body)) {
    throw new ResponseError(`Cannot use response of ${label}: expected an array`);
  }
  const series = new Map<string, SampledPointJson[]>();
  for (const entry of body) {
    if (!isRecord(entry)) continue;
    const key = entry["key"];
    if (typeof key !== "string" || key === "") continue;
    const points = entry["metrics"] ?? [];
    if (!Array.isArray(points)) {
      throw new ResponseError(
        `Cannot use response of ${label}: "metrics" of key ${JSON.stringify(key)} is not an array`,
      );
    }
    series.set(key, points as SampledPointJson[]);
  }
  return series;
}

/**
 * Removes `timestamp` from copies of the points (the inputs are not changed).
 *
 * @param points The points.
 * @returns Copies without `timestamp`.
 *
 * @example
 * ```ts
 * import { withoutTimestamps } from "./scalar_metrics.ts";
 *
 * console.log(withoutTimestamps([{ index: 1, data: 0.5, timestamp: 1 }])); // [{ index: 1, data: 0.5 }]
 * ```
 */
export function withoutTimestamps<T>(points: readonly T[]): T[] {
  return points.map((point) => {
    if (!isRecord(point) || !Object.hasOwn(point, "timestamp")) return point;
    const copy = Object.fromEntries(
      Object.entries(point).filter(([name]) => name !== "timestamp"),
    );
    return copy as T;
  });
}

/** Adds the statistics of a key to its list entry, in SDK order, skipping empty ones. */
function withStats(
  key: string,
  metrics: SampledPointJson[] | FullPointJson[],
  stats: ScalarStatsJson | undefined,
): ScalarSeriesJson {
  const entry: ScalarSeriesJson = { key, metrics };
  for (const field of STAT_FIELDS) {
    const stat = stats?.[field];
    if (stat !== undefined && Object.keys(stat).length > 0) entry[field] = stat;
  }
  return entry;
}

/**
 * The statistics of a metrics call are an optional part (drift policy): when their response
 * cannot be used, the points are still returned, without statistics, and the drift is reported.
 */
async function optionalStats(
  transport: Transport,
  ref: RunRef,
  chunk: readonly string[],
  num: number,
  options: RequestOptions,
): Promise<Map<string, ScalarStatsJson>> {
  try {
    return await fetchValueStats(transport, ref, chunk, num, options, true);
  } catch (error) {
    if (!(error instanceof ResponseError)) throw error;
    const detail = error.message.match(/"([^"]*)" expected (.*), got (.*)$/);
    transport.reportDrift({
      operation: "getScalarStats",
      endpoint: "POST /house/metrics/scalar/value",
      field: detail?.[1] ?? "(body)",
      expected: detail?.[2] ?? "array",
      got: detail?.[3] ?? "an unusable body",
      essential: false,
    });
    return new Map();
  }
}

/**
 * Runs tasks concurrently; on the first failure, aborts the others (through the signal each task
 * receives) and rethrows that failure once they have ended.
 */
async function allOrAbort<T>(
  tasks: readonly ((signal: AbortSignal) => Promise<T>)[],
  signal: AbortSignal | undefined,
): Promise<T[]> {
  const controller = new AbortController();
  const combined = signal === undefined
    ? controller.signal
    : AbortSignal.any([signal, controller.signal]);
  const running = tasks.map((task) => task(combined));
  try {
    return await Promise.all(running);
  } catch (error) {
    controller.abort(error);
    await Promise.allSettled(running);
    throw error;
  }
}

/**
 * Reads scalar metrics of a run, as the Python SDK's `run.metrics(keys, …).json()`
 * (wire reference §4.6).
 *
 * Everything is checked before any request: `keys` must be a non-empty array of non-blank strings
 * (sent de-duplicated, echoed as given), `sample` an integer ≥ 1 (clamped to 1500 with a warning),
 * the range query valid (see {@linkcode RangeQuery}).
 *
 * - Sampled mode (neither `all` nor `rangeQuery`): per batch of ≤ 16 keys,
 *   `POST /house/metrics/scalar` plus the two `POST /house/metrics/scalar/value` statistics
 *   requests. Points pass through as the server sent them, `{index, data, timestamp}` (`"NaN"`
 *   and `"INF"` strings kept).
 * - Full/range mode (`all` or `rangeQuery`): per batch, the CSV export read with
 *   {@linkcode scanMetrics} and filtered by the range, plus the two statistics requests (the
 *   statistics are of the whole series). Points are `{step, value, timestamp?}`; non-finite values
 *   are the numbers `NaN`/`±Infinity` (`JSON.stringify` writes `null`, like the Python CLI).
 *
 * Batches run concurrently, each request taking one slot of `transport.limiter` (so do not call
 * this inside `transport.limiter.run()`). Keys without data get `metrics: []`.
 *
 * Deliberate differences from the SDK: every failure (HTTP, network, a malformed answer, a CSV
 * that cannot be downloaded or parsed) throws a typed error, where the SDK returns empty metrics;
 * timestamp range bounds are padded to milliseconds for every query form (the SDK pads only plain
 * dicts); unknown range-query keys are errors.
 *
 * @param transport The client's transport.
 * @param ref The run.
 * @param keys The metric keys.
 * @param query Sample size, mode, range and timestamp handling.
 * @param options Per-call signal, timeouts, retries and clock.
 * @returns The `Metrics.json()` object.
 * @throws {ValidationError} For invalid keys, sample, flags or range query (before any request).
 * @throws {ResponseError} For a malformed answer or a CSV that cannot be read.
 * @throws {ApiError} (or a subclass) and {@linkcode ConnectionError} for failed requests.
 *
 * @example Sampled
 * ```ts ignore
 * import { fetchScalarMetrics } from "./scalar_metrics.ts";
 *
 * const json = await fetchScalarMetrics(transport, ref, ["train/loss", "train/acc"], { sample: 500 });
 * console.log(json.list[0]?.metrics.length); // ≤ 500
 * ```
 *
 * @example Steps 100 to 500, without timestamps
 * ```ts ignore
 * import { fetchScalarMetrics } from "./scalar_metrics.ts";
 *
 * const json = await fetchScalarMetrics(transport, ref, ["train/loss"], {
 *   rangeQuery: { type: "step", start: 100, end: 500 },
 *   ignoreTimestamp: true,
 * });
 * ```
 */
export async function fetchScalarMetrics(
  transport: Transport,
  ref: RunRef,
  keys: readonly string[],
  query: ScalarMetricsQuery = {},
  options: ScalarMetricsOptions = {},
): Promise<MetricsJson> {
  const distinct = validateMetricKeys(keys);
  checkRequestOptions(options);
  if (typeof query !== "object" || query === null || Array.isArray(query)) {
    throw new ValidationError("query", "Cannot parse query: expected an object");
  }
  const onWarning = query.onWarning ?? defaultWarning;
  const num = resolveSample(query.sample, onWarning);
  const all = checkFlag("all", query.all);
  const ignoreTimestamp = checkFlag("ignoreTimestamp", query.ignoreTimestamp);
  const rangeQuery = query.rangeQuery === undefined || query.rangeQuery === null
    ? undefined
    : normalizeRangeQuery(query.rangeQuery, "rangeQuery");
  const nowMs = options.nowMs ?? Date.now();
  const chunks = chunkKeys(distinct);

  let entries: ScalarSeriesJson[][];
  if (!all && rangeQuery === undefined) {
    entries = await allOrAbort(
      chunks.map((chunk) => async (signal: AbortSignal): Promise<ScalarSeriesJson[]> => {
        const callOptions = { ...options, signal };
        const [series, stats] = await settleAll([
          fetchSampledSeries(transport, ref, chunk, num, callOptions, true),
          optionalStats(transport, ref, chunk, num, callOptions),
        ]);
        return chunk.map((key) => {
          const points = series.get(key) ?? [];
          return withStats(
            key,
            ignoreTimestamp ? withoutTimestamps(points) : points,
            stats.get(key),
          );
        });
      }),
      options.signal,
    );
  } else {
    entries = await allOrAbort(
      chunks.map((chunk) => async (signal: AbortSignal): Promise<ScalarSeriesJson[]> => {
        const callOptions = { ...options, signal };
        const collect = async (): Promise<PointCollector> => {
          const collector = new PointCollector(chunk, ignoreTimestamp);
          await scanMetricRows(
            transport,
            ref,
            chunk,
            rangeQuery === undefined ? {} : { rangeQuery },
            { ...callOptions, nowMs, onWarning },
            collector,
          );
          return collector;
        };
        const [points, stats] = await settleAll([
          collect(),
          optionalStats(transport, ref, chunk, num, callOptions),
        ]);
        return chunk.map((key) => withStats(key, points.take(key), stats.get(key)));
      }),
      options.signal,
    );
  }
  return {
    keys: [...keys],
    metricType: "SCALAR",
    projectId: ref.projectId,
    experimentId: ref.runId,
    list: entries.flat(),
  };
}
