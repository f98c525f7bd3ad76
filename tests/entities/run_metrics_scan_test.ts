import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { AbortError, type MetricPoint, RunMetricsScan, ValidationError } from "../../mod.ts";
import { useApiServer } from "./_setup.ts";

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
