import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  AbortError,
  type MetricPoint,
  type MetricRowColumns,
  RunMetricsScan,
  ValidationError,
  writeMetricsParquet,
} from "../../mod.ts";
import { readWithHyparquet } from "../export/_readers.ts";
import { useApiServer } from "./_setup.ts";

/** Column blocks as the points they hold, `MetricPoint`-shaped (a `NaN` timestamp is none). */
function blockPoints(blocks: readonly MetricRowColumns[]): MetricPoint[] {
  const points: MetricPoint[] = [];
  for (const block of blocks) {
    for (let i = 0; i < block.length; i++) {
      const timestamp = block.timestamps[i]!;
      points.push({
        key: block.keys[block.keyIndex[i]!]!,
        step: block.steps[i]!,
        value: block.values[i]!,
        ...(Number.isNaN(timestamp) ? {} : { timestamp }),
      });
    }
  }
  return points;
}

const EXPORT = "/api/house/metrics/scalar/export";

describe("RunMetricsScan (run.scanMetrics)", () => {
  // 3,000 steps: several batches of about 1024 points per key.
  const fx = useApiServer({ runs: 2, steps: 3_000 });
  const exports = () => fx.server.requests.filter((r) => r.path === EXPORT);
  const downloads = () => fx.server.requests.filter((r) => r.origin === "storage");

  it("is what run.scanMetrics() returns, checked before any request", () => {
    const run = fx.api.run(fx.runPath);
    assert.ok(run.scanMetrics(["train/loss"]) instanceof RunMetricsScan);
    assert.throws(() => run.scanMetrics([]), ValidationError);
    assert.throws(() => run.scanMetrics(["x"], { rangeQuery: { tail: 0 } }), ValidationError);
    // Neither the scan nor its batches send anything until they are iterated.
    run.scanMetrics(["train/loss"]).batches();
    assert.equal(fx.server.requests.length, 0);
  });

  it("batches() hands out the same points, in the same order, as the points one by one", async () => {
    const keys = ["train/loss", "train/acc", "val/acc"];
    const scan = fx.api.run(fx.runPath).scanMetrics(keys);
    const points: MetricPoint[] = [];
    for await (const point of scan) points.push(point);
    const batches: MetricPoint[][] = [];
    for await (const batch of scan.batches()) batches.push(batch);
    assert.equal(points.filter((p) => p.key === "train/loss").length, 3_000);
    assert.ok(points.some((p) => p.key === "val/acc"));
    assert.ok(batches.length > 3, `${batches.length} batches`);
    assert.ok(batches.every((batch) => batch.length > 0 && batch.length <= 2048));
    assert.deepEqual(batches.flat(), points);
    assert.deepEqual([points[0]!.key, points[0]!.step], ["train/loss", 0]);
  });

  it("batches() applies the range query like the points do", async () => {
    const scan = fx.api.run(fx.runPath).scanMetrics(["train/loss"], {
      rangeQuery: { type: "step", start: 1_000, end: 2_499 },
    });
    const batched = (await Array.fromAsync(scan.batches())).flat();
    assert.equal(batched.length, 1_500);
    assert.equal(batched[0]!.step, 1_000);
    assert.equal(batched.at(-1)!.step, 2_499);
    assert.deepEqual(batched, await Array.fromAsync(scan));
  });

  it("columns() holds the same points, in the same order, in blocks of the run", async () => {
    const keys = ["train/loss", "train/acc", "val/acc", "train/loss"];
    const run = fx.api.run(fx.runPath);
    const scan = run.scanMetrics(keys);
    const blocks = await Array.fromAsync(scan.columns());
    assert.ok(blocks.length > 0);
    const runId = (await run.json()).run_id;
    for (const block of blocks) {
      assert.equal(block.run, runId);
      assert.deepEqual(block.keys, ["train/loss", "train/acc", "val/acc"]);
      assert.ok(block.length > 0 && block.length <= 8192);
    }
    assert.deepEqual(blockPoints(blocks), await Array.fromAsync(scan));
  });

  it("columns() applies the range query and checks the key count before any request", async () => {
    const run = fx.api.run(fx.runPath);
    const scan = run.scanMetrics(["train/loss", "val/acc"], {
      rangeQuery: { type: "step", start: 100, end: 2_100, head: 700 },
    });
    const points = blockPoints(await Array.fromAsync(scan.columns()));
    assert.deepEqual(points, await Array.fromAsync(scan));
    assert.equal(points.filter((p) => p.key === "train/loss").length, 700);
    fx.server.clearRequests();
    const many = Array.from({ length: 65_537 }, (_, i) => `key/${i}`);
    assert.throws(
      () => run.scanMetrics(many).columns(),
      (error: unknown) => error instanceof ValidationError && /65537 keys/.test(error.message),
    );
    assert.equal(fx.server.requests.length, 0);
  });

  it("columns() go to the Parquet writer as they are", async () => {
    const dir = await mkdtemp(join(tmpdir(), "swanlab-ts-run-scan-"));
    try {
      const scan = fx.api.run(fx.runPath).scanMetrics(["train/loss"]);
      const path = join(dir, "loss.parquet");
      const stats = await writeMetricsParquet(path, scan.columns());
      const rows = await readWithHyparquet(path);
      assert.equal(stats.rows, 3_000);
      assert.equal(rows.length, 3_000);
      const points = await Array.fromAsync(scan);
      assert.deepEqual(
        rows.map((r) => [r["key"], Number(r["step"]), r["value"]]),
        points.map((p) => [p.key, p.step, p.value]),
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("each iteration sends its own requests", async () => {
    const scan = fx.api.run(fx.runPath).scanMetrics(["train/loss"]);
    await Array.fromAsync(scan.batches());
    await Array.fromAsync(scan.batches());
    await Array.fromAsync(scan);
    assert.equal(exports().length, 3);
  });

  it("closed before its first batch arrives, it reads nothing and ends", async () => {
    const iterator = fx.api.run(fx.runPath).scanMetrics(["train/loss"]).batches()
      [Symbol.asyncIterator]();
    const first = iterator.next();
    await iterator.return!();
    assert.deepEqual(await first, { done: true, value: undefined });
    assert.deepEqual(await iterator.next(), { done: true, value: undefined });
    assert.equal(downloads().length, 0);
  });

  it("closed before it starts, it sends nothing", async () => {
    const iterator = fx.api.run(fx.runPath).scanMetrics(["train/loss"])[Symbol.asyncIterator]();
    assert.deepEqual(await iterator.return!(), { done: true, value: undefined });
    assert.deepEqual(await iterator.next(), { done: true, value: undefined });
    assert.equal(fx.server.requests.length, 0);
  });

  it("stops with an AbortError when the signal aborts between batches", async () => {
    const controller = new AbortController();
    const scan = fx.api.run(fx.runPath).scanMetrics(["train/loss", "val/acc"], {}, {
      signal: controller.signal,
    });
    let seen = 0;
    await assert.rejects(
      (async () => {
        for await (const batch of scan.batches()) {
          seen += batch.length;
          controller.abort();
        }
      })(),
      AbortError,
    );
    assert.ok(seen > 0 && seen < 6_000, `${seen} points before the abort`);
  });
});
