import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { settleAll } from "../../src/core/settle_all.ts";

const later = <T>(ms: number, value: T, fail = false): Promise<T> =>
  new Promise((resolve, reject) => setTimeout(() => fail ? reject(value) : resolve(value), ms));

describe("settleAll()", () => {
  it("gives the values in order, with their types", async () => {
    const [a, b, c] = await settleAll([later(10, 1), Promise.resolve("two"), later(0, true)]);
    assert.deepEqual([a, b, c], [1, "two", true]);
  });

  it("throws only once every promise has settled, the first failure in their order", async () => {
    let slowDone = false;
    const slow = later(40, "slow").then((value) => {
      slowDone = true;
      return value;
    });
    const first = new Error("first in order");
    const sooner = new Error("rejects sooner");
    await assert.rejects(
      settleAll([slow, later(20, first, true), later(1, sooner, true)]),
      (error) => error === first,
    );
    assert.equal(slowDone, true, "the slow promise had settled before the failure was thrown");
  });

  it("gives an empty list for no promises", async () => {
    assert.deepEqual(await settleAll([]), []);
  });
});
