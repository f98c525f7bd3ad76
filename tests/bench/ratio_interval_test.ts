import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { pairedRatioInterval, upperMedian } from "../../bench/_ratio_interval.ts";
import { Prng } from "../../src/server/prng.ts";

/** Turns of a floor around 100 and a client `factor` times slower, each with its own noise. */
function turns(
  count: number,
  factor: number,
  seed: number,
): { clients: number[]; floors: number[] } {
  const random = new Prng(seed);
  const floors: number[] = [];
  const clients: number[] = [];
  for (let i = 0; i < count; i++) {
    // A moment of the machine both share, and each side's own stray.
    const moment = random.range(0.9, 1.3);
    floors.push(100 * moment * random.range(0.85, 1.15));
    clients.push(100 * factor * moment * random.range(0.85, 1.15));
  }
  return { clients, floors };
}

describe("upperMedian", () => {
  it("takes the middle value, or the larger middle one", () => {
    assert.equal(upperMedian([5]), 5);
    assert.equal(upperMedian([3, 1, 2]), 2);
    assert.equal(upperMedian([3, 1, 2, 4]), 3);
    assert.throws(() => upperMedian([]), RangeError);
  });
});

describe("pairedRatioInterval", () => {
  it("is a single point when every client run is the same multiple of its floor run", () => {
    const floors = [100, 130, 95, 101, 160, 99];
    const [low, high] = pairedRatioInterval(floors.map((f) => f * 1.25), floors);
    assert.ok(Math.abs(low - 1.25) < 1e-12 && Math.abs(high - 1.25) < 1e-12, `${low}-${high}`);
  });

  it("holds the ratio of the medians and narrows with more turns", () => {
    const few = turns(8, 1.15, 7);
    const many = turns(80, 1.15, 7);
    const [fewLow, fewHigh] = pairedRatioInterval(few.clients, few.floors);
    const [manyLow, manyHigh] = pairedRatioInterval(many.clients, many.floors);
    for (
      const [low, high, { clients, floors }] of [[fewLow, fewHigh, few], [
        manyLow,
        manyHigh,
        many,
      ]] as const
    ) {
      const ratio = upperMedian(clients) / upperMedian(floors);
      assert.ok(low <= ratio && ratio <= high, `${ratio} outside ${low}-${high}`);
    }
    assert.ok(
      manyHigh - manyLow < fewHigh - fewLow,
      `${manyLow}-${manyHigh} vs ${fewLow}-${fewHigh}`,
    );
    assert.ok(manyLow < 1.15 && 1.15 < manyHigh, `${manyLow}-${manyHigh} misses the true factor`);
  });

  it("keeps turns together: a shared slow moment does not widen it", () => {
    // The floor's runs spread over 2x, each client run exactly 1.1x its own floor run: resampling
    // turns keeps every ratio at 1.1, where resampling the sides apart would not.
    const floors = [60, 120, 80, 100, 70, 110, 90, 65, 115, 95];
    const [low, high] = pairedRatioInterval(floors.map((f) => f * 1.1), floors);
    assert.ok(high - low < 1e-9, `${low}-${high}`);
  });

  it("gives the same interval for the same runs and seed", () => {
    const { clients, floors } = turns(15, 1.2, 3);
    assert.deepEqual(pairedRatioInterval(clients, floors), pairedRatioInterval(clients, floors));
    const wide = pairedRatioInterval(clients, floors, { confidence: 0.99 });
    const narrow = pairedRatioInterval(clients, floors, { confidence: 0.5 });
    assert.ok(wide[0] <= narrow[0] && narrow[1] <= wide[1], `${narrow} not inside ${wide}`);
  });

  it("rejects runs it cannot pair or take a ratio of", () => {
    assert.throws(() => pairedRatioInterval([1, 2, 3], [1, 2]), /Cannot pair 3 client runs/);
    assert.throws(() => pairedRatioInterval([1], [1]), /at least 2/);
    assert.throws(() => pairedRatioInterval([1, 0], [1, 1]), /positive number/);
    assert.throws(() => pairedRatioInterval([1, NaN], [1, 1]), /positive number/);
    assert.throws(() => pairedRatioInterval([1, 2], [1, Infinity]), /positive number/);
    assert.throws(() => pairedRatioInterval([1, 2], [1, 2], { confidence: 1 }), /confidence/);
    assert.throws(() => pairedRatioInterval([1, 2], [1, 2], { resamples: 0 }), /resamples/);
  });
});
