/**
 * Every point of some keys of one run (`run.scanMetrics()`): iterated point by point, in arrays
 * with {@linkcode RunMetricsScan.batches}, or as column blocks with
 * {@linkcode RunMetricsScan.columns}, the shapes of the project-wide `runs.scanMetrics()`.
 *
 * @module
 */

import type { Transport } from "../core/transport.ts";
import type { MetricRowColumns } from "../export/metric_row_columns.ts";
import { checkBlockKeyCount } from "../metrics/metric_keys.ts";
import { lazyIterator } from "./_lazy_iterator.ts";
import type { RunRef } from "../metrics/run_ref.ts";
import type { MetricPoint, ScanMetricsOptions, ScanMetricsQuery } from "../metrics/scan_metrics.ts";

/**
 * The points of one run's keys, from `run.scanMetrics(keys, query)`: iterate it for the points
 * one by one, {@linkcode RunMetricsScan.batches} for the same points in arrays, or
 * {@linkcode RunMetricsScan.columns} for them as column blocks (no object per point).
 *
 * Each iteration (of the scan, its batches or its columns) sends its own requests: nothing is
 * sent until one starts, and the keys and range query were checked when `scanMetrics` was called.
 *
 * Why three ways: handing out a point through `for await` costs a promise and a turn of the
 * microtask queue, about 30 ns each on the bench machine: for millions of points, nearly as much
 * CPU time as downloading the CSV and counting its lines (0.71-0.82 of it, the
 * `perPointIteration` note of bench row (b)). Batches pay it once per ~1024 points; column blocks
 * once per 8192 rows, with no object per point either.
 *
 * @example Points one by one
 * ```ts
 * import { Api } from "@swanlab-ts/api";
 *
 * const run = new Api().run("my-team/my-project/abc123");
 * for await (const p of run.scanMetrics(["loss"])) console.log(p.step, p.value);
 * ```
 *
 * @example The same points in arrays, the faster way through millions of them
 * ```ts
 * import { Api } from "@swanlab-ts/api";
 *
 * const run = new Api().run("my-team/my-project/abc123");
 * let sum = 0;
 * for await (const batch of run.scanMetrics(["loss"]).batches()) {
 *   for (const p of batch) sum += p.value;
 * }
 * ```
 */
export class RunMetricsScan implements AsyncIterable<MetricPoint> {
  readonly #resolve: () => Promise<readonly [Transport, RunRef]>;
  readonly #keys: readonly string[];
  readonly #query: ScanMetricsQuery;
  readonly #options: ScanMetricsOptions;

  /**
   * Creates the scan (use `run.scanMetrics()`, which checks the arguments); nothing is sent
   * until it is iterated.
   *
   * @param resolve Loads the run's transport and reference (the run's own loader).
   * @param keys The metric keys, checked.
   * @param query The range query, checked.
   * @param options Per-call signal, timeouts, retries, clock and warnings.
   */
  constructor(
    resolve: () => Promise<readonly [Transport, RunRef]>,
    keys: readonly string[],
    query: ScanMetricsQuery,
    options: ScanMetricsOptions,
  ) {
    this.#resolve = resolve;
    this.#keys = keys;
    this.#query = query;
    this.#options = options;
  }

  /**
   * The points in arrays (of about 1024, fewer at the end of each chunk of 16 keys): the same
   * points in the same order as iterating the scan, one iteration step per batch instead of per point.
   *
   * @returns The batches, as an async iterable (requests start when it is iterated).
   */
  batches(): AsyncIterable<MetricPoint[]> {
    return {
      [Symbol.asyncIterator]: () =>
        this.#scan((engine, transport, ref) =>
          engine.scanMetricBatches(transport, ref, this.#keys, this.#query, this.#options)
        ),
    };
  }

  /**
   * The points as column blocks of up to 8192 rows (see {@linkcode MetricRowColumns}): the same
   * points in the same order as iterating the scan, with no object per point, in constant memory
   * (the scan pauses while a few blocks wait). The fastest way through a run's points, and what
   * the metric writers take as they are (`writeMetricsParquet(path, scan.columns())`).
   *
   * @returns The blocks, as an async iterable (requests start when it is iterated).
   * @throws {ValidationError} For more than 65,536 keys (a block's key indexes are 16-bit).
   *
   * @example The mean of a key over every point, streamed
   * ```ts
   * import { Api } from "@swanlab-ts/api";
   *
   * const run = new Api().run("my-team/my-project/abc123");
   * let sum = 0;
   * let count = 0;
   * for await (const block of run.scanMetrics(["loss"]).columns()) {
   *   for (let i = 0; i < block.length; i++) sum += block.values[i]!;
   *   count += block.length;
   * }
   * console.log(sum / count);
   * ```
   */
  columns(): AsyncIterable<MetricRowColumns> {
    checkBlockKeyCount(this.#keys.length);
    const resolve = this.#resolve;
    const [keys, query, options] = [this.#keys, this.#query, this.#options];
    return {
      // A generator is enough here: a step per block of up to 8192 rows, not per point.
      async *[Symbol.asyncIterator](): AsyncGenerator<MetricRowColumns> {
        const [[transport, ref], { runColumnBlocks }] = await Promise.all([
          resolve(),
          import("./_column_blocks.ts"),
        ]);
        for await (const blocks of runColumnBlocks(transport, ref, keys, query, options)) {
          yield* blocks;
        }
      },
    };
  }

  /**
   * Iterates the points one by one (requests start with the first `next()`).
   *
   * @returns The iterator.
   */
  [Symbol.asyncIterator](): AsyncIterator<MetricPoint> {
    return this.#scan((engine, transport, ref) =>
      engine.scanMetrics(transport, ref, this.#keys, this.#query, this.#options)
    );
  }

  /** An iterator over what `read` opens once the run is resolved and the metrics engine loaded. */
  #scan<T>(
    read: (
      engine: typeof import("../metrics/scan_metrics.ts"),
      transport: Transport,
      ref: RunRef,
    ) => AsyncIterable<T>,
  ): AsyncIterator<T> {
    return lazyIterator(async () => {
      const [[transport, ref], engine] = await Promise.all([
        this.#resolve(),
        import("../metrics/scan_metrics.ts"),
      ]);
      return read(engine, transport, ref)[Symbol.asyncIterator]();
    });
  }
}
