/**
 * Full-resolution scalar metrics as a stream: the CSV export of a run's keys (wire reference
 * §3.1.7, §4.6.4) read row by row in constant memory, filtered by a {@linkcode RangeQuery}.
 *
 * @example Stream every point of a key
 * ```ts ignore
 * import { scanMetrics } from "./scan_metrics.ts";
 *
 * for await (const point of scanMetrics(transport, ref, ["train/loss"], { all: true })) {
 *   console.log(point.step, point.value);
 * }
 * ```
 *
 * @module
 */

import { AbortError, ConnectionError, ResponseError, ValidationError } from "../core/errors.ts";
import { checkRequestOptions } from "../core/option_checks.ts";
import type { RequestOptions } from "../core/request_options.ts";
import type { Transport } from "../core/transport.ts";
import { ByteChunkReader } from "../core/byte_chunk_reader.ts";
import { CsvByteParser } from "./_csv_bytes.ts";
import { chunkKeys, columnRef, MAX_KEYS_PER_REQUEST, validateMetricKeys } from "./metric_keys.ts";
import {
  createRangeFilter,
  type NormalizedRangeQuery,
  normalizeRangeQuery,
  type RangeFilter,
  type RangeQuery,
} from "./range_query.ts";
import { type ExportUrl, presignExport } from "./presign_export.ts";
import type { RunRef } from "./run_ref.ts";
import { terminalText } from "../core/terminal_text.ts";

/**
 * One full-resolution point of one key.
 *
 * `value` is a number; the CSV spellings `NaN`, `INF` and `-INF` become `NaN`, `Infinity` and
 * `-Infinity` (serialize them yourself: `JSON.stringify` writes `null`, as the Python CLI does).
 * `timestamp` is the time the point was logged, in Unix milliseconds, when the CSV row has one.
 *
 * @example
 * ```ts
 * import type { MetricPoint } from "./scan_metrics.ts";
 *
 * const point: MetricPoint = { key: "loss", step: 1, value: 0.5, timestamp: 1722470401000 };
 * ```
 */
export interface MetricPoint {
  /** The metric key. */
  key: string;
  /** The step. */
  step: number;
  /** The value (`NaN` and `±Infinity` possible). */
  value: number;
  /** Unix milliseconds, when known. */
  timestamp?: number;
}

/**
 * Which points {@linkcode scanMetrics} yields. Without `rangeQuery` every point is yielded
 * (`all` is accepted for symmetry with `run.metrics()` and changes nothing: a scan always reads
 * the full-resolution export).
 *
 * @example The last 100 points of a step range
 * ```ts
 * import type { ScanMetricsQuery } from "./scan_metrics.ts";
 *
 * const query: ScanMetricsQuery = { rangeQuery: { start: 1000, end: 5000, tail: 100 } };
 * ```
 */
export interface ScanMetricsQuery {
  /** Range filter and truncation, see {@linkcode RangeQuery}. */
  rangeQuery?: RangeQuery | Record<string, unknown>;
  /**
   * Read every point (the default of a scan).
   * @default true
   */
  all?: boolean;
}

/**
 * Per-call options of {@linkcode scanMetrics}.
 *
 * @example Freeze the clock of a `last` query
 * ```ts
 * import type { ScanMetricsOptions } from "./scan_metrics.ts";
 *
 * const options: ScanMetricsOptions = { nowMs: Date.parse("2024-08-01T01:00:00Z"), maxRetries: 2 };
 * ```
 */
export interface ScanMetricsOptions extends RequestOptions {
  /**
   * The current time in milliseconds, for `rangeQuery.last`.
   * @default Date.now() when the scan is created
   */
  nowMs?: number;
  /**
   * Fail a download when no byte arrives for this long, in milliseconds.
   * @default the request timeout
   */
  idleTimeoutMs?: number;
  /**
   * Receives warnings (points dropped by a `last` or timestamp range for lacking a timestamp).
   * @default console.warn
   */
  onWarning?: (message: string) => void;
}

/**
 * Options of {@linkcode exportScalarCsvUrl}.
 *
 * @example
 * ```ts
 * import type { ExportCsvOptions } from "./scan_metrics.ts";
 *
 * const options: ExportCsvOptions = { experimentName: "resnet50-lr0.1" };
 * ```
 */
export interface ExportCsvOptions {
  /**
   * The run name written in the CSV headers (`<experimentName>-<key>_step`).
   * @default the run's cuid, as `Column.export_csv()` and `Key.export_csv()` send
   */
  experimentName?: string;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Reads the `cosKey` of an export answer.
 *
 * @throws {ResponseError} `Invalid response format: missing cosKey`, the SDK's message (the
 *   transport's drift check names `cosKey` first for JSON answers).
 */
function cosKeyOf(body: unknown): string {
  const cosKey = isRecord(body) ? body["cosKey"] : undefined;
  if (typeof cosKey !== "string" || cosKey === "") {
    throw new ResponseError("Invalid response format: missing cosKey");
  }
  return cosKey;
}

/** `POST /house/metrics/scalar/export` for ≤ 16 keys, then the presign: the CSV's URL. */
async function exportCsv(
  transport: Transport,
  ref: RunRef,
  keys: readonly string[],
  experimentName: string,
  options: RequestOptions,
  limited: boolean,
): Promise<string> {
  const columns = keys.map((key) => {
    const { experimentId, createdAt, rootProId, rootExpId } = columnRef(ref, key);
    return {
      experimentName,
      experimentId,
      key,
      createdAt,
      ...(rootProId === undefined ? {} : { rootProId }),
      ...(rootExpId === undefined ? {} : { rootExpId }),
    };
  });
  const run = <T>(task: () => Promise<T>): Promise<T> =>
    limited ? transport.limiter.run(task) : task();
  const body = await run(() =>
    transport.call(
      (api) =>
        api.POST("/house/metrics/scalar/export", {
          body: { projectId: ref.projectId, columns },
        }),
      options,
    )
  );
  const cosKey = cosKeyOf(body);
  return await run(() => presignExport(transport, cosKey, options));
}

/**
 * Exports the full-resolution series of up to 16 keys of a run as one CSV object and returns
 * its presigned URL (for `Column.exportCsv()` and `Key.exportCsv()`, wire reference §4.10–4.11):
 * `POST /house/metrics/scalar/export`, then `POST /files/presigned/get`.
 *
 * The CSV has a header row, then one row per step: `step`, then per key its value and its
 * timestamp (see `CsvParseStream` in `csv_parse_stream.ts`).
 *
 * @param transport The client's transport.
 * @param ref The run.
 * @param keys 1 to 16 metric keys (duplicates are removed).
 * @param options Per-call signal, timeout and retries.
 * @param exportOptions The name written in the CSV headers (default: the run's cuid).
 * @returns The presigned URL of the CSV.
 * @throws {ValidationError} If `keys` is empty, has blank items or more than 16 distinct keys.
 * @throws {ResponseError} If the export has no `cosKey` or the presign no URL.
 * @throws {ApiError} (or a subclass) and {@linkcode ConnectionError} for failed requests.
 *
 * @example Export one key and download it
 * ```ts ignore
 * import { exportScalarCsvUrl } from "./scan_metrics.ts";
 *
 * const { url } = await exportScalarCsvUrl(transport, ref, ["train/loss"]);
 * const csv = await (await transport.download(url)).text();
 * ```
 */
export async function exportScalarCsvUrl(
  transport: Transport,
  ref: RunRef,
  keys: readonly string[],
  options: RequestOptions = {},
  exportOptions: ExportCsvOptions = {},
): Promise<ExportUrl> {
  const distinct = validateMetricKeys(keys);
  if (distinct.length > MAX_KEYS_PER_REQUEST) {
    throw new ValidationError(
      "keys",
      `Cannot export ${distinct.length} keys: expected at most ${MAX_KEYS_PER_REQUEST} per CSV`,
    );
  }
  const name = exportOptions.experimentName;
  if (name !== undefined && typeof name !== "string") {
    throw new ValidationError("experimentName", "Cannot parse experimentName: expected a string");
  }
  const url = await exportCsv(transport, ref, distinct, name || ref.runId, options, false);
  return { url };
}

/** A download cut short of its `Content-Length` (or cut mid-row). */
class TruncatedDownloadError extends ResponseError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "ResponseError";
  }
}

/** The declared body length, when it is the length of the bytes we read (no content coding). */
function declaredLength(response: Response): number | undefined {
  const encoding = response.headers.get("content-encoding");
  if (encoding !== null && encoding.trim().toLowerCase() !== "identity") return undefined;
  const length = Number(response.headers.get("content-length") ?? NaN);
  return Number.isSafeInteger(length) && length >= 0 ? length : undefined;
}

/** Whether a failure while reading a download may go away when it is read again. */
function isTransientReadError(error: unknown): boolean {
  if (error instanceof TruncatedDownloadError || error instanceof ConnectionError) return true;
  // The parser's "last row is cut" is a body that ended early without a Content-Length.
  return error instanceof ResponseError && / is cut /.test(error.message);
}

/** What a scan needs. */
interface Scan {
  transport: Transport;
  ref: RunRef;
  chunks: readonly (readonly string[])[];
  query: NormalizedRangeQuery | undefined;
  nowMs: number;
  options: ScanMetricsOptions;
  /** Takes unfiltered rows straight from the parser's blocks (no point objects, no batches). */
  sink?: MetricRowSink;
}

/**
 * Receives the rows of an unfiltered scan straight from the parser (see {@linkcode scanMetricRows}).
 *
 * @example Count the values of each key
 * ```ts
 * import type { MetricRowSink } from "./scan_metrics.ts";
 *
 * const counts = new Map<string, number>();
 * const sink: MetricRowSink = {
 *   rows(keys, block, from, to) {
 *     for (let row = from; row < to; row++) {
 *       keys.forEach((key, k) => {
 *         if (block.hasValue[row * keys.length + k] === 1) counts.set(key, (counts.get(key) ?? 0) + 1);
 *       });
 *     }
 *   },
 *   point(point) {
 *     counts.set(point.key, (counts.get(point.key) ?? 0) + 1);
 *   },
 * };
 * ```
 */
export interface MetricRowSink {
  /**
   * Rows `[from, to)` of the current block of the chunk with these keys (read the block before
   * returning: its arrays are reused). Called only when the scan has no range query.
   */
  rows(keys: readonly string[], block: MetricRowBlock, from: number, to: number): void;
  /** One point that passed the range query (called only when the scan has one). */
  point(point: MetricPoint): void;
  /**
   * Called before each download of the chunk with these keys is read, with its declared length
   * in bytes when known (an upper bound for sizing: a row takes at least `2 × keys + 2` bytes).
   */
  begin?(keys: readonly string[], expectedBytes: number | undefined): void;
  /**
   * Asked after each `rows` call of a paced scan ({@linkcode paceMetricRows}): true makes the
   * scan pause (its iterator yields) so the consumer can hand over what the sink collected.
   */
  ready?(): boolean;
}

/**
 * A block of parsed CSV rows, as a struct of arrays: row `r` has step `steps[r]`, and key `k`
 * of the chunk is cell `r × keys.length + k`, with a value `values[cell]` when
 * `hasValue[cell]` is 1 and a timestamp `timestamps[cell]` (`NaN` for none).
 *
 * @example Read the first row
 * ```ts
 * import type { MetricRowBlock } from "./scan_metrics.ts";
 *
 * function firstValue(block: MetricRowBlock): number | undefined {
 *   return block.hasValue[0] === 1 ? block.values[0] : undefined;
 * }
 * ```
 */
export interface MetricRowBlock {
  /** The steps of the block's rows. */
  readonly steps: Float64Array;
  /** The values, one cell per row and key. */
  readonly values: Float64Array;
  /** 1 where the cell has a value. */
  readonly hasValue: Uint8Array;
  /** The timestamps (`NaN` for none), one cell per row and key. */
  readonly timestamps: Float64Array;
  /**
   * Bytes of the download read up to the end of the block's rows (about: a line cut between two
   * chunks counts when it is complete), when the block comes from one; for sizing estimates.
   */
  readonly bytesParsed?: number;
}

/** What a paced scan yields when its sink is ready (see `MetricRowSink.ready`). */
const NO_POINTS: MetricPoint[] = [];

/** Points are handed over in arrays of about this many (fewer at the end of a chunk). */
const BATCH_POINTS = 1024;

/**
 * Appends the points of rows `[row, rows)` of the parser's block to `batch`, stopping after the
 * row that fills it to {@linkcode BATCH_POINTS}; returns the next row. One object per point and
 * nothing else: this is the inner loop of an unfiltered scan.
 */
function appendPoints(
  parser: CsvByteParser,
  row: number,
  rows: number,
  keys: readonly string[],
  batch: MetricPoint[],
): number {
  const { steps, values, hasValue, timestamps } = parser;
  const count = keys.length;
  let cell = row * count;
  for (; row < rows && batch.length < BATCH_POINTS; row++) {
    const raw = steps[row] as number;
    // A small integer where it fits one: read from a Float64Array, a step would otherwise be a
    // fresh heap number in every point (an allocation per point, and 16 bytes).
    const step = (raw | 0) === raw ? raw | 0 : raw;
    for (let i = 0; i < count; i++, cell++) {
      if (hasValue[cell] === 0) continue;
      const value = values[cell] as number;
      const timestamp = timestamps[cell] as number;
      batch.push(
        timestamp === timestamp
          ? { key: keys[i] as string, step, value, timestamp }
          : { key: keys[i] as string, step, value },
      );
    }
  }
  return row;
}

/** Whether every key's filter is done (a `head` query has all its points). */
function allDone(filters: readonly RangeFilter<MetricPoint>[]): boolean {
  for (const filter of filters) if (!filter.done) return false;
  return true;
}

/**
 * Reads the exports, chunk by chunk, yielding points in batches. When a download is cut, it is
 * read again from the start, skipping the rows already consumed (at most `maxRetries` times per
 * chunk): the object behind the URL does not change, so rows are neither dropped nor repeated.
 *
 * Why hand-written this way (the hot path of full-resolution reads): the body's bytes go straight
 * to {@linkcode CsvByteParser}, without `TextDecoderStream` and without a stream stage per row,
 * and the parsed blocks (struct of arrays) become points in one tight loop (`appendPoints`), with
 * the range filter only when there is a query. Backpressure is the read loop itself: the next
 * network chunk is read only once the points of the previous one were taken. Measured on the
 * `full-metrics` bench export (3.1 M points) with the body served from memory, the CPU time of
 * `scanMetricBatches` went from about 710 ms (decoder + `CsvParseStream` + one stream enqueue
 * per row) to about 230 ms.
 */
async function* scanBatches(scan: Scan): AsyncGenerator<MetricPoint[]> {
  const { transport, ref, chunks, query, nowMs, options, sink } = scan;
  const buffering = query !== undefined && query.tail !== null;
  // In a step range, no row after `end` can match: stop reading there.
  const stepEnd = query !== undefined && query.last === null && query.type === "step"
    ? query.end
    : null;
  const canFinishEarly = query !== undefined && query.head !== null;
  const maxRetries = options.maxRetries ?? transport.maxRetries;
  const warn = options.onWarning ?? ((message: string) => console.warn(terminalText(message)));
  const signal = options.signal;
  // A function, not a narrowed property read: the signal may abort while we are suspended.
  const isAborted = (): boolean => signal?.aborted === true;
  const aborted = () => new AbortError("GET", "CSV export download", { cause: signal?.reason });

  for (const keys of chunks) {
    const url = await exportCsv(transport, ref, keys, ref.name || ref.runId, options, true);
    const filters: RangeFilter<MetricPoint>[] | undefined = query === undefined
      ? undefined
      : keys.map(() => createRangeFilter<MetricPoint>(query, nowMs));
    const count = keys.length;
    let consumed = 0;
    let attempt = 0;
    let batch: MetricPoint[] = [];

    for (;;) {
      const response = await transport.limiter.run(() => transport.download(url, options));
      if (response.body === null) throw new ResponseError("Cannot read CSV export: empty body");
      const expected = declaredLength(response);
      sink?.begin?.(keys, expected);
      const reader = new ByteChunkReader(response.body);
      const parser = new CsvByteParser(count);
      const { steps, values, hasValue, timestamps } = parser;
      let received = 0;
      let open = true;
      let retry = false;
      let stop = false;
      let ended = false;
      let index = 0;
      /** A failed read or parse: throws, or returns when the download is to be read again. */
      const failed = (error: unknown): void => {
        if (isAborted()) throw aborted();
        if (!isTransientReadError(error)) throw error;
        if (attempt >= maxRetries) {
          throw new ResponseError(
            `Cannot read CSV export: the download was cut ${
              attempt + 1
            } times (the last time after ${index} rows)`,
            { cause: error },
          );
        }
        attempt++;
        transport.debug(`restart #${attempt} of a cut CSV export download after ${index} rows`);
        retry = true;
      };
      try {
        while (!ended && !stop && !retry) {
          try {
            const chunk = await reader.read();
            if (chunk === null) {
              open = false;
              ended = true;
              if (expected !== undefined && received < expected) {
                throw new TruncatedDownloadError(
                  `Download of CSV export was cut: received ${received} of ${expected} bytes`,
                );
              }
            } else {
              received += chunk.byteLength;
              parser.push(chunk); // read before the next read, which reuses the chunk's memory
            }
          } catch (error) {
            open = false;
            failed(error);
            break;
          }
          // Rows of a chunk already read would still be handed over after an abort: stop here.
          if (isAborted()) throw aborted();
          for (;;) {
            let rows: number;
            try {
              rows = ended ? parser.finish() : parser.next();
            } catch (error) {
              failed(error); // a cut last row (no Content-Length) is read again; others throw
              break;
            }
            if (rows === 0) break;
            let row = 0;
            if (index < consumed) {
              // Read again after a cut: these rows were already handled.
              row = Math.min(rows, consumed - index);
              index += row;
            }
            while (row < rows) {
              if (filters === undefined && sink !== undefined) {
                // A collecting consumer takes the block's rows as they are: no point objects.
                sink.rows(keys, parser, row, rows);
                index += rows - row;
                consumed += rows - row;
                row = rows;
                if (sink.ready?.() === true) {
                  yield NO_POINTS;
                  if (isAborted()) throw aborted();
                }
              } else if (filters === undefined) {
                // Every point: no filter, no per-point closure (the common case).
                const next = appendPoints(parser, row, rows, keys, batch);
                index += next - row;
                consumed += next - row;
                row = next;
              } else {
                index++;
                const raw = steps[row] as number;
                const step = (raw | 0) === raw ? raw | 0 : raw; // see appendPoints
                if (stepEnd !== null && step > stepEnd) {
                  stop = true;
                  break;
                }
                let cell = row * count;
                for (let i = 0; i < count; i++, cell++) {
                  if (hasValue[cell] === 0) continue;
                  const value = values[cell] as number;
                  const timestamp = timestamps[cell] as number;
                  const point: MetricPoint = timestamp === timestamp
                    ? { key: keys[i] as string, step, value, timestamp }
                    : { key: keys[i] as string, step, value };
                  if ((filters[i] as RangeFilter<MetricPoint>).accept(point) !== "keep") continue;
                  if (!buffering) batch.push(point);
                }
                row++;
                consumed++;
                if (canFinishEarly && allDone(filters)) {
                  stop = true;
                  break;
                }
              }
              if (batch.length >= BATCH_POINTS) {
                yield batch;
                batch = [];
                if (isAborted()) throw aborted();
              }
            }
            if (stop || ended) break;
          }
        }
      } finally {
        // Stopped early, or the consumer stopped: cancel the download.
        if (open) await reader.cancel().catch(() => {});
      }
      if (!retry) break;
    }

    if (buffering && filters !== undefined) {
      for (const filter of filters) batch.push(...filter.finish());
    }
    if (isAborted()) throw aborted();
    if (batch.length > 0) yield batch;
    filters?.forEach((filter, i) => {
      if (filter.missingTimestamps > 0) {
        warn(
          `Skipped ${filter.missingTimestamps} points of "${
            keys[i]
          }" without timestamp: the range needs one`,
        );
      }
    });
  }
}

/**
 * Iterates the points of the batches one by one (cheaper than an async generator per point).
 * Once `signal` aborts, no further point is handed out, not even one of a batch already read.
 */
function flatten<T>(
  batches: AsyncGenerator<T[]>,
  signal: AbortSignal | undefined,
): AsyncIterableIterator<T> {
  let buffer: T[] = [];
  let next = 0;
  const iterator: AsyncIterableIterator<T> = {
    next(): Promise<IteratorResult<T>> {
      if (signal?.aborted) {
        buffer = [];
        const error = new AbortError("GET", "CSV export download", { cause: signal.reason });
        return batches.return([]).then(() => Promise.reject(error));
      }
      if (next < buffer.length) return Promise.resolve({ done: false, value: buffer[next++] as T });
      return batches.next().then((result): IteratorResult<T> | Promise<IteratorResult<T>> => {
        if (result.done === true) return { done: true, value: undefined };
        buffer = result.value;
        next = 0;
        return iterator.next();
      });
    },
    async return(): Promise<IteratorResult<T>> {
      buffer = [];
      await batches.return([]);
      return { done: true, value: undefined };
    },
    [Symbol.asyncIterator](): AsyncIterableIterator<T> {
      return iterator;
    },
  };
  return iterator;
}

/** Checks the arguments of a scan (before any request). */
function prepareScan(
  transport: Transport,
  ref: RunRef,
  keys: readonly string[],
  query: ScanMetricsQuery,
  options: ScanMetricsOptions,
): Scan {
  const distinct = validateMetricKeys(keys);
  checkRequestOptions(options);
  if (typeof query !== "object" || query === null || Array.isArray(query)) {
    throw new ValidationError("query", "Cannot parse query: expected an object");
  }
  if (query.all !== undefined && typeof query.all !== "boolean") {
    throw new ValidationError("all", "Cannot parse all: expected a boolean");
  }
  const rangeQuery = query.rangeQuery === undefined || query.rangeQuery === null
    ? undefined
    : normalizeRangeQuery(query.rangeQuery, "rangeQuery");
  const nowMs = options.nowMs ?? Date.now();
  if (typeof nowMs !== "number" || !Number.isFinite(nowMs)) {
    throw new ValidationError("nowMs", `Cannot use nowMs ${nowMs}: expected a finite number`);
  }
  return { transport, ref, chunks: chunkKeys(distinct), query: rangeQuery, nowMs, options };
}

/**
 * Like {@linkcode scanMetrics}, but hands the points over in arrays (of about 1024 points, fewer
 * at the end of each chunk of 16 keys), which is faster for consumers that process many points.
 * Same requests, filtering, order, retries and errors.
 *
 * @param transport The client's transport.
 * @param ref The run.
 * @param keys The metric keys (non-empty, non-blank; duplicates are removed).
 * @param query The range query; without one, every point.
 * @param options Per-call signal, timeouts, retries, clock and warnings.
 * @returns The batches of points, as an async iterable (iterate it once).
 * @throws {ValidationError} At call time, for invalid keys or range query.
 * @throws {ResponseError} While iterating, for a malformed export or a download that stays cut.
 * @throws {ApiError} (or a subclass) and {@linkcode ConnectionError} for failed requests.
 *
 * @example Count points
 * ```ts ignore
 * import { scanMetricBatches } from "./scan_metrics.ts";
 *
 * let count = 0;
 * for await (const batch of scanMetricBatches(transport, ref, ["train/loss"])) count += batch.length;
 * ```
 */
export function scanMetricBatches(
  transport: Transport,
  ref: RunRef,
  keys: readonly string[],
  query: ScanMetricsQuery = {},
  options: ScanMetricsOptions = {},
): AsyncIterable<MetricPoint[]> {
  return scanBatches(prepareScan(transport, ref, keys, query, options));
}

/**
 * Reads a scan into a {@linkcode MetricRowSink}: without a range query, the parser's blocks go
 * to `sink.rows` as they are (no object per point: the path of `run.metrics({ all: true })` and
 * `run.metricsColumns()`); with one, each point that passes it goes to `sink.point`. Same
 * requests, order, retries and errors as {@linkcode scanMetrics}.
 *
 * @param transport The client's transport.
 * @param ref The run.
 * @param keys The metric keys (non-empty, non-blank; duplicates are removed).
 * @param query The range query; without one, every point.
 * @param options Per-call signal, timeouts, retries, clock and warnings.
 * @param sink Receives the rows or points.
 * @returns When every chunk was read.
 * @throws {ValidationError} For invalid keys or range query (before any request).
 * @throws {ResponseError} For a malformed export or a download that stays cut.
 * @throws {ApiError} (or a subclass) and {@linkcode ConnectionError} for failed requests.
 *
 * @example Count points
 * ```ts ignore
 * import { scanMetricRows } from "./scan_metrics.ts";
 *
 * let count = 0;
 * await scanMetricRows(transport, ref, ["loss"], {}, {}, {
 *   rows: (keys, block, from, to) => {
 *     for (let cell = from * keys.length; cell < to * keys.length; cell++) count += block.hasValue[cell]!;
 *   },
 *   point: () => void count++,
 * });
 * ```
 */
export async function scanMetricRows(
  transport: Transport,
  ref: RunRef,
  keys: readonly string[],
  query: ScanMetricsQuery,
  options: ScanMetricsOptions,
  sink: MetricRowSink,
): Promise<void> {
  const scan = prepareScan(transport, ref, keys, query, options);
  for await (const batch of scanBatches({ ...scan, sink })) {
    for (const point of batch) sink.point(point);
  }
}

/**
 * Like {@linkcode scanMetricRows}, as an async iterable that pauses (yields) each time the
 * sink's `ready()` says it collected enough, and after each batch of range-filtered points: the
 * consumer takes what the sink holds at each step, and the download is read no further ahead
 * (backpressure). Same requests, order, retries and errors.
 *
 * @param transport The client's transport.
 * @param ref The run.
 * @param keys The metric keys (non-empty, non-blank; duplicates are removed).
 * @param query The range query; without one, every point.
 * @param options Per-call signal, timeouts, retries, clock and warnings.
 * @param sink Receives the rows or points.
 * @returns The steps, as an async iterable (iterate it once).
 * @throws {ValidationError} At call time, for invalid keys or range query.
 * @throws {ResponseError} While iterating, for a malformed export or a download that stays cut.
 * @throws {ApiError} (or a subclass) and {@linkcode ConnectionError} for failed requests.
 *
 * @example Count points, a pause every 10,000 rows or more
 * ```ts ignore
 * import { paceMetricRows } from "./scan_metrics.ts";
 *
 * let rows = 0;
 * let total = 0;
 * const sink = {
 *   rows: (_keys: readonly string[], _block: unknown, from: number, to: number) => void (rows += to - from),
 *   point: () => void rows++,
 *   ready: () => rows >= 10_000,
 * };
 * for await (const _ of paceMetricRows(transport, ref, ["loss"], {}, {}, sink)) {
 *   total += rows;
 *   rows = 0;
 * }
 * ```
 */
export function paceMetricRows(
  transport: Transport,
  ref: RunRef,
  keys: readonly string[],
  query: ScanMetricsQuery,
  options: ScanMetricsOptions,
  sink: MetricRowSink,
): AsyncIterable<void> {
  const scan = prepareScan(transport, ref, keys, query, options);
  return (async function* (): AsyncGenerator<void> {
    for await (const batch of scanBatches({ ...scan, sink })) {
      for (const point of batch) sink.point(point);
      yield;
    }
  })();
}

/**
 * Streams the full-resolution points of a run's scalar keys, filtered by a
 * {@linkcode RangeQuery}, in constant memory whatever the size of the series.
 *
 * For each chunk of at most 16 keys (one chunk after the other, so one CSV at a time):
 * `POST /house/metrics/scalar/export` (with `experimentName` = the run's name, else its cuid),
 * `POST /files/presigned/get`, a credential-free download, and streaming parsing of its bytes (the
 * same rules as `CsvParseStream`), with backpressure: nothing is read more than one network chunk
 * (typically 16 to 64 KB) ahead of the consumer.
 *
 * Filtering follows the SDK (wire reference §4.6.4): `last` and timestamp ranges drop points
 * without timestamp (reported through `onWarning`); a step range stops reading at the first row
 * past `end`; `head` stops reading (and cancels the download) once every key of the chunk has its
 * `head` points; `tail` keeps a ring buffer of `tail` points per key. Timestamp bounds are padded
 * to milliseconds for every query form (the SDK pads only plain dicts).
 *
 * Order: within a chunk, rows in CSV order (ascending step) and within a row the keys in request
 * order. With `tail`, a chunk's points are yielded when its CSV is fully read, key by key in request
 * order, each key's points in step order. Chunks of 16 keys follow each other.
 *
 * Errors are never swallowed (the SDK turns any download or parse failure into empty metrics): a
 * download cut mid-body, or shorter than its `Content-Length`, is read again from the start, up to
 * `maxRetries` times, skipping the rows already handled (the exported object does not change, so
 * nothing is dropped or repeated, even after points were yielded); if it keeps failing, a
 * {@linkcode ResponseError} is thrown. A malformed CSV is a `ResponseError` at once.
 *
 * The keys and the range query are checked when `scanMetrics` is called, before any request.
 * Do not call it inside `transport.limiter.run()`: it takes limiter slots for its own requests.
 *
 * @param transport The client's transport.
 * @param ref The run.
 * @param keys The metric keys (non-empty, non-blank; duplicates are removed).
 * @param query The range query; without one, every point.
 * @param options Per-call signal, timeouts, retries, clock and warnings.
 * @returns The points, as an async iterable (iterate it once).
 * @throws {ValidationError} At call time, for invalid keys or range query.
 * @throws {ResponseError} While iterating, for a malformed export or a download that stays cut.
 * @throws {ApiError} (or a subclass) and {@linkcode ConnectionError} for failed requests.
 *
 * @example Stop after the first 10 points of each key
 * ```ts ignore
 * import { scanMetrics } from "./scan_metrics.ts";
 *
 * const points = scanMetrics(transport, ref, ["train/loss", "train/acc"], { rangeQuery: { head: 10 } });
 * for await (const { key, step, value } of points) console.log(key, step, value);
 * ```
 *
 * @example Points logged in the last five minutes
 * ```ts ignore
 * import { scanMetrics } from "./scan_metrics.ts";
 *
 * const recent = await Array.fromAsync(scanMetrics(transport, ref, ["lr"], { rangeQuery: { last: 300_000 } }));
 * ```
 */
export function scanMetrics(
  transport: Transport,
  ref: RunRef,
  keys: readonly string[],
  query: ScanMetricsQuery = {},
  options: ScanMetricsOptions = {},
): AsyncIterable<MetricPoint> {
  return flatten(
    scanBatches(prepareScan(transport, ref, keys, query, options)),
    options.signal,
  );
}
