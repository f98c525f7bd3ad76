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
