import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mergeValueStats, STAT_FIELDS } from "../../src/metrics/stats.ts";

describe("mergeValueStats", () => {
  it("adds the timestamp answer's index as timestamp to the step answer's stat", () => {
    const merged = mergeValueStats(
      [{ key: "loss", min: { index: 1, data: 0.5 }, max: { index: 2, data: 0.9 } }],
      [{
        key: "loss",
        min: { index: 1722470401000, data: 0.5 },
        max: { index: 1722470402000, data: 0.9 },
      }],
    );
    assert.deepEqual(merged.get("loss"), {
      min: { index: 1, data: 0.5, timestamp: 1722470401000 },
      max: { index: 2, data: 0.9, timestamp: 1722470402000 },
    });
  });

  it("keeps stats without index (avg, median) as they are", () => {
    const merged = mergeValueStats(
      [{ key: "loss", avg: { data: 0.7 }, median: { data: 0.7 } }],
      [{ key: "loss", avg: { data: 0.7 }, median: { data: 0.7 } }],
    );
    assert.deepEqual(merged.get("loss"), { avg: { data: 0.7 }, median: { data: 0.7 } });
  });

  it("does not add a timestamp when the timestamp answer's index is null or missing", () => {
    const merged = mergeValueStats(
      [{ key: "k", latest: { index: 3, data: 1 }, min: { index: 1, data: 0 } }],
      [{ key: "k", latest: { index: null, data: 1 }, min: "not an object" }],
    );
    assert.deepEqual(merged.get("k"), {
      latest: { index: 3, data: 1 },
      min: { index: 1, data: 0 },
    });
  });

  it("copies a stat only the timestamp answer has as is", () => {
    const merged = mergeValueStats([], [{
      key: "acc",
      latest: { index: 1722470402000, data: 0.9 },
    }]);
    assert.deepEqual(merged.get("acc"), { latest: { index: 1722470402000, data: 0.9 } });
  });

  it("leaves out empty stats and keeps NaN strings as sent", () => {
    const merged = mergeValueStats(
      [{ key: "k", latest: {}, max: { index: 4, data: "NaN" } }],
      [{ key: "k" }],
    );
    assert.deepEqual(merged.get("k"), { max: { index: 4, data: "NaN" } });
  });

  it("matches entries by key whatever their order and ignores entries without a key", () => {
    const merged = mergeValueStats(
      [{ key: "b", min: { index: 2, data: 2 } }, { min: { index: 9, data: 9 } }, null, {
        key: "a",
        min: { index: 1, data: 1 },
      }],
      [{ key: "a", min: { index: 100, data: 1 } }, { key: "b", min: { index: 200, data: 2 } }],
    );
    assert.deepEqual([...merged.keys()].sort(), ["a", "b"]);
    assert.deepEqual(merged.get("a"), { min: { index: 1, data: 1, timestamp: 100 } });
    assert.deepEqual(merged.get("b"), { min: { index: 2, data: 2, timestamp: 200 } });
  });

  it("does not change its inputs", () => {
    const step = [{ key: "k", min: { index: 1, data: 0 } }];
    const time = [{ key: "k", min: { index: 5, data: 0 } }];
    const before = structuredClone([step, time]);
    mergeValueStats(step, time);
    assert.deepEqual([step, time], before);
  });

  it("orders stats min, max, avg, median, latest", () => {
    const stat = { index: 1, data: 1 };
    const merged = mergeValueStats(
      [{ key: "k", latest: stat, median: stat, avg: stat, max: stat, min: stat }],
      [],
    );
    assert.deepEqual(Object.keys(merged.get("k") ?? {}), [...STAT_FIELDS]);
  });
});
