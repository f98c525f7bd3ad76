import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  copyBlockPoints,
  type LongPointColumns,
  writePoint,
} from "../../src/metrics/long_point_columns.ts";
import { block } from "./_row_block.ts";

function columns(size: number): LongPointColumns {
  return {
    keyIndex: new Uint16Array(size),
    steps: new Float64Array(size),
    values: new Float64Array(size),
    timestamps: new Float64Array(size),
  };
}

/** The points of `length` entries, as tuples. */
function points(c: LongPointColumns, length: number): number[][] {
  return Array.from(
    { length },
    (_, i) => [c.keyIndex[i]!, c.steps[i]!, c.values[i]!, c.timestamps[i]!],
  );
}

describe("copyBlockPoints", () => {
  // 30 rows of two keys; the second key has a value every third row only (40 points).
  const rows = block(30, 1);
  const chunkIndex = Uint16Array.of(5, 2); // the sink's own indexes of the chunk's keys

  it("copies every cell with a value, in row order and key order, with the sink's key indexes", () => {
    const out = columns(64);
    const position = { row: 0, key: 0 };
    const at = copyBlockPoints(rows, chunkIndex, 30, position, out, 0);
    assert.equal(at, 40);
    assert.deepEqual(position, { row: 30, key: 0 });
    assert.deepEqual(points(out, 4), [
      [5, 1, 0.25, 1_722_470_400_001],
      [5, 2, 0.5, 1_722_470_400_002],
      [5, 3, 0.75, 1_722_470_400_003],
      [2, 3, -3, 1_722_470_400_003],
    ]);
    assert.ok(Number.isNaN(out.timestamps[points(out, 40).findIndex((p) => p[1] === 5)]!));
  });

  it("stops when the columns are full, mid-row, and resumes there with nothing lost or repeated", () => {
    const whole = columns(64);
    copyBlockPoints(rows, chunkIndex, 30, { row: 0, key: 0 }, whole, 0);
    const parts: number[][] = [];
    const position = { row: 2, key: 0 }; // rows [2, 30): the first two rows were taken before
    let calls = 0;
    while (position.row < 30) {
      const part = columns(3); // row 3 has two points: a part ends between them
      const at = copyBlockPoints(rows, chunkIndex, 30, position, part, 0);
      parts.push(...points(part, at));
      calls++;
    }
    assert.ok(calls > 10);
    assert.deepEqual(parts, points(whole, 40).slice(2));
  });

  it("starts at an offset of the columns and leaves what is before it", () => {
    const out = columns(8);
    out.steps[0] = 99;
    const at = copyBlockPoints(rows, chunkIndex, 3, { row: 0, key: 0 }, out, 1);
    assert.equal(at, 5); // rows 1..3: three points of the first key, one of the second
    assert.deepEqual(Array.from(out.steps.subarray(0, 5)), [99, 1, 2, 3, 3]);
  });
});

describe("writePoint", () => {
  it("writes a point at its index, a missing timestamp as NaN, and nothing else", () => {
    const c = columns(3);
    writePoint(c, 1, 2, { key: "acc", step: 7, value: -Infinity, timestamp: 1722470401000 });
    writePoint(c, 2, 0, { key: "loss", step: 8, value: NaN });
    assert.deepEqual(points(c, 3), [[0, 0, 0, 0], [2, 7, -Infinity, 1722470401000], [
      0,
      8,
      NaN,
      NaN,
    ]]);
  });
});
