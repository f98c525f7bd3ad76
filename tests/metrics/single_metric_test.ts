import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { useMetricsServer } from "../_helpers/metrics_fixture.ts";
import { ValidationError } from "../../src/core/errors.ts";
import { fetchScalarMetrics } from "../../src/metrics/scalar_metrics.ts";
import { fetchSingleMetric } from "../../src/metrics/single_metric.ts";

describe("fetchSingleMetric against the local server", () => {
  const fx = useMetricsServer({ runs: 2, steps: 800, logLines: 10 });

  const house = () => fx.server.requests.filter((r) => r.path.startsWith("/api/house/"));

  it("reads a sampled scalar key with its statistics, in the SDK's key order", async () => {
    const json = await fetchSingleMetric(fx.transport, fx.ref, "train/acc", "SCALAR", {
      sample: 50,
    });
    assert.deepEqual(Object.keys(json), [
      "key",
      "metric_type",
      "metrics",
      "project_id",
      "run_id",
      "min",
      "max",
      "avg",
      "median",
      "latest",
    ]);
    assert.equal(json.key, "train/acc");
    assert.equal(json.metric_type, "SCALAR");
    assert.equal(json.project_id, fx.run.projectCuid);
    assert.equal(json.run_id, fx.run.cuid);
    assert.ok(json.metrics.length > 0 && json.metrics.length <= 50);
    assert.equal(typeof json.latest?.timestamp, "number");
    assert.deepEqual(house().map((c) => c.path).sort(), [
      "/api/house/metrics/scalar",
      "/api/house/metrics/scalar/value",
      "/api/house/metrics/scalar/value",
    ]);
    const sampled = await fetchScalarMetrics(fx.transport, fx.ref, ["train/acc"], { sample: 50 });
    const { key: _k, metrics, ...stats } = sampled.list[0]!;
    assert.deepEqual(json.metrics, metrics);
    assert.deepEqual(
      { min: json.min, max: json.max, avg: json.avg, median: json.median, latest: json.latest },
      stats,
    );
  });

  it("skips the statistics requests when the key has no points", async () => {
    const json = await fetchSingleMetric(fx.transport, fx.ref, "nope", "SCALAR");
    assert.deepEqual(json, {
      key: "nope",
      metric_type: "SCALAR",
      metrics: [],
      project_id: fx.run.projectCuid,
      run_id: fx.run.cuid,
    });
    assert.equal(house().length, 1);
  });

  it("reads the full scalar series with all and removes timestamps with ignoreTimestamp", async () => {
    const json = await fetchSingleMetric(fx.transport, fx.ref, "lr", "SCALAR", {
      all: true,
      ignoreTimestamp: true,
    });
    const full = await fetchScalarMetrics(fx.transport, fx.ref, ["lr"], {
      all: true,
      ignoreTimestamp: true,
    });
    assert.equal(json.metrics.length, 800);
    assert.deepEqual(json.metrics, full.list[0]!.metrics);
    assert.equal(typeof json.min?.timestamp, "number");
  });

  it("reads one media step, omitting the step by default", async () => {
    const json = await fetchSingleMetric(fx.transport, fx.ref, "samples/image", "MEDIA");
    assert.deepEqual(Object.keys(json), [
      "key",
      "metric_type",
      "metrics",
      "project_id",
      "run_id",
      "step",
      "steps",
    ]);
    const last = fx.server.dataset.mediaSteps.at(-1)!;
    assert.equal(json.step, last);
    assert.deepEqual(json.steps, [...fx.server.dataset.mediaSteps]);
    assert.equal(json.metrics[0]!.index, last);
    assert.equal(json.metrics[0]!.items.length, fx.server.dataset.imagesPerStep);
    const body = house().find((c) => c.path === "/api/house/metrics/media")!.body as object;
    assert.equal("step" in body, false);
    const at = await fetchSingleMetric(fx.transport, fx.ref, "samples/image", "MEDIA", {
      mediaStep: fx.server.dataset.mediaSteps[1]!,
    });
    assert.equal(at.step, fx.server.dataset.mediaSteps[1]);
  });

  it("reads every media step with all, without step and steps", async () => {
    const json = await fetchSingleMetric(fx.transport, fx.ref, "samples/image", "MEDIA", {
      all: true,
    });
    assert.deepEqual(Object.keys(json), ["key", "metric_type", "metrics", "project_id", "run_id"]);
    assert.deepEqual(json.metrics.map((m) => m.index), [...fx.server.dataset.mediaSteps]);
    for (const step of json.metrics) for (const item of step.items) assert.ok(item.url);
  });

  it("rejects a blank key, an unknown type and bad options before any request", async () => {
    await assert.rejects(fetchSingleMetric(fx.transport, fx.ref, " ", "SCALAR"), ValidationError);
    await assert.rejects(
      fetchSingleMetric(fx.transport, fx.ref, "lr", "LOG" as "SCALAR"),
      ValidationError,
    );
    await assert.rejects(
      fetchSingleMetric(fx.transport, fx.ref, "lr", "SCALAR", { sample: 0 }),
      ValidationError,
    );
    await assert.rejects(
      fetchSingleMetric(fx.transport, fx.ref, "img", "MEDIA", { mediaStep: -2 }),
      ValidationError,
    );
    assert.equal(fx.server.requests.length, 0);
  });
});
