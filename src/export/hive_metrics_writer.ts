/**
 * Metric rows of many runs to a Hive-partitioned Parquet dataset: one folder per run,
 * `<dir>/run_id=<id>/part-0.parquet`, each file holding `key, step, value, timestamp` (the run id
 * is in the folder name, as DuckDB's, Polars' and Spark's partitioned writes do). DuckDB reads the
 * whole directory as one table with
 * `read_parquet('<dir>/*\/*.parquet', hive_partitioning = true)`.
 *
 * Completion rule: the dataset is written into a hidden temporary directory beside `<dir>` and
 * renamed to `<dir>` only after every part is written, so a directory under the final name is
 * always complete; a failed or interrupted export leaves nothing there.
 *
 * @module
 */

import { AtomicFile } from "../core/atomic_file.ts";
import { ValidationError } from "../core/errors.ts";
import { AtomicDirectory } from "./atomic_directory.ts";
import type { ExportStats } from "./export_stats.ts";
import type { MetricRow } from "./metric_row.ts";
import { MetricsParquetWriter } from "./metrics_parquet_writer.ts";
import type { ParquetWriteOptions } from "./parquet_options.ts";
import { resolveParquetOptions } from "./parquet_options.ts";
import { isMetricRowColumns, metricBatches, type MetricSource } from "./metric_row_columns.ts";

const encoder = new TextEncoder();

/**
 * The folder name of a run's partition: `run_id=<id>`, with every character other than letters,
 * digits, `-` and `_` percent-encoded (Hive's escaping), so any id gives one safe folder name.
 *
 * @param runId The run id (not empty).
 * @returns The folder name.
 * @throws {ValidationError} When the id is empty.
 *
 * @example
 * ```ts
 * import { hivePartitionName } from "./hive_metrics_writer.ts";
 *
 * hivePartitionName("cabc123"); // "run_id=cabc123"
 * hivePartitionName("a/b"); // "run_id=a%2Fb"
 * ```
 */
export function hivePartitionName(runId: string): string {
  if (typeof runId !== "string" || runId === "") {
    throw new ValidationError("run", "Cannot write a partition: the run id is empty");
  }
  const escaped = runId.replace(
    /[^A-Za-z0-9_-]/gu,
    (c) =>
      Array.from(encoder.encode(c), (b) => "%" + b.toString(16).toUpperCase().padStart(2, "0"))
        .join(""),
  );
  return `run_id=${escaped}`;
}

/**
 * Writes metric rows to a Hive-partitioned Parquet dataset directory, as they arrive. Rows of
 * one run are expected together (a multi-run scan yields them so); a run met again later gets
 * one more part (`part-1.parquet`, …), never a rewrite. A run without rows has no folder. Only
 * one part is open at a time, so memory holds about one row group whatever the number of runs.
 *
 * @param dir The dataset directory: must not exist, or be empty; its parent must exist.
 * @param rows The rows, one by one, in arrays or as column blocks (a scan's `columns()`).
 * @param options Compression and row group size of every part.
 * @returns The rows, bytes and part files written.
 * @throws {ValidationError} For bad options or a directory that cannot be created.
 *
 * @example Write two runs and list the parts
 * ```ts
 * import { writeMetricsHive } from "./hive_metrics_writer.ts";
 *
 * const parent = await Deno.makeTempDir();
 * const stats = await writeMetricsHive(`${parent}/metrics`, [
 *   { run: "c1", key: "loss", step: 0, value: 1.5 },
 *   { run: "c2", key: "loss", step: 0, value: 1.7 },
 * ]);
 * console.log(stats.files); // 2: run_id=c1/part-0.parquet, run_id=c2/part-0.parquet
 * ```
 */
export async function writeMetricsHive(
  dir: string,
  rows: MetricSource,
  options: ParquetWriteOptions = {},
): Promise<ExportStats> {
  resolveParquetOptions(options);
  const directory = await AtomicDirectory.create(
    dir,
    options.field === undefined ? {} : { field: options.field },
  );
  const parts = new Map<string, number>();
  let writer: MetricsParquetWriter | undefined;
  let run: string | undefined;
  const stats: ExportStats = { rows: 0, bytes: 0, files: 0 };
  const close = async (): Promise<void> => {
    if (writer === undefined) return;
    const part = await writer.commit();
    writer = undefined;
    stats.rows += part.rows;
    stats.bytes += part.bytes;
    stats.files++;
  };
  try {
    /** The open part of `current`, a new part when the run changes. */
    const partOf = async (current: string): Promise<MetricsParquetWriter> => {
      if (current === run && writer !== undefined) return writer;
      await close();
      run = current;
      const index = parts.get(current) ?? 0;
      parts.set(current, index + 1);
      const { join } = await import("node:path"); // on first use: start-up cost
      const path = join(
        directory.temporaryPath,
        hivePartitionName(current),
        `part-${index}.parquet`,
      );
      // The dataset's own layout: the partition folder is created here.
      const file = await AtomicFile.create(path, { createParent: true });
      writer = await MetricsParquetWriter.create(file, { ...options, includeRun: false });
      return writer;
    };
    for await (const batch of metricBatches(rows)) {
      if (isMetricRowColumns(batch)) {
        await (await partOf(batch.run)).writeColumns(batch);
        continue;
      }
      let start = 0;
      while (start < batch.length) {
        const current = (batch[start] as MetricRow).run;
        let end = start + 1;
        while (end < batch.length && (batch[end] as MetricRow).run === current) end++;
        const part = await partOf(current);
        await part.write(start === 0 && end === batch.length ? batch : batch.slice(start, end));
        start = end;
      }
    }
    await close();
    await directory.commit();
    return stats;
  } finally {
    await writer?.abort();
    await directory.abort();
  }
}
