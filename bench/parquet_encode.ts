/**
 * Micro-benchmark of Parquet encoding of long-format metric rows (no network, no disk): rows per
 * second of `MetricsParquetWriter` fed row objects (`write`) and column blocks
 * (`writeColumns`), against hyparquet-writer's generic `ParquetWriter.write` on the same data
 * (the writer's path before `_metric_group_encoder.ts`: a `BigInt` per step and timestamp, then
 * the library's per-value encoding). The bytes go to a sink that only counts them.
 *
 * Run: `deno run -A bench/parquet_encode.ts [rows=4000000] [repeats=3]`. Prints the best of the
 * repeats per path, in M rows/s and µs per row.
 *
 * @module
 */

import { ByteWriter, ParquetWriter } from "hyparquet-writer";
import type { ByteSink } from "../src/export/byte_sink.ts";
import type { MetricRow } from "../src/export/metric_row.ts";
import type { MetricRowColumns } from "../src/export/metric_row_columns.ts";
import { MetricsParquetWriter } from "../src/export/metrics_parquet_writer.ts";
import { metricSchema } from "../src/export/_metric_group_encoder.ts";

const total = Number(Deno.args[0] ?? 4_000_000);
const repeats = Number(Deno.args[1] ?? 3);
const KEYS = ["train/loss", "val/acc", "lr", "epoch"];
const RUNS = 40;
const BLOCK = 8192;
const GROUP = 100_000;

/** The rows as a multi-run scan yields them: run by run, 4 keys per step, 1024-row arrays. */
function makeRows(): MetricRow[][] {
  const batches: MetricRow[][] = [];
  let batch: MetricRow[] = [];
  const steps = Math.ceil(total / RUNS / KEYS.length);
  let count = 0;
  for (let r = 0; r < RUNS && count < total; r++) {
    const run = `crun${String(r).padStart(4, "0")}abcdefgh`;
    for (let s = 0; s < steps && count < total; s++) {
      for (let k = 0; k < KEYS.length && count < total; k++, count++) {
        batch.push({
          run,
          key: KEYS[k] as string,
          step: s,
          value: Math.sin(s * 0.001 + k) * 3,
          timestamp: 1722470400000 + s * 37 + (s % 7),
        });
        if (batch.length === 1024) {
          batches.push(batch);
          batch = [];
        }
      }
    }
  }
  if (batch.length > 0) batches.push(batch);
  return batches;
}

/** The same rows as column blocks of one run each. */
function toColumns(batches: MetricRow[][]): MetricRowColumns[] {
  const rows = batches.flat();
  const blocks: MetricRowColumns[] = [];
  let start = 0;
  while (start < rows.length) {
    const run = (rows[start] as MetricRow).run;
    let end = start;
    while (end < rows.length && end - start < BLOCK && (rows[end] as MetricRow).run === run) end++;
    const part = rows.slice(start, end);
    blocks.push({
      run,
      length: part.length,
      keys: KEYS,
      keyIndex: Uint16Array.from(part, (r) => KEYS.indexOf(r.key)),
      steps: Float64Array.from(part, (r) => r.step),
      values: Float64Array.from(part, (r) => r.value),
      timestamps: Float64Array.from(part, (r) => r.timestamp ?? NaN),
    });
    start = end;
  }
  return blocks;
}

const counting = (): { sink: ByteSink; bytes: () => number } => {
  let bytes = 0;
  return {
    sink: {
      write: (chunk) => {
        bytes += typeof chunk === "string" ? chunk.length : chunk.byteLength;
        return Promise.resolve();
      },
      commit: () => Promise.resolve(),
      abort: () => Promise.resolve(),
    },
    bytes: () => bytes,
  };
};

/** hyparquet-writer's generic path, as the writer used it (row groups of 100,000). */
async function generic(batches: MetricRow[][]): Promise<number> {
  const writer = new ByteWriter();
  let flushed = 0;
  const parquet = new ParquetWriter({
    writer: Object.assign(writer, {
      flush: () => {
        flushed += writer.index;
        writer.index = 0;
      },
    }),
    schema: metricSchema(true),
    createdBy: "swanlab-ts",
  });
  // As the writer did: typed arrays for steps and values, a BigInt per step and timestamp.
  let runs: string[] = [];
  let keys: string[] = [];
  const steps = new BigInt64Array(GROUP);
  const values = new Float64Array(GROUP);
  let timestamps: (bigint | null)[] = [];
  let length = 0;
  const flush = async () => {
    if (length === 0) return;
    await parquet.write({
      columnData: [
        { name: "run", data: runs },
        { name: "key", data: keys },
        {
          name: "step",
          data: length === GROUP ? steps : steps.subarray(0, length),
          encoding: "DELTA_BINARY_PACKED",
        },
        {
          name: "value",
          data: length === GROUP ? values : values.subarray(0, length),
          encoding: "PLAIN",
        },
        { name: "timestamp", data: timestamps, encoding: "DELTA_BINARY_PACKED" },
      ],
      rowGroupSize: length,
    });
    runs = [];
    keys = [];
    timestamps = [];
    length = 0;
  };
  for (const batch of batches) {
    for (const row of batch) {
      runs.push(row.run);
      keys.push(row.key);
      steps[length] = BigInt(row.step);
      values[length] = row.value;
      timestamps.push(row.timestamp === undefined ? null : BigInt(row.timestamp));
      if (++length === GROUP) await flush();
    }
  }
  await flush();
  parquet.finish();
  return flushed + writer.index;
}

async function viaRows(batches: MetricRow[][]): Promise<number> {
  const { sink, bytes } = counting();
  const writer = await MetricsParquetWriter.create(sink, { rowGroupSize: GROUP });
  for (const batch of batches) await writer.write(batch);
  await writer.commit();
  return bytes();
}

async function viaColumns(blocks: MetricRowColumns[]): Promise<number> {
  const { sink, bytes } = counting();
  const writer = await MetricsParquetWriter.create(sink, { rowGroupSize: GROUP });
  for (const block of blocks) await writer.writeColumns(block);
  await writer.commit();
  return bytes();
}

const batches = makeRows();
const blocks = toColumns(batches);
const rows = batches.reduce((n, b) => n + b.length, 0);
console.log(`${rows} rows, ${RUNS} runs x ${KEYS.length} keys, row groups of ${GROUP}`);
for (
  const [name, run] of [
    ["hyparquet-writer ParquetWriter.write (before)", () => generic(batches)],
    ["MetricsParquetWriter.write (row objects)", () => viaRows(batches)],
    ["MetricsParquetWriter.writeColumns (column blocks)", () => viaColumns(blocks)],
  ] as const
) {
  let best = Infinity;
  let size = 0;
  for (let i = 0; i < repeats; i++) {
    const start = performance.now();
    size = await run();
    best = Math.min(best, performance.now() - start);
  }
  console.log(
    `${name}: ${(rows / best / 1000).toFixed(2)} M rows/s, ${
      (best * 1000 / rows).toFixed(3)
    } µs/row, ` +
      `${best.toFixed(0)} ms, ${size} bytes`,
  );
}
