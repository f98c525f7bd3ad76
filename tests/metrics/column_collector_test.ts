import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ColumnCollector } from "../../src/metrics/_column_collector.ts";
import { block } from "./_row_block.ts";

describe("ColumnCollector", () => {
  const keys = ["a", "b"];
  // 150,000 rows in uneven slices: more than two 65,536-point blocks for key "a".
  const collect = () => {
    const collector = new ColumnCollector(keys);
    let step = 0;
    for (const rows of [1, 4096, 70_000, 3, 65_536, 10_364]) {
      const b = block(rows + 10, step);
      collector.rows(keys, b, 5, rows + 5); // only rows [5, rows + 5) of the block are new
      step += rows;
    }
    return collector;
  };

  it("keeps every point of every key in order across blocks", () => {
    const a = collect().take("a").toColumns("a");
    assert.equal(a.steps.length, 150_000);
    for (let i = 0; i < 150_000; i++) {
      const step = i + 5;
      assert.equal(a.steps[i], step);
      assert.equal(a.values[i], step / 4);
      if (step % 5 === 0) assert.ok(Number.isNaN(a.timestamps[i]));
      else assert.equal(a.timestamps[i], 1_722_470_400_000 + step);
    }
  });

  it("skips cells without a value and keeps NaN values", () => {
    const b = collect().take("b").toColumns("b");
    const expected = Array.from({ length: 150_000 }, (_, i) => i + 5).filter((s) => s % 3 === 0);
    assert.deepEqual(Array.from(b.steps), expected);
    assert.deepEqual(
      Array.from(b.values).map((v) => Number.isNaN(v) ? "NaN" : v),
      expected.map((s) => s % 7 === 0 ? "NaN" : -s),
    );
  });

  it("sized from the download's length: views of one block, or blocks when the bound is short", () => {
    const sized = new ColumnCollector(keys);
    sized.begin(keys, 150_010 * 6); // a row of 2 keys takes at least 6 bytes
    let step = 0;
    for (const rows of [1, 4096, 70_000, 3, 65_536, 10_364]) {
      sized.rows(keys, block(rows + 10, step), 5, rows + 5);
      step += rows;
    }
    const a = sized.take("a").toColumns("a");
    assert.equal(a.steps.length, 150_000);
    assert.ok(a.steps.buffer.byteLength >= 150_000 * 8); // a view: nothing was copied
    assert.deepEqual(Array.from(a.steps.subarray(0, 3)), [5, 6, 7]);
    assert.equal(a.steps[149_999], 150_004);
    assert.deepEqual(Array.from(a.steps), Array.from(collect().take("a").toColumns("a").steps));

    const short = new ColumnCollector(keys);
    short.begin(keys, 600); // room for 100 rows, then 64 Ki-point blocks
    short.rows(keys, block(70_000, 0), 0, 70_000);
    const b = short.take("a").toColumns("a");
    assert.equal(b.steps.length, 70_000);
    assert.deepEqual(Array.from(b.steps), Array.from({ length: 70_000 }, (_, i) => i));
    assert.equal(b.timestamps[69_999], 1_722_470_400_000 + 69_999);
  });

  it("appends range-filtered points and gives empty columns to keys without points", () => {
    const collector = new ColumnCollector(["x", "y"]);
    collector.point({ key: "x", step: 3, value: 0.5, timestamp: 10 });
    collector.point({ key: "x", step: 4, value: Infinity });
    const x = collector.take("x").toColumns("x");
    assert.deepEqual(Array.from(x.steps), [3, 4]);
    assert.deepEqual(Array.from(x.values), [0.5, Infinity]);
    assert.deepEqual(Array.from(x.timestamps), [10, NaN]);
    assert.equal(collector.take("y").toColumns("y").steps.length, 0);
  });
});
