/**
 * Console logs of one run: one shard (`run.logs()`), every shard as a stream, and the `.log`
 * export (wire reference §3.1.9, §4.8).
 *
 * @example Print every warning of a run
 * ```ts ignore
 * import { scanLogs } from "./logs.ts";
 *
 * for await (const line of scanLogs(transport, ref, { level: "WARN" })) console.log(line.message);
 * ```
 *
 * @module
 */

import { AbortError, ResponseError, ValidationError } from "../core/errors.ts";
import { checkRequestOptions } from "../core/option_checks.ts";
import type { RequestOptions } from "../core/request_options.ts";
import type { Transport } from "../core/transport.ts";
import type { RunRef } from "./run_ref.ts";
import { type ExportUrl, presignExport } from "./presign_export.ts";

/**
 * The levels of console log lines.
 *
 * @example
 * ```ts
 * import { LOG_LEVEL_NAMES } from "./logs.ts";
 *
 * console.log(LOG_LEVEL_NAMES.includes("WARN")); // true
 * ```
 */
export const LOG_LEVEL_NAMES = ["DEBUG", "INFO", "WARN", "ERROR"] as const;

/** A log level, one of {@linkcode LOG_LEVEL_NAMES}. */
export type LogLevelName = typeof LOG_LEVEL_NAMES[number];

/** Lines per shard (`size`), fixed as in the SDK. */
export const LOG_SHARD_SIZE = 1000;
/** The most lines one log export may hold. */
export const MAX_LOG_EXPORT_ROWS = 500_000;

/**
 * One console log line, passed through as the server sent it.
 *
 * @example
 * ```ts
 * import type { LogLine } from "./logs.ts";
 *
 * const line: LogLine = { epoch: 0, level: "INFO", message: "hello", tag: "", timestamp: "2024-08-01T00:00:01.000Z" };
 * ```
 */
export interface LogLine {
  /** The shard index. */
  epoch?: number;
  /** The level. */
  level?: string;
  /** The text. */
  message?: string;
  /** The tag (often empty). */
  tag?: string;
  /** When it was logged (ISO-8601, UTC). */
  timestamp?: string;
  /** Any further field the server sent. */
  [field: string]: unknown;
}

/**
 * What `run.logs()` returns (keys in this order, as the SDK's property reflection gives them).
 *
 * @example
 * ```ts
 * import type { LogsJson } from "./logs.ts";
 *
 * const json: LogsJson = {
 *   count: 1, key: "LOG", logs: [{ message: "hello" }], metric_type: "LOG",
 *   project_id: "cproj1", run_id: "crun1",
 * };
 * ```
 */
export interface LogsJson {
  /** The number of lines the server reported (`null` when it sent none: drift). */
  count: number | null;
  /** Always `"LOG"`. */
  key: "LOG";
  /** The lines of the shard. */
  logs: LogLine[];
  /** Always `"LOG"`. */
  metric_type: "LOG";
  /** The project cuid. */
  project_id: string;
  /** The run cuid. */
  run_id: string;
}

/**
 * Which log lines to read.
 *
 * @example The third shard of errors, without timestamps
 * ```ts
 * import type { LogsQuery } from "./logs.ts";
 *
 * const query: LogsQuery = { offset: 2, level: "ERROR", ignoreTimestamp: true };
 * ```
 */
export interface LogsQuery {
  /**
   * The shard index (sent as `epoch`; shards hold up to 1000 lines), an integer ≥ 0.
   * @default 0
   */
  offset?: number;
  /**
   * The level, exactly one of `DEBUG`, `INFO`, `WARN`, `ERROR` (case-sensitive).
   * @default "INFO"
   */
  level?: LogLevelName;
  /**
   * Remove `timestamp` from every line.
   * @default false
   */
  ignoreTimestamp?: boolean;
}

/**
 * Which lines {@linkcode scanLogs} reads.
 *
 * @example
 * ```ts
 * import type { ScanLogsQuery } from "./logs.ts";
 *
 * const query: ScanLogsQuery = { level: "DEBUG" };
 * ```
 */
export interface ScanLogsQuery {
  /**
   * The level, exactly one of `DEBUG`, `INFO`, `WARN`, `ERROR`.
   * @default "INFO"
   */
  level?: LogLevelName;
}

/**
 * Which lines a log export holds.
 *
 * @example
 * ```ts
 * import type { ExportLogsQuery } from "./logs.ts";
 *
 * const query: ExportLogsQuery = { start: 1000, rows: 500 };
 * ```
 */
export interface ExportLogsQuery {
  /**
   * The first line (0-based), an integer ≥ 0.
   * @default 0
   */
  start?: number;
  /**
   * How many lines, an integer from 1 to 500 000.
   * @default 500000
   */
  rows?: number;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function checkInteger(field: string, value: unknown, min: number, max?: number): number {
  if (
    typeof value === "number" && Number.isSafeInteger(value) && value >= min &&
    (max === undefined || value <= max)
  ) {
    return value;
  }
  const shown = typeof value === "number" || typeof value === "string"
    ? ` ${JSON.stringify(value)}`
    : "";
  const expected = max === undefined ? `an integer >= ${min}` : `an integer from ${min} to ${max}`;
  throw new ValidationError(field, `Cannot parse ${field}${shown}: expected ${expected}`);
}

function checkLevel(level: unknown): LogLevelName {
  if (level === undefined) return "INFO";
  if ((LOG_LEVEL_NAMES as readonly unknown[]).includes(level)) return level as LogLevelName;
  const shown = typeof level === "string" ? ` ${JSON.stringify(level)}` : "";
  throw new ValidationError(
    "level",
    `Cannot parse level${shown}: expected one of ${
      LOG_LEVEL_NAMES.map((name) => `"${name}"`).join(", ")
    }`,
  );
}

/** `GET /house/metrics/log` for one shard; the query keys in the SDK's order. */
async function fetchShard(
  transport: Transport,
  ref: RunRef,
  epoch: number,
  level: LogLevelName,
  options: RequestOptions,
): Promise<{ logs: LogLine[]; count: number | null }> {
  const query = {
    projectId: ref.projectId,
    experimentId: ref.runId,
    size: LOG_SHARD_SIZE,
    epoch,
    level,
    ...(ref.rootProId ? { rootProId: ref.rootProId } : {}),
    ...(ref.rootExpId ? { rootExpId: ref.rootExpId } : {}),
    createdAt: ref.createdAt,
  };
  const body: unknown = await transport.call(
    (api) => api.GET("/house/metrics/log", { params: { query } }),
    options,
  );
  const label = "GET /api/house/metrics/log";
  if (!isRecord(body)) {
    throw new ResponseError(`Cannot use response of ${label}: expected an object`);
  }
  const logs = body["logs"] ?? [];
  if (!Array.isArray(logs)) {
    throw new ResponseError(`Cannot use response of ${label}: "logs" is not an array`);
  }
  // Optional (drift policy): a count the server did not send, or sent wrongly, is null.
  const count = typeof body["count"] === "number" ? body["count"] : null;
  return { logs: logs as LogLine[], count };
}

/**
 * Reads one shard of a run's console log, as the Python SDK's `run.logs(offset, level,
 * ignore_timestamp)`: `GET /house/metrics/log` with `projectId`, `experimentId`, `size=1000`,
 * `epoch` (the shard), `level`, the root ids of a clone, and `createdAt`.
 *
 * Differs from the SDK: a failed request throws a typed error (the SDK answers `logs: []`,
 * `count: 0`); `offset` must be an integer ≥ 0.
 *
 * @param transport The client's transport.
 * @param ref The run.
 * @param query The shard, level and timestamp handling.
 * @param options Per-call signal, timeout and retries.
 * @returns `{count, key: "LOG", logs, metric_type: "LOG", project_id, run_id}`.
 * @throws {ValidationError} For an invalid offset, level or flag (before any request).
 * @throws {ResponseError} For a malformed answer.
 * @throws {ApiError} (or a subclass) and {@linkcode ConnectionError} for failed requests.
 *
 * @example The first shard of warnings
 * ```ts ignore
 * import { fetchLogs } from "./logs.ts";
 *
 * const json = await fetchLogs(transport, ref, { level: "WARN" });
 * for (const line of json.logs) console.log(line.timestamp, line.message);
 * ```
 */
export async function fetchLogs(
  transport: Transport,
  ref: RunRef,
  query: LogsQuery = {},
  options: RequestOptions = {},
): Promise<LogsJson> {
  if (typeof query !== "object" || query === null || Array.isArray(query)) {
    throw new ValidationError("query", "Cannot parse query: expected an object");
  }
  const offset = query.offset === undefined ? 0 : checkInteger("offset", query.offset, 0);
  const level = checkLevel(query.level);
  if (query.ignoreTimestamp !== undefined && typeof query.ignoreTimestamp !== "boolean") {
    throw new ValidationError(
      "ignoreTimestamp",
      "Cannot parse ignoreTimestamp: expected a boolean",
    );
  }
  const shard = await fetchShard(transport, ref, offset, level, options);
  const logs = query.ignoreTimestamp === true
    ? shard.logs.map((line) =>
      isRecord(line)
        ? Object.fromEntries(Object.entries(line).filter(([name]) => name !== "timestamp"))
        : line
    )
    : shard.logs;
  return {
    count: shard.count,
    key: "LOG",
    logs,
    metric_type: "LOG",
    project_id: ref.projectId,
    run_id: ref.runId,
  };
}

/**
 * Streams every console log line of a run at one level: shards 0, 1, 2, … one request at a
 * time, until a shard holds fewer than 1000 lines (or none).
 *
 * @param transport The client's transport.
 * @param ref The run.
 * @param query The level.
 * @param options Per-call signal, timeout and retries.
 * @returns The lines, in shard order.
 * @throws {ValidationError} At call time, for an invalid level.
 * @throws {ResponseError} While iterating, for a malformed answer.
 * @throws {ApiError} (or a subclass) and {@linkcode ConnectionError} for failed requests.
 *
 * @example Count the errors
 * ```ts ignore
 * import { scanLogs } from "./logs.ts";
 *
 * let errors = 0;
 * for await (const _ of scanLogs(transport, ref, { level: "ERROR" })) errors++;
 * ```
 */
export function scanLogs(
  transport: Transport,
  ref: RunRef,
  query: ScanLogsQuery = {},
  options: RequestOptions = {},
): AsyncIterable<LogLine> {
  if (typeof query !== "object" || query === null || Array.isArray(query)) {
    throw new ValidationError("query", "Cannot parse query: expected an object");
  }
  const level = checkLevel(query.level);
  const signal = checkRequestOptions(options).signal;
  return (async function* (): AsyncGenerator<LogLine> {
    for (let epoch = 0;; epoch++) {
      const { logs } = await fetchShard(transport, ref, epoch, level, options);
      for (const line of logs) {
        // A shard holds up to 1000 lines: an abort stops at the next line, not the next shard.
        if (signal?.aborted) {
          throw new AbortError("GET", "/api/house/metrics/log", { cause: signal.reason });
        }
        yield line;
      }
      if (logs.length < LOG_SHARD_SIZE) return;
    }
  })();
}

/**
 * Exports console log lines of a run to a `.log` object and returns its presigned URL, as the
 * Python SDK's `run.export_logs(start, rows)`: `POST /house/metrics/log/export` (with the root ids
 * of a clone), then `POST /files/presigned/get`.
 *
 * Differs from the SDK: `start` must be an integer ≥ 0 and `rows` from 1 to 500 000 (the SDK
 * caps `rows` and checks nothing else); failures throw (wrap the call in
 * `ApiResponse.from()` for the SDK's `{ok, errmsg, data}`).
 *
 * @param transport The client's transport.
 * @param ref The run.
 * @param query The first line and the number of lines.
 * @param options Per-call signal, timeout and retries.
 * @returns The presigned URL of the `.log` file.
 * @throws {ValidationError} For an invalid `start` or `rows` (before any request).
 * @throws {ResponseError} Naming the operation and field, for an answer without `cosKey`
 *   or URL.
 * @throws {ApiError} (or a subclass) and {@linkcode ConnectionError} for failed requests.
 *
 * @example Export the first 500 lines
 * ```ts ignore
 * import { exportLogsUrl } from "./logs.ts";
 *
 * const { url } = await exportLogsUrl(transport, ref, { rows: 500 });
 * const text = await (await transport.download(url)).text();
 * ```
 */
export async function exportLogsUrl(
  transport: Transport,
  ref: RunRef,
  query: ExportLogsQuery = {},
  options: RequestOptions = {},
): Promise<ExportUrl> {
  if (typeof query !== "object" || query === null || Array.isArray(query)) {
    throw new ValidationError("query", "Cannot parse query: expected an object");
  }
  const start = query.start === undefined ? 0 : checkInteger("start", query.start, 0);
  const rows = query.rows === undefined
    ? MAX_LOG_EXPORT_ROWS
    : checkInteger("rows", query.rows, 1, MAX_LOG_EXPORT_ROWS);
  const body = {
    projectId: ref.projectId,
    experimentId: ref.runId,
    start,
    rows,
    ...(ref.rootProId ? { rootProId: ref.rootProId } : {}),
    ...(ref.rootExpId ? { rootExpId: ref.rootExpId } : {}),
    createdAt: ref.createdAt,
  };
  const answer: unknown = await transport.call(
    (api) => api.POST("/house/metrics/log/export", { body }),
    options,
  );
  const cosKey = isRecord(answer) ? answer["cosKey"] : undefined;
  if (typeof cosKey !== "string" || cosKey === "") {
    throw new ResponseError("Invalid response format: missing cosKey");
  }
  return { url: await presignExport(transport, cosKey, options) };
}
