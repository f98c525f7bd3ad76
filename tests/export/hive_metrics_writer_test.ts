import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdir, mkdtemp, readdir, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ValidationError } from "../../src/core/errors.ts";
import { checkOutputDirectory } from "../../src/export/atomic_directory.ts";
import { hivePartitionName, writeMetricsHive } from "../../src/export/hive_metrics_writer.ts";
import type { MetricRow } from "../../src/export/metric_row.ts";
import { duckdb, duckdbTypes, parquetLayout, readWithHyparquet } from "./_readers.ts";

async function tempDir(): Promise<string> {
  return await mkdtemp(join(tmpdir(), "swanlab-ts-hive-"));
}

function runRows(run: string, points: number): MetricRow[] {
  return Array.from({ length: points }, (_, s) => ({
    run,
    key: s % 2 === 0 ? "loss" : "acc",
    step: s,
    value: s / 3,
    timestamp: 1722470400000 + s,
  }));
}

describe("writeMetricsHive", () => {
  it("writes one partition per run that DuckDB reads as one table", async () => {
    const parent = await tempDir();
    const dir = join(parent, "metrics");
    const rows = [...runRows("crunA", 2500), ...runRows("crunB", 10), ...runRows("crunC", 700)];
    const stats = await writeMetricsHive(dir, rows, { rowGroupSize: 1000 });
    assert.deepEqual({ rows: stats.rows, files: stats.files }, { rows: rows.length, files: 3 });
    assert.deepEqual((await readdir(dir)).sort(), [
      "run_id=crunA",
      "run_id=crunB",
      "run_id=crunC",
    ]);
    assert.deepEqual(await readdir(join(dir, "run_id=crunA")), ["part-0.parquet"]);
    // No temporary directory is left beside the dataset.
    assert.deepEqual(await readdir(parent), ["metrics"]);

    const partA = join(dir, "run_id=crunA", "part-0.parquet");
    const layout = await parquetLayout(partA);
    assert.deepEqual(layout.types, {
      key: "BYTE_ARRAY",
      step: "INT64",
      value: "DOUBLE",
      timestamp: "INT64",
    });
    assert.equal(layout.rowGroups, 3);
    const back = await readWithHyparquet(partA);
    assert.equal(back.length, 2500);
    assert.deepEqual(back[5], {
      key: "acc",
      step: 5n,
      value: 5 / 3,
      timestamp: 1722470400005n,
    });

    const source = `read_parquet('${dir}/*/*.parquet', hive_partitioning = true)`;
    assert.deepEqual(await duckdbTypes(source), {
      key: "VARCHAR",
      step: "BIGINT",
      value: "DOUBLE",
      timestamp: "BIGINT",
      run_id: "VARCHAR",
    });
    const counts = await duckdb(
      `SELECT run_id, count(*) AS n, max(step) AS last FROM ${source} GROUP BY run_id ORDER BY run_id`,
    );
    assert.deepEqual(counts, [
      { run_id: "crunA", n: 2500n, last: 2499n },
      { run_id: "crunB", n: 10n, last: 9n },
      { run_id: "crunC", n: 700n, last: 699n },
    ]);
  });

  it("gives a run met again a new part instead of rewriting it", async () => {
    const parent = await tempDir();
    const dir = join(parent, "metrics");
    await writeMetricsHive(dir, [...runRows("r1", 3), ...runRows("r2", 2), ...runRows("r1", 4)]);
    assert.deepEqual((await readdir(join(dir, "run_id=r1"))).sort(), [
      "part-0.parquet",
      "part-1.parquet",
    ]);
    const [count] = await duckdb(
      `SELECT count(*) AS n FROM read_parquet('${dir}/run_id=r1/*.parquet')`,
    );
    assert.deepEqual(count, { n: 7n });
  });

  it("leaves nothing under the final name, and no temporary directory, when the rows fail", async () => {
    const parent = await tempDir();
    const dir = join(parent, "metrics");
    async function* failing() {
      yield runRows("r1", 50);
      yield runRows("r2", 50);
      throw new Error("run r3 failed");
    }
    await assert.rejects(writeMetricsHive(dir, failing()), /run r3 failed/);
    assert.deepEqual(await readdir(parent), []);
  });

  it("keeps a pre-existing empty target directory empty on failure and fills it on success", async () => {
    const parent = await tempDir();
    const dir = join(parent, "metrics");
    await mkdir(dir);
    async function* failing() {
      yield runRows("r1", 5);
      throw new Error("boom");
    }
    await assert.rejects(writeMetricsHive(dir, failing()), /boom/);
    assert.deepEqual(await readdir(parent), ["metrics"]);
    assert.deepEqual(await readdir(dir), []);
    await writeMetricsHive(dir, runRows("r1", 5));
    assert.deepEqual(await readdir(dir), ["run_id=r1"]);
  });

  it("refuses a non-empty directory, a file, or a missing parent before writing", async () => {
    const parent = await tempDir();
    await mkdir(join(parent, "full"));
    await writeFile(join(parent, "full", "keep.txt"), "mine");
    await writeFile(join(parent, "file"), "x");
    for (
      const path of [join(parent, "full"), join(parent, "file"), join(parent, "no", "dir"), ""]
    ) {
      await assert.rejects(
        writeMetricsHive(path, runRows("r1", 1), { field: "--out" }),
        (e: unknown) => e instanceof ValidationError && e.field === "--out",
      );
    }
    assert.deepEqual((await readdir(parent)).sort(), ["file", "full"]);
    assert.deepEqual(await readdir(join(parent, "full")), ["keep.txt"]);
    assert.equal(await checkOutputDirectory(join(parent, "new")), join(parent, "new"));
  });
});

describe("hivePartitionName", () => {
  it("percent-encodes everything but letters, digits, - and _", () => {
    assert.equal(hivePartitionName("cabc_12-3"), "run_id=cabc_12-3");
    assert.equal(hivePartitionName("a/b"), "run_id=a%2Fb");
    assert.equal(hivePartitionName(".."), "run_id=%2E%2E");
    assert.equal(hivePartitionName("é"), "run_id=%C3%A9");
    assert.throws(() => hivePartitionName(""), ValidationError);
  });
});
