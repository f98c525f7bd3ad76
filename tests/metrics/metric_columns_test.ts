import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { startServer } from "../../src/server/mod.ts";
import type { DatasetRun, LocalServer } from "../../src/server/mod.ts";
import { Transport } from "../../src/core/transport.ts";
import { ValidationError } from "../../src/core/errors.ts";
import type { RunRef } from "../../src/metrics/run_ref.ts";
import { fetchMetricColumns, type MetricColumns } from "../../src/metrics/metric_columns.ts";
import { type MetricPoint, scanMetrics } from "../../src/metrics/scan_metrics.ts";
import { fetchScalarMetrics, type FullPointJson } from "../../src/metrics/scalar_metrics.ts";
import type { RangeQuery } from "../../src/metrics/range_query.ts";

const STEPS = 3000;

function refOf(run: DatasetRun): RunRef {
  return {
    projectId: run.projectCuid,
    runId: run.cuid,
    createdAt: run.createdAtSeconds,
    name: run.name,
  };
}

/** The columns as `{ key, step, value, timestamp? }` points, key after key. */
function pointsOf(columns: MetricColumns): MetricPoint[] {
  return columns.list.flatMap((series) => {
    assert.equal(series.values.length, series.steps.length);
    assert.equal(series.timestamps.length, series.steps.length);
    return Array.from(series.steps, (step, i): MetricPoint => {
      const value = series.values[i]!;
      const timestamp = series.timestamps[i]!;
      return Number.isNaN(timestamp)
        ? { key: series.key, step, value }
        : { key: series.key, step, value, timestamp };
    });
  });
}

/** The scan's points grouped by key (request order), each key's points in scan order. */
function byKey(keys: readonly string[], points: readonly MetricPoint[]): MetricPoint[] {
  return keys.flatMap((key) => points.filter((point) => point.key === key));
}

describe("fetchMetricColumns against the local server", () => {
  let server: LocalServer;
  let transport: Transport;
  let ref: RunRef;
  before(async () => {
    server = await startServer({ runs: 1, steps: STEPS, extraKeys: 20 });
    transport = await Transport.create({ host: server.host, apiKey: server.apiKey, env: {} });
    ref = refOf(server.dataset.projects["vision-lab/resnet-sweep"]!.runs[0]!);
  });
  after(() => server.close());

  it("holds the points scanMetrics yields, in the same order per key", async () => {
    const keys = ["val/loss", "train/loss", "lr"];
    const columns = await fetchMetricColumns(transport, ref, keys, { all: true });
    assert.equal(columns.projectId, ref.projectId);
    assert.equal(columns.experimentId, ref.runId);
    assert.deepEqual(columns.list.map((series) => series.key), keys);
    assert.ok(columns.list.every((series) => series.steps instanceof Float64Array));
    const scanned = await Array.fromAsync(scanMetrics(transport, ref, keys));
    assert.equal(scanned.length, STEPS * 2 + STEPS / 10);
    assert.deepEqual(pointsOf(columns), byKey(keys, scanned));
  });

  it("holds the points of run.metrics({ all }), which keeps its JSON shape", async () => {
    const keys = ["train/loss", "val/loss"];
    const json = await fetchScalarMetrics(transport, ref, keys, { all: true });
    const columns = await fetchMetricColumns(transport, ref, keys);
    assert.deepEqual(
      json.list.map((entry) =>
        (entry.metrics as FullPointJson[]).map((p) => ({ key: entry.key, ...p }))
      ).flat(),
      pointsOf(columns),
    );
    const first = json.list[0]!.metrics[0] as FullPointJson;
    assert.deepEqual(Object.keys(first), ["step", "value", "timestamp"]);
    assert.equal(
      JSON.stringify(first),
      JSON.stringify({ step: first.step, value: first.value, timestamp: first.timestamp }),
    );
  });

  it("applies every range form like scanMetrics", async () => {
    const keys = ["train/loss", "val/loss"];
    const scannedAll = await Array.fromAsync(scanMetrics(transport, ref, ["train/loss"]));
    const ts = (step: number) => scannedAll.find((p) => p.step === step)!.timestamp!;
    const nowMs = ts(STEPS - 1) + 1;
    const queries: RangeQuery[] = [
      { start: 100, end: 500 },
      { type: "timestamp", start: Math.floor(ts(1000) / 1000), end: ts(1400) },
      { last: 20_000 },
      { head: 7 },
      { tail: 3 },
      { start: 50, end: 500, head: 5 },
    ];
    for (const rangeQuery of queries) {
      const scanned = await Array.fromAsync(
        scanMetrics(transport, ref, keys, { rangeQuery }, { nowMs }),
      );
      assert.ok(scanned.length > 0, JSON.stringify(rangeQuery));
      const columns = await fetchMetricColumns(transport, ref, keys, { rangeQuery }, { nowMs });
      assert.deepEqual(pointsOf(columns), byKey(keys, scanned), JSON.stringify(rangeQuery));
    }
  });

  it("reads more than 16 keys chunk by chunk, keeping request order and dropping duplicates", async () => {
    const keys = server.dataset.scalarKeys.slice(0, 20).reverse();
    const columns = await fetchMetricColumns(transport, ref, [...keys, keys[0]!]);
    assert.deepEqual(columns.list.map((series) => series.key), keys);
    const scanned = await Array.fromAsync(scanMetrics(transport, ref, keys));
    assert.deepEqual(pointsOf(columns), byKey(keys, scanned));
  });

  it("gives empty columns for a key without data", async () => {
    const columns = await fetchMetricColumns(transport, ref, ["no/such-key"]);
    assert.equal(columns.list.length, 1);
    assert.equal(columns.list[0]!.steps.length, 0);
    assert.equal(columns.list[0]!.values.length, 0);
  });

  it("checks keys, flags and the range query before any request", async () => {
    server.clearRequests();
    await assert.rejects(fetchMetricColumns(transport, ref, []), ValidationError);
    await assert.rejects(
      fetchMetricColumns(transport, ref, ["loss"], { all: "yes" as unknown as boolean }),
      ValidationError,
    );
    await assert.rejects(
      fetchMetricColumns(transport, ref, ["loss"], { rangeQuery: { head: -1 } }),
      ValidationError,
    );
    assert.equal(server.requests.length, 0);
  });
});
