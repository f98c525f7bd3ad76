import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readdir, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ValidationError } from "../../src/core/errors.ts";
import type { MetricRow } from "../../src/export/metric_row.ts";
import {
  MetricsParquetWriter,
  writeMetricsParquet,
} from "../../src/export/metrics_parquet_writer.ts";
import type { MetricRowColumns } from "../../src/export/metric_row_columns.ts";
import { writeMetricsHive } from "../../src/export/hive_metrics_writer.ts";
import { parquetMetadata } from "hyparquet";
import { parquetWriteBuffer } from "hyparquet-writer";
import { duckdb, duckdbTypes, parquetLayout, readWithHyparquet } from "./_readers.ts";

async function tempDir(): Promise<string> {
  return await mkdtemp(join(tmpdir(), "swanlab-ts-export-"));
}

/** 3 runs x 2 keys, with a NaN, infinities and points without timestamp. */
function sampleRows(perRun = 1500): MetricRow[] {
  const rows: MetricRow[] = [];
  for (let r = 0; r < 3; r++) {
    for (let s = 0; s < perRun; s++) {
      const key = s % 2 === 0 ? "train/loss" : "val/acc";
      const value = s === 7 ? NaN : s === 8 ? Infinity : s === 9 ? -Infinity : r + s / 7;
      rows.push(
        s % 5 === 0
          ? { run: `crun${r}`, key, step: s * 10 + r, value }
          : { run: `crun${r}`, key, step: s * 10 + r, value, timestamp: 1722470400000 + s * 1000 },
      );
    }
  }
  return rows;
}

describe("writeMetricsParquet", () => {
  it("writes typed columns in row groups that hyparquet and DuckDB read back exactly", async () => {
    const dir = await tempDir();
    const path = join(dir, "points.parquet");
    const rows = sampleRows();
    const stats = await writeMetricsParquet(path, rows, { rowGroupSize: 1000 });
    assert.equal(stats.rows, rows.length);
    assert.equal(stats.files, 1);
    assert.equal(stats.bytes, (await readFile(path)).byteLength);

    const layout = await parquetLayout(path);
    assert.deepEqual(layout.types, {
      run: "BYTE_ARRAY",
      key: "BYTE_ARRAY",
      step: "INT64",
      value: "DOUBLE",
      timestamp: "INT64",
    });
    assert.equal(layout.rowGroups, Math.ceil(rows.length / 1000));
    assert.deepEqual(layout.codecs, ["SNAPPY"]);

    const back = await readWithHyparquet(path);
    assert.equal(back.length, rows.length);
    back.forEach((row, i) => {
      const want = rows[i]!;
      assert.equal(row["run"], want.run);
      assert.equal(row["key"], want.key);
      assert.equal(row["step"], BigInt(want.step));
      assert.ok(Object.is(row["value"], want.value), `value of row ${i}`);
      assert.equal(row["timestamp"], want.timestamp === undefined ? null : BigInt(want.timestamp));
    });

    assert.deepEqual(await duckdbTypes(`'${path}'`), {
      run: "VARCHAR",
      key: "VARCHAR",
      step: "BIGINT",
      value: "DOUBLE",
      timestamp: "BIGINT",
    });
    const [agg] = await duckdb(
      `SELECT count(*) AS n, count(timestamp) AS ts, sum(step) AS steps,
              count(*) FILTER (WHERE isnan(value)) AS nans,
              count(*) FILTER (WHERE isinf(value)) AS infs,
              count(DISTINCT run) AS runs
       FROM '${path}'`,
    );
    assert.deepEqual(agg, {
      n: BigInt(rows.length),
      ts: BigInt(rows.filter((r) => r.timestamp !== undefined).length),
      steps: BigInt(rows.reduce((sum, r) => sum + r.step, 0)),
      nans: 3n,
      infs: 6n,
      runs: 3n,
    });
  });

  it("takes rows one by one or in arrays, sync or async, and writes an empty file for none", async () => {
    const dir = await tempDir();
    const rows = sampleRows(10);
    async function* batches() {
      yield rows.slice(0, 4);
      yield rows.slice(4);
    }
    await writeMetricsParquet(join(dir, "a.parquet"), batches());
    await writeMetricsParquet(join(dir, "b.parquet"), rows);
    assert.deepEqual(
      await readWithHyparquet(join(dir, "a.parquet")),
      await readWithHyparquet(join(dir, "b.parquet")),
    );
    const empty = await writeMetricsParquet(join(dir, "empty.parquet"), []);
    assert.equal(empty.rows, 0);
    const [count] = await duckdb(`SELECT count(*) AS n FROM '${join(dir, "empty.parquet")}'`);
    assert.deepEqual(count, { n: 0n });
  });

  it("writes uncompressed files and leaves out the run column on request", async () => {
    const dir = await tempDir();
    const path = join(dir, "p.parquet");
    await writeMetricsParquet(path, sampleRows(20), {
      compression: "UNCOMPRESSED",
      includeRun: false,
    });
    const layout = await parquetLayout(path);
    assert.deepEqual(Object.keys(layout.types), ["key", "step", "value", "timestamp"]);
    assert.deepEqual(layout.codecs, ["UNCOMPRESSED"]);
  });

  it("leaves a previous file untouched and no temporary file when the rows fail", async () => {
    const dir = await tempDir();
    const path = join(dir, "points.parquet");
    await writeFile(path, "previous");
    async function* failing() {
      yield sampleRows(500);
      throw new Error("scan failed");
    }
    await assert.rejects(
      writeMetricsParquet(path, failing(), { rowGroupSize: 100 }),
      /scan failed/,
    );
    assert.equal(await readFile(path, "utf8"), "previous");
    assert.deepEqual(await readdir(dir), ["points.parquet"]);
  });

  it("rejects non-integer steps and timestamps, bad options and bad paths", async () => {
    const dir = await tempDir();
    await assert.rejects(
      writeMetricsParquet(join(dir, "x.parquet"), [{ run: "r", key: "k", step: 1.5, value: 1 }]),
      (e: unknown) => e instanceof ValidationError && e.field === "step",
    );
    await assert.rejects(
      writeMetricsParquet(join(dir, "x.parquet"), [
        { run: "r", key: "k", step: 1, value: 1, timestamp: 0.5 },
      ]),
      (e: unknown) => e instanceof ValidationError && e.field === "timestamp",
    );
    await assert.rejects(
      writeMetricsParquet(join(dir, "x.parquet"), [], { rowGroupSize: 0 }),
      (e: unknown) => e instanceof ValidationError && e.field === "rowGroupSize",
    );
    await assert.rejects(
      // @ts-expect-error: an unknown codec
      writeMetricsParquet(join(dir, "x.parquet"), [], { compression: "ZSTD" }),
      (e: unknown) => e instanceof ValidationError && e.field === "compression",
    );
    await assert.rejects(
      writeMetricsParquet(join(dir, "missing", "x.parquet"), [], { field: "--out" }),
      (e: unknown) => e instanceof ValidationError && e.field === "--out",
    );
    assert.deepEqual(await readdir(dir), []);
  });
});

describe("MetricsParquetWriter", () => {
  it("streams to any byte sink and refuses writes after commit", async () => {
    const chunks: Uint8Array[] = [];
    let committed = false;
    const writer = await MetricsParquetWriter.create({
      write: (chunk) => {
        chunks.push(typeof chunk === "string" ? new TextEncoder().encode(chunk) : chunk);
        return Promise.resolve();
      },
      commit: () => {
        committed = true;
        return Promise.resolve();
      },
      abort: () => Promise.resolve(),
    }, { rowGroupSize: 50 });
    const rows = sampleRows(100);
    await writer.write(rows.slice(0, 120));
    // Two full row groups are already written before the commit.
    assert.ok(chunks.length >= 2);
    await writer.write(rows.slice(120));
    const stats = await writer.commit();
    assert.ok(committed);
    assert.equal(stats.rows, rows.length);
    const total = chunks.reduce((n, c) => n + c.byteLength, 0);
    assert.equal(stats.bytes, total);
    await assert.rejects(writer.write(rows), TypeError);
  });
});

/** Rows with the edge cases of the encoder: huge and negative steps, wide deltas, -0, gaps. */
function edgeRows(count: number): MetricRow[] {
  let seed = 7;
  const random = (): number => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const keys = ["loss", "acc", "é/ü 指标", "z"];
  const rows: MetricRow[] = [];
  for (let i = 0; i < count; i++) {
    const kind = random();
    const value = kind < 0.02
      ? NaN
      : kind < 0.03
      ? Infinity
      : kind < 0.04
      ? -Infinity
      : kind < 0.05
      ? -0
      : (random() - 0.5) * 1e6;
    // Some steps and timestamps jump by up to 2^53: deltas wider than 46 bits.
    const step = random() < 0.03 ? Math.floor((random() - 0.5) * 2 ** 53) : i * 3;
    const timestamp = random() < 0.1
      ? undefined
      : random() < 0.03
      ? Math.floor((random() - 0.5) * 2 ** 53)
      : 1722470400000 + i * 1000 + Math.floor(random() * 50);
    const row: MetricRow = { run: `r${Math.floor(random() * 3)}`, key: keys[i % 4]!, step, value };
    if (timestamp !== undefined) row.timestamp = timestamp;
    rows.push(row);
  }
  return rows;
}

/** The same rows as column blocks of one run each (cut where the run changes). */
function asColumns(rows: readonly MetricRow[], blockSize = 700): MetricRowColumns[] {
  const keys = [...new Set(rows.map((r) => r.key))];
  const blocks: MetricRowColumns[] = [];
  let start = 0;
  while (start < rows.length) {
    const run = rows[start]!.run;
    let end = start;
    while (end < rows.length && end - start < blockSize && rows[end]!.run === run) end++;
    const part = rows.slice(start, end);
    blocks.push({
      run,
      length: part.length,
      keys,
      keyIndex: Uint16Array.from(part, (r) => keys.indexOf(r.key)),
      steps: Float64Array.from(part, (r) => r.step),
      values: Float64Array.from(part, (r) => r.value),
      timestamps: Float64Array.from(part, (r) => r.timestamp ?? NaN),
    });
    start = end;
  }
  return blocks;
}

describe("Parquet encoding of metric rows", () => {
  it("reads back exactly with hyparquet and DuckDB, edge values included, as hyparquet-writer's own files", async () => {
    const dir = await tempDir();
    const rows = edgeRows(30_000);
    const ours = join(dir, "ours.parquet");
    await writeMetricsParquet(ours, rows, { rowGroupSize: 7_000 });
    // hyparquet-writer's generic writer on the same data: the reference.
    const reference = join(dir, "reference.parquet");
    const bytes = parquetWriteBuffer({
      columnData: [
        { name: "run", data: rows.map((r) => r.run), type: "STRING" },
        { name: "key", data: rows.map((r) => r.key), type: "STRING" },
        { name: "step", data: rows.map((r) => BigInt(r.step)), type: "INT64" },
        { name: "value", data: rows.map((r) => r.value), type: "DOUBLE" },
        {
          name: "timestamp",
          data: rows.map((r) => r.timestamp === undefined ? null : BigInt(r.timestamp)),
          type: "INT64",
        },
      ],
      rowGroupSize: 7_000,
    });
    await writeFile(reference, new Uint8Array(bytes));

    const back = await readWithHyparquet(ours);
    assert.equal(back.length, rows.length);
    back.forEach((row, i) => {
      const want = rows[i]!;
      assert.equal(row["run"], want.run);
      assert.equal(row["key"], want.key);
      assert.equal(row["step"], BigInt(want.step), `step of row ${i}`);
      assert.ok(Object.is(row["value"], want.value), `value of row ${i}`);
      assert.equal(row["timestamp"], want.timestamp === undefined ? null : BigInt(want.timestamp));
    });
    assert.deepEqual(await readWithHyparquet(reference), back);

    // DuckDB: every row equal to the reference file's, and the chunk statistics it uses for
    // filters agree with the data.
    const [diff] = await duckdb(
      `SELECT count(*) AS n FROM (
         SELECT run, key, step, value::VARCHAR AS v, timestamp FROM '${ours}'
         EXCEPT ALL
         SELECT run, key, step, value::VARCHAR, timestamp FROM '${reference}')`,
    );
    assert.deepEqual(diff, { n: 0n });
    const minStep = rows.reduce((m, r) => Math.min(m, r.step), Infinity);
    const [filtered] = await duckdb(
      `SELECT count(*) AS n, min(step) AS lo FROM '${ours}'
       WHERE step <= ${minStep} AND key = 'é/ü 指标' OR timestamp IS NULL AND run = 'r1'`,
    );
    assert.deepEqual(filtered, {
      n: BigInt(
        rows.filter((r) =>
          r.step <= minStep && r.key === "é/ü 指标" || r.timestamp === undefined && r.run === "r1"
        ).length,
      ),
      lo: BigInt(minStep),
    });
    const metadata = parquetMetadata(new Uint8Array(await readFile(ours)).buffer);
    const group = metadata.row_groups[0]!;
    const stepStats = group.columns[2]!.meta_data!.statistics!;
    const firstSteps = rows.slice(0, 7_000).map((r) => r.step);
    assert.equal(stepStats.min_value, BigInt(Math.min(...firstSteps)));
    assert.equal(stepStats.max_value, BigInt(Math.max(...firstSteps)));
  });

  it("writes the same file from column blocks as from rows, in one file or a Hive dataset", async () => {
    const dir = await tempDir();
    const rows = [...sampleRows(2_000), ...edgeRows(5_000)].sort((a, b) =>
      a.run < b.run ? -1 : a.run > b.run ? 1 : 0
    );
    const fromRows = join(dir, "rows.parquet");
    const fromColumns = join(dir, "columns.parquet");
    await writeMetricsParquet(fromRows, rows, { rowGroupSize: 3_000 });
    // Mixed: a few single rows, then blocks.
    await writeMetricsParquet(
      fromColumns,
      (async function* () {
        yield rows[0]!;
        yield [rows[1]!, rows[2]!];
        yield* asColumns(rows.slice(3));
      })(),
      { rowGroupSize: 3_000 },
    );
    assert.deepEqual(await readFile(fromColumns), await readFile(fromRows));
    // Blocks holding whole row groups (encoded from the block's arrays) and parts of groups.
    const fromBigBlocks = join(dir, "big-blocks.parquet");
    await writeMetricsParquet(
      fromBigBlocks,
      (async function* () {
        yield rows.slice(0, 1_000); // the first group starts in the writer's buffer
        yield* asColumns(rows.slice(1_000), 6_500);
      })(),
      { rowGroupSize: 3_000 },
    );
    assert.deepEqual(await readFile(fromBigBlocks), await readFile(fromRows));

    await writeMetricsHive(join(dir, "hive-rows"), rows);
    await writeMetricsHive(join(dir, "hive-columns"), asColumns(rows, 999));
    for (const part of await readdir(join(dir, "hive-rows"))) {
      assert.deepEqual(
        await readFile(join(dir, "hive-columns", part, "part-0.parquet")),
        await readFile(join(dir, "hive-rows", part, "part-0.parquet")),
      );
    }
  });

  it("rejects a column block with a non-integer step or timestamp or a bad key index", async () => {
    const dir = await tempDir();
    const [block] = asColumns(sampleRows(10).slice(0, 10));
    for (
      const [bad, field] of [
        [{ ...block!, steps: Float64Array.of(...block!.steps.subarray(0, 9), 1.5) }, "step"],
        [
          { ...block!, timestamps: Float64Array.of(...block!.timestamps.subarray(0, 9), Infinity) },
          "timestamp",
        ],
        [{ ...block!, keyIndex: Uint16Array.of(...block!.keyIndex.subarray(0, 9), 9) }, "keyIndex"],
      ] as const
    ) {
      await assert.rejects(
        writeMetricsParquet(join(dir, `${field}.parquet`), [bad]),
        (e: unknown) => e instanceof ValidationError && e.field === field,
      );
      // The bad row in the second of two whole row groups of the block.
      await assert.rejects(
        writeMetricsParquet(join(dir, `${field}-groups.parquet`), [bad], { rowGroupSize: 5 }),
        (e: unknown) => e instanceof ValidationError && e.field === field,
      );
    }
  });
});
