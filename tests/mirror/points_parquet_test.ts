import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { parquetReadObjects } from "hyparquet";
import { PointsEncoder } from "../../src/mirror/points_parquet.ts";
import { EncoderThread } from "../../src/mirror/_encoder_thread.ts";
import type { MetricRowBlock } from "../../src/metrics/scan_metrics.ts";

const KEYS = ["train/loss", "val/acc", "lr"];

/** A parser block of `rows` rows of KEYS from `first`; `val/acc` only on even steps. */
function block(first: number, rows: number): MetricRowBlock {
  const cells = rows * KEYS.length;
  const values = new Float64Array(cells);
  const hasValue = new Uint8Array(cells);
  const timestamps = new Float64Array(cells);
  const steps = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    const step = first + r;
    steps[r] = step;
    for (let k = 0; k < KEYS.length; k++) {
      const cell = r * KEYS.length + k;
      hasValue[cell] = k === 1 && step % 2 === 1 ? 0 : 1;
      values[cell] = Math.round(Math.exp(-step / 5000) * (k + 1) * 1e6) / 1e6;
      timestamps[cell] = k === 2 ? NaN : 1722470400000 + step * 37;
    }
  }
  return { steps, values, hasValue, timestamps };
}

/** Encodes `steps` rows (in parser blocks of 2048, drained when ready) and returns the file. */
async function encode(steps: number, thread?: EncoderThread): Promise<Uint8Array> {
  const encoder = await PointsEncoder.create("SNAPPY", thread);
  for (let first = 0; first < steps; first += 2048) {
    encoder.rows(
      KEYS,
      block(first, Math.min(2048, steps - first)),
      0,
      Math.min(2048, steps - first),
    );
    if (encoder.ready()) await encoder.drain();
  }
  const chunks = await encoder.finish();
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  assert.equal(encoder.written, steps * KEYS.length - Math.floor(steps / 2));
  return out;
}

describe("PointsEncoder", () => {
  let thread: EncoderThread | undefined;
  before(async () => {
    thread = await EncoderThread.start();
  });
  after(async () => {
    await thread?.close();
  });

  it("starts its worker thread on this runtime", () => {
    assert.ok(thread, "the encoding worker did not start");
  });

  it("writes the same bytes in the worker thread as in this one, readable by hyparquet", async () => {
    // 250,000 rows: several row groups, and blocks that fill while others are in the worker.
    const local = await encode(250_000);
    const remote = await encode(250_000, thread);
    assert.equal(remote.byteLength, local.byteLength);
    assert.ok(remote.every((b, i) => b === local[i]), "the files differ");
    const rows = await parquetReadObjects({ file: local.slice().buffer, rowStart: 0, rowEnd: 4 });
    assert.deepEqual(rows, [
      { key: "train/loss", step: 0n, value: 1, timestamp: 1722470400000n },
      { key: "val/acc", step: 0n, value: 2, timestamp: 1722470400000n },
      { key: "lr", step: 0n, value: 3, timestamp: null },
      { key: "train/loss", step: 1n, value: 0.9998, timestamp: 1722470400037n },
    ]);
  });

  it("encodes files of several runs at once in one worker", async () => {
    const [a, b] = await Promise.all([encode(30_000, thread), encode(70_000, thread)]);
    assert.deepEqual(a, await encode(30_000));
    assert.deepEqual(b, await encode(70_000));
  });

  it("reports a row the worker's writer rejects, with its error name", async () => {
    const encoder = await PointsEncoder.create("SNAPPY", thread);
    const bad = block(0, 4);
    bad.steps[2] = 2.5;
    encoder.rows(KEYS, bad, 0, 4);
    await encoder.drain();
    await assert.rejects(encoder.finish(), { name: "ValidationError", message: /step 2\.5/ });
    // The worker goes on with other files.
    assert.ok((await encode(5000, thread)).byteLength > 0);
  });
});
