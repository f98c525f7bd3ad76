/**
 * {@linkcode Run} (also exported as `Experiment`): one training or inference run, with its
 * metrics, media, logs and columns.
 *
 * @module
 */

import { ApiResponse } from "../core/api_response.ts";
import { ResponseError, ValidationError } from "../core/errors.ts";
import { settleAll } from "../core/settle_all.ts";
import type { RequestOptions } from "../core/request_options.ts";
import type { Transport } from "../core/transport.ts";
import { type LogLine, type LogsJson, type LogsQuery, scanLogs } from "../metrics/logs.ts";
import {
  type ExportLogsQuery,
  exportLogsUrl,
  fetchLogs,
  LOG_LEVEL_NAMES,
  MAX_LOG_EXPORT_ROWS,
  type ScanLogsQuery,
} from "../metrics/logs.ts";
import {
  fetchMedias,
  type MediaJson,
  type MediaQuery,
  validateMediaStep,
} from "../metrics/medias.ts";
import type { MetricColumns, MetricColumnsQuery } from "../metrics/metric_columns.ts";
import { validateMetricKeys } from "../metrics/metric_keys.ts";
import { normalizeRangeQuery } from "../metrics/range_query.ts";
import type { RunRef } from "../metrics/run_ref.ts";
import type { ExportUrl } from "../metrics/presign_export.ts";
import { resolveSample } from "../metrics/sample_size.ts";
import type {
  MetricsJson,
  ScalarMetricsOptions,
  ScalarMetricsQuery,
} from "../metrics/scalar_metrics.ts";
import type { ScanMetricsOptions, ScanMetricsQuery } from "../metrics/scan_metrics.ts";
import { fetchSummary, type SummaryJson } from "../metrics/summary.ts";
import {
  arr,
  checkBoolean,
  checkOptionalString,
  clone,
  type Context,
  deepFreeze,
  isRecord,
  type JsonRecord,
  Lazy,
  obj,
  optional,
  sortKeys,
  str,
} from "./_lazy.ts";
import { type Column, lookupColumn } from "./column.ts";
import { type Columns, newColumns } from "./lists.ts";
import {
  type DeleteOptions,
  type DeletePlan,
  fetchRunRecord,
  projectCuidLoader,
} from "./project.ts";
import { RunMetricsScan } from "./run_metrics_scan.ts";
import { newSeries, type Series, type SeriesOptions } from "./series.ts";
import {
  COLUMN_CLASSES,
  COLUMN_TYPES,
  type ColumnClass,
  type ColumnType,
  parseCreatedAtSeconds,
  type RunState,
  validateEnum,
  validateNonBlank,
  validateNonNegativeInt,
  validatePaging,
  validatePositiveInt,
} from "./validation.ts";

/** A run record as the server sent it; every record carries `cuid`. */
export type RunRecord = JsonRecord & { cuid: string };

/**
 * A label of a run.
 *
 * @example A label
 * ```ts
 * import type { RunLabel } from "./run.ts";
 *
 * const label: RunLabel = { name: "baseline", colors: ["#528d59"] };
 * ```
 */
export interface RunLabel {
  /** The label text. */
  name?: string;
  /** Its colors (CSS colors). */
  colors?: string[];
}

/**
 * The user who created a run.
 *
 * @example The creator of a run
 * ```ts
 * import type { RunUser } from "./run.ts";
 *
 * const user: RunUser = { name: "Alice", username: "alice" };
 * ```
 */
export interface RunUser {
  /** Display name. */
  name?: string;
  /** Username. */
  username?: string;
}

/**
 * The configuration and environment a run captured.
 *
 * @example A run's configuration
 * ```ts
 * import type { RunProfile } from "./run.ts";
 *
 * const profile: RunProfile = { config: { lr: 0.01 }, metadata: {}, requirements: "", conda: "" };
 * ```
 */
export interface RunProfile {
  /** The run configuration (hyper-parameters), as logged. */
  config?: Record<string, unknown>;
  /** Environment metadata (hardware, runtime, git, …). */
  metadata?: Record<string, unknown>;
  /** Python requirements (`pip freeze` text). */
  requirements?: string;
  /** Conda environment (YAML text). */
  conda?: string;
  /** Any further field the server sent. */
  [field: string]: unknown;
}

/**
 * A run's data, as returned by {@linkcode Run.load}: frozen, for synchronous use. Always taken
 * from one full record of the run.
 *
 * @example Read a run synchronously
 * ```ts
 * import { Api } from "@swanlab-ts/api";
 *
 * const api = new Api();
 * const { state, createdAtTs, profile } = await api.run("my-team/my-project/abc123").load();
 * ```
 */
export interface RunSnapshot {
  /** The run's cuid (its id in every metric request). */
  readonly runId: string;
  /**
   * The cuid of the run's project (`null` when neither the run nor its project record carries
   * it: drift, reported through `onDrift`).
   */
  readonly projectId: string | null;
  /** The short id shown in web URLs (`""` when absent). */
  readonly slug: string;
  /** The run name (`""` when absent). */
  readonly name: string;
  /** The description (`""` when absent). */
  readonly description: string;
  /** `"CHAPTER"` or `"SUMMARY"` (`""` when absent). */
  readonly type: string;
  /** `RUNNING`, `FINISHED`, `CRASHED`, `ABORTED` or `OFFLINE` (`""` when absent). */
  readonly state: RunState | "";
  /** Whether the run is shown in comparison charts (`null` when the server did not say). */
  readonly show: boolean | null;
  /** The labels (`[]` when absent). */
  readonly labels: readonly RunLabel[];
  /** The group name (the server's `cluster`; `""` when absent). */
  readonly group: string;
  /** The job type (the server's `job`; `""` when absent). */
  readonly jobType: string;
  /** For a cloned run, the cuid of the root project (`""` otherwise). */
  readonly rootProId: string;
  /** For a cloned run, the cuid of the root run (`""` otherwise). */
  readonly rootExpId: string;
  /** The creator (`{}` when absent). */
  readonly user: Readonly<RunUser>;
  /** Configuration, environment and dependencies (`{}` when absent). */
  readonly profile: Readonly<RunProfile>;
  /** Creation time, ISO 8601 (`""` when absent). */
  readonly createdAt: string;
  /** Creation time in Unix seconds; `null` when `createdAt` is missing or unparsable. */
  readonly createdAtTs: number | null;
  /** End time, ISO 8601; `null` while the run is not finished (`""` if the server omits it). */
  readonly finishedAt: string | null;
  /** The run's web page: `{webHost}/@{username}/{project}/runs/{slug}/chart`. */
  readonly url: string;
}

/**
 * The JSON form of a run: the Python SDK's `Experiment.json()` keys, in its order.
 *
 * @example Read the Python-compatible JSON
 * ```ts
 * import { Api, type RunJson } from "@swanlab-ts/api";
 *
 * const api = new Api();
 * const json: RunJson = await api.run("my-team/my-project/abc123").json();
 * console.log(json.run_id, json.state, json.created_at_ts);
 * ```
 */
export interface RunJson {
  /** Creation time, ISO 8601. */
  created_at: string;
  /** Creation time in Unix seconds (`null` when unparsable). */
  created_at_ts: number | null;
  /** Description. */
  description: string;
  /** End time, `null` while unfinished (`""` if the server omits it, as in the Python SDK). */
  finished_at: string | null;
  /** Group name. */
  group: string;
  /** Job type. */
  job_type: string;
  /** Labels. */
  labels: RunLabel[];
  /** Name. */
  name: string;
  /** Configuration and environment. */
  profile: RunProfile;
  /** The project's cuid (`null` when the server did not send it). */
  project_id: string | null;
  /** The root run's cuid (clones). */
  root_exp_id: string;
  /** The root project's cuid (clones). */
  root_pro_id: string;
  /** The run's cuid. */
  run_id: string;
  /** Shown in comparison charts (`null` when the server did not say). */
  show: boolean | null;
  /** State. */
  state: RunState | "";
  /** `"CHAPTER"` or `"SUMMARY"`. */
  type: string;
  /** Web page. */
  url: string;
  /** Creator. */
  user: RunUser;
}

/**
 * Options of `run.columns()` and `api.columns()`.
 *
 * @example Every FLOAT column whose name contains "loss"
 * ```ts
 * import type { ColumnsOptions } from "./run.ts";
 *
 * const options: ColumnsOptions = { search: "loss", columnType: "FLOAT", all: true };
 * ```
 */
export interface ColumnsOptions {
  /**
   * The first page (1-based).
   * @default 1
   */
  page?: number;
  /**
   * Items per page: 10, 12, 15, 20, 24, 27, 50 or 100.
   * @default 100
   */
  size?: number;
  /** Case-insensitive substring of the column name. */
  search?: string;
  /**
   * `"CUSTOM"` or `"SYSTEM"`; `null` sends no class filter.
   * @default null for `run.columns()`, "CUSTOM" for `api.columns()`
   */
  columnClass?: ColumnClass | null;
  /** Only columns of this data type (`FLOAT`, `STRING`, `IMAGE`, …). */
  columnType?: ColumnType;
  /**
   * Fetch every page from `page` on.
   * @default false
   */
  all?: boolean;
}

/**
 * Options of `run.column()` and `api.column()`.
 *
 * @example A custom FLOAT column
 * ```ts
 * import type { ColumnOptions } from "./run.ts";
 *
 * const options: ColumnOptions = { columnClass: "CUSTOM", columnType: "FLOAT" };
 * ```
 */
export interface ColumnOptions {
  /**
   * `"CUSTOM"` or `"SYSTEM"` (sent as a filter).
   * @default "CUSTOM"
   */
  columnClass?: ColumnClass;
  /**
   * The expected data type: validated, not sent (as in the Python SDK).
   * @default "FLOAT" for `run.column()`, none for `api.column()`
   */
  columnType?: ColumnType;
}

// ---------------------------------------------------------------------------------------------
// RunCore: the identity and records of one run, shared by Run, Column, Series and Key
// ---------------------------------------------------------------------------------------------

/**
 * @internal The identity, records and metric reference of one run. A record from a list is
 * pre-filled; a record with `profile` counts as full (as in the Python SDK).
 */
export class RunCore {
  readonly ctx: Context;
  readonly username: string;
  readonly project: string;
  /** The run id of the path: a slug, or a cuid for runs from lists. */
  readonly run: string;
  #prefill: RunRecord | undefined;
  /** The full record's loader, made on first use (most runs of a listing never load). */
  #full: Lazy<JsonRecord> | undefined;
  #projectCuid: Lazy<string>;

  constructor(
    ctx: Context,
    path: { username: string; project: string; run: string },
    init: { record?: RunRecord; projectCuid?: Lazy<string> } = {},
  ) {
    this.ctx = ctx;
    this.username = path.username;
    this.project = path.project;
    this.run = path.run;
    const record = init.record;
    if (record !== undefined && Object.hasOwn(record, "profile")) this.#loader().set(record);
    else this.#prefill = record;
    this.#projectCuid = init.projectCuid ?? projectCuidLoader(ctx, path.username, path.project);
  }

  /**
   * Uses the list record as the full record, after the full one could not be loaded (a run
   * listing then keeps the run with what the list said).
   *
   * @returns `false` when there is no list record to fall back on.
   */
  useListRecord(): boolean {
    if (this.#prefill === undefined) return false;
    this.#loader().set(this.#prefill);
    return true;
  }

  #loader(): Lazy<JsonRecord> {
    return this.#full ??= new Lazy((options) => this.#fetchFull(options));
  }

  /** One request for the full record, by cuid when the list record names it. */
  #fetchFull(options: RequestOptions): Promise<JsonRecord> {
    return fetchRunRecord(
      this.ctx,
      this.username,
      this.project,
      this.#prefill?.cuid ?? this.run,
      options,
    );
  }

  /** The full record (loaded once). */
  full(options: RequestOptions = {}): Promise<JsonRecord> {
    return this.#loader().get(options);
  }

  /**
   * The full record for one use: the loaded one, else a request whose record the run does not
   * keep. A runs table reads each run's record once for its row: kept by the runs (the table's
   * own, from its pass over the list) until their group's summaries came, the records of two
   * groups outlived young-generation collections, and the shared-load machinery of
   * {@linkcode RunCore.full} ran per run for a load nothing shares (measured: the table of
   * 2,000 runs took about 7% longer).
   */
  fullForOneUse(options: RequestOptions = {}): Promise<JsonRecord> {
    const loaded = this.#full?.peek();
    return loaded === undefined ? this.#fetchFull(options) : Promise.resolve(loaded);
  }

  /** Keeps a record read by {@linkcode RunCore.fullForOneUse} as the full record after all. */
  keepFull(record: JsonRecord): void {
    this.#loader().set(record);
  }

  /** Whether a request was needed for nothing so far: the full record is known. */
  get loaded(): boolean {
    return this.#full?.loaded ?? false;
  }

  /** One field: from the full record when loaded, else the list record, else a full load. */
  async field(key: string, options: RequestOptions = {}): Promise<unknown> {
    const full = this.#full?.peek();
    if (full !== undefined) return full[key];
    if (this.#prefill !== undefined && this.#prefill[key] !== undefined) return this.#prefill[key];
    return (await this.#loader().get(options))[key];
  }

  /** The run's cuid. */
  async cuid(options: RequestOptions = {}): Promise<string> {
    const cuid = str(await this.field("cuid", options));
    if (cuid === "") {
      throw new ResponseError(
        `Cannot use response of GET /api/project/${this.username}/${this.project}/runs/${this.run}: the run has no cuid`,
      );
    }
    return cuid;
  }

  /** The project's cuid: the run's `project_id`, else `GET /project/{username}/{project}`. */
  async projectId(options: RequestOptions = {}): Promise<string> {
    const current = this.#full?.peek() ?? this.#prefill ?? await this.#loader().get(options);
    const own = str(current["project_id"]);
    return own !== "" ? own : await this.#projectCuid.get(options);
  }

  /** The reference every metric request needs (loads the full record once). */
  async ref(options: RequestOptions = {}): Promise<RunRef> {
    const record = await this.#loader().get(options);
    const runId = await this.cuid(options);
    return this.refOf(record, runId, await this.projectId(options));
  }

  /**
   * {@linkcode RunCore.ref} from the full record, once the run's cuid and project id are known
   * (fails the same way for a bad `createdAt`).
   */
  refOf(record: JsonRecord, runId: string, projectId: string): RunRef {
    const createdAt = parseCreatedAtSeconds(record["createdAt"], "createdAt");
    const ref: RunRef = { projectId, runId, createdAt, name: str(record["name"]) };
    const rootProId = str(record["rootProId"]);
    const rootExpId = str(record["rootExpId"]);
    if (rootProId !== "") ref.rootProId = rootProId;
    if (rootExpId !== "") ref.rootExpId = rootExpId;
    return ref;
  }

  /** The run's web page. */
  async url(options: RequestOptions = {}): Promise<string> {
    const web = await this.ctx.webHost();
    const slug = str(await this.field("slug", options)) || this.run ||
      str(await this.field("cuid", options));
    return `${web}/@${this.username}/${this.project}/runs/${encodeURIComponent(slug)}/chart`;
  }

  /** The path of this run for plans and messages. */
  async displayPath(options: RequestOptions = {}): Promise<string> {
    const slug = str(await this.field("slug", options)) || await this.cuid(options);
    return `${this.username}/${this.project}/${slug}`;
  }
}

function createdAtTsOf(value: unknown): number | null {
  try {
    return parseCreatedAtSeconds(value);
  } catch {
    return null;
  }
}

// As the Python SDK: the server's null stays null (unfinished); an absent field is "".
function finishedAtOf(value: unknown): string | null {
  if (value === null) return null;
  return typeof value === "string" ? value : "";
}

function labelsOf(value: unknown): RunLabel[] {
  return clone(arr(value).filter(isRecord)) as RunLabel[];
}

// ---------------------------------------------------------------------------------------------
// Run
// ---------------------------------------------------------------------------------------------

let construct: (core: RunCore) => Run;
let coreOf: (run: Run) => RunCore;

/**
 * A run (experiment): one training or inference run with its configuration, metrics, media,
 * logs and metric columns.
 *
 * Get one with `api.run("username/project/run-id")` (the run id is the slug shown in web URLs; a
 * cuid works too); constructing it sends nothing. The first property read loads
 * `GET /project/{username}/{project}/runs/{run}` and caches it (concurrent reads share the
 * request; a failed load throws a typed error and is retried by the next read). Runs from a list
 * are pre-filled: fields the list returned need no request.
 *
 * @example Read a run and its metrics
 * ```ts
 * import { Api } from "@swanlab-ts/api";
 *
 * const run = new Api().run("my-team/my-project/abc123");
 * console.log(await run.state, await run.createdAt);
 * const scalars = await run.metrics(["loss", "acc"], { sample: 500 });
 * const media = await run.medias(["generated_image"], { step: 10 });
 * const logs = await run.logs({ offset: 0, level: "INFO" });
 * ```
 */
export class Run {
  static {
    construct = (core) => new Run(core);
    coreOf = (run) => run.#core;
  }

  #core: RunCore;

  private constructor(core: RunCore) {
    this.#core = core;
  }

  /**
   * The path this run was addressed by: `username/project/run-id` (for runs from lists, the run
   * id is the cuid). No request.
   */
  get path(): string {
    return `${this.#core.username}/${this.#core.project}/${this.#core.run}`;
  }

  /** The run's cuid (its id in every metric request). */
  get runId(): Promise<string> {
    return this.#core.cuid();
  }

  /** The cuid of the run's project. */
  get projectId(): Promise<string> {
    return this.#core.projectId();
  }

  /** The run name (`""` when absent). */
  get name(): Promise<string> {
    return this.#str("name");
  }

  /** The description (`""` when absent). */
  get description(): Promise<string> {
    return this.#str("description");
  }

  /** `"CHAPTER"` or `"SUMMARY"` (`""` when absent). */
  get type(): Promise<string> {
    return this.#str("type");
  }

  /** `RUNNING`, `FINISHED`, `CRASHED`, `ABORTED` or `OFFLINE` (`""` when absent). */
  get state(): Promise<RunState | ""> {
    return this.#str("state") as Promise<RunState | "">;
  }

  /** Whether the run is shown in comparison charts (`null` when the server did not say). */
  get show(): Promise<boolean | null> {
    return this.#core.field("show").then((v) => optional(v, "boolean"));
  }

  /** The labels (`[]` when absent). */
  get labels(): Promise<RunLabel[]> {
    return this.#core.field("labels").then(labelsOf);
  }

  /** The group name (`""` when absent). */
  get group(): Promise<string> {
    return this.#str("cluster");
  }

  /** The job type (`""` when absent). */
  get jobType(): Promise<string> {
    return this.#str("job");
  }

  /** For a cloned run, the cuid of the root project (`""` otherwise). */
  get rootProId(): Promise<string> {
    return this.#str("rootProId");
  }

  /** For a cloned run, the cuid of the root run (`""` otherwise). */
  get rootExpId(): Promise<string> {
    return this.#str("rootExpId");
  }

  /** The creator: `{ name, username }` (`{}` when absent). */
  get user(): Promise<RunUser> {
    return this.#core.field("user").then((v) => obj(v) as RunUser);
  }

  /** Configuration, environment and dependencies (`{}` when absent; loads the full record). */
  get profile(): Promise<RunProfile> {
    return this.#core.field("profile").then((v) => clone(obj(v)) as RunProfile);
  }

  /** Creation time, ISO 8601 (`""` when absent). */
  get createdAt(): Promise<string> {
    return this.#str("createdAt");
  }

  /** Creation time in Unix seconds (`null` when `createdAt` is missing or unparsable). */
  get createdAtTs(): Promise<number | null> {
    return this.#core.field("createdAt").then(createdAtTsOf);
  }

  /** End time, ISO 8601; `null` while the run is not finished (`""` if the server omits it). */
  get finishedAt(): Promise<string | null> {
    return this.#core.field("finishedAt").then(finishedAtOf);
  }

  /** The run's web page: `{webHost}/@{username}/{project}/runs/{slug}/chart`. */
  get url(): Promise<string> {
    return this.#core.url();
  }

  /**
   * Loads the run's full record (once) and returns a frozen snapshot of its data.
   *
   * @param options Per-call signal, timeout and retries (used by the first load only).
   * @returns The snapshot.
   * @throws {NotFoundError} When the run (or its project) does not exist or is not visible.
   * @throws {ApiError} (or a subclass) and {@linkcode ConnectionError} for failed requests.
   *
   * @example Read the state and configuration
   * ```ts
   * import { Api } from "@swanlab-ts/api";
   *
   * const api = new Api();
   * const run = await api.run("my-team/my-project/abc123").load();
   * console.log(run.state, run.profile.config);
   * ```
   */
  async load(options: RequestOptions = {}): Promise<RunSnapshot> {
    const record = await this.#core.full(options);
    // Only echoed here: a project record without cuid (drift, already reported) gives null
    // instead of failing the whole load.
    const projectId = await this.#core.projectId(options).catch((error: unknown) => {
      if (error instanceof ResponseError && / has no cuid$/.test(error.message)) return null;
      throw error;
    });
    const url = await this.#core.url(options);
    return deepFreeze({
      runId: str(record["cuid"]),
      projectId,
      slug: str(record["slug"]),
      name: str(record["name"]),
      description: str(record["description"]),
      type: str(record["type"]),
      state: str(record["state"]) as RunState | "",
      show: optional(record["show"], "boolean"),
      labels: labelsOf(record["labels"]),
      group: str(record["cluster"]),
      jobType: str(record["job"]),
      rootProId: str(record["rootProId"]),
      rootExpId: str(record["rootExpId"]),
      user: obj(record["user"]) as RunUser,
      profile: clone(obj(record["profile"])) as RunProfile,
      createdAt: str(record["createdAt"]),
      createdAtTs: createdAtTsOf(record["createdAt"]),
      finishedAt: finishedAtOf(record["finishedAt"]),
      url,
    });
  }

  /**
   * The Python SDK's `Experiment.json()`: `{ created_at, created_at_ts, description,
   * finished_at, group, job_type, labels, name, profile, project_id, root_exp_id, root_pro_id,
   * run_id, show, state, type, url, user }`, from one consistent full record (the SDK mixes list
   * and full records). Unlike the SDK it does not throw for a missing `createdAt`:
   * `created_at_ts` is then `null`.
   *
   * @param options Per-call signal, timeout and retries.
   * @returns A new JSON object.
   * @throws {NotFoundError} When the run does not exist or is not visible.
   * @throws {ApiError} (or a subclass) and {@linkcode ConnectionError} for failed requests.
   *
   * @example Print a run
   * ```ts
   * import { Api } from "@swanlab-ts/api";
   *
   * const api = new Api();
   * const data = await api.run("my-team/my-project/abc123").json();
   * ```
   */
  async json(options: RequestOptions = {}): Promise<RunJson> {
    const s = await this.load(options);
    return sortKeys({
      created_at: s.createdAt,
      created_at_ts: s.createdAtTs,
      description: s.description,
      finished_at: s.finishedAt,
      group: s.group,
      job_type: s.jobType,
      labels: clone(s.labels) as RunLabel[],
      name: s.name,
      profile: clone(s.profile) as RunProfile,
      project_id: s.projectId,
      root_exp_id: s.rootExpId,
      root_pro_id: s.rootProId,
      run_id: s.runId,
      show: s.show,
      state: s.state,
      type: s.type,
      url: s.url,
      user: { ...s.user },
    });
  }

  /**
   * Scalar metrics (loss, accuracy, …) of this run with their statistics, as the Python SDK's
   * `run.metrics()`.
   *
   * Sampled by default (at most `sample` points per key, 1500 at most); `all: true` or a
   * `rangeQuery` reads full-resolution data from the CSV export instead, with points shaped
   * `{ step, value, timestamp }` rather than `{ index, data, timestamp }`.
   *
   * @param keys The metric keys (duplicates are ignored).
   * @param query `sample`, `all`, `rangeQuery`, `ignoreTimestamp`.
   * @param options Per-call signal, timeouts and retries.
   * @returns `{ keys, metricType: "SCALAR", projectId, experimentId, list }`.
   * @throws {ValidationError} For invalid keys, sample or range query (before any request).
   * @throws {NotFoundError} When the run does not exist.
   * @throws {ApiError} (or a subclass), {@linkcode ConnectionError} or {@linkcode ResponseError}
   * for failed requests and downloads (e.g. an expired presigned URL).
   *
   * @example Sampled, full and ranged
   * ```ts
   * import { Api } from "@swanlab-ts/api";
   *
   * const api = new Api();
   * const run = api.run("my-team/my-project/abc123");
   * await run.metrics(["loss", "acc"], { sample: 500 });
   * await run.metrics(["loss"], { all: true });
   * await run.metrics(["loss"], { rangeQuery: { type: "step", start: 100, end: 500 } });
   * await run.metrics(["loss"], { rangeQuery: { tail: 30 } });
   * ```
   */
  async metrics(
    keys: readonly string[],
    query: ScalarMetricsQuery = {},
    options: ScalarMetricsOptions = {},
  ): Promise<MetricsJson> {
    validateMetricKeys(keys, "keys");
    const q = checkQuery("query", query);
    resolveSample(q.sample, () => {});
    checkBoolean("all", q.all, false);
    checkBoolean("ignoreTimestamp", q.ignoreTimestamp, false);
    if (q.rangeQuery !== undefined && q.rangeQuery !== null) {
      // Validate a copy: the engine pads timestamps of dict input itself.
      normalizeRangeQuery({ ...q.rangeQuery }, "rangeQuery");
    }
    const [transport, ref] = await this.#resolve(options);
    const { fetchScalarMetrics } = await import("../metrics/scalar_metrics.ts");
    return await fetchScalarMetrics(transport, ref, keys, q, options);
  }

  /**
   * Streams full-resolution scalar points of this run in constant memory: per key, every point
   * (or those a `rangeQuery` selects), as `{ key, step, value, timestamp? }`.
   *
   * @param keys The metric keys.
   * @param query `rangeQuery` (and `all`, which changes nothing: a scan reads every point).
   * @param options Per-call signal, timeouts, retries, clock and warnings.
   * @returns The points, as an async iterable (requests start when it is iterated); its
   *   `batches()` hands out the same points in arrays, with about a fifth less CPU per point.
   * @throws {ValidationError} For invalid keys or range query (at call time).
   *
   * @example The last 100 points of a step range
   * ```ts
   * import { Api } from "@swanlab-ts/api";
   *
   * const api = new Api();
   * const run = api.run("my-team/my-project/abc123");
   * for await (const p of run.scanMetrics(["loss"], { rangeQuery: { start: 1000, tail: 100 } })) {
   *   console.log(p.step, p.value);
   * }
   * ```
   *
   * @example Every point, in batches
   * ```ts
   * import { Api } from "@swanlab-ts/api";
   *
   * const run = new Api().run("my-team/my-project/abc123");
   * let points = 0;
   * for await (const batch of run.scanMetrics(["loss", "acc"]).batches()) points += batch.length;
   * ```
   */
  scanMetrics(
    keys: readonly string[],
    query: ScanMetricsQuery = {},
    options: ScanMetricsOptions = {},
  ): RunMetricsScan {
    const distinct = validateMetricKeys(keys, "keys");
    const q = checkQuery("query", query);
    if (q.rangeQuery !== undefined && q.rangeQuery !== null) {
      normalizeRangeQuery({ ...q.rangeQuery }, "rangeQuery");
    }
    return new RunMetricsScan(() => this.#resolve(options), distinct, q, options);
  }

  /**
   * Full-resolution scalar points of this run as columns: per key, `steps`, `values` and
   * `timestamps` as `Float64Array`s (24 bytes per point, no object per point), ready for plotting
   * and numeric work. The same points, in the same order per key, as
   * {@linkcode Run.scanMetrics}; a missing timestamp is `NaN`. Statistics are not included.
   *
   * @param keys The metric keys (duplicates are ignored).
   * @param query `all` (every point, the default) or a `rangeQuery`.
   * @param options Per-call signal, timeouts, retries, clock and warnings.
   * @returns `{ projectId, experimentId, list: [{ key, steps, values, timestamps }] }`, one entry
   *   per distinct key in request order.
   * @throws {ValidationError} For invalid keys, flag or range query (before any request).
   * @throws {NotFoundError} When the run does not exist.
   * @throws {ApiError} (or a subclass), {@linkcode ConnectionError} or {@linkcode ResponseError}
   * for failed requests and downloads.
   *
   * @example Every point of a key, as arrays
   * ```ts
   * import { Api } from "@swanlab-ts/api";
   *
   * const api = new Api();
   * const run = api.run("my-team/my-project/abc123");
   * const { list: [loss] } = await run.metricsColumns(["loss"], { all: true });
   * console.log(loss?.steps.length, loss?.values.at(-1));
   * ```
   */
  async metricsColumns(
    keys: readonly string[],
    query: MetricColumnsQuery = {},
    options: ScanMetricsOptions = {},
  ): Promise<MetricColumns> {
    validateMetricKeys(keys, "keys");
    const q = checkQuery("query", query);
    checkBoolean("all", q.all, true);
    if (q.rangeQuery !== undefined && q.rangeQuery !== null) {
      normalizeRangeQuery({ ...q.rangeQuery }, "rangeQuery");
    }
    const [transport, ref] = await this.#resolve(options);
    const { fetchMetricColumns } = await import("../metrics/metric_columns.ts");
    return await fetchMetricColumns(transport, ref, keys, q, options);
  }

  /**
   * The statistics of this run's scalar metrics, per key, as the server returns them (latest
   * value, min, max, average, median …).
   *
   * @param keys The keys to summarize; omitted means all keys.
   * @param options Per-call signal, timeout and retries.
   * @returns `{ <key>: stats }`.
   * @throws {ValidationError} For invalid keys (before any request).
   * @throws {ApiError} (or a subclass) and {@linkcode ConnectionError} for failed requests.
   *
   * @example Statistics of two keys
   * ```ts
   * import { Api } from "@swanlab-ts/api";
   *
   * const api = new Api();
   * const run = api.run("my-team/my-project/abc123");
   * const summary = await run.summary(["loss", "acc"]);
   * console.log(summary.loss);
   * ```
   */
  async summary(keys?: readonly string[], options: RequestOptions = {}): Promise<SummaryJson> {
    if (keys !== undefined && keys !== null) {
      if (!Array.isArray(keys)) {
        throw new ValidationError("keys", "Cannot parse keys: expected an array of metric keys");
      }
      keys.forEach((key, i) => validateNonBlank(`keys[${i}]`, key));
    }
    const [transport, ref] = await this.#resolve(options);
    return await fetchSummary(transport, ref, keys ?? undefined, options);
  }

  /**
   * Media (images, audio, video, …) of this run, as presigned URLs (download them before they
   * expire).
   *
   * @param keys The media keys.
   * @param query `step` (default 0; `null` lets the server pick its latest step) or `all: true`
   * for every step.
   * @param options Per-call signal, timeout and retries.
   * @returns `{ keys, metricType: "MEDIA", projectId, experimentId, list }`.
   * @throws {ValidationError} For invalid keys or step (before any request).
   * @throws {ApiError} (or a subclass) and {@linkcode ConnectionError} for failed requests.
   *
   * @example Media at one step, and at every step
   * ```ts
   * import { Api } from "@swanlab-ts/api";
   *
   * const api = new Api();
   * const run = api.run("my-team/my-project/abc123");
   * const atStep = await run.medias(["generated_image"], { step: 10 });
   * const everyStep = await run.medias(["generated_image"], { all: true });
   * ```
   */
  async medias(
    keys: readonly string[],
    query: MediaQuery = {},
    options: RequestOptions = {},
  ): Promise<MediaJson> {
    validateMetricKeys(keys, "keys");
    const q = checkQuery("query", query);
    validateMediaStep(q.step, "step");
    checkBoolean("all", q.all, false);
    const [transport, ref] = await this.#resolve(options);
    return await fetchMedias(transport, ref, keys, q, options);
  }

  /**
   * One shard (up to 1000 lines) of this run's console log.
   *
   * @param query `offset` (the shard index, default 0), `level` (default `"INFO"`),
   * `ignoreTimestamp`.
   * @param options Per-call signal, timeout and retries.
   * @returns `{ count, key: "LOG", logs, metric_type: "LOG", project_id, run_id }`.
   * @throws {ValidationError} For an invalid offset or level (before any request).
   * @throws {ApiError} (or a subclass) and {@linkcode ConnectionError} for failed requests.
   *
   * @example Print the first shard of INFO logs
   * ```ts
   * import { Api } from "@swanlab-ts/api";
   *
   * const api = new Api();
   * const run = api.run("my-team/my-project/abc123");
   * const logs = await run.logs({ offset: 0, level: "INFO" });
   * for (const line of logs.logs) console.log(line.message);
   * ```
   */
  async logs(query: LogsQuery = {}, options: RequestOptions = {}): Promise<LogsJson> {
    const q = checkQuery("query", query);
    if (q.offset !== undefined) validateNonNegativeInt("offset", q.offset);
    if (q.level !== undefined) validateEnum("level", q.level, LOG_LEVEL_NAMES);
    checkBoolean("ignoreTimestamp", q.ignoreTimestamp, false);
    const [transport, ref] = await this.#resolve(options);
    return await fetchLogs(transport, ref, q, options);
  }

  /**
   * Streams every console log line of this run at one level, shard after shard.
   *
   * @param query `level` (default `"INFO"`).
   * @param options Per-call signal, timeout and retries.
   * @returns The lines, as an async iterable (requests start when it is iterated).
   * @throws {ValidationError} For an invalid level (at call time).
   *
   * @example Print every error line
   * ```ts
   * import { Api } from "@swanlab-ts/api";
   *
   * const api = new Api();
   * const run = api.run("my-team/my-project/abc123");
   * for await (const line of run.scanLogs({ level: "ERROR" })) console.log(line.message);
   * ```
   */
  scanLogs(query: ScanLogsQuery = {}, options: RequestOptions = {}): AsyncIterable<LogLine> {
    const q = checkQuery("query", query);
    if (q.level !== undefined) validateEnum("level", q.level, LOG_LEVEL_NAMES);
    const resolve = () => this.#resolve(options);
    return {
      async *[Symbol.asyncIterator](): AsyncGenerator<LogLine> {
        const [transport, ref] = await resolve();
        yield* scanLogs(transport, ref, q, options);
      },
    };
  }

  /**
   * Exports this run's console log as a `.log` file and returns its presigned URL. Never throws:
   * failures (validation included) are returned as `{ ok: false, errmsg }`.
   *
   * @param query `start` (0-based line, default 0) and `rows` (1 to 500 000, default 500 000).
   * @param options Per-call signal, timeout and retries (starting the export is retried like a
   * read: it changes nothing a user can see).
   * @returns `{ ok, errmsg, data: { url } }`.
   *
   * @example Export the first 500 lines
   * ```ts
   * import { Api } from "@swanlab-ts/api";
   *
   * const api = new Api();
   * const run = api.run("my-team/my-project/abc123");
   * const result = await run.exportLogs({ start: 0, rows: 500 });
   * if (result.ok) console.log(result.data?.url);
   * ```
   */
  exportLogs(
    query: ExportLogsQuery = {},
    options: RequestOptions = {},
  ): Promise<ApiResponse<ExportUrl>> {
    return ApiResponse.from(async () => {
      const q = checkQuery("query", query);
      if (q.start !== undefined) validateNonNegativeInt("start", q.start);
      if (q.rows !== undefined) {
        const rows = validatePositiveInt("rows", q.rows);
        if (rows > MAX_LOG_EXPORT_ROWS) {
          throw new ValidationError(
            "rows",
            `Cannot parse rows ${rows}: expected an integer from 1 to ${MAX_LOG_EXPORT_ROWS}`,
          );
        }
      }
      const [transport, ref] = await this.#resolve(options);
      return await exportLogsUrl(transport, ref, q, options);
    });
  }

  /**
   * The metric columns of this run (consider {@linkcode Run.series}, which reads keys from the
   * metric store itself).
   *
   * @param options Paging, search, class (default: none sent) and type.
   * @param requestOptions Per-call signal, timeout and retries, applied to every page request.
   * @returns The column list (nothing is fetched until it is iterated).
   * @throws {ValidationError} For invalid options (before any request).
   *
   * @example Every column, and the columns matching "loss"
   * ```ts
   * import { Api } from "@swanlab-ts/api";
   *
   * const api = new Api();
   * const run = api.run("my-team/my-project/abc123");
   * for await (const col of run.columns({ all: true })) console.log(await col.name);
   * for await (const col of run.columns({ search: "loss" })) console.log(await col.name);
   * ```
   */
  columns(options: ColumnsOptions = {}, requestOptions: RequestOptions = {}): Columns {
    return listColumns(this.#core, options, null, requestOptions);
  }

  /**
   * One metric column of this run: the first whose name contains `key` (case-insensitive; an
   * exact key match wins). Loaded on first use.
   *
   * @param key The search keyword (normally the metric key).
   * @param options `columnClass` (default `"CUSTOM"`) and `columnType` (default `"FLOAT"`;
   * validated, not sent).
   * @returns The column.
   * @throws {ValidationError} For a blank key or invalid class or type (before any request).
   *
   * @example Find the loss column
   * ```ts
   * import { Api } from "@swanlab-ts/api";
   *
   * const api = new Api();
   * const run = api.run("my-team/my-project/abc123");
   * const col = run.column("loss", { columnType: "FLOAT" });
   * console.log(await col.json());
   * ```
   */
  column(key: string, options: ColumnOptions = {}): Column {
    return findColumn(this.#core, key, options, "FLOAT");
  }

  /**
   * The metric keys of this run, read from the metric store (fetched on first use).
   *
   * @param options `metricType` (`"SCALAR"`), `metricClass` (`"CUSTOM"`), `search` (`""`).
   * @returns The series.
   * @throws {ValidationError} For an invalid type or class (before any request).
   *
   * @example Print the scalar keys
   * ```ts
   * import { Api } from "@swanlab-ts/api";
   *
   * const api = new Api();
   * const run = api.run("my-team/my-project/abc123");
   * const series = run.series({ metricType: "SCALAR" });
   * for await (const key of series) console.log(key.key);
   * ```
   */
  series(options: SeriesOptions = {}): Series {
    return newSeries(this.#core, options);
  }

  /**
   * Deletes this run, or with `commit: false` (the default) only says what would be deleted.
   * The run is loaded first: a failed load throws and nothing is deleted. The delete is not
   * retried unless `options.retryUnsafe`.
   *
   * @param deleteOptions `commit: true` to delete.
   * @param options Per-call signal, timeout and retries.
   * @returns The plan: `{ committed, items: [{ id, name, path }] }`.
   * @throws {NotFoundError} When the run does not exist.
   * @throws {PermissionDeniedError} When the user may not delete it.
   * @throws {ApiError} (or a subclass) and {@linkcode ConnectionError} for failed requests.
   *
   * @example Dry run (sends no delete request)
   * ```ts
   * import { Api } from "@swanlab-ts/api";
   *
   * const api = new Api();
   * const plan = await api.run("my-team/my-project/abc123").delete();
   * console.log(plan.committed); // false
   * ```
   */
  async delete(
    deleteOptions: DeleteOptions = {},
    options: RequestOptions = {},
  ): Promise<DeletePlan> {
    const commit = checkBoolean("commit", deleteOptions.commit, false);
    const record = await this.#core.full(options);
    const cuid = await this.#core.cuid(options);
    const items = [{
      id: cuid,
      name: str(record["name"]),
      path: await this.#core.displayPath(options),
    }];
    if (commit) {
      const { username, project } = this.#core;
      await this.#core.ctx.call(
        (api) =>
          api.DELETE("/project/{username}/{project}/runs/{run}", {
            params: { path: { username, project, run: cuid } },
          }),
        options,
      );
    }
    return deepFreeze({ committed: commit, items });
  }

  async #str(key: string): Promise<string> {
    return str(await this.#core.field(key));
  }

  #resolve(options: RequestOptions): Promise<[Transport, RunRef]> {
    return transportAndRef(this.#core, options);
  }
}

function checkQuery<T extends object>(field: string, value: T): T {
  if (value === undefined) return {} as T;
  if (!isRecord(value)) {
    throw new ValidationError(field, `Cannot parse ${field}: expected an object`);
  }
  return value;
}

/** @internal Wraps a run core into a run. */
export function newRun(core: RunCore): Run {
  return construct(core);
}

/** @internal The core of a run. */
export function runCore(run: Run): RunCore {
  return coreOf(run);
}

/**
 * @internal The fields of {@linkcode Run.json} that a runs table shows, from the same loads in
 * the same order as {@linkcode Run.load} (full record, project id, URL: the same requests and
 * failures), without the snapshot's copies and freezing. `config` is the full record's own
 * object: the caller copies what it hands out.
 */
export async function runTableFields(
  run: Run,
  options: RequestOptions = {},
): Promise<RunTableFields> {
  const core = coreOf(run);
  const record = await core.full(options);
  await core.projectId(options).catch((error: unknown) => {
    if (error instanceof ResponseError && / has no cuid$/.test(error.message)) return null;
    throw error;
  });
  await core.url(options);
  return tableFieldsOf(record);
}

/**
 * @internal {@linkcode runTableFields} of one run for a runs table, with what its summary request
 * needs (the client's transport and the run's reference, as `run.summary()` resolves them) when
 * `summaries` is true: the same requests and failures, and when the full record names the run's
 * cuid and project (as a server's does) and the client is connected, no wait but for the run's
 * own request. Once `stopped` is aborted (the table's consumer is gone), it sends no further
 * request (a request already sent finishes; not aborting it spares every request a combined
 * signal).
 */
export async function runTableEntry(
  run: Run,
  summaries: boolean,
  options: RequestOptions = {},
  stopped?: AbortSignal,
): Promise<[RunTableFields, readonly [Transport, RunRef] | undefined]> {
  const core = coreOf(run);
  stopped?.throwIfAborted();
  const record = await core.fullForOneUse(options);
  stopped?.throwIfAborted();
  const transport = core.ctx.connected();
  const runId = str(record["cuid"]);
  const projectId = str(record["project_id"]);
  if (transport === undefined || runId === "" || projectId === "") {
    // The run's other loads (project id, URL, reference) read the record too.
    core.keepFull(record);
    return await settleAll([
      runTableFields(run, options),
      summaries ? transportAndRef(core, options) : undefined,
    ]);
  }
  const fields = tableFieldsOf(record);
  return [fields, summaries ? [transport, core.refOf(record, runId, projectId)] : undefined];
}

/** What a run's metric requests need: the client's transport and the run's reference. */
async function transportAndRef(
  core: RunCore,
  options: RequestOptions,
): Promise<[Transport, RunRef]> {
  const ref = await core.ref(options);
  return [await core.ctx.transport(), ref];
}

function tableFieldsOf(record: JsonRecord): RunTableFields {
  const profile = record["profile"];
  return {
    run_id: str(record["cuid"]),
    name: str(record["name"]),
    state: str(record["state"]) as RunState | "",
    group: str(record["cluster"]),
    job_type: str(record["job"]),
    created_at: str(record["createdAt"]),
    finished_at: finishedAtOf(record["finishedAt"]),
    config: isRecord(profile) ? profile["config"] : undefined,
  };
}

/** @internal What {@linkcode runTableFields} returns. */
export interface RunTableFields {
  run_id: string;
  name: string;
  state: RunState | "";
  group: string;
  job_type: string;
  created_at: string;
  finished_at: string | null;
  /** `profile.config` of the full record, as it is there (not copied). */
  config: unknown;
}

/** @internal Checks column-list options and creates the list. */
export function listColumns(
  core: RunCore,
  options: ColumnsOptions,
  defaultClass: ColumnClass | null,
  requestOptions: RequestOptions = {},
): Columns {
  const o = checkQuery("options", options);
  const { page, size } = validatePaging({ page: o.page ?? 1, size: o.size ?? 100 });
  const search = checkOptionalString("search", o.search);
  const columnClass = o.columnClass === undefined ? defaultClass : o.columnClass;
  const checkedClass = columnClass === null
    ? undefined
    : validateEnum("columnClass", columnClass, COLUMN_CLASSES);
  const columnType = o.columnType === undefined || o.columnType === null
    ? undefined
    : validateEnum("columnType", o.columnType, COLUMN_TYPES);
  const all = checkBoolean("all", o.all, false);
  return newColumns(
    core.ctx,
    core,
    {
      ...(search !== undefined ? { search } : {}),
      ...(checkedClass !== undefined ? { columnClass: checkedClass } : {}),
      ...(columnType !== undefined ? { columnType } : {}),
    },
    { page, size, all },
    requestOptions,
  );
}

/** @internal Checks single-column options and creates the lazily looked-up column. */
export function findColumn(
  core: RunCore,
  key: string,
  options: ColumnOptions,
  defaultType: ColumnType | null,
): Column {
  const searchKey = validateNonBlank("key", key);
  const o = checkQuery("options", options);
  const columnClass = validateEnum("columnClass", o.columnClass ?? "CUSTOM", COLUMN_CLASSES);
  const type = o.columnType ?? defaultType;
  if (type !== null) validateEnum("columnType", type, COLUMN_TYPES);
  return lookupColumn(core, searchKey, columnClass);
}
