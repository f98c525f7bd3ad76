/**
 * swanlab-ts: a TypeScript client for the SwanLab experiment-tracking query API, the equivalent
 * of Python's `swanlab.Api` (swanlab >= 0.8).
 *
 * Everything starts from {@linkcode Api}: it returns workspaces, projects, runs, columns and
 * metric series, which load lazily (constructing them sends nothing; the first property read
 * sends one request and caches it) and serialize with `json()` to the Python SDK's dict shapes.
 * Property names are camelCase (`run.jobType`), options are objects, and per-call options
 * (`signal`, `timeoutMs`, `maxRetries`, `retryUnsafe`) come last on every method that sends
 * requests (on lists, they apply to every page).
 *
 * Credentials: the `apiKey`/`host` options, else the key remembered by {@linkcode login}, else
 * `SWANLAB_API_KEY`/`SWANLAB_API_HOST`, else the SwanLab `.netrc` (`~/.swanlab/.netrc`). A key
 * stored for one host is never sent to another.
 *
 * @example Read a run, its metrics, media and logs
 * ```ts
 * import { Api } from "@swanlab-ts/api";
 *
 * const api = new Api({ apiKey: "your-api-key", host: "https://your-server.com" });
 * const run = api.run("my-team/my-project/abc123");
 * console.log(await run.name, await run.state);
 *
 * // Scalar metrics: sampled to at most 500 points per key, with statistics.
 * const scalars = await run.metrics(["loss", "acc"], { sample: 500 });
 * // Media metrics: presigned URLs of the images logged at step 10.
 * const media = await run.medias(["generated_image"], { step: 10 });
 * // Logs: one shard of the console output.
 * const logs = await run.logs({ offset: 0, level: "INFO" });
 *
 * // Every finished run of the project.
 * for await (const r of api.runs("my-team/my-project", {
 *   filters: [{ key: "state", type: "STABLE", op: "EQ", value: ["FINISHED"] }],
 * })) {
 *   console.log(await r.name);
 * }
 * ```
 *
 * @module
 */

// The entry point, login and logout.
export { Api, type CreateProjectOptions, type RunsOptions } from "./src/entities/api.ts";
export {
  login,
  type LoginInfo,
  type LoginOptions,
  logout,
  type LogoutInfo,
  type LogoutOptions,
} from "./src/entities/login.ts";

// Entities, their snapshots (`load()`) and JSON shapes (`json()`).
export {
  type NewProject,
  type ProjectsOptions,
  Workspace,
  type WorkspaceJson,
  type WorkspaceProfile,
  type WorkspaceSnapshot,
} from "./src/entities/workspace.ts";
export {
  type DeleteItem,
  type DeleteOptions,
  type DeletePlan,
  Project,
  type ProjectCount,
  type ProjectJson,
  type ProjectLabel,
  type ProjectRunsOptions,
  type ProjectSnapshot,
  type RunsGetOptions,
} from "./src/entities/project.ts";
export {
  type ColumnOptions,
  type ColumnsOptions,
  Run,
  Run as Experiment,
  type RunJson,
  type RunLabel,
  type RunProfile,
  type RunSnapshot,
  type RunUser,
} from "./src/entities/run.ts";
export {
  Column,
  type ColumnJson,
  type ColumnMetricQuery,
  type ColumnSnapshot,
} from "./src/entities/column.ts";
export {
  Key,
  type KeyJson,
  type KeySnapshot,
  Series,
  type SeriesJson,
  type SeriesOptions,
  type SeriesSnapshot,
} from "./src/entities/series.ts";
export { User, type UserJson, type UserSnapshot } from "./src/entities/user.ts";
export {
  type AdminGroupsOptions,
  type AdminPagingOptions,
  type AdminProjectsOptions,
  type NewUser,
  RecordList,
  SelfHosted,
  type SelfHostedGroup,
  type SelfHostedJson,
  type SelfHostedProject,
  type SelfHostedSnapshot,
  type SelfHostedUser,
  type UsageSummary,
} from "./src/entities/self_hosted.ts";

// Mirror: back up a workspace, project or run to a local directory.
// `mirror` loads its implementation (and Node's file system and crypto modules) on first call.
export { mirror } from "./src/mirror/_mirror_on_demand.ts";
export type { MirrorOptions, MirrorProgress, MirrorReport } from "./src/mirror/mirror.ts";
export type { SyncStep } from "./src/mirror/sync_plan.ts";
export type { FileRef, ManifestRun } from "./src/mirror/mirror_format.ts";

// Lists: async iterables with `total`, `toArray()` and `json()`.
export {
  Columns,
  EntityList,
  Projects,
  Runs,
  Workspaces,
  type WorkspacesJson,
} from "./src/entities/lists.ts";
export type { PageInfo, ToArrayOptions } from "./src/core/paging.ts";

// Project-scale tables of a run list: `runs.table()` and `runs.scanMetrics()`.
export {
  checkRunsTableOptions,
  flattenConfig,
  RUN_TABLE_COLUMNS,
  RunsTable,
  type RunsTableOptions,
  type RunsTableSelection,
  SUMMARY_STATS,
} from "./src/entities/runs_table.ts";
export { RunMetricsScan } from "./src/entities/run_metrics_scan.ts";
export { RunsMetricsScan, type RunsScanOptions } from "./src/entities/runs_metrics_scan.ts";
export { MetricTable } from "./src/export/metric_table.ts";

// Metric queries and results.
export { RANGE_TYPES, type RangeQuery, type RangeType } from "./src/metrics/range_query.ts";
export type {
  FullPointJson,
  MetricsJson,
  SampledPointJson,
  ScalarMetricsOptions,
  ScalarMetricsQuery,
  ScalarSeriesJson,
} from "./src/metrics/scalar_metrics.ts";
export type { ScalarStatJson, ScalarStatsJson } from "./src/metrics/stats.ts";
export type {
  MetricColumns,
  MetricColumnsQuery,
  MetricSeriesColumns,
} from "./src/metrics/metric_columns.ts";
export type { ExportUrl } from "./src/metrics/presign_export.ts";
export type {
  MetricPoint,
  ScanMetricsOptions,
  ScanMetricsQuery,
} from "./src/metrics/scan_metrics.ts";
export type {
  MediaItemJson,
  MediaJson,
  MediaQuery,
  MediaSeriesJson,
  MediaStepJson,
} from "./src/metrics/medias.ts";
export {
  type ExportLogsQuery,
  LOG_LEVEL_NAMES,
  type LogLevelName,
  type LogLine,
  type LogsJson,
  type LogsQuery,
  type ScanLogsQuery,
} from "./src/metrics/logs.ts";
export type { SummaryItemJson, SummaryJson } from "./src/metrics/summary.ts";
export type {
  SingleMediaMetricJson,
  SingleMetricJson,
  SingleMetricQuery,
  SingleScalarMetricJson,
} from "./src/metrics/single_metric.ts";

// Export writers: CSV, JSON Lines, Parquet and Hive-partitioned Parquet datasets, streamed and
// written atomically.
export type { ByteSink, SinkTarget } from "./src/export/byte_sink.ts";
export type { ExportStats } from "./src/export/export_stats.ts";
export type { RowSource } from "./src/export/row_source.ts";
export { METRIC_ROW_COLUMNS, type MetricRow } from "./src/export/metric_row.ts";
export type { MetricRowColumns, MetricSource } from "./src/export/metric_row_columns.ts";
export { csvCell, type CsvWriteOptions, writeCsv } from "./src/export/csv_writer.ts";
export { type JsonlWriteOptions, writeJsonl } from "./src/export/jsonl_writer.ts";
export {
  PARQUET_COMPRESSIONS,
  type ParquetCompression,
  type ParquetWriteOptions,
} from "./src/export/parquet_options.ts";
export {
  type MetricsParquetOptions,
  MetricsParquetWriter,
  writeMetricsParquet,
} from "./src/export/metrics_parquet_writer.ts";
export { hivePartitionName, writeMetricsHive } from "./src/export/hive_metrics_writer.ts";
export { checkExportTarget, type ExportTargetOptions } from "./src/export/export_target.ts";
export { writeTableParquet } from "./src/export/table_parquet_writer.ts";
export {
  Table,
  type TableCell,
  type TableData,
  type TableRow,
  tableToHtml,
} from "./src/export/table_data.ts";

// Results that never throw.
export { ApiResponse, type ApiResponseJson } from "./src/core/api_response.ts";

// Errors: branch with `instanceof`.
export {
  AbortError,
  ApiError,
  type ApiErrorDetails,
  AuthenticationError,
  BadRequestError,
  ConflictError,
  ConnectionError,
  type ConnectionErrorOptions,
  CredentialsError,
  InternalServerError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
  type RequestRoute,
  ResponseError,
  SwanLabError,
  TimeoutError,
  ValidationError,
} from "./src/core/errors.ts";
export { LicenseExpiredError, RootRequiredError } from "./src/entities/self_hosted.ts";
// Response drift, strict mode (`SWANLAB_VALIDATE`, `validateResponses`, `swanlab-ts doctor`);
// its findings are `Drift` records (below), like those of the always-on policy.
export { ResponseDriftError, type ValidationMode } from "./src/core/response_drift.ts";
export {
  diagnose,
  type DiagnoseOptions,
  type Diagnosis,
  type DiagnosisStep,
  type StepStatus,
} from "./src/core/diagnose.ts";
export type { CredentialSource } from "./src/core/credentials.ts";

// Options.
export type { ClientOptions } from "./src/core/client_options.ts";
export type { RequestOptions } from "./src/core/request_options.ts";
export type { DownloadOptions } from "./src/core/transport.ts";
export { type Drift, type DriftHandler, formatDrift } from "./src/core/drift.ts";
export type { Env } from "./src/core/runtime.ts";

// Value types of entities, filters and options, with their allowed values.
export {
  COLUMN_CLASSES,
  COLUMN_TYPES,
  type ColumnClass,
  type ColumnType,
  FILTER_OPS,
  FILTER_TYPES,
  type FilterOp,
  type FilterType,
  LOG_LEVELS,
  type LogLevel,
  METRIC_CLASSES,
  METRIC_TYPES,
  type MetricClass,
  type MetricType,
  PAGE_SIZES,
  type PageSize,
  PROJECT_SORTS,
  type ProjectSort,
  type Role,
  ROLES,
  RUN_STATES,
  type RunFilter,
  type RunGroup,
  type RunSort,
  type RunState,
  SCALAR_COLUMN_TYPES,
  SELF_HOSTED_PROJECT_STATES,
  type SelfHostedProjectState,
  SORT_ORDERS,
  type SortOrder,
  STABLE_KEYS,
  type StableKey,
  VISIBILITIES,
  type Visibility,
  WORKSPACE_TYPES,
  type WorkspaceType,
} from "./src/entities/validation.ts";

// Files: the one writer for every file the library and the CLI write (temporary file in the
// same directory, renamed on success).
export {
  AtomicFile,
  type AtomicFileOptions,
  checkOutputPath,
  writeFileAtomic,
} from "./src/core/atomic_file.ts";

// The package version.
export { VERSION } from "./src/core/version.ts";
