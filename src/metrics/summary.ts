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

import { ApiError, ResponseError, ValidationError } from "../core/errors.ts";
import type { RequestOptions } from "../core/request_options.ts";
import type { Transport } from "../core/transport.ts";
import type { components } from "../../generated/schema.ts";
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

/** The most runs one summaries request names; more are asked for in further requests. */
export const MAX_SUMMARY_RUNS = 50;

/** A server's refusal of a request naming several runs (one that takes one run at a time). */
const BATCH_REFUSED = new Set([400, 413, 422]);

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
  const summaries = await fetchSummaries(transport, [ref], keys, options);
  return summaries.get(ref.runId) ?? {};
}

/**
 * Reads the summaries of several runs' scalar keys with one request per
 * {@linkcode MAX_SUMMARY_RUNS} runs (the endpoint takes a list of runs and answers by run cuid):
 * what {@linkcode fetchSummary} gives for each run, with a fraction of the requests.
 *
 * Never an invented summary: a run that a several-run answer does not name is asked for on its
 * own (a server that reads only the first run of a list then still gives every run's summary),
 * and a several-run request that the server refuses as malformed or too large (400, 413, 422) is
 * made again one run at a time. Only a one-run answer's silence means `{}`, as in the SDK.
 *
 * @param transport The client's transport.
 * @param refs The runs (a run named twice is asked for once).
 * @param keys The keys to summarize; `undefined`/`null` for all.
 * @param options Per-call signal, timeout and retries.
 * @returns Each run's summaries, by run cuid.
 * @throws {ValidationError} If `keys` is not an array of strings (before any request).
 * @throws {ResponseError} If an answer, or a run's entry, is not an object.
 * @throws {ApiError} (or a subclass) and {@linkcode ConnectionError} for failed requests.
 *
 * @example The latest loss of every run of a list
 * ```ts ignore
 * import { fetchSummaries } from "./summary.ts";
 *
 * const summaries = await fetchSummaries(transport, refs, ["loss"]);
 * for (const ref of refs) console.log(ref.name, summaries.get(ref.runId)?.["loss"]?.value);
 * ```
 */
export async function fetchSummaries(
  transport: Transport,
  refs: readonly RunRef[],
  keys?: readonly string[] | null,
  options: RequestOptions = {},
): Promise<Map<string, SummaryJson>> {
  checkKeys(keys);
  const distinct = [...new Map(refs.map((ref) => [ref.runId, ref])).values()];
  const summaries = new Map<string, SummaryJson>();
  for (let i = 0; i < distinct.length; i += MAX_SUMMARY_RUNS) {
    await readSummaries(
      transport,
      distinct.slice(i, i + MAX_SUMMARY_RUNS),
      keys,
      options,
      summaries,
    );
  }
  return summaries;
}

function checkKeys(keys: readonly string[] | null | undefined): void {
  if (keys === undefined || keys === null) return;
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

type Schemas = components["schemas"];

/** The experiment entry of a summaries request body. */
function experimentOf(ref: RunRef): Schemas["SummaryExperimentRef"] {
  const experiment: Schemas["SummaryExperimentRef"] = {
    projectId: ref.projectId,
    experimentId: ref.runId,
    createdAt: ref.createdAt,
  };
  if (ref.rootProId) experiment.rootProId = ref.rootProId;
  if (ref.rootExpId) experiment.rootExpId = ref.rootExpId;
  return experiment;
}

/** One request for `refs` (at most {@linkcode MAX_SUMMARY_RUNS}), into `out`. */
async function readSummaries(
  transport: Transport,
  refs: readonly RunRef[],
  keys: readonly string[] | null | undefined,
  options: RequestOptions,
  out: Map<string, SummaryJson>,
): Promise<void> {
  const experiments = refs.map(experimentOf);
  const body: Schemas["SummariesRequest"] = keys === undefined || keys === null
    ? { experiments }
    : { experiments, keys: [...keys] };
  const one = refs.length === 1;
  let answer: unknown;
  try {
    answer = await transport.call(
      (api) => api.POST("/house/metrics/summaries", { body }),
      options,
    );
  } catch (error) {
    if (one || !(error instanceof ApiError) || !BATCH_REFUSED.has(error.status)) throw error;
    for (const ref of refs) await readSummaries(transport, [ref], keys, options, out);
    return;
  }
  const label = "POST /api/house/metrics/summaries";
  if (!isRecord(answer)) {
    throw new ResponseError(`Cannot use response of ${label}: expected an object`);
  }
  for (const ref of refs) {
    if (!Object.hasOwn(answer, ref.runId)) {
      if (one) out.set(ref.runId, {});
      else await readSummaries(transport, [ref], keys, options, out);
      continue;
    }
    const summary = answer[ref.runId];
    if (summary === null || summary === undefined) {
      out.set(ref.runId, {});
    } else if (isRecord(summary)) {
      out.set(ref.runId, summary as SummaryJson);
    } else {
      throw new ResponseError(
        `Cannot use response of ${label}: the summary of run ${ref.runId} is not an object`,
      );
    }
  }
}
