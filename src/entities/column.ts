/**
 * {@linkcode Column}: a metric column of a run (a key logged with `swanlab.log()`).
 *
 * @module
 */

import { ApiResponse } from "../core/api_response.ts";
import { ValidationError } from "../core/errors.ts";
import type { RequestOptions } from "../core/request_options.ts";
import type { ExportUrl } from "../metrics/presign_export.ts";
import type { SingleMetricJson, SingleMetricQuery } from "../metrics/single_metric.ts";
import {
  checkObject,
  deepFreeze,
  expectRecord,
  isRecord,
  type JsonRecord,
  Lazy,
  notFound,
  num,
  sortKeys,
  str,
} from "./_lazy.ts";
import type { RunCore } from "./run.ts";
import {
  COLUMN_TYPES,
  type ColumnClass,
  type ColumnType,
  METRIC_TYPES,
  type MetricType,
  SCALAR_COLUMN_TYPES,
  validateEnum,
} from "./validation.ts";

/**
 * A column's data, as returned by {@linkcode Column.load}: frozen, for synchronous use.
 *
 * @example Read a column synchronously
 * ```ts
 * import { Api } from "@swanlab-ts/api";
 *
 * const api = new Api();
 * const { key, columnType } = await api.column("my-team/my-project/abc123", "loss").load();
 * ```
 */
export interface ColumnSnapshot {
  /** The metric key. */
  readonly key: string;
  /** The display name (`""` when absent). */
  readonly name: string;
  /** `"CUSTOM"` or `"SYSTEM"` (`""` when absent). */
  readonly columnClass: ColumnClass | "";
  /** `FLOAT`, `BOOLEAN`, `STRING`, `IMAGE`, `AUDIO`, `VIDEO`, … (`""` when absent). */
  readonly columnType: ColumnType | "";
  /** The creation timestamp as the server sent it (`0` when absent). */
  readonly createdAt: number;
  /** The run's cuid. */
  readonly runId: string;
  /** The project's cuid. */
  readonly projectId: string;
}

/**
 * The JSON form of a column: the Python SDK's `Column.json()` keys, in its order.
 *
 * @example A FLOAT column
 * ```ts
 * import type { ColumnJson } from "./column.ts";
 *
 * const json: ColumnJson = {
 *   column_class: "CUSTOM", column_type: "FLOAT", created_at: 1722470400000, key: "loss",
 *   name: "loss", project_id: "cproj1", run_id: "crun1",
 * };
 * ```
 */
export interface ColumnJson {
  /** `"CUSTOM"` or `"SYSTEM"`. */
  column_class: ColumnClass | "";
  /** The data type. */
  column_type: ColumnType | "";
  /** The creation timestamp. */
  created_at: number;
  /** The metric key. */
  key: string;
  /** The display name. */
  name: string;
  /** The project's cuid. */
  project_id: string;
  /** The run's cuid. */
  run_id: string;
}

/**
 * What {@linkcode Column.metric} reads. The metric type is derived from the column type.
 *
 * @example 500 points without timestamps
 * ```ts
 * import type { ColumnMetricQuery } from "./column.ts";
 *
 * const query: ColumnMetricQuery = { sample: 500, ignoreTimestamp: true };
 * ```
 */
export interface ColumnMetricQuery extends SingleMetricQuery {
  /**
   * The metric type. It is derived from the column's type (FLOAT, BOOLEAN and STRING are
   * `"SCALAR"`, the others `"MEDIA"`), so there is rarely a reason to pass it; when passed it
   * must agree, otherwise a {@linkcode ValidationError} says so (the Python SDK silently
   * ignores it).
   * @default derived from the column type
   */
  metricType?: MetricType;
}

/** Column data types whose values are scalars; the other types are media. */
const SCALAR_TYPES: readonly string[] = SCALAR_COLUMN_TYPES;

let construct: (run: RunCore, lookup: ColumnLookup | undefined, record?: JsonRecord) => Column;

interface ColumnLookup {
  search: string;
  columnClass: ColumnClass;
}

/**
 * A metric column of a run: a key reported with `swanlab.log()`, with its name, class and data
 * type. (Column metadata comes from a legacy endpoint; {@linkcode Series} reads keys from the
 * metric store itself.)
 *
 * Get one with `api.column(path, key)` or `run.column(key)`: the first property read looks the
 * column up (a case-insensitive search on column names; an exact key match wins, otherwise the
 * first match) and caches it. Columns from lists are pre-filled.
 *
 * @example Read a column and its data
 * ```ts
 * import { Api } from "@swanlab-ts/api";
 *
 * const col = new Api().column("my-team/my-project/abc123", "loss");
 * console.log(await col.json());
 * const data = await col.metric({ sample: 500 });
 * const csv = await col.exportCsv();
 * if (csv.ok) console.log(csv.data?.url);
 * ```
 */
export class Column {
  static {
    construct = (run, lookup, record) => new Column(run, lookup, record);
  }

  #run: RunCore;
  #record: Lazy<JsonRecord>;

  private constructor(run: RunCore, lookup: ColumnLookup | undefined, record?: JsonRecord) {
    this.#run = run;
    this.#record = new Lazy(async (options) => {
      if (lookup === undefined) throw new Error("unreachable: a listed column is pre-filled");
      return await findColumnRecord(run, lookup, options);
    });
    if (record !== undefined) this.#record.set(record);
  }

  /** The metric key (of the column found). */
  get key(): Promise<string> {
    return this.#field("key");
  }

  /** The display name (`""` when absent). */
  get name(): Promise<string> {
    return this.#field("name");
  }

  /** `"CUSTOM"` or `"SYSTEM"` (`""` when absent). */
  get columnClass(): Promise<ColumnClass | ""> {
    return this.#field("class") as Promise<ColumnClass | "">;
  }

  /** The data type: `FLOAT`, `BOOLEAN`, `STRING`, `IMAGE`, … (`""` when absent). */
  get columnType(): Promise<ColumnType | ""> {
    return this.#field("type") as Promise<ColumnType | "">;
  }

  /** The creation timestamp as the server sent it (`0` when absent). */
  get createdAt(): Promise<number> {
    return this.#record.get().then((record) => num(record["createdAt"], 0));
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
   * Looks the column up (once) and returns a frozen snapshot of its data.
   *
   * @param options Per-call signal, timeout and retries.
   * @returns The snapshot.
   * @throws {NotFoundError} When no column matches, or the run does not exist.
   * @throws {ApiError} (or a subclass) and {@linkcode ConnectionError} for failed requests.
   *
   * @example Read the key and type
   * ```ts
   * import { Api } from "@swanlab-ts/api";
   *
   * const api = new Api();
   * const run = api.run("my-team/my-project/abc123");
   * const { key, columnType } = await run.column("loss").load();
   * ```
   */
  async load(options: RequestOptions = {}): Promise<ColumnSnapshot> {
    const record = await this.#record.get(options);
    return deepFreeze({
      key: str(record["key"]),
      name: str(record["name"]),
      columnClass: str(record["class"]) as ColumnClass | "",
      columnType: str(record["type"]) as ColumnType | "",
      createdAt: num(record["createdAt"], 0),
      runId: await this.#run.cuid(options),
      projectId: await this.#run.projectId(options),
    });
  }

  /**
   * The Python SDK's `Column.json()`: `{ column_class, column_type, created_at, key, name,
   * project_id, run_id }`.
   *
   * @param options Per-call signal, timeout and retries.
   * @returns A new JSON object.
   * @throws {NotFoundError} When no column matches, or the run does not exist.
   * @throws {ApiError} (or a subclass) and {@linkcode ConnectionError} for failed requests.
   *
   * @example Print a column
   * ```ts
   * import { Api } from "@swanlab-ts/api";
   *
   * const api = new Api();
   * const run = api.run("my-team/my-project/abc123");
   * console.log(await run.column("loss").json());
   * ```
   */
  async json(options: RequestOptions = {}): Promise<ColumnJson> {
    const s = await this.load(options);
    return sortKeys({
      column_class: s.columnClass,
      column_type: s.columnType,
      created_at: s.createdAt,
      key: s.key,
      name: s.name,
      project_id: s.projectId,
      run_id: s.runId,
    });
  }

  /**
   * The data of this column. The metric type follows the column type: `FLOAT`, `BOOLEAN` and
   * `STRING` are scalar (sampled points and statistics); the other types are media (presigned
   * URLs; `mediaStep` picks the step, `null` the latest).
   *
   * @param query `sample`, `ignoreTimestamp`, `mediaStep`, `all`.
   * @param options Per-call signal, timeout and retries.
   * @returns `{ key, metric_type, metrics, project_id, run_id, … }`.
   * @throws {ValidationError} When the column type is unknown, or an option is invalid.
   * @throws {NotFoundError} When no column matches, or the run does not exist.
   * @throws {ApiError} (or a subclass) and {@linkcode ConnectionError} for failed requests.
   *
   * @example Read 500 points of a scalar column
   * ```ts
   * import { Api } from "@swanlab-ts/api";
   *
   * const api = new Api();
   * const data = await api.column("my-team/my-project/abc123", "loss").metric({ sample: 500 });
   * console.log(data.metrics.length);
   * ```
   */
  async metric(
    query: ColumnMetricQuery = {},
    options: RequestOptions = {},
  ): Promise<SingleMetricJson> {
    checkObject("query", query);
    const { metricType: requested, ...single } = query;
    if (requested !== undefined) validateEnum("metricType", requested, METRIC_TYPES);
    const snapshot = await this.load(options);
    const metricType = metricTypeOf(snapshot.columnType);
    if (requested !== undefined && requested !== metricType) {
      throw new ValidationError(
        "metricType",
        `Cannot read column "${snapshot.key}" as ${requested}: its type ${snapshot.columnType} holds ${metricType} data`,
      );
    }
    const ref = await this.#run.ref(options);
    const transport = await this.#run.ctx.transport();
    // The metrics engine (CSV reader, sampling) loads on first use: start-up does not pay it.
    const { fetchSingleMetric } = await import("../metrics/single_metric.ts");
    return await fetchSingleMetric(transport, ref, snapshot.key, metricType, single, options);
  }

  /**
   * Exports this column's full-resolution data as CSV and returns its presigned URL. Never
   * throws: failures are returned as `{ ok: false, errmsg }` (media columns cannot be exported).
   * Starting the export is retried like a read (it changes nothing a user can see).
   *
   * @param options Per-call signal, timeout and retries.
   * @returns `{ ok, errmsg, data: { url } }`.
   *
   * @example Export a column as CSV
   * ```ts
   * import { Api } from "@swanlab-ts/api";
   *
   * const api = new Api();
   * const result = await api.column("my-team/my-project/abc123", "loss").exportCsv();
   * if (result.ok) console.log(result.data?.url);
   * ```
   */
  exportCsv(options: RequestOptions = {}): Promise<ApiResponse<ExportUrl>> {
    return ApiResponse.from(async () => {
      const snapshot = await this.load(options);
      if (metricTypeOf(snapshot.columnType) !== "SCALAR") {
        throw new ValidationError(
          "columnType",
          `Cannot export column "${snapshot.key}" as CSV: it is a ${snapshot.columnType} (media) column`,
        );
      }
      const ref = await this.#run.ref(options);
      const transport = await this.#run.ctx.transport();
      const { exportScalarCsvUrl } = await import("../metrics/scan_metrics.ts");
      return await exportScalarCsvUrl(transport, ref, [snapshot.key], options);
    });
  }

  async #field(key: string): Promise<string> {
    return str((await this.#record.get())[key]);
  }
}

/** `FLOAT`/`BOOLEAN`/`STRING` → SCALAR, other valid types → MEDIA, else a ValidationError. */
function metricTypeOf(columnType: string): MetricType {
  if (SCALAR_TYPES.includes(columnType)) return "SCALAR";
  if ((COLUMN_TYPES as readonly string[]).includes(columnType)) return "MEDIA";
  throw new ValidationError(
    "columnType",
    `Cannot derive the metric type of column type ${JSON.stringify(columnType)}: expected one of ${
      COLUMN_TYPES.join(", ")
    }`,
  );
}

async function findColumnRecord(
  run: RunCore,
  lookup: ColumnLookup,
  options: RequestOptions,
): Promise<JsonRecord> {
  const cuid = await run.cuid(options);
  const body = await run.ctx.call(
    (api) =>
      api.GET("/experiment/{cuid}/column", {
        params: {
          path: { cuid },
          query: { page: 1, size: 10, search: lookup.search, class: lookup.columnClass },
        },
      }),
    options,
  );
  const label = `GET /api/experiment/${cuid}/column`;
  const page = expectRecord(body, label);
  const list = (Array.isArray(page["list"]) ? page["list"] as unknown[] : [])
    .filter((item): item is JsonRecord => isRecord(item) && typeof item["key"] === "string");
  const found = list.find((item) => item["key"] === lookup.search) ?? list[0];
  if (found === undefined) {
    throw notFound(
      "GET",
      `/api/experiment/${cuid}/column`,
      `No ${lookup.columnClass} column of run "${run.username}/${run.project}/${run.run}" matches "${lookup.search}"`,
    );
  }
  return found;
}

/** @internal A column looked up by search on first use. */
export function lookupColumn(run: RunCore, search: string, columnClass: ColumnClass): Column {
  return construct(run, { search, columnClass });
}

/** @internal A column pre-filled from a list record. */
export function newColumnFromRecord(run: RunCore, record: JsonRecord): Column {
  return construct(run, undefined, record);
}
