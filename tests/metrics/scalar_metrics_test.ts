import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { sendJson } from "../_helpers/scripted_server.ts";
import { useMetricsServer, withScriptedHouse } from "../_helpers/metrics_fixture.ts";
import { SDK_JSON_KEYS } from "../_helpers/sdk_json_keys.ts";
import { InternalServerError, ResponseError, ValidationError } from "../../src/core/errors.ts";
import {
  fetchScalarMetrics,
  type FullPointJson,
  type MetricsJson,
  type SampledPointJson,
  withoutTimestamps,
} from "../../src/metrics/scalar_metrics.ts";
import type { RangeQuery } from "../../src/metrics/range_query.ts";
import { scanMetrics } from "../../src/metrics/scan_metrics.ts";

const STEPS = 3000;
const quiet = { onWarning: () => {} };

function fullOf(json: MetricsJson, key: string): FullPointJson[] {
  const entry = json.list.find((item) => item.key === key);
  assert.ok(entry, `no entry for ${key}`);
  return entry.metrics as FullPointJson[];
}

describe("withoutTimestamps", () => {
  it("copies points without their timestamp and leaves the input unchanged", () => {
    const points = [{ index: 1, data: 0.5, timestamp: 7 }, { index: 2, data: "NaN" }];
    assert.deepEqual(withoutTimestamps(points), [{ index: 1, data: 0.5 }, {
      index: 2,
      data: "NaN",
    }]);
    assert.equal(points[0]!.timestamp, 7);
  });
});

describe("fetchScalarMetrics against the local server", () => {
  const fx = useMetricsServer({ runs: 2, steps: STEPS, extraKeys: 20, logLines: 10 }, 1);
  let full: MetricsJson;
  before(async () => {
    full = await fetchScalarMetrics(fx.transport, fx.ref, ["train/loss", "val/loss"], {
      all: true,
    });
  });

  const house = () => fx.server.requests.filter((r) => r.path.startsWith("/api/house/"));

  it("returns the Metrics.json shape in sampled mode, at most `sample` points with first and last kept", async () => {
    const json = await fetchScalarMetrics(
      fx.transport,
      fx.ref,
      ["train/loss", "val/acc", "train/loss"],
      { sample: 100 },
    );
    assert.deepEqual(Object.keys(json), SDK_JSON_KEYS.metrics);
    assert.deepEqual(json.keys, ["train/loss", "val/acc", "train/loss"]);
    assert.equal(json.metricType, "SCALAR");
    assert.equal(json.projectId, fx.run.projectCuid);
    assert.equal(json.experimentId, fx.run.cuid);
    assert.deepEqual(json.list.map((item) => item.key), ["train/loss", "val/acc"]);
    const lastStep = { "train/loss": STEPS - 1, "val/acc": Math.floor((STEPS - 1) / 10) * 10 };
    for (const item of json.list) {
      const points = item.metrics as SampledPointJson[];
      assert.ok(points.length > 2 && points.length <= 100, `${points.length} points`);
      assert.equal(points[0]!.index, 0);
      assert.equal(points.at(-1)!.index, lastStep[item.key as keyof typeof lastStep]);
      for (const point of points) {
        assert.deepEqual(Object.keys(point), ["index", "data", "timestamp"]);
        assert.ok(typeof point.data === "number" || ["NaN", "INF", "-INF"].includes(point.data));
      }
      assert.deepEqual(
        Object.keys(item),
        ["key", "metrics", "min", "max", "avg", "median", "latest"],
      );
      assert.equal(item.latest?.index, lastStep[item.key as keyof typeof lastStep]);
      assert.equal(typeof item.latest?.timestamp, "number");
      assert.equal(typeof item.min?.timestamp, "number");
      assert.deepEqual(Object.keys(item.avg ?? {}), ["data"]);
    }
  });

  it("sends one series and two statistics requests per batch, with colrefs and num", async () => {
    await fetchScalarMetrics(fx.transport, fx.ref, ["train/loss", "lr"], { sample: 321 });
    const calls = house();
    assert.equal(calls.length, 3);
    const columns = [
      { experimentId: fx.run.cuid, key: "train/loss", createdAt: fx.run.createdAtSeconds },
      { experimentId: fx.run.cuid, key: "lr", createdAt: fx.run.createdAtSeconds },
    ];
    const bodies = calls.map((c) => ({ path: c.path, body: c.body }));
    const expected = (xType: string) => ({
      projectId: fx.run.projectCuid,
      xType,
      range: [0, 0],
      columns,
      num: 321,
    });
    assert.deepEqual(
      bodies.filter((b) => b.path === "/api/house/metrics/scalar").map((b) => b.body),
      [expected("step")],
    );
    const stats = bodies.filter((b) => b.path === "/api/house/metrics/scalar/value").map((b) =>
      b.body
    );
    assert.equal(stats.length, 2);
    assert.deepEqual(
      new Set(stats.map((b) => JSON.stringify(b))),
      new Set([JSON.stringify(expected("step")), JSON.stringify(expected("timestamp"))]),
    );
  });

  it("batches more than 16 keys into requests of at most 16 and keeps request order", async () => {
    const keys = [...fx.server.dataset.scalarKeys].reverse();
    assert.equal(keys.length, 25);
    const json = await fetchScalarMetrics(fx.transport, fx.ref, keys, { sample: 10 });
    assert.deepEqual(json.list.map((item) => item.key), keys);
    for (const item of json.list) assert.ok(item.metrics.length > 0, item.key);
    const series = house().filter((c) => c.path === "/api/house/metrics/scalar");
    assert.deepEqual(
      series.map((c) => (c.body as { columns: unknown[] }).columns.length).sort(),
      [16, 9],
    );
    assert.equal(house().length, 6);
  });

  it("clamps a sample above 1500 with one warning and sends num 1500", async () => {
    const warnings: string[] = [];
    await fetchScalarMetrics(fx.transport, fx.ref, ["lr"], {
      sample: 5000,
      onWarning: (message) => warnings.push(message),
    });
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, /5000/);
    for (const call of house()) assert.equal((call.body as { num: number }).num, 1500);
  });

  it("rejects invalid keys, samples, flags and range queries before any request", async () => {
    const bad: [readonly string[], Record<string, unknown>][] = [
      [[], {}],
      [["lr", " "], {}],
      [["lr"], { sample: 0 }],
      [["lr"], { sample: 2.5 }],
      [["lr"], { sample: "10" }],
      [["lr"], { all: "yes" }],
      [["lr"], { rangeQuery: { begin: 5 } }],
      [["lr"], { rangeQuery: { start: 10, end: 5 } }],
      [["lr"], { rangeQuery: { last: 5, start: 1 } }],
      [["lr"], { rangeQuery: { head: 1, tail: 1 } }],
      [["lr"], { rangeQuery: { type: "time" } }],
    ];
    for (const [keys, query] of bad) {
      await assert.rejects(fetchScalarMetrics(fx.transport, fx.ref, keys, query), ValidationError);
    }
    assert.equal(house().length, 0);
  });

  it("reads every point with all=true, NaN and ±Infinity as numbers", () => {
    const loss = fullOf(full, "train/loss");
    assert.equal(loss.length, STEPS);
    assert.deepEqual(loss.map((p) => p.step), Array.from({ length: STEPS }, (_, i) => i));
    assert.ok(Number.isNaN(loss[396]!.value));
    assert.equal(loss[996]!.value, Infinity);
    for (let i = 1; i < loss.length; i++) assert.ok(loss[i]!.timestamp! > loss[i - 1]!.timestamp!);
    const val = fullOf(full, "val/loss");
    assert.equal(val.length, STEPS / 10);
    assert.equal(val.find((p) => p.step === 990)?.value, -Infinity);
    assert.equal(
      JSON.stringify(loss[396]),
      `{"step":396,"value":null,"timestamp":${loss[396]!.timestamp}}`,
    );
    for (const point of loss) assert.deepEqual(Object.keys(point), ["step", "value", "timestamp"]);
  });

  it("returns the same series for all=true and a step range covering everything", async () => {
    const covered = await fetchScalarMetrics(fx.transport, fx.ref, ["train/loss", "val/loss"], {
      rangeQuery: { start: 0, end: 10 * STEPS },
    });
    assert.deepEqual(covered, full);
  });

  it("samples points of the full series and reports the same statistics in both modes", async () => {
    const sampled = await fetchScalarMetrics(fx.transport, fx.ref, ["train/loss"], {
      sample: 1500,
    });
    const byStep = new Map(fullOf(full, "train/loss").map((p) => [p.step, p]));
    const points = sampled.list[0]!.metrics as SampledPointJson[];
    for (const point of points) {
      const match = byStep.get(point.index);
      assert.ok(match, `step ${point.index}`);
      const value = point.data === "NaN"
        ? NaN
        : point.data === "INF"
        ? Infinity
        : point.data === "-INF"
        ? -Infinity
        : point.data;
      assert.equal(match.value, value);
      assert.equal(match.timestamp, point.timestamp);
    }
    const { key: _a, metrics: _b, ...sampledStats } = sampled.list[0]!;
    const { key: _c, metrics: _d, ...fullStats } = full.list[0]!;
    assert.deepEqual(sampledStats, fullStats);
  });

  describe("range queries, against the full series", () => {
    const keys = ["train/loss", "val/loss"];
    const check = async (
      rangeQuery: RangeQuery | Record<string, unknown>,
      expected: (points: FullPointJson[]) => FullPointJson[],
      nowMs?: number,
    ): Promise<void> => {
      const json = await fetchScalarMetrics(
        fx.transport,
        fx.ref,
        keys,
        { rangeQuery, ...quiet },
        nowMs === undefined ? {} : { nowMs },
      );
      for (const key of keys) {
        const want = expected(fullOf(full, key));
        assert.ok(want.length > 0, `${key}: the reference is empty`);
        assert.deepEqual(fullOf(json, key), want, `${key} ${JSON.stringify(rangeQuery)}`);
      }
      const { list: _, ...rest } = json;
      assert.deepEqual(rest.keys, keys);
    };
    const ts = (step: number): number => fullOf(full, "train/loss")[step]!.timestamp!;

    it("keeps a step range, bounds included", () =>
      check(
        { type: "step", start: 100, end: 500 },
        (p) => p.filter((x) => x.step >= 100 && x.step <= 500),
      ));

    it("keeps a step range without end and without start", async () => {
      await check({ start: 2500 }, (p) => p.filter((x) => x.step >= 2500));
      await check({ end: 40 }, (p) => p.filter((x) => x.step <= 40));
    });

    it("keeps a timestamp range given in milliseconds", () => {
      const [start, end] = [ts(1000), ts(1400)];
      return check(
        { type: "timestamp", start, end },
        (p) => p.filter((x) => x.timestamp! >= start && x.timestamp! <= end),
      );
    });

    it("pads a timestamp range given in 10-digit seconds to milliseconds", () => {
      const start = Math.floor(ts(1000) / 1000);
      const end = Math.floor(ts(1400) / 1000);
      assert.equal(String(start).length, 10);
      return check(
        { type: "timestamp", start: String(start), end },
        (p) => p.filter((x) => x.timestamp! >= start * 1000 && x.timestamp! <= end * 1000),
      );
    });

    it("keeps the points of the last milliseconds before now", () => {
      const nowMs = ts(STEPS - 1) + 1;
      return check({ last: 20_000 }, (p) => p.filter((x) => x.timestamp! >= nowMs - 20_000), nowMs);
    });

    it("keeps the first points with head and the last points with tail, per key", async () => {
      await check({ head: 7 }, (p) => p.slice(0, 7));
      await check({ tail: 9 }, (p) => p.slice(-9));
    });

    it("applies head and tail after a step range", async () => {
      const inRange = (p: FullPointJson[]) => p.filter((x) => x.step >= 50 && x.step <= 500);
      await check({ start: 50, end: 500, head: 5 }, (p) => inRange(p).slice(0, 5));
      await check({ start: 50, end: 500, tail: 5 }, (p) => inRange(p).slice(-5));
    });

    it("applies tail after a timestamp range and after last", async () => {
      const [start, end] = [ts(200), ts(900)];
      await check(
        { type: "timestamp", start, end, tail: 3 },
        (p) => p.filter((x) => x.timestamp! >= start && x.timestamp! <= end).slice(-3),
      );
      const nowMs = ts(STEPS - 1) + 1;
      await check(
        { last: 100_000, head: 4 },
        (p) => p.filter((x) => x.timestamp! >= nowMs - 100_000).slice(0, 4),
        nowMs,
      );
    });

    it("removes timestamps from points only with ignoreTimestamp", async () => {
      const json = await fetchScalarMetrics(fx.transport, fx.ref, ["val/loss"], {
        rangeQuery: { tail: 2 },
        ignoreTimestamp: true,
      });
      assert.deepEqual(
        json.list[0]!.metrics,
        fullOf(full, "val/loss").slice(-2).map(({ step, value }) => ({ step, value })),
      );
      assert.equal(typeof json.list[0]!.latest?.timestamp, "number");
      const sampled = await fetchScalarMetrics(fx.transport, fx.ref, ["val/loss"], {
        sample: 5,
        ignoreTimestamp: true,
      });
      for (const point of sampled.list[0]!.metrics) assert.equal("timestamp" in point, false);
    });
  });

  it("throws the server's error instead of returning empty metrics", async () => {
    fx.server.setFaults({ errorRate: 1, seed: 3 });
    try {
      await assert.rejects(
        fetchScalarMetrics(fx.transport, fx.ref, ["lr"], {}, { maxRetries: 0 }),
        InternalServerError,
      );
    } finally {
      fx.server.setFaults({});
    }
  });

  it("throws a ResponseError when the CSV download stays cut", async () => {
    fx.server.setFaults({ truncateRate: 1 });
    try {
      await assert.rejects(
        fetchScalarMetrics(fx.transport, fx.ref, ["lr"], { all: true }, { maxRetries: 1 }),
        ResponseError,
      );
    } finally {
      fx.server.setFaults({});
    }
  });
});

describe("fetchScalarMetrics with a scripted server", () => {
  it("passes sampled points through, matches entries by key and gives missing keys []", async () => {
    await withScriptedHouse((request, response) => {
      const body = JSON.parse(request.body) as { xType: string };
      if (request.path === "/api/house/metrics/scalar") {
        return sendJson(response, 200, [
          { key: "acc", metrics: [{ index: 2, data: "INF", timestamp: 5, extra: true }] },
          { key: "loss", metrics: [{ index: 1, data: "NaN", timestamp: 4 }] },
        ]);
      }
      const x = body.xType === "step" ? 1 : 1722470401000;
      return sendJson(response, 200, [{ key: "loss", min: { index: x, data: "NaN" }, latest: {} }]);
    }, async (transport, ref) => {
      const json = await fetchScalarMetrics(transport, ref, ["loss", "acc", "none"]);
      assert.deepEqual(json.list, [
        {
          key: "loss",
          metrics: [{ index: 1, data: "NaN", timestamp: 4 }],
          min: { index: 1, data: "NaN", timestamp: 1722470401000 },
        },
        { key: "acc", metrics: [{ index: 2, data: "INF", timestamp: 5, extra: true }] },
        { key: "none", metrics: [] },
      ]);
    });
  });

  it("throws a ResponseError for an answer that is not an array", async () => {
    await withScriptedHouse((request, response) => {
      return sendJson(response, 200, request.path.endsWith("/value") ? [] : { oops: true });
    }, async (transport, ref) => {
      await assert.rejects(fetchScalarMetrics(transport, ref, ["loss"]), ResponseError);
    });
  });
});

describe("fetchScalarMetrics of an export longer than 8 MiB", () => {
  // Large enough for the point lists to be sized ahead when the download declares its length:
  // the server's export cache gives the repeat a Content-Length, the first download has none.
  const fx = useMetricsServer({ runs: 1, steps: 150_000, exportCacheBytes: 64 << 20 }, 0);
  const keys = ["train/loss", "val/loss", "train/acc", "lr"];

  it("gives the same points with and without a declared length, as a scan does", async () => {
    const streamed = await fetchScalarMetrics(fx.transport, fx.ref, keys, { all: true });
    const declared = await fetchScalarMetrics(fx.transport, fx.ref, keys, { all: true });
    assert.deepEqual(declared, streamed);
    const scanned = new Map(keys.map((key) => [key, [] as FullPointJson[]]));
    for await (const { key, ...point } of scanMetrics(fx.transport, fx.ref, keys)) {
      scanned.get(key)!.push(point);
    }
    for (const key of keys) {
      const points = fullOf(declared, key);
      assert.equal(points.findIndex((p) => p === undefined), -1, `no hole in ${key}`);
      assert.deepEqual(points, scanned.get(key), key);
    }
    assert.equal(fullOf(declared, "train/loss").length, 150_000);
  });
});
