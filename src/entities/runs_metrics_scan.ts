/**
 * Every point of several keys of every run of a list (`runs.scanMetrics()`), as long-format
 * rows `{ run, key, step, value, timestamp }`: the per-run streaming scan, several runs in
 * flight under the client's limiter, in constant memory.
 *
 * @module
 */

import { ValidationError } from "../core/errors.ts";
import type { Limiter } from "../core/limiter.ts";
import type { MetricRow } from "../export/metric_row.ts";
import type { MetricTable } from "../export/metric_table.ts";
import { checkBlockKeyCount, validateMetricKeys } from "../metrics/metric_keys.ts";
import { normalizeRangeQuery } from "../metrics/range_query.ts";
import type { MetricRowColumns } from "../export/metric_row_columns.ts";
import type { Transport } from "../core/transport.ts";
import type { RunRef } from "../metrics/run_ref.ts";
import type { MetricPoint, ScanMetricsOptions, ScanMetricsQuery } from "../metrics/scan_metrics.ts";
import { type Run, runCore } from "./run.ts";
import { orderedStreams } from "./_ordered.ts";

/**
 * Per-call options of `runs.scanMetrics()`: those of `run.scanMetrics()` (applied to every
 * run; `nowMs` is fixed once for all runs) plus how many runs are read at once.
 *
 * @example Two runs at a time, at most 3 retries per request
 * ```ts
 * import type { RunsScanOptions } from "./runs_metrics_scan.ts";
 *
 * const options: RunsScanOptions = { runConcurrency: 2, maxRetries: 3 };
 * ```
 */
export interface RunsScanOptions extends ScanMetricsOptions {
  /**
   * Runs read at the same time (their requests still go through the client's limiter).
   * @default the client's `concurrency`
   */
  runConcurrency?: number;
}

/** Batches each run may hold ahead of the consumer (about 1024 points each). */
const BUFFERED_BATCHES = 8;
/** Column blocks each run may hold ahead of the consumer. */
const BUFFERED_BLOCKS = 2;

/**
 * The points of several keys of every run of a list, from `runs.scanMetrics(keys, query)`.
 * Iterate it for rows one by one, or {@linkcode RunsMetricsScan.batches} for arrays (faster
 * for writers), or {@linkcode RunsMetricsScan.columns} for column blocks (fastest: no object per
 * row), or {@linkcode RunsMetricsScan.collect} it into a {@linkcode MetricTable}.
 *
 * Rows come run by run, in the list's order, each run's rows in `run.scanMetrics()` order.
 * Several runs are read at once (`runConcurrency`), each holding at most a few thousand points
 * ahead of the consumer, so memory stays constant whatever the number of runs and points. A run
 * that lacks a key has no rows for it (not an error); a failure on any run fails the scan (no
 * run is ever silently missing), and stops the other runs' downloads.
 *
 * @example Every point of two keys of a sweep, to Parquet
 * ```ts
 * import { Api, writeMetricsParquet } from "@swanlab-ts/api";
 *
 * const api = new Api();
 * const scan = api.runs("my-team/my-sweep").scanMetrics(["train/loss", "val/acc"]);
 * await writeMetricsParquet("curves.parquet", scan.columns());
 * ```
 */
export class RunsMetricsScan implements AsyncIterable<MetricRow> {
  readonly #runs: AsyncIterable<Run> | Iterable<Run>;
  readonly #limiter: () => Promise<Limiter>;
  readonly #keys: readonly string[];
  readonly #query: ScanMetricsQuery;
  readonly #options: RunsScanOptions;
  readonly #names = new Map<string, string>();

  /**
   * Creates the scan (use `runs.scanMetrics()`); nothing is sent until it is iterated.
   *
   * @param runs The runs, in order.
   * @param limiter The client's limiter.
   * @param keys The metric keys.
   * @param query The range query.
   * @param options Per-call options.
   * @throws {ValidationError} For invalid keys, range query or `runConcurrency`.
   */
  constructor(
    runs: AsyncIterable<Run> | Iterable<Run>,
    limiter: () => Promise<Limiter>,
    keys: readonly string[],
    query: ScanMetricsQuery = {},
    options: RunsScanOptions = {},
  ) {
    const distinct = validateMetricKeys(keys, "keys");
    if (typeof query !== "object" || query === null || Array.isArray(query)) {
      throw new ValidationError("query", "Cannot parse query: expected an object");
    }
    if (query.rangeQuery !== undefined && query.rangeQuery !== null) {
      normalizeRangeQuery({ ...query.rangeQuery }, "rangeQuery");
    }
    const runConcurrency = options.runConcurrency;
    if (
      runConcurrency !== undefined && (!Number.isSafeInteger(runConcurrency) || runConcurrency < 1)
    ) {
      throw new ValidationError(
        "runConcurrency",
        `Cannot use runConcurrency ${runConcurrency}: expected an integer >= 1`,
      );
    }
    this.#runs = runs;
    this.#limiter = limiter;
    this.#keys = distinct;
    this.#query = query;
    this.#options = { ...options, nowMs: options.nowMs ?? Date.now() };
  }

  /**
   * The rows in arrays (of about 1024, fewer at the end of each run's key chunk): the same
   * rows as iterating, with less overhead per row.
   *
   * @returns The batches, as an async iterable (requests start when it is iterated).
   */
  batches(): AsyncIterable<MetricRow[]> {
    return { [Symbol.asyncIterator]: () => this.#batches() };
  }

  /**
   * The rows as column blocks (of up to 8192 rows, one run each, see
   * {@linkcode MetricRowColumns}): the same rows, in the same order, as iterating, without an
   * object per row (the parser's rows are copied straight into typed arrays). What the metric
   * writers take fastest.
   *
   * @returns The blocks, as an async iterable (requests start when it is iterated).
   * @throws {ValidationError} For more than 65,536 keys (a block's key indexes are 16-bit).
   *
   * @example Count the points of each key
   * ```ts
   * import { Api } from "@swanlab-ts/api";
   *
   * const api = new Api();
   * const counts = new Map<string, number>();
   * for await (const block of api.runs("my-team/my-sweep").scanMetrics(["loss"]).columns()) {
   *   for (let i = 0; i < block.length; i++) {
   *     const key = block.keys[block.keyIndex[i]!]!;
   *     counts.set(key, (counts.get(key) ?? 0) + 1);
   *   }
   * }
   * ```
   */
  columns(): AsyncIterable<MetricRowColumns> {
    const keys = this.#keys;
    checkBlockKeyCount(keys.length);
    const query = this.#query;
    const stream = (): AsyncGenerator<MetricRowColumns[]> =>
      this.#stream(BUFFERED_BLOCKS, async function* (transport, ref, options) {
        // The metrics engine loads on first use (see `Run.metrics`): start-up does not pay it.
        const { runColumnBlocks } = await import("./_column_blocks.ts");
        yield* runColumnBlocks(transport, ref, keys, query, options);
      });
    return {
      async *[Symbol.asyncIterator](): AsyncGenerator<MetricRowColumns> {
        for await (const blocks of stream()) yield* blocks;
      },
    };
  }

  /**
   * The rows one by one.
   *
   * @returns An async iterator over the rows.
   */
  async *[Symbol.asyncIterator](): AsyncIterator<MetricRow> {
    for await (const batch of this.#batches()) yield* batch;
  }

  /**
   * Reads every row into memory (for notebooks and small projects; stream to a writer for big
   * ones).
   *
   * @returns The rows, with the run names for chart legends.
   * @throws {ApiError} (or a subclass), {@linkcode ConnectionError} or {@linkcode ResponseError}
   * for failed requests and downloads.
   */
  async collect(): Promise<MetricTable> {
    const rows: MetricRow[] = [];
    for await (const batch of this.#batches()) {
      for (const row of batch) rows.push(row);
    }
    const { MetricTable } = await import("../export/metric_table.ts");
    return new MetricTable(rows, new Map(this.#names));
  }

  /**
   * What a Deno Jupyter notebook displays: one SVG chart per key, a line per run.
   *
   * @returns The MIME bundle.
   */
  async [Symbol.for("Jupyter.display")](): Promise<Record<string, string>> {
    return { "text/html": await (await this.collect()).toHtml() };
  }

  #batches(): AsyncGenerator<MetricRow[]> {
    const keys = this.#keys;
    const query = this.#query;
    return this.#stream(BUFFERED_BATCHES, async function* (transport, ref, options) {
      const { scanMetricBatches } = await import("../metrics/scan_metrics.ts");
      for await (const points of scanMetricBatches(transport, ref, keys, query, options)) {
        yield toRows(ref.runId, points);
      }
    });
  }

  /** Every run's batches from `perRun`, run after run, several runs read at once. */
  async *#stream<T>(
    buffer: number,
    perRun: (transport: Transport, ref: RunRef, options: ScanMetricsOptions) => AsyncIterable<T[]>,
  ): AsyncGenerator<T[]> {
    const limiter = await this.#limiter();
    const window = this.#options.runConcurrency ?? limiter.concurrency;
    const controller = new AbortController();
    const signal = this.#options.signal === undefined
      ? controller.signal
      : AbortSignal.any([this.#options.signal, controller.signal]);
    const options: ScanMetricsOptions = { ...this.#options, signal };
    delete (options as RunsScanOptions).runConcurrency;
    const names = this.#names;
    const runs = this.#runs;
    async function* sources(): AsyncGenerator<() => AsyncIterable<T[]>> {
      for await (const run of runs) {
        yield async function* (): AsyncGenerator<T[]> {
          const core = runCore(run);
          const ref = await core.ref(options);
          names.set(ref.runId, ref.name);
          const transport = await core.ctx.transport();
          yield* perRun(transport, ref, options);
        };
      }
    }
    yield* orderedStreams(sources(), { window, buffer, stop: () => controller.abort() });
  }
}

function toRows(run: string, points: readonly MetricPoint[]): MetricRow[] {
  const rows = new Array<MetricRow>(points.length);
  for (let i = 0; i < points.length; i++) {
    const p = points[i] as MetricPoint;
    rows[i] = p.timestamp === undefined
      ? { run, key: p.key, step: p.step, value: p.value }
      : { run, key: p.key, step: p.step, value: p.value, timestamp: p.timestamp };
  }
  return rows;
}
