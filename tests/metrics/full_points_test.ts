import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { PointCollector } from "../../src/metrics/_full_points.ts";
import { block } from "./_row_block.ts";

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
});
