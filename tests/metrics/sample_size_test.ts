import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ValidationError } from "../../src/core/errors.ts";
import { MAX_SAMPLE, resolveSample } from "../../src/metrics/sample_size.ts";

describe("resolveSample", () => {
  it("defaults to 1500, clamps larger samples with a warning and rejects non-integers", () => {
    const warnings: string[] = [];
    assert.equal(resolveSample(undefined), 1500);
    assert.equal(resolveSample(1), 1);
    assert.equal(resolveSample(5000, (message) => warnings.push(message)), 1500);
    assert.deepEqual(warnings, ["Sample 5000 is above 1500: using 1500"]);
    assert.equal(resolveSample(MAX_SAMPLE), 1500);
    for (const bad of [0, -1, 1.5, NaN, "10", null]) {
      assert.throws(() => resolveSample(bad), ValidationError);
    }
  });
});
