/**
 * Metric keys of a run: listing (`/house/metrics/{scalar|media}/keys`), availability, key classes,
 * and the run references every House request is built from.
 *
 * @example List the custom scalar keys of a run
 * ```ts ignore
 * import { keyClass, listMetricKeys } from "./metric_keys.ts";
 *
 * const keys = await listMetricKeys(transport, ref, "SCALAR");
 * console.log(keys.filter((key) => keyClass(key, "SCALAR") === "CUSTOM"));
 * ```
 *
 * @module
 */

import { ResponseError, ValidationError } from "../core/errors.ts";
import type { RequestOptions } from "../core/request_options.ts";
import type { Transport } from "../core/transport.ts";
import type { RunRef } from "./run_ref.ts";

/**
 * The kind of a metric key: scalar (numbers) or media (images, audio, …).
 *
 * @example
 * ```ts
 * import type { MetricKeyType } from "./metric_keys.ts";
 *
 * const type: MetricKeyType = "SCALAR";
 * ```
 */
export type MetricKeyType = "SCALAR" | "MEDIA";

/**
 * Who logged a metric key: the user (`CUSTOM`) or SwanLab itself (`SYSTEM`).
 *
 * @example
 * ```ts
 * import type { KeyClass } from "./metric_keys.ts";
 *
 * const keyClass: KeyClass = "SYSTEM";
 * ```
 */
export type KeyClass = "CUSTOM" | "SYSTEM";

/** The prefix SwanLab gives the scalar keys it logs itself (CPU, memory, GPU …). */
const SYSTEM_PREFIX = "__swanlab__";
/** Keys per page of `/house/metrics/{type}/keys`, as the SDK sends. */
const KEYS_PAGE_LIMIT = 2000;
/** Most keys per House scalar request or CSV export (wire reference §2.7). */
export const MAX_KEYS_PER_REQUEST = 16;

/**
 * A column reference of a House request (`colref`, wire reference §3): the run's own cuid, the
 * key, the run's creation time, and for clones the root ids.
 *
 * @example
 * ```ts
 * import type { ColumnRef } from "./metric_keys.ts";
 *
 * const colref: ColumnRef = { experimentId: "crun1", key: "loss", createdAt: 1722470400 };
 * ```
 */
export interface ColumnRef {
  /** The run's own cuid. */
  experimentId: string;
  /** The metric key. */
  key: string;
  /** The run's creation time, Unix seconds. */
  createdAt: number;
  /** For a cloned run, the cuid of the root project. */
  rootProId?: string;
  /** For a cloned run, the cuid of the root run. */
  rootExpId?: string;
}

/**
 * A run reference of the key listing and availability requests. For clones it names the ROOT
 * run (wire reference §3.1.6), and it never carries root fields.
 *
 * @example
 * ```ts
 * import type { KeyExperimentRef } from "./metric_keys.ts";
 *
 * const ref: KeyExperimentRef = { projectId: "cproj1", experimentId: "crun1", createdAt: 1722470400 };
 * ```
 */
export interface KeyExperimentRef {
  /** The project cuid (the root project's for a clone). */
  projectId: string;
  /** The run cuid (the root run's for a clone). */
  experimentId: string;
  /** The run's creation time, Unix seconds. */
  createdAt: number;
}

/**
 * Builds the column reference of one key of a run: `{experimentId, key, createdAt}` plus
 * `rootProId`/`rootExpId` only when set (non-empty).
 *
 * @param ref The run.
 * @param key The metric key.
 * @returns The column reference.
 *
 * @example A clone's column reference keeps its own id and adds the root ids
 * ```ts
 * import { columnRef } from "./metric_keys.ts";
 *
 * const ref = { projectId: "cp", runId: "cr", createdAt: 1722470400, name: "r", rootProId: "cp0", rootExpId: "cr0" };
 * console.log(columnRef(ref, "loss"));
 * // { experimentId: "cr", key: "loss", createdAt: 1722470400, rootProId: "cp0", rootExpId: "cr0" }
 * ```
 */
export function columnRef(ref: RunRef, key: string): ColumnRef {
  const colref: ColumnRef = { experimentId: ref.runId, key, createdAt: ref.createdAt };
  if (ref.rootProId) colref.rootProId = ref.rootProId;
  if (ref.rootExpId) colref.rootExpId = ref.rootExpId;
  return colref;
}

/**
 * Builds the run reference of the key listing and availability requests: for a clone the root
 * project and run ids replace the run's own (`projectId = rootProId || projectId`,
 * `experimentId = rootExpId || runId`), with no root fields (wire reference §3.1.6).
 *
 * @param ref The run.
 * @returns The reference.
 *
 * @example
 * ```ts
 * import { keyExperimentRef } from "./metric_keys.ts";
 *
 * const ref = { projectId: "cp", runId: "cr", createdAt: 1722470400, name: "r", rootProId: "cp0", rootExpId: "cr0" };
 * console.log(keyExperimentRef(ref)); // { projectId: "cp0", experimentId: "cr0", createdAt: 1722470400 }
 * ```
 */
export function keyExperimentRef(ref: RunRef): KeyExperimentRef {
  return {
    projectId: ref.rootProId || ref.projectId,
    experimentId: ref.rootExpId || ref.runId,
    createdAt: ref.createdAt,
  };
}

/**
 * The most keys a scan read as column blocks can have: each point's key is an index into the
 * scan's keys, stored in a `Uint16Array` (see `long_point_columns.ts`).
 */
const MAX_BLOCK_KEYS = 65_536;

/**
 * Checks that a scan's keys fit the 16-bit key indexes of its column blocks, before any request.
 *
 * @param keyCount The number of distinct keys of the scan.
 * @throws {ValidationError} For more than 65,536 keys.
 *
 * @example A scan of three keys fits
 * ```ts
 * import { checkBlockKeyCount } from "./metric_keys.ts";
 *
 * checkBlockKeyCount(3);
 * ```
 */
export function checkBlockKeyCount(keyCount: number): void {
  if (keyCount > MAX_BLOCK_KEYS) {
    throw new ValidationError(
      "keys",
      `Cannot scan ${keyCount} keys as columns: expected at most ${MAX_BLOCK_KEYS} (use batches())`,
    );
  }
}

/**
 * Checks a list of metric keys: a non-empty array of non-blank strings. Returns the keys
 * de-duplicated in order (first occurrence wins), as the SDK sends them.
 *
 * @param keys The keys, from code, JSON or the command line.
 * @param field The parameter name reported on failure; items are reported as `field[i]`.
 * @returns The distinct keys, in order.
 * @throws {ValidationError} If `keys` is not a non-empty array or an item is not a non-blank string.
 *
 * @example
 * ```ts
 * import { validateMetricKeys } from "./metric_keys.ts";
 *
 * console.log(validateMetricKeys(["loss", "acc", "loss"])); // ["loss", "acc"]
 * ```
 */
export function validateMetricKeys(keys: unknown, field = "keys"): string[] {
  if (!Array.isArray(keys)) {
    throw new ValidationError(field, `Cannot parse ${field}: expected an array of metric keys`);
  }
  if (keys.length === 0) {
    throw new ValidationError(field, `Cannot parse ${field}: expected at least one metric key`);
  }
  const seen = new Set<string>();
  keys.forEach((key: unknown, i: number) => {
    if (typeof key !== "string" || key.trim() === "") {
      const shown = typeof key === "string" ? ` ${JSON.stringify(key)}` : "";
      throw new ValidationError(
        `${field}[${i}]`,
        `Cannot parse ${field}[${i}]${shown}: expected a non-blank string`,
      );
    }
    seen.add(key);
  });
  return [...seen];
}

/**
 * Splits keys into consecutive chunks of at most {@linkcode MAX_KEYS_PER_REQUEST} keys.
 *
 * @param keys The keys.
 * @returns The chunks, in order.
 *
 * @example
 * ```ts
 * import { chunkKeys } from "./metric_keys.ts";
 *
 * const keys = Array.from({ length: 20 }, (_, i) => `k${i}`);
 * console.log(chunkKeys(keys).map((chunk) => chunk.length)); // [16, 4]
 * ```
 */
export function chunkKeys(keys: readonly string[]): string[][] {
  const chunks: string[][] = [];
  for (let i = 0; i < keys.length; i += MAX_KEYS_PER_REQUEST) {
    chunks.push(keys.slice(i, i + MAX_KEYS_PER_REQUEST));
  }
  return chunks;
}

/**
 * The class of a key: `"SYSTEM"` if and only if it is a scalar key starting with `__swanlab__`;
 * every other key, and every media key, is `"CUSTOM"`.
 *
 * @param key The metric key.
 * @param metricType The key's type.
 * @returns The key class.
 *
 * @example
 * ```ts
 * import { keyClass } from "./metric_keys.ts";
 *
 * console.log(keyClass("__swanlab__.cpu", "SCALAR")); // "SYSTEM"
 * console.log(keyClass("__swanlab__.cpu", "MEDIA")); // "CUSTOM"
 * console.log(keyClass("loss", "SCALAR")); // "CUSTOM"
 * ```
 */
export function keyClass(key: string, metricType: MetricKeyType): KeyClass {
  return metricType === "SCALAR" && key.startsWith(SYSTEM_PREFIX) ? "SYSTEM" : "CUSTOM";
}

function checkMetricType(metricType: unknown): MetricKeyType {
  if (metricType === "SCALAR" || metricType === "MEDIA") return metricType;
  throw new ValidationError(
    "metricType",
    `Cannot parse metricType ${JSON.stringify(metricType)}: expected "SCALAR" or "MEDIA"`,
  );
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Lists every metric key of one type that a run logged, in server order.
 *
 * Pages through `POST /house/metrics/{scalar|media}/keys` (limit 2000) while the server answers
 * `hasMore` with a non-empty `nextCursor`. For a cloned run the request names the root run
 * (wire reference §3.1.6), whose keys the clone shares.
 *
 * @param transport The client's transport.
 * @param ref The run.
 * @param metricType `"SCALAR"` or `"MEDIA"`.
 * @param options Per-call signal, timeout and retries.
 * @returns The keys (system keys included; see {@linkcode keyClass}).
 * @throws {ValidationError} If `metricType` is not `"SCALAR"` or `"MEDIA"`.
 * @throws {ResponseError} If a page has no `keys` array, or the server repeats a cursor.
 * @throws {ApiError} (or a subclass) and {@linkcode ConnectionError} for failed requests.
 *
 * @example List the media keys
 * ```ts ignore
 * import { listMetricKeys } from "./metric_keys.ts";
 *
 * const mediaKeys = await listMetricKeys(transport, ref, "MEDIA");
 * ```
 */
export async function listMetricKeys(
  transport: Transport,
  ref: RunRef,
  metricType: MetricKeyType,
  options: RequestOptions = {},
): Promise<string[]> {
  const type = checkMetricType(metricType);
  const experiments = [keyExperimentRef(ref)];
  const keys: string[] = [];
  const seenCursors = new Set<string>();
  let cursor = "";
  for (;;) {
    const body = { experiments, limit: KEYS_PAGE_LIMIT, cursor };
    const page: unknown = type === "SCALAR"
      ? await transport.call((api) => api.POST("/house/metrics/scalar/keys", { body }), options)
      : await transport.call((api) => api.POST("/house/metrics/media/keys", { body }), options);
    const label = `POST /api/house/metrics/${type.toLowerCase()}/keys`;
    if (!isRecord(page) || !Array.isArray(page["keys"])) {
      throw new ResponseError(`Cannot use response of ${label}: "keys" is not an array`);
    }
    for (const key of page["keys"] as unknown[]) {
      if (typeof key !== "string") {
        throw new ResponseError(`Cannot use response of ${label}: a key is not a string`);
      }
      keys.push(key);
    }
    const next = page["nextCursor"];
    if (page["hasMore"] !== true || typeof next !== "string" || next === "") return keys;
    if (seenCursors.has(next)) {
      throw new ResponseError(
        `Cannot use response of ${label}: cursor ${JSON.stringify(next)} repeats`,
      );
    }
    seenCursors.add(next);
    cursor = next;
  }
}

/**
 * Looks up which of the given keys a run has: `POST /house/metrics/{scalar|media}/availability`.
 *
 * The result maps every requested key to the cuids of the runs that logged it: `[]` when the run
 * does not have it (also for keys the server left out). For a cloned run the request names the
 * root run (wire reference §3.1.6). An empty `keys` array answers `{}` without a request.
 *
 * Differs from the SDK: a response that is not an object is a {@linkcode ResponseError}, not `{}`.
 *
 * @param transport The client's transport.
 * @param ref The run.
 * @param metricType `"SCALAR"` or `"MEDIA"`.
 * @param keys The keys to look up.
 * @param options Per-call signal, timeout and retries.
 * @returns For each key, the run cuids that have it.
 * @throws {ValidationError} If `metricType` is invalid or `keys` is not an array of non-blank strings.
 * @throws {ResponseError} If the response is not an object of string arrays.
 * @throws {ApiError} (or a subclass) and {@linkcode ConnectionError} for failed requests.
 *
 * @example Check two keys
 * ```ts ignore
 * import { fetchAvailability } from "./metric_keys.ts";
 *
 * const availability = await fetchAvailability(transport, ref, "SCALAR", ["loss", "nope"]);
 * console.log(availability.nope.length === 0); // true
 * ```
 */
export async function fetchAvailability(
  transport: Transport,
  ref: RunRef,
  metricType: MetricKeyType,
  keys: readonly string[],
  options: RequestOptions = {},
): Promise<Record<string, string[]>> {
  const type = checkMetricType(metricType);
  if (Array.isArray(keys) && keys.length === 0) return {};
  const distinct = validateMetricKeys(keys);
  const body = { keys: distinct, experiments: [keyExperimentRef(ref)] };
  const response: unknown = type === "SCALAR"
    ? await transport.call(
      (api) => api.POST("/house/metrics/scalar/availability", { body }),
      options,
    )
    : await transport.call(
      (api) => api.POST("/house/metrics/media/availability", { body }),
      options,
    );
  const label = `POST /api/house/metrics/${type.toLowerCase()}/availability`;
  if (!isRecord(response)) {
    throw new ResponseError(`Cannot use response of ${label}: expected an object`);
  }
  const result: Record<string, string[]> = {};
  for (const key of distinct) {
    const runs = Object.hasOwn(response, key) ? response[key] : [];
    if (
      !Array.isArray(runs) || !runs.every((run: unknown) => typeof run === "string")
    ) {
      throw new ResponseError(
        `Cannot use response of ${label}: key ${JSON.stringify(key)} is not a list of run ids`,
      );
    }
    Object.defineProperty(result, key, {
      value: [...runs] as string[],
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return result;
}
