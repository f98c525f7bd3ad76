import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createCsvExportStream, csvHeader, formatCsvNumber } from "../../src/server/csv_export.ts";
import { lttbIndices } from "../../src/server/lttb.ts";
import { createRunMetrics, q6 } from "../../src/server/metric_source.ts";
import { encodePng } from "../../src/server/png.ts";
import { seriesStats } from "../../src/server/series_stats.ts";
import { UrlSigner } from "../../src/server/signing.ts";
import { RequestValidationError, RequestValidator } from "../../src/server/validate.ts";
import { spec } from "../../generated/spec.ts";

describe("lttbIndices", () => {
  it("keeps first and last, returns at most threshold ascending indices", () => {
    const ys = Array.from({ length: 10_000 }, (_, i) => Math.sin(i / 50) + (i % 97 === 0 ? 5 : 0));
    for (const t of [3, 10, 100, 1500]) {
      const idx = lttbIndices({ count: ys.length, x: (i) => i, y: (i) => ys[i]! }, t);
      assert.equal(idx.length, t);
      assert.equal(idx[0], 0);
      assert.equal(idx.at(-1), ys.length - 1);
      for (let i = 1; i < idx.length; i++) assert.ok(idx[i]! > idx[i - 1]!);
    }
    const spike = lttbIndices({ count: ys.length, x: (i) => i, y: (i) => ys[i]! }, 300);
    assert.ok(spike.includes(97 * 50), "a spike survives downsampling");
  });

  it("returns everything below the threshold and handles tiny thresholds and NaN", () => {
    assert.deepEqual(lttbIndices({ count: 5, x: (i) => i, y: (i) => i }, 10), [0, 1, 2, 3, 4]);
    assert.deepEqual(lttbIndices({ count: 5, x: (i) => i, y: (i) => i }, 1), [0]);
    assert.deepEqual(lttbIndices({ count: 5, x: (i) => i, y: (i) => i }, 2), [0, 4]);
    assert.deepEqual(lttbIndices({ count: 0, x: (i) => i, y: (i) => i }, 2), []);
    const idx = lttbIndices({ count: 1000, x: (i) => i, y: (i) => (i % 2 ? NaN : i) }, 50);
    assert.ok(idx.slice(1, -1).every((i) => i % 2 === 0));
  });
});

describe("createRunMetrics", () => {
  it("is deterministic, quantized to six decimals and has increasing timestamps", () => {
    const p = {
      seed: 42,
      runSeed: 3,
      steps: 500,
      startMs: 1_722_470_400_000,
      lr: 0.01,
      extraKeys: 2,
    };
    const a = createRunMetrics(p);
    const b = createRunMetrics(p);
    const other = createRunMetrics({ ...p, runSeed: 4 });
    const loss = a.series("train/loss")!;
    assert.equal(loss.count, 500);
    assert.equal(a.series("val/loss")!.count, 50);
    assert.equal(a.series("__swanlab__.cpu")!.count, 100);
    assert.deepEqual(a.keys.slice(5, 7), ["extra/metric_000", "extra/metric_001"]);
    for (let s = 0; s < 500; s++) {
      const v = loss.value(s);
      assert.ok(Object.is(v, b.series("train/loss")!.value(s)));
      if (Number.isFinite(v)) assert.equal(q6(v), v);
      if (s > 0) assert.ok(a.timestamp(s) > a.timestamp(s - 1));
    }
    assert.ok(Number.isNaN(loss.value(396)));
    assert.equal(loss.value(996), Infinity);
    assert.notEqual(other.series("train/loss")!.value(10), loss.value(10));
    assert.ok(loss.value(0) > loss.value(450), "loss decays");
    const acc = seriesStats(a.series("train/acc")!);
    assert.ok(acc.max <= 1 && acc.min >= 0);
  });
});

describe("CSV export", () => {
  it("formats numbers exactly like JSON for quantized values", () => {
    for (const v of [0, 1, -1, 0.5, 2.301, -0.000001, 123.456789, 2048.5]) {
      assert.equal(formatCsvNumber(v), String(v));
    }
    assert.equal(formatCsvNumber(NaN), "NaN");
    assert.equal(formatCsvNumber(Infinity), "INF");
    assert.equal(formatCsvNumber(-Infinity), "-INF");
    assert.equal(formatCsvNumber(1e-7), "1e-7");
  });

  it("quotes header cells that need it and streams rows on demand", async () => {
    assert.equal(
      csvHeader([{ header: 'a,b"c', series: undefined, timestamp: (s) => s }]),
      'step,"a,b""c_step","a,b""c_timestamp"\n',
    );
    const m = createRunMetrics({
      seed: 1,
      runSeed: 1,
      steps: 25,
      startMs: 0,
      lr: 0.1,
      extraKeys: 0,
    });
    const text = await new Response(
      createCsvExportStream([
        { header: "r-val", series: m.series("val/loss"), timestamp: m.timestamp },
        { header: "r-cpu", series: m.series("__swanlab__.cpu"), timestamp: m.timestamp },
      ]),
    ).text();
    const rows = text.trim().split("\n").slice(1).map((l) => l.split(","));
    assert.deepEqual(rows.map((r) => Number(r[0])), [0, 5, 10, 15, 20]);
    assert.equal(rows[1]![1], "");
    assert.notEqual(rows[1]![3], "");
    const empty = await new Response(createCsvExportStream([])).text();
    assert.equal(empty, "step\n");
  });
});

describe("UrlSigner", () => {
  it("verifies its own signatures and rejects forged or expired ones", () => {
    const s = new UrlSigner("k", "http://h:1");
    const url = new URL(s.sign("a/b c.png", 1000, 5000));
    assert.equal(url.pathname, "/a/b%20c.png");
    const exp = url.searchParams.get("X-Expires");
    const sig = url.searchParams.get("X-Signature");
    assert.equal(s.verify("a/b c.png", exp, sig, 5500), "ok");
    assert.equal(s.verify("a/b c.png", exp, sig, 6001), "expired");
    assert.equal(s.verify("a/other.png", exp, sig, 5500), "forged");
    assert.equal(new UrlSigner("other", "").verify("a/b c.png", exp, sig, 5500), "forged");
    assert.equal(s.verify("a/b c.png", null, sig, 5500), "forged");
  });
});

describe("encodePng", () => {
  it("writes a valid PNG signature and IHDR and rejects wrong pixel counts", () => {
    const png = encodePng(2, 1, new Uint8Array([255, 0, 0, 0, 255, 0]));
    assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    assert.equal(new TextDecoder().decode(png.subarray(12, 16)), "IHDR");
    assert.throws(() => encodePng(2, 2, new Uint8Array(3)), RangeError);
  });
});

describe("RequestValidator", () => {
  const v = new RequestValidator(spec);
  it("coerces query parameters and accepts True/true for Python booleans", () => {
    const ok = v.validate(
      "listProjects",
      { username: "a" },
      new URLSearchParams("page=2&size=20&detail=true"),
      undefined,
    );
    assert.deepEqual(ok.query, { page: 2, size: 20, detail: "True" });
  });
  it("names the offending field", () => {
    assert.throws(
      () =>
        v.validate("listProjects", { username: "a" }, new URLSearchParams("size=21"), undefined),
      (e: unknown) => e instanceof RequestValidationError && /"size"/.test(e.message),
    );
    assert.throws(
      () =>
        v.validate("createProject", {}, new URLSearchParams(), { name: "x", visibility: "PUBLIC" }),
      (e: unknown) => e instanceof RequestValidationError && /"username"/.test(e.message),
    );
    assert.throws(
      () => v.validate("createProject", {}, new URLSearchParams(), undefined),
      RequestValidationError,
    );
  });
});
