import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { safeName, safeNames } from "../../src/cli/commands/_download.ts";

describe("safeName()", () => {
  it("turns a metric key into a portable file name", () => {
    assert.equal(safeName("train/loss"), "train_loss");
    assert.equal(safeName("__swanlab__.gpu.0.util"), "__swanlab__.gpu.0.util");
    assert.equal(safeName("../etc/passwd"), "__etc_passwd"); // no "..", no "/"
    assert.equal(safeName(""), "_");
  });
});

describe("safeNames()", () => {
  it("gives keys that map to the same name distinct names, in order", () => {
    assert.deepEqual(
      [...safeNames(["train/loss", "train_loss", "train loss", "lr"]).values()],
      ["train_loss", "train_loss-2", "train_loss-3", "lr"],
    );
  });

  it("never gives two keys the same (case-insensitive) name", () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.string({ maxLength: 8 }), { maxLength: 30 }), (keys) => {
        const names = [...safeNames(keys).values()].map((name) => name.toLowerCase());
        assert.equal(new Set(names).size, keys.length);
        for (const name of names) assert.match(name, /^[a-z0-9._-]+$/);
      }),
      { numRuns: 2000 },
    );
  });
});
