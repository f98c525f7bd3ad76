/**
 * {@linkcode Series} and {@linkcode Key}: the metric keys of a run, read from the metric store.
 *
 * @module
 */

import { ApiResponse } from "../core/api_response.ts";
import { ValidationError } from "../core/errors.ts";
import type { ToArrayOptions } from "../core/paging.ts";
import type { RequestOptions } from "../core/request_options.ts";
import { fetchAvailability, keyClass, listMetricKeys } from "../metrics/metric_keys.ts";
import type { RunRef } from "../metrics/run_ref.ts";
import type { ExportUrl } from "../metrics/presign_export.ts";
import type { SingleMetricJson, SingleMetricQuery } from "../metrics/single_metric.ts";
import { checkOptionalString, deepFreeze, isRecord, Lazy, sortKeys } from "./_lazy.ts";
import type { RunCore } from "./run.ts";
import {
  METRIC_CLASSES,
  METRIC_TYPES,
  type MetricClass,
  type MetricType,
  validateEnum,
} from "./validation.ts";

/**
 * Options of `api.series()` and `run.series()`.
 *
 * @example The system scalar keys about GPUs
 * ```ts
 * import type { SeriesOptions } from "./series.ts";
 *
 * const options: SeriesOptions = { metricType: "SCALAR", metricClass: "SYSTEM", search: "gpu" };
 * ```
 */
export interface SeriesOptions {
  /**
   * `"SCALAR"` or `"MEDIA"`.
   * @default "SCALAR"
   */
  metricType?: MetricType;
  /**
   * `"CUSTOM"` (logged by the user) or `"SYSTEM"` (logged by SwanLab: scalar keys starting with
   * `__swanlab__`; media keys are all custom).
   * @default "CUSTOM"
   */
  metricClass?: MetricClass;
  /**
   * Case-insensitive substring the keys must contain.
   * @default ""
   */
  search?: string;
}

/**
 * A series' data, as returned by {@linkcode Series.load}: frozen.
 *
 * @example Read the keys synchronously
 * ```ts
 * import { Api } from "@swanlab-ts/api";
 *
 * const api = new Api();
 * const run = api.run("my-team/my-project/abc123");
 * const { keys } = await run.series().load();
 * ```
 */
export interface SeriesSnapshot {
  /** The matching keys, in server order. */
  readonly keys: readonly string[];
  /** The class asked for. */
  readonly metricClass: MetricClass;
  /** The type asked for. */
  readonly metricType: MetricType;
  /** The search asked for. */
  readonly search: string;
  /** The project's cuid. */
  readonly projectId: string;
  /** The run's cuid. */
  readonly runId: string;
}

/**
 * The JSON form of a series: the Python SDK's `Series.json()` keys (camelCase there too).
 *
 * @example The custom scalar keys of a run
 * ```ts
 * import type { SeriesJson } from "./series.ts";
 *
 * const json: SeriesJson = {
 *   keys: ["loss", "acc"], metricClass: "CUSTOM", metricType: "SCALAR", projectId: "cproj1", runId: "crun1",
 * };
 * ```
 */
export interface SeriesJson {
  /** The matching keys. */
  keys: string[];
  /** The class. */
  metricClass: MetricClass;
  /** The type. */
  metricType: MetricType;
  /** The project's cuid. */
  projectId: string;
  /** The run's cuid. */
  runId: string;
}

/**
 * A key's data, as returned by {@linkcode Key.load}: frozen.
 *
 * @example Read a key's class
 * ```ts
 * import { Api } from "@swanlab-ts/api";
 *
 * const api = new Api();
 * const [first] = await api.series("my-team/my-project/abc123").toArray({ limit: 1 });
 * const { key, keyClass } = await first!.load();
 * ```
 */
export interface KeySnapshot {
  /** The metric key. */
  readonly key: string;
  /** `"SYSTEM"` for scalar keys starting with `__swanlab__`, else `"CUSTOM"`. */
  readonly keyClass: MetricClass;
  /** `"SCALAR"` or `"MEDIA"`. */
  readonly metricType: MetricType;
  /** The project's cuid. */
  readonly projectId: string;
  /** The run's cuid. */
  readonly runId: string;
}

/**
 * The JSON form of a key: the Python SDK's `Key.json()` keys, in its order.
 *
 * @example A custom scalar key
 * ```ts
 * import type { KeyJson } from "./series.ts";
 *
 * const json: KeyJson = {
 *   key: "loss", key_class: "CUSTOM", metric_type: "SCALAR", project_id: "cproj1", run_id: "crun1",
 * };
 * ```
 */
export interface KeyJson {
  /** The metric key. */
  key: string;
  /** `"CUSTOM"` or `"SYSTEM"`. */
  key_class: MetricClass;
  /** `"SCALAR"` or `"MEDIA"`. */
  metric_type: MetricType;
  /** The project's cuid. */
  project_id: string;
  /** The run's cuid. */
  run_id: string;
}

let constructSeries: (
  run: RunCore,
  metricType: MetricType,
  metricClass: MetricClass,
  search: string,
) => Series;

/**
 * The metric keys of one run of one type and class, read from the metric store (every key,
 * fetched once on first use and cached, then filtered locally). Iterate it to get
 * {@linkcode Key}s.
 *
 * @example List the custom scalar keys and read one
 * ```ts
 * import { Api } from "@swanlab-ts/api";
 *
 * const series = new Api().series("my-team/my-project/abc123", { metricType: "SCALAR" });
 * console.log(await series.keys);
 * for await (const key of series) {
 *   const data = await key.metric({ sample: 100 });
 *   console.log(key.key, data.metrics.length);
 * }
 * ```
 */
export class Series implements AsyncIterable<Key> {
  static {
    constructSeries = (run, metricType, metricClass, search) =>
      new Series(run, metricType, metricClass, search);
  }

  /** `"SCALAR"` or `"MEDIA"`. */
  readonly metricType: MetricType;
  /** `"CUSTOM"` or `"SYSTEM"`. */
  readonly metricClass: MetricClass;
  /** The case-insensitive substring keys must contain (`""` for all). */
  readonly search: string;
  #run: RunCore;
  #ref: Lazy<RunRef>;
  #allKeys: Lazy<string[]>;

  private constructor(
    run: RunCore,
    metricType: MetricType,
    metricClass: MetricClass,
    search: string,
  ) {
    this.metricType = metricType;
    this.metricClass = metricClass;
    this.search = search;
    this.#run = run;
    this.#ref = new Lazy((options) => run.ref(options));
    this.#allKeys = new Lazy(async (options) => {
      const ref = await this.#ref.get(options);
      const transport = await run.ctx.transport();
      return await listMetricKeys(transport, ref, metricType, options);
    });
  }

  /** The matching keys, in server order (fetches every key of the run once). */
  get keys(): Promise<string[]> {
    return this.#filtered({});
  }

  /** The number of matching keys. */
  get total(): Promise<number> {
    return this.#filtered({}).then((keys) => keys.length);
  }

  /** The run's cuid. */
  get runId(): Promise<string> {
    return this.#run.cuid();
  }

  /** The project's cuid. */
  get projectId(): Promise<string> {
    return this.#run.projectId();
  }

  /**
   * Iterates the matching keys as {@linkcode Key} objects.
   *
   * @returns An async iterator over the keys.
   */
  async *[Symbol.asyncIterator](): AsyncIterator<Key> {
    const keys = await this.#filtered({});
    const ref = await this.#ref.get();
    for (const key of keys) yield constructKey(this.#run, ref, key, this.metricType);
  }

  /**
   * Collects the matching keys as {@linkcode Key} objects.
   *
   * @param options `limit` stops after that many keys.
   * @returns The keys.
   * @throws {ValidationError} When `limit` is not an integer ≥ 0.
   */
  async toArray(options: ToArrayOptions = {}): Promise<Key[]> {
    const limit = options.limit ?? Infinity;
    if (limit !== Infinity && (!Number.isInteger(limit) || limit < 0)) {
      throw new ValidationError("limit", `Cannot collect ${limit} keys: expected an integer >= 0`);
    }
    const keys: Key[] = [];
    for await (const key of this) {
      if (keys.length >= limit) break;
      keys.push(key);
    }
    return keys;
  }

  /**
   * Which of the given keys this run logged (`POST /house/metrics/{type}/availability`): each key
   * maps to the run cuids that have it (`[]` when absent). An empty list answers `{}` without a
   * request.
   *
   * @param keys The keys to look up.
   * @param options Per-call signal, timeout and retries.
   * @returns `{ <key>: [runCuid…] }`.
   * @throws {ValidationError} When `keys` is not an array of non-blank strings.
   * @throws {ApiError} (or a subclass) and {@linkcode ConnectionError} for failed requests.
   *
   * @example Check which keys a run has
   * ```ts
   * import { Api } from "@swanlab-ts/api";
   *
   * const api = new Api();
   * const run = api.run("my-team/my-project/abc123");
   * const found = await run.series().availability(["loss", "nope"]);
   * console.log(found.nope); // []
   * ```
   */
  async availability(
    keys: readonly string[],
    options: RequestOptions = {},
  ): Promise<Record<string, string[]>> {
    if (!Array.isArray(keys)) {
      throw new ValidationError("keys", "Cannot parse keys: expected an array of metric keys");
    }
    keys.forEach((key, i) => {
      if (typeof key !== "string" || key.trim() === "") {
        throw new ValidationError(
          `keys[${i}]`,
          `Cannot parse keys[${i}]: expected a non-blank string`,
        );
      }
    });
    if (keys.length === 0) return {};
    const ref = await this.#ref.get(options);
    const transport = await this.#run.ctx.transport();
    return await fetchAvailability(transport, ref, this.metricType, keys, options);
  }

  /**
   * Fetches the keys (once) and returns a frozen snapshot.
   *
   * @param options Per-call signal, timeout and retries.
   * @returns The snapshot.
   * @throws {NotFoundError} When the run does not exist.
   * @throws {ApiError} (or a subclass) and {@linkcode ConnectionError} for failed requests.
   *
   * @example Read the keys and run id
   * ```ts
   * import { Api } from "@swanlab-ts/api";
   *
   * const api = new Api();
   * const run = api.run("my-team/my-project/abc123");
   * const { keys, runId } = await run.series().load();
   * ```
   */
  async load(options: RequestOptions = {}): Promise<SeriesSnapshot> {
    const keys = await this.#filtered(options);
    const ref = await this.#ref.get(options);
    return deepFreeze({
      keys,
      metricClass: this.metricClass,
      metricType: this.metricType,
      search: this.search,
      projectId: ref.projectId,
      runId: ref.runId,
    });
  }

  /**
   * The Python SDK's `Series.json()`: `{ keys, metricClass, metricType, projectId, runId }`.
   *
   * @param options Per-call signal, timeout and retries.
   * @returns A new JSON object.
   * @throws {ApiError} (or a subclass) and {@linkcode ConnectionError} for failed requests.
   *
   * @example Print the media keys
   * ```ts
   * import { Api } from "@swanlab-ts/api";
   *
   * const api = new Api();
   * const run = api.run("my-team/my-project/abc123");
   * console.log(await run.series({ metricType: "MEDIA" }).json());
   * ```
   */
  async json(options: RequestOptions = {}): Promise<SeriesJson> {
    const s = await this.load(options);
    return sortKeys({
      keys: [...s.keys],
      metricClass: s.metricClass,
      metricType: s.metricType,
      projectId: s.projectId,
      runId: s.runId,
    });
  }

  async #filtered(options: RequestOptions): Promise<string[]> {
    const all = await this.#allKeys.get(options);
    const needle = this.search.toLowerCase();
    return all.filter((key) =>
      keyClass(key, this.metricType) === this.metricClass &&
      (needle === "" || key.toLowerCase().includes(needle))
    );
  }
}

/** @internal Checks series options and creates the series. */
export function newSeries(run: RunCore, options: SeriesOptions): Series {
  if (!isRecord(options as unknown)) {
    throw new ValidationError("options", "Cannot parse options: expected an object");
  }
  const metricType = validateEnum("metricType", options.metricType ?? "SCALAR", METRIC_TYPES);
  const metricClass = validateEnum("metricClass", options.metricClass ?? "CUSTOM", METRIC_CLASSES);
  const search = checkOptionalString("search", options.search) ?? "";
  return constructSeries(run, metricType, metricClass, search);
}

let constructKey: (run: RunCore, ref: RunRef, key: string, metricType: MetricType) => Key;

/**
 * One metric key of a run, from a {@linkcode Series}. Everything about it is known when it is
 * created, so its properties are plain values.
 *
 * @example Read a key's data or export it
 * ```ts
 * import { Api } from "@swanlab-ts/api";
 *
 * const run = new Api().run("my-team/my-project/abc123");
 * const [loss] = await run.series({ search: "loss" }).toArray({ limit: 1 });
 * if (loss) {
 *   const data = await loss.metric({ sample: 500 });
 *   const csv = await loss.exportCsv();
 *   console.log(data.metrics.length, csv.ok ? csv.data?.url : csv.errmsg);
 * }
 * ```
 */
export class Key {
  static {
    constructKey = (run, ref, key, metricType) => new Key(run, ref, key, metricType);
  }

  /** The metric key. */
  readonly key: string;
  /** `"SCALAR"` or `"MEDIA"`. */
  readonly metricType: MetricType;
  /** `"SYSTEM"` for scalar keys starting with `__swanlab__`, else `"CUSTOM"`. */
  readonly keyClass: MetricClass;
  /** The project's cuid. */
  readonly projectId: string;
  /** The run's cuid. */
  readonly runId: string;
  #run: RunCore;
  #ref: RunRef;

  private constructor(run: RunCore, ref: RunRef, key: string, metricType: MetricType) {
    this.#run = run;
    this.#ref = ref;
    this.key = key;
    this.metricType = metricType;
    this.keyClass = keyClass(key, metricType);
    this.projectId = ref.projectId;
    this.runId = ref.runId;
  }

  /**
   * A frozen snapshot of the key (no request).
   *
   * @returns The snapshot.
   *
   * @example Read a key's class
   * ```ts
   * import { Api } from "@swanlab-ts/api";
   *
   * const api = new Api();
   * const [someKey] = await api.series("my-team/my-project/abc123").toArray({ limit: 1 });
   * const { key, keyClass } = await someKey!.load();
   * ```
   */
  load(): Promise<KeySnapshot> {
    return Promise.resolve(deepFreeze({
      key: this.key,
      keyClass: this.keyClass,
      metricType: this.metricType,
      projectId: this.projectId,
      runId: this.runId,
    }));
  }

  /**
   * The Python SDK's `Key.json()`: `{ key, key_class, metric_type, project_id, run_id }` (no
   * request).
   *
   * @returns A new JSON object.
   *
   * @example Print a key
   * ```ts
   * import { Api } from "@swanlab-ts/api";
   *
   * const api = new Api();
   * const [someKey] = await api.series("my-team/my-project/abc123").toArray({ limit: 1 });
   * console.log(await someKey!.json());
   * ```
   */
  json(): Promise<KeyJson> {
    return Promise.resolve(sortKeys({
      key: this.key,
      key_class: this.keyClass,
      metric_type: this.metricType,
      project_id: this.projectId,
      run_id: this.runId,
    }));
  }

  /**
   * This key's data: for a SCALAR key the sampled points and statistics (`all: true` reads full
   * resolution), for a MEDIA key presigned URLs at `mediaStep` (default: the latest step) or at
   * every step with `all: true`.
   *
   * @param query `sample`, `ignoreTimestamp`, `mediaStep`, `all`.
   * @param options Per-call signal, timeout and retries.
   * @returns `{ key, metric_type, metrics, project_id, run_id, … }`.
   * @throws {ValidationError} For invalid options (before any request).
   * @throws {ApiError} (or a subclass) and {@linkcode ConnectionError} for failed requests.
   *
   * @example Read 200 points without timestamps
   * ```ts
   * import { Api } from "@swanlab-ts/api";
   *
   * const api = new Api();
   * const [someKey] = await api.series("my-team/my-project/abc123").toArray({ limit: 1 });
   * const data = await someKey!.metric({ sample: 200, ignoreTimestamp: true });
   * ```
   */
  async metric(
    query: SingleMetricQuery = {},
    options: RequestOptions = {},
  ): Promise<SingleMetricJson> {
    const transport = await this.#run.ctx.transport();
    // The metrics engine (CSV reader, sampling) loads on first use: start-up does not pay it.
    const { fetchSingleMetric } = await import("../metrics/single_metric.ts");
    return await fetchSingleMetric(transport, this.#ref, this.key, this.metricType, query, options);
  }

  /**
   * Exports this key's full-resolution data as CSV and returns its presigned URL. Never throws:
   * failures are returned as `{ ok: false, errmsg }` (MEDIA keys cannot be exported). Starting
   * the export is retried like a read (it changes nothing a user can see).
   *
   * @param options Per-call signal, timeout and retries.
   * @returns `{ ok, errmsg, data: { url } }`.
   *
   * @example Export a key as CSV
   * ```ts
   * import { Api } from "@swanlab-ts/api";
   *
   * const api = new Api();
   * const [someKey] = await api.series("my-team/my-project/abc123").toArray({ limit: 1 });
   * const result = await someKey!.exportCsv();
   * if (result.ok) console.log(result.data?.url);
   * ```
   */
  exportCsv(options: RequestOptions = {}): Promise<ApiResponse<ExportUrl>> {
    return ApiResponse.from(async () => {
      if (this.metricType !== "SCALAR") {
        throw new ValidationError(
          "metricType",
          `Cannot export key "${this.key}" as CSV: only SCALAR keys can be exported`,
        );
      }
      const transport = await this.#run.ctx.transport();
      const { exportScalarCsvUrl } = await import("../metrics/scan_metrics.ts");
      return await exportScalarCsvUrl(transport, this.#ref, [this.key], options, {
        experimentName: this.#ref.name,
      });
    });
  }
}
