import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { snappyUncompress } from "hyparquet";
import { snappyCompress } from "hyparquet-writer/src/snappy.js";
import { SnappyCompressor } from "../../src/export/_snappy_compressor.ts";

/** A small deterministic generator (the inputs must be the same on every runtime). */
function generator(seed: number): () => number {
  let state = seed >>> 0;
  return () => (state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 2 ** 32;
}

/** Inputs of every kind a page can be: random, repetitive, runs, doubles, tiny. */
function inputs(): Uint8Array[] {
  const random = generator(7);
  const out: Uint8Array[] = [];
  for (const n of [0, 1, 14, 15, 16, 100, 4096, 65_535, 65_536, 70_000, 300_000]) {
    const noise = new Uint8Array(n);
    for (let i = 0; i < n; i++) noise[i] = Math.floor(random() * 256);
    out.push(noise);
    const echo = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      echo[i] = i > 100 && random() < 0.9
        ? echo[i - 1 - Math.floor(random() * 90)] as number
        : Math.floor(random() * 16);
    }
    out.push(echo);
    const runs = new Uint8Array(n);
    for (let i = 0; i < n; i++) runs[i] = i % 997 < 500 ? 7 : Math.floor(random() * 256);
    out.push(runs);
  }
  // A value column: doubles with six decimals, as the mirror's points have.
  const values = new Float64Array(100_000);
  for (let i = 0; i < values.length; i++) {
    values[i] = Math.round((Math.exp(-i / 30_000) + random() * 0.1) * 1e6) / 1e6;
  }
  out.push(new Uint8Array(values.buffer));
  return out;
}

describe("SnappyCompressor", () => {
  it("compresses every kind of page so that hyparquet gets the bytes back", () => {
    const compressor = new SnappyCompressor();
    for (const input of inputs()) {
      const compressed = compressor.compress(input);
      const back = new Uint8Array(input.length);
      snappyUncompress(compressed, back);
      assert.deepEqual(back, input, `a page of ${input.length} bytes`);
      assert.ok(compressed.length <= 32 + input.length + input.length / 6);
    }
  });

  it("writes the same bytes as hyparquet-writer's compressor (files keep their hashes)", () => {
    const compressor = new SnappyCompressor();
    for (const input of inputs()) {
      assert.deepEqual(compressor.compress(input), snappyCompress(input));
    }
  });

  it("compresses a page of doubles with repeated upper bytes", () => {
    const page = inputs().at(-1)!;
    assert.ok(new SnappyCompressor().compress(page).length < 0.95 * page.length);
  });
});
