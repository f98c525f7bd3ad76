/**
 * Scalar summaries of one run (latest value, minimum, maximum, average, median, standard
 * deviation per key), as `run.summary()` returns them (wire reference §3.1.10, §4.9).
 *
 * @example
 * ```ts ignore
 * import { fetchSummary } from "./summary.ts";
 *
 * const summary = await fetchSummary(transport, ref, ["train/loss"]);
 * console.log(summary["train/loss"]?.value);
 * ```
 *
 * @module
 */

import { ResponseError, ValidationError } from "../core/errors.ts";
import type { RequestOptions } from "../core/request_options.ts";
import type { Transport } from "../core/transport.ts";
import type { RunRef } from "./run_ref.ts";

/**
 * The summary of one key, passed through as the server sent it. Values may be numbers or the
 * strings `"NaN"`, `"INF"`, `"-INF"`.
 *
 * @example
 * ```ts
 * import type { SummaryItemJson } from "./summary.ts";
 *
 * const item: SummaryItemJson = {
 *   step: 222, value: 0.523, minMax: [0.1, 0.9], min: { step: 3, value: 0.1 },
 *   max: { step: 1, value: 0.9 }, avg: 0.45, median: 0.44, stdDev: 0.12,
 * };
 * ```
 */
export interface SummaryItemJson {
  /** The step of the latest point. */
  step?: number;
  /** The latest value. */
  value?: number | string;
  /** `[min, max]`. */
  minMax?: [number | string, number | string];
  /** The minimum point. */
  min?: { step: number; value: number | string };
  /** The maximum point. */
  max?: { step: number; value: number | string };
  /** The average. */
  avg?: number | string;
  /** The median. */
  median?: number | string;
  /** The standard deviation. */
  stdDev?: number | string;
  /** Any further field the server sent. */
  [field: string]: unknown;
}

/**
 * The summaries of a run, by key.
 *
 * @example
 * ```ts
 * import type { SummaryJson } from "./summary.ts";
 *
 * const summary: SummaryJson = { loss: { step: 222, value: 0.523 } };
 * ```
 */
export type SummaryJson = Record<string, SummaryItemJson>;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Reads the summaries of a run's scalar keys: `POST /house/metrics/summaries` with the run's
 * reference (plus the root ids of a clone) and `keys` (omitted when `undefined` or `null`, which
 * means every key; `[]` is sent as `[]`). Returns the object the server keyed by the run's cuid,
 * unchanged; `{}` when the server has `null` (no data) or nothing for the run.
 *
 * Differs from the SDK: a failed request or an answer that is not an object throws a typed error
 * (the SDK answers `{}`).
 *
 * @param transport The client's transport.
 * @param ref The run.
 * @param keys The keys to summarize; `undefined`/`null` for all.
 * @param options Per-call signal, timeout and retries.
 * @returns The summaries by key.
 * @throws {ValidationError} If `keys` is not an array of strings (before any request).
 * @throws {ResponseError} If the answer, or the run's entry, is not an object.
 * @throws {ApiError} (or a subclass) and {@linkcode ConnectionError} for failed requests.
 *
 * @example Every key
 * ```ts ignore
 * import { fetchSummary } from "./summary.ts";
 *
 * for (const [key, item] of Object.entries(await fetchSummary(transport, ref))) {
 *   console.log(key, item.value);
 * }
 * ```
 */
export async function fetchSummary(
  transport: Transport,
  ref: RunRef,
  keys?: readonly string[] | null,
  options: RequestOptions = {},
): Promise<SummaryJson> {
  if (keys !== undefined && keys !== null) {
    if (!Array.isArray(keys)) {
      throw new ValidationError("keys", "Cannot parse keys: expected an array of metric keys");
    }
    for (let i = 0; i < keys.length; i++) {
      const key: unknown = keys[i];
      if (typeof key !== "string" || key.trim() === "") {
        throw new ValidationError(
          `keys[${i}]`,
          `Cannot parse keys[${i}]: expected a non-blank string`,
        );
      }
    }
  }
  const experiment: {
    projectId: string;
    experimentId: string;
    createdAt: number;
    rootProId?: string;
    rootExpId?: string;
  } = {
    projectId: ref.projectId,
    experimentId: ref.runId,
    createdAt: ref.createdAt,
  };
  if (ref.rootProId) experiment.rootProId = ref.rootProId;
  if (ref.rootExpId) experiment.rootExpId = ref.rootExpId;
  const body = keys === undefined || keys === null
    ? { experiments: [experiment] }
    : { experiments: [experiment], keys: [...keys] };
  const answer: unknown = await transport.call(
    (api) => api.POST("/house/metrics/summaries", { body }),
    options,
  );
  const label = "POST /api/house/metrics/summaries";
  if (!isRecord(answer)) {
    throw new ResponseError(`Cannot use response of ${label}: expected an object`);
  }
  const summary = Object.hasOwn(answer, ref.runId) ? answer[ref.runId] : null;
  if (summary === null || summary === undefined) return {};
  if (!isRecord(summary)) {
    throw new ResponseError(`Cannot use response of ${label}: the run's summary is not an object`);
  }
  return summary as SummaryJson;
}
