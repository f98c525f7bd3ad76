import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mapLimited } from "../../src/core/map_limited.ts";
import { Limiter } from "../../src/core/limiter.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("mapLimited()", () => {
  for (const limit of [2, new Limiter(2)]) {
    const label = typeof limit === "number" ? "a limit" : "a shared limiter";
    it(`keeps the order and never runs more calls than ${label} allows`, async () => {
      let active = 0;
      let peak = 0;
      const result = await mapLimited([1, 2, 3, 4, 5], limit, async (n, index) => {
        active++;
        peak = Math.max(peak, active);
        await sleep((n * 7) % 4);
        active--;
        return n * 10 + index;
      });
      assert.deepEqual(result, [10, 21, 32, 43, 54]);
      assert.equal(peak, 2);
    });
  }

  it("gives an empty list for no items, without calling the task", async () => {
    assert.deepEqual(await mapLimited([], 3, () => Promise.reject(new Error("called"))), []);
  });

  it("stops at the first failure and throws it once the running calls have settled", async () => {
    const started: number[] = [];
    const settled: number[] = [];
    const failure = new Error("item 1 failed");
    const run = mapLimited([0, 1, 2, 3, 4, 5], 3, async (n) => {
      started.push(n);
      if (n === 1) {
        await sleep(5);
        throw failure;
      }
      await sleep(30);
      if (n === 2) throw new Error("a later failure"); // not the one thrown
      settled.push(n);
      return n;
    });
    await assert.rejects(run, (error) => error === failure);
    assert.deepEqual(started, [0, 1, 2], "nothing started after the failure");
    assert.deepEqual(settled, [0], "item 0 had settled (and 2 failed) before it threw");
  });

  it("does not start an item that waited for the shared limiter when another failed", async () => {
    const limiter = new Limiter(2);
    let release = () => {};
    const other = limiter.run(() => new Promise<void>((resolve) => release = resolve));
    const started: number[] = [];
    const run = mapLimited([0, 1, 2], limiter, async (n) => {
      started.push(n);
      await sleep(5);
      throw new Error(`item ${n} failed`);
    });
    await assert.rejects(run, /item 0 failed/);
    release();
    await other;
    await sleep(10);
    assert.deepEqual(started, [0]);
  });
});
