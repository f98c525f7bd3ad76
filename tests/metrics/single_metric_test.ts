import { after, before, beforeEach, describe, it } from "node:test";
import assert from "node:assert/strict";
import { startServer } from "../../src/server/mod.ts";
import type { DatasetRun, LocalServer } from "../../src/server/mod.ts";
import { Transport } from "../../src/core/transport.ts";
import { ValidationError } from "../../src/core/errors.ts";
import type { RunRef } from "../../src/metrics/run_ref.ts";
import { fetchScalarMetrics } from "../../src/metrics/scalar_metrics.ts";
import { fetchSingleMetric } from "../../src/metrics/single_metric.ts";

function refOf(run: DatasetRun): RunRef {
  return {
    projectId: run.projectCuid,
    runId: run.cuid,
    createdAt: run.createdAtSeconds,
    name: run.name,
    ...(run.rootProId ? { rootProId: run.rootProId } : {}),
    ...(run.rootExpId ? { rootExpId: run.rootExpId } : {}),
  };
}

describe("fetchSingleMetric against the local server", () => {
  let server: LocalServer;
  let transport: Transport;
  let run: DatasetRun;
  let ref: RunRef;
  before(async () => {
    server = await startServer({ runs: 2, steps: 800, logLines: 10 });
    transport = await Transport.create({ host: server.host, apiKey: server.apiKey, env: {} });
    run = server.dataset.projects["vision-lab/resnet-sweep"]!.runs[0]!;
    ref = refOf(run);
  });
  after(() => server.close());
  beforeEach(() => server.clearRequests());

  const house = () => server.requests.filter((r) => r.path.startsWith("/api/house/"));

  it("reads a sampled scalar key with its statistics, in the SDK's key order", async () => {
    const json = await fetchSingleMetric(transport, ref, "train/acc", "SCALAR", { sample: 50 });
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
    assert.equal(json.project_id, run.projectCuid);
    assert.equal(json.run_id, run.cuid);
    assert.ok(json.metrics.length > 0 && json.metrics.length <= 50);
    assert.equal(typeof json.latest?.timestamp, "number");
    assert.deepEqual(house().map((c) => c.path).sort(), [
      "/api/house/metrics/scalar",
      "/api/house/metrics/scalar/value",
      "/api/house/metrics/scalar/value",
    ]);
    const sampled = await fetchScalarMetrics(transport, ref, ["train/acc"], { sample: 50 });
    const { key: _k, metrics, ...stats } = sampled.list[0]!;
    assert.deepEqual(json.metrics, metrics);
    assert.deepEqual(
      { min: json.min, max: json.max, avg: json.avg, median: json.median, latest: json.latest },
      stats,
    );
  });

  it("skips the statistics requests when the key has no points", async () => {
    const json = await fetchSingleMetric(transport, ref, "nope", "SCALAR");
    assert.deepEqual(json, {
      key: "nope",
      metric_type: "SCALAR",
      metrics: [],
      project_id: run.projectCuid,
      run_id: run.cuid,
    });
    assert.equal(house().length, 1);
  });

  it("reads the full scalar series with all and removes timestamps with ignoreTimestamp", async () => {
    const json = await fetchSingleMetric(transport, ref, "lr", "SCALAR", {
      all: true,
      ignoreTimestamp: true,
    });
    const full = await fetchScalarMetrics(transport, ref, ["lr"], {
      all: true,
      ignoreTimestamp: true,
    });
    assert.equal(json.metrics.length, 800);
    assert.deepEqual(json.metrics, full.list[0]!.metrics);
    assert.equal(typeof json.min?.timestamp, "number");
  });

  it("reads one media step, omitting the step by default", async () => {
    const json = await fetchSingleMetric(transport, ref, "samples/image", "MEDIA");
    assert.deepEqual(Object.keys(json), [
      "key",
      "metric_type",
      "metrics",
      "project_id",
      "run_id",
      "step",
      "steps",
    ]);
    const last = server.dataset.mediaSteps.at(-1)!;
    assert.equal(json.step, last);
    assert.deepEqual(json.steps, [...server.dataset.mediaSteps]);
    assert.equal(json.metrics[0]!.index, last);
    assert.equal(json.metrics[0]!.items.length, server.dataset.imagesPerStep);
    const body = house().find((c) => c.path === "/api/house/metrics/media")!.body as object;
    assert.equal("step" in body, false);
    const at = await fetchSingleMetric(transport, ref, "samples/image", "MEDIA", {
      mediaStep: server.dataset.mediaSteps[1]!,
    });
    assert.equal(at.step, server.dataset.mediaSteps[1]);
  });

  it("reads every media step with all, without step and steps", async () => {
    const json = await fetchSingleMetric(transport, ref, "samples/image", "MEDIA", { all: true });
    assert.deepEqual(Object.keys(json), ["key", "metric_type", "metrics", "project_id", "run_id"]);
    assert.deepEqual(json.metrics.map((m) => m.index), [...server.dataset.mediaSteps]);
    for (const step of json.metrics) for (const item of step.items) assert.ok(item.url);
  });

  it("rejects a blank key, an unknown type and bad options before any request", async () => {
    await assert.rejects(fetchSingleMetric(transport, ref, " ", "SCALAR"), ValidationError);
    await assert.rejects(
      fetchSingleMetric(transport, ref, "lr", "LOG" as "SCALAR"),
      ValidationError,
    );
    await assert.rejects(
      fetchSingleMetric(transport, ref, "lr", "SCALAR", { sample: 0 }),
      ValidationError,
    );
    await assert.rejects(
      fetchSingleMetric(transport, ref, "img", "MEDIA", { mediaStep: -2 }),
      ValidationError,
    );
    assert.equal(server.requests.length, 0);
  });
});
