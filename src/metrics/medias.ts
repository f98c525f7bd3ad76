/**
 * Media metrics of one run (images, audio, …) with presigned download URLs, as `run.medias()`
 * returns them (wire reference §3.1.8, §4.7).
 *
 * @example The images of step 10, downloaded
 * ```ts ignore
 * import { downloadMedia, fetchMedias } from "./medias.ts";
 *
 * const json = await fetchMedias(transport, ref, ["samples/image"], { step: 10 });
 * for (const item of json.list[0]?.metrics[0]?.items ?? []) {
 *   if (item.url) await Deno.writeFile("a.png", await (await downloadMedia(transport, item.url)).bytes());
 * }
 * ```
 *
 * @module
 */

import { ResponseError, ValidationError } from "../core/errors.ts";
import type { RequestOptions } from "../core/request_options.ts";
import type { DownloadOptions, Transport } from "../core/transport.ts";
import { columnRef, validateMetricKeys } from "./metric_keys.ts";
import type { RunRef } from "./run_ref.ts";

/**
 * One media object: its presigned `url` (when the server presigned it) and the metadata the run
 * logged with it (`caption`, …).
 *
 * @example
 * ```ts
 * import type { MediaItemJson } from "./medias.ts";
 *
 * const item: MediaItemJson = { url: "https://bucket.example.org/a.png?X-Signature=abc", caption: "A" };
 * ```
 */
export interface MediaItemJson {
  /** The presigned download URL; it expires. */
  url?: string;
  /** The logged metadata. */
  [field: string]: unknown;
}

/**
 * The media of one key at one step.
 *
 * @example
 * ```ts
 * import type { MediaStepJson } from "./medias.ts";
 *
 * const step: MediaStepJson = { index: 5, items: [{ url: "https://bucket.example.org/a.png?sig" }] };
 * ```
 */
export interface MediaStepJson {
  /** The step (`null` when the server did not say: drift). */
  index: number | null;
  /** The media objects, in logged order. */
  items: MediaItemJson[];
}

/**
 * The media of one key: one step (with `step` and `steps`) or every step.
 *
 * @example
 * ```ts
 * import type { MediaSeriesJson } from "./medias.ts";
 *
 * const series: MediaSeriesJson = { key: "img", metrics: [{ index: 5, items: [] }], step: 5, steps: [0, 5, 10] };
 * ```
 */
export interface MediaSeriesJson {
  /** The metric key. */
  key: string;
  /** One entry per step (a single one in single-step mode; none when the key has no media). */
  metrics: MediaStepJson[];
  /** Single-step mode: the step the server returned (`null` when it had none). */
  step?: number | null;
  /** Single-step mode: every step that has media. */
  steps?: number[];
}

/**
 * What `run.medias()` returns: the Python SDK's `Metrics.json()` for media (wire reference §4.7).
 *
 * @example
 * ```ts
 * import type { MediaJson } from "./medias.ts";
 *
 * const json: MediaJson = {
 *   keys: ["img"], metricType: "MEDIA", projectId: "cproj1", experimentId: "crun1",
 *   list: [{ key: "img", metrics: [], step: null, steps: [] }],
 * };
 * ```
 */
export interface MediaJson {
  /** The keys as requested (duplicates kept). */
  keys: string[];
  /** Always `"MEDIA"`. */
  metricType: "MEDIA";
  /** The project cuid. */
  projectId: string;
  /** The run cuid. */
  experimentId: string;
  /** One entry per distinct key, in request order. */
  list: MediaSeriesJson[];
}

/**
 * Which media to read.
 *
 * @example Every step
 * ```ts
 * import type { MediaQuery } from "./medias.ts";
 *
 * const query: MediaQuery = { all: true };
 * ```
 */
export interface MediaQuery {
  /**
   * The step to read; `null` lets the server choose (normally the latest step). Ignored with
   * `all`.
   * @default 0 (as the SDK sends)
   */
  step?: number | null;
  /**
   * Read every step (`POST /house/metrics/f_media`).
   * @default false
   */
  all?: boolean;
}

/** The raw media of one key at one step: relative paths and aligned metadata. */
interface RawMedia {
  data: string[];
  more: unknown[];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function fail(label: string, detail: string): ResponseError {
  return new ResponseError(`Cannot use response of ${label}: ${detail}`);
}

/** Reads `data` (paths) and `more` (metadata) of an entry; both may be missing or null. */
function readRawMedia(entry: Record<string, unknown>, label: string): RawMedia {
  const data = entry["data"] ?? [];
  const more = entry["more"] ?? [];
  if (!Array.isArray(data) || !data.every((path: unknown) => typeof path === "string")) {
    throw fail(label, `"data" of key ${JSON.stringify(entry["key"])} is not a list of paths`);
  }
  if (!Array.isArray(more)) {
    throw fail(label, `"more" of key ${JSON.stringify(entry["key"])} is not a list`);
  }
  return { data: data as string[], more };
}

/**
 * Presigns media paths of a run in one `POST /resources/presigned/get` call, with prefix
 * `<projectCuid>/<runCuid>` of the run itself (never the root ids of a clone). Returns the URLs
 * aligned by position with `paths`; a shorter answer leaves the last paths without URL
 * (`undefined`), as the API allows. No request is sent for an empty list.
 *
 * @param transport The client's transport.
 * @param ref The run.
 * @param paths The relative media paths, as the media endpoints return them.
 * @param options Per-call signal, timeout and retries.
 * @returns One URL (or `undefined`) per path.
 * @throws {ResponseError} If the answer has no `urls` array.
 * @throws {ApiError} (or a subclass) and {@linkcode ConnectionError} for failed requests.
 *
 * @example
 * ```ts ignore
 * import { presignMediaPaths } from "./medias.ts";
 *
 * const [url] = await presignMediaPaths(transport, ref, ["media/img/a.png"]);
 * ```
 */
export async function presignMediaPaths(
  transport: Transport,
  ref: RunRef,
  paths: readonly string[],
  options: RequestOptions = {},
): Promise<(string | undefined)[]> {
  if (paths.length === 0) return [];
  const body = await transport.call(
    (api) =>
      api.POST("/resources/presigned/get", {
        body: { prefix: `${ref.projectId}/${ref.runId}`, paths: [...paths] },
      }),
    options,
  );
  // Optional (drift policy): without URLs the items keep their metadata; the transport has
  // reported the drift.
  const urls: unknown[] = isRecord(body) && Array.isArray(body["urls"]) ? body["urls"] : [];
  return paths.map((_, i) => {
    const url: unknown = urls[i];
    return typeof url === "string" && url !== "" ? url : undefined;
  });
}

/**
 * Builds the items of one step: `{url, ...more[i]}` per path. The presigned `url` always wins
 * over a `url` field inside the metadata (the SDK lets the metadata override it); without a
 * presigned URL the metadata is kept as is.
 */
function buildItems(
  raw: RawMedia,
  urls: readonly (string | undefined)[],
  offset: number,
): MediaItemJson[] {
  return raw.data.map((_, i) => {
    const url = urls[offset + i];
    const more = raw.more[i];
    const fields: [string, unknown][] = url === undefined ? [] : [["url", url]];
    if (isRecord(more)) {
      for (const field of Object.entries(more)) {
        if (url === undefined || field[0] !== "url") fields.push(field);
      }
    }
    return Object.fromEntries(fields) as MediaItemJson;
  });
}

/** Presigns every path of the given raw media at once and builds their items, in order. */
async function buildMediaItems(
  transport: Transport,
  ref: RunRef,
  raws: readonly RawMedia[],
  options: RequestOptions = {},
): Promise<MediaItemJson[][]> {
  const paths = raws.flatMap((raw) => raw.data);
  const urls = await presignMediaPaths(transport, ref, paths, options);
  let offset = 0;
  return raws.map((raw) => {
    const items = buildItems(raw, urls, offset);
    offset += raw.data.length;
    return items;
  });
}

/**
 * Checks a media step: an integer ≥ 0, or `null` for the server's choice.
 *
 * @param step The step.
 * @param field The parameter name reported on failure.
 * @returns The step (`null` when the server chooses).
 * @throws {ValidationError} If `step` is neither `null` nor an integer ≥ 0.
 *
 * @example
 * ```ts
 * import { validateMediaStep } from "./medias.ts";
 *
 * console.log(validateMediaStep(undefined)); // 0
 * console.log(validateMediaStep(null)); // null
 * ```
 */
export function validateMediaStep(step: unknown, field = "step"): number | null {
  if (step === undefined) return 0;
  if (step === null) return null;
  if (typeof step === "number" && Number.isSafeInteger(step) && step >= 0) return step;
  const shown = typeof step === "number" || typeof step === "string"
    ? ` ${JSON.stringify(step)}`
    : "";
  throw new ValidationError(
    field,
    `Cannot parse ${field}${shown}: expected an integer >= 0 or null`,
  );
}

/** The answer of `POST /house/metrics/media`, checked. */
interface MediaStepAnswer {
  /** Steps that have media. */
  steps: number[];
  /** The step returned, or `null`. */
  step: number | null;
  /** Non-null entries with a string key, by key (a later duplicate wins). */
  entries: Map<string, RawMedia>;
  /** The first non-null entry, whatever its key. */
  first: RawMedia | undefined;
}

/** Sends `POST /house/metrics/media` (without `step` when it is `null`) and checks the answer. */
async function fetchMediaStep(
  transport: Transport,
  ref: RunRef,
  keys: readonly string[],
  step: number | null,
  options: RequestOptions = {},
): Promise<MediaStepAnswer> {
  const columns = keys.map((key) => columnRef(ref, key));
  const body = step === null
    ? { projectId: ref.projectId, columns }
    : { projectId: ref.projectId, columns, step };
  const answer: unknown = await transport.call(
    (api) => api.POST("/house/metrics/media", { body }),
    options,
  );
  const label = "POST /api/house/metrics/media";
  if (!isRecord(answer)) throw fail(label, "expected an object");
  const steps = answer["steps"] ?? [];
  if (!Array.isArray(steps) || !steps.every((s: unknown) => typeof s === "number")) {
    throw fail(label, '"steps" is not a list of numbers');
  }
  const returned = answer["step"] ?? null;
  if (returned !== null && typeof returned !== "number") {
    throw fail(label, '"step" is not a number');
  }
  const metrics = answer["metrics"] ?? [];
  if (!Array.isArray(metrics)) throw fail(label, '"metrics" is not a list');
  const entries = new Map<string, RawMedia>();
  let first: RawMedia | undefined;
  for (const entry of metrics) {
    if (entry === null) continue;
    if (!isRecord(entry)) throw fail(label, "a media entry is not an object");
    const raw = readRawMedia(entry, label);
    first ??= raw;
    if (typeof entry["key"] === "string") entries.set(entry["key"], raw);
  }
  return { steps: steps as number[], step: returned, entries, first };
}

/** One key's raw media at every step. */
interface RawMediaSeries {
  /** The steps, in server order. */
  steps: { index: number | null; raw: RawMedia }[];
}

/** The answer of `POST /house/metrics/f_media`, checked. */
interface MediaAllAnswer {
  /** Non-null series with a string key, by key (a later duplicate wins). */
  series: Map<string, RawMediaSeries>;
  /** The first non-null series, whatever its key. */
  first: RawMediaSeries | undefined;
}

/** Sends `POST /house/metrics/f_media` and checks the answer. */
async function fetchMediaAll(
  transport: Transport,
  ref: RunRef,
  keys: readonly string[],
  options: RequestOptions = {},
): Promise<MediaAllAnswer> {
  const columns = keys.map((key) => columnRef(ref, key));
  const answer: unknown = await transport.call(
    (api) => api.POST("/house/metrics/f_media", { body: { projectId: ref.projectId, columns } }),
    options,
  );
  const label = "POST /api/house/metrics/f_media";
  const list = answer ?? [];
  if (!Array.isArray(list)) throw fail(label, "expected a list");
  const series = new Map<string, RawMediaSeries>();
  let first: RawMediaSeries | undefined;
  for (const entry of list) {
    if (entry === null) continue;
    if (!isRecord(entry)) throw fail(label, "a media series is not an object");
    const metrics = entry["metrics"] ?? [];
    if (!Array.isArray(metrics)) {
      throw fail(label, `"metrics" of key ${JSON.stringify(entry["key"])} is not a list`);
    }
    const steps: { index: number | null; raw: RawMedia }[] = [];
    for (const item of metrics) {
      if (item === null) continue;
      if (!isRecord(item)) throw fail(label, "a media step is not an object");
      // Optional (drift policy): a step the server did not send is null, not a guessed 0.
      const index = typeof item["index"] === "number" ? item["index"] : null;
      steps.push({ index, raw: readRawMedia({ key: entry["key"], ...item }, label) });
    }
    const value = { steps };
    first ??= value;
    if (typeof entry["key"] === "string") series.set(entry["key"], value);
  }
  return { series, first };
}

/**
 * Reads media metrics of a run with presigned URLs, as the Python SDK's
 * `run.medias(keys, step, all).json()` (wire reference §4.7).
 *
 * One request for all keys (`POST /house/metrics/media` at `step`, or
 * `POST /house/metrics/f_media` with `all`), then every media path of every key presigned in ONE
 * `POST /resources/presigned/get` call (prefix `<projectCuid>/<runCuid>`: the run's own ids, also
 * for clones). Each item is `{url, ...metadata}`; URLs are aligned by position with the paths.
 *
 * - Single step: per key `{key, metrics: [{index: step ?? 0, items}], step, steps}`, or
 *   `metrics: []` when the key has no media at that step.
 * - All steps: per key `{key, metrics: [{index, items}, …]}`.
 *
 * `null` entries in the answers are skipped. Deliberate differences from the SDK: failures throw
 * typed errors (the SDK returns empty lists); the presigned `url` wins over a `url` field in the
 * logged metadata; `step` must be an integer ≥ 0 or `null`.
 *
 * @param transport The client's transport.
 * @param ref The run.
 * @param keys The media keys (non-empty, non-blank; duplicates removed for the request).
 * @param query The step (default 0, `null` = the server's latest), or `all`.
 * @param options Per-call signal, timeout and retries.
 * @returns The `Metrics.json()` object for media.
 * @throws {ValidationError} For invalid keys, step or flag (before any request).
 * @throws {ResponseError} For a malformed answer.
 * @throws {ApiError} (or a subclass) and {@linkcode ConnectionError} for failed requests.
 *
 * @example The latest step
 * ```ts ignore
 * import { fetchMedias } from "./medias.ts";
 *
 * const json = await fetchMedias(transport, ref, ["samples/image"], { step: null });
 * console.log(json.list[0]?.step, json.list[0]?.steps);
 * ```
 */
export async function fetchMedias(
  transport: Transport,
  ref: RunRef,
  keys: readonly string[],
  query: MediaQuery = {},
  options: RequestOptions = {},
): Promise<MediaJson> {
  const distinct = validateMetricKeys(keys);
  if (typeof query !== "object" || query === null || Array.isArray(query)) {
    throw new ValidationError("query", "Cannot parse query: expected an object");
  }
  if (query.all !== undefined && typeof query.all !== "boolean") {
    throw new ValidationError("all", "Cannot parse all: expected a boolean");
  }
  const step = validateMediaStep(query.step);
  const json = (list: MediaSeriesJson[]): MediaJson => ({
    keys: [...keys],
    metricType: "MEDIA",
    projectId: ref.projectId,
    experimentId: ref.runId,
    list,
  });

  if (query.all === true) {
    const answer = await fetchMediaAll(transport, ref, distinct, options);
    const perKey = distinct.map((key) => answer.series.get(key)?.steps ?? []);
    const items = await buildMediaItems(
      transport,
      ref,
      perKey.flat().map((s) => s.raw),
      options,
    );
    let next = 0;
    return json(distinct.map((key, k) => ({
      key,
      metrics: (perKey[k] ?? []).map((s) => ({ index: s.index, items: items[next++] ?? [] })),
    })));
  }

  const answer = await fetchMediaStep(transport, ref, distinct, step, options);
  const raws = distinct.map((key) => answer.entries.get(key));
  const items = await buildMediaItems(
    transport,
    ref,
    raws.filter((raw): raw is RawMedia => raw !== undefined),
    options,
  );
  let next = 0;
  return json(distinct.map((key, k) => ({
    key,
    metrics: raws[k] === undefined ? [] : [{ index: answer.step, items: items[next++] ?? [] }],
    step: answer.step,
    steps: [...answer.steps],
  })));
}

/**
 * Downloads a presigned media URL (for `swanlab-ts run download`) with a credential-free request:
 * no cookie, no authorization, no SDK header.
 *
 * @param transport The client's transport.
 * @param url A presigned URL from {@linkcode fetchMedias}.
 * @param options Per-call signal, timeouts and retries.
 * @returns The response, with an OK status; read its body once.
 * @throws {ValidationError} If `url` is not an http(s) URL.
 * @throws {ApiError} (or a subclass) when storage answers an error (403 for an expired URL).
 * @throws {ConnectionError} When storage cannot be reached.
 *
 * @example Save an image
 * ```ts ignore
 * import { downloadMedia } from "./medias.ts";
 *
 * const response = await downloadMedia(transport, url);
 * await Deno.writeFile("sample.png", new Uint8Array(await response.arrayBuffer()));
 * ```
 */
export async function downloadMedia(
  transport: Transport,
  url: string,
  options: DownloadOptions = {},
): Promise<Response> {
  if (typeof url !== "string" || url === "") {
    throw new ValidationError("url", "Cannot download media: expected a URL");
  }
  return await transport.download(url, options);
}
