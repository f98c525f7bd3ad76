import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { FullPointJson } from "../../src/metrics/scalar_metrics.ts";
import type { MetricRowBlock } from "../../src/metrics/scan_metrics.ts";
import { PointCollector } from "../../src/metrics/_full_points.ts";
import { block } from "./_row_block.ts";

const MIB = 1 << 20;

/** Feeds the same blocks to a collector that sizes its lists ahead and to one that does not. */
function collectBoth(
  expectedBytes: number,
  feed: (sink: (block: MetricRowBlock, bytesParsed: number) => void, restart: () => void) => void,
): { sized: PointCollector; plain: PointCollector } {
  const keys = ["a", "b"];
  const sized = new PointCollector(keys, false);
  const plain = new PointCollector(keys, false);
  sized.begin(keys, expectedBytes);
  feed(
    (rows, bytesParsed) => {
      sized.rows(keys, { ...rows, bytesParsed }, 0, rows.steps.length);
      plain.rows(keys, rows, 0, rows.steps.length);
    },
    () => sized.begin(keys, expectedBytes),
  );
  return { sized, plain };
}

/** The lists of both collectors hold the same points, and no hole is left in the sized ones. */
function assertSamePoints(sized: PointCollector, plain: PointCollector): void {
  for (const key of ["a", "b"]) {
    const got: FullPointJson[] = sized.take(key);
    const want = plain.take(key);
    assert.equal(got.length, want.length);
    assert.equal(got.findIndex((p) => p === undefined), -1);
    assert.deepEqual(got, want);
  }
}

describe("PointCollector", () => {
  it("builds { step, value, timestamp? } objects per key, in order across blocks", () => {
    const collector = new PointCollector(["a", "b"], false);
    let step = 2 ** 31 - 11;
    for (const rows of [1, 40_000, 3, 29_996]) {
      collector.rows(["a", "b"], block(rows + 4, step), 2, rows + 2); // rows [2, rows + 2) are new
      step += rows;
    }
    const points = collector.take("a");
    assert.equal(points.length, 70_000);
    assert.deepEqual(points[0], {
      step: 2 ** 31 - 9,
      value: (2 ** 31 - 9) / 4,
      timestamp: 1_722_470_400_000 + 2 ** 31 - 9,
    });
    // Steps past 2^31 stay exact, and every step follows the one before.
    assert.equal(points[69_999]!.step, 2 ** 31 - 9 + 69_999);
    assert.ok(points.every((p, i) => i === 0 || p.step === points[i - 1]!.step + 1));
    // A row without a timestamp gives a point without the key.
    const untimed = points.find((p) => p.step % 5 === 0)!;
    assert.deepEqual(Object.keys(untimed), ["step", "value"]);
    // Plain objects: their JSON is that of a copy.
    assert.equal(
      JSON.stringify(points.slice(0, 3)),
      JSON.stringify(points.slice(0, 3).map((p) => ({ ...p }))),
    );
    // Key "b" has a value every third row only, NaN where the step is a multiple of 7.
    const b = collector.take("b");
    assert.equal(b.length, points.filter((p) => p.step % 3 === 0).length);
    assert.ok(b.every((p) => p.step % 3 === 0));
    const seven = b.find((p) => p.step % 7 === 0)!;
    assert.ok(Number.isNaN(seven.value));
  });

  it("leaves timestamps out with ignoreTimestamp", () => {
    const collector = new PointCollector(["a", "b"], true);
    collector.rows(["a", "b"], block(10, 1), 0, 10);
    const points = collector.take("a");
    assert.ok(points.every((p) => !("timestamp" in p)));
    assert.deepEqual(points.map((p) => p.step), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  it("appends range-filtered points and gives an empty list to keys without points", () => {
    const collector = new PointCollector(["x", "y"], false);
    collector.point({ key: "x", step: 1, value: 0.5, timestamp: 10 });
    collector.point({ key: "x", step: 2.5, value: Infinity });
    assert.deepEqual(collector.take("x"), [
      { step: 1, value: 0.5, timestamp: 10 },
      { step: 2.5, value: Infinity },
    ]);
    assert.deepEqual(collector.take("y"), []);
  });

  describe("lists sized ahead from the download's declared length", () => {
    it("predicted longer than the points: trimmed to the points", () => {
      // 4 000 rows per MiB: the first 4 MiB of a 64 MiB download predict 256 000 rows; 40 000
      // come (the rest of the body is missing, as in a declared length that lies).
      const { sized, plain } = collectBoth(64 * MIB, (sink) => {
        for (let i = 0; i < 10; i++) sink(block(4_000, 1 + i * 4_000), (i + 1) * MIB);
      });
      assertSamePoints(sized, plain);
    });

    it("predicted shorter than the points: grown, every point kept in order", () => {
      // The sample predicts about 36 000 rows of a 9 MiB download; 200 000 come.
      const { sized, plain } = collectBoth(9 * MIB, (sink) => {
        for (let i = 0; i < 50; i++) sink(block(4_000, 1 + i * 4_000), Math.min(9, i + 1) * MIB);
      });
      assertSamePoints(sized, plain);
    });

    it("a key whose points start after the sample grows with its points", () => {
      const lateB = (rows: number, first: number): MetricRowBlock => {
        const b = block(rows, first);
        const hasValue = Uint8Array.from(b.hasValue, (v, cell) => cell % 2 === 1 ? 0 : v);
        return { ...b, hasValue };
      };
      const { sized, plain } = collectBoth(16 * MIB, (sink) => {
        for (let i = 0; i < 4; i++) sink(lateB(3_000, 1 + i * 3_000), (i + 1) * MIB);
        for (let i = 4; i < 40; i++) sink(block(3_000, 1 + i * 3_000), 4 * MIB + (i - 3) * 1024);
      });
      assertSamePoints(sized, plain);
      assert.equal(plain.take("b").length, 36 * 1_000);
    });

    it("a download read again after a cut adds to its points without a new sample", () => {
      const { sized, plain } = collectBoth(32 * MIB, (sink, restart) => {
        for (let i = 0; i < 5; i++) sink(block(4_000, 1 + i * 4_000), (i + 1) * MIB / 2);
        restart(); // the bytes count from 0 again, the points do not
        for (let i = 5; i < 12; i++) sink(block(4_000, 1 + i * 4_000), (i - 4) * MIB / 8);
      });
      assertSamePoints(sized, plain);
    });
  });
});
