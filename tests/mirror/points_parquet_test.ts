import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { parquetReadObjects } from "hyparquet";
import { MemorySink } from "../../src/export/memory_sink.ts";
import type { MetricRow } from "../../src/export/metric_row.ts";
import { writeMetricsParquet } from "../../src/export/metrics_parquet_writer.ts";
import type { MetricRowBlock } from "../../src/metrics/scan_metrics.ts";
import { PointsEncoder } from "../../src/mirror/points_parquet.ts";

/** A parser block of `rows` rows of `keys` from step `first`; the second key on even steps only. */
function block(keys: readonly string[], first: number, rows: number): MetricRowBlock {
  const cells = rows * keys.length;
  const values = new Float64Array(cells);
  const hasValue = new Uint8Array(cells);
  const timestamps = new Float64Array(cells);
  const steps = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    const step = first + r;
    steps[r] = step;
    for (let k = 0; k < keys.length; k++) {
      const cell = r * keys.length + k;
      hasValue[cell] = k === 1 && step % 2 === 1 ? 0 : 1;
      values[cell] = Math.round(Math.exp(-step / 5000) * (k + 1) * 1e6) / 1e6;
      timestamps[cell] = k === 2 ? NaN : 1722470400000 + step * 37;
    }
  }
  return { steps, values, hasValue, timestamps };
}

/** The rows of a block as the export writers take them (what `scanMetrics` yields). */
function rowsOf(keys: readonly string[], b: MetricRowBlock, rows: number): MetricRow[] {
  const out: MetricRow[] = [];
  for (let r = 0; r < rows; r++) {
    for (let k = 0; k < keys.length; k++) {
      const cell = r * keys.length + k;
      if (b.hasValue[cell] === 0) continue;
      const timestamp = b.timestamps[cell]!;
      out.push({
        run: "",
        key: keys[k]!,
        step: b.steps[r]!,
        value: b.values[cell]!,
        ...(timestamp === timestamp ? { timestamp } : {}),
      });
    }
  }
  return out;
}

function concat(chunks: readonly Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

/** The file `writeMetricsParquet` writes for rows (without the run column), in memory. */
async function reference(rows: MetricRow[]): Promise<Uint8Array<ArrayBuffer>> {
  const sink = new MemorySink();
  await writeMetricsParquet(sink, rows, { includeRun: false, rowGroupSize: 100_000 });
  return concat(sink.chunks);
}

describe("PointsEncoder", () => {
  it("writes what the metrics writer writes for the same rows, readable by hyparquet", async () => {
    // Two downloads of different keys (an export in key chunks), 250,000 steps: row groups of
    // 100,000 rows that span parser blocks and both chunks.
    const chunks = [["train/loss", "val/acc", "lr"], ["val/acc", "epoch"]];
    const sink = new MemorySink();
    const encoder = await PointsEncoder.create(sink);
    const rows: MetricRow[] = [];
    for (const keys of chunks) {
      for (let first = 0; first < 125_000; first += 2048) {
        const n = Math.min(2048, 125_000 - first);
        const b = block(keys, first, n);
        encoder.rows(keys, b, 0, n);
        rows.push(...rowsOf(keys, b, n));
        if (encoder.ready()) await encoder.drain();
      }
    }
    assert.equal(await encoder.finish(), rows.length);
    const file = concat(sink.chunks);
    assert.equal(encoder.written, rows.length);
    assert.deepEqual(file, await reference(rows));
    const head = await parquetReadObjects({ file: file.buffer, rowStart: 0, rowEnd: 4 });
    assert.deepEqual(head, [
      { key: "train/loss", step: 0n, value: 1, timestamp: 1722470400000n },
      { key: "val/acc", step: 0n, value: 2, timestamp: 1722470400000n },
      { key: "lr", step: 0n, value: 3, timestamp: null },
      { key: "train/loss", step: 1n, value: 0.9998, timestamp: 1722470400037n },
    ]);
  });

  it("gives its buffers to the next encoder once done, and only once", async () => {
    const keys = ["loss", "acc"];
    const encode = async (first: number, rows: number, abortAfter: boolean) => {
      const sink = new MemorySink();
      const encoder = await PointsEncoder.create(sink);
      const b = block(keys, first, rows);
      encoder.rows(keys, b, 0, rows);
      if (encoder.ready()) await encoder.drain();
      assert.equal(await encoder.finish(), rowsOf(keys, b, rows).length);
      if (abortAfter) await encoder.abort(); // a no-op for the file, and for the buffers
      return { file: concat(sink.chunks), rows: rowsOf(keys, b, rows) };
    };
    await encode(0, 120_000, true); // two groups' buffers go back
    for (const [first, rows] of [[7, 1_000], [500_000, 130_000], [3, 10]]) {
      const { file, rows: want } = await encode(first!, rows!, false);
      assert.deepEqual(file, await reference(want));
    }
  });

  it("takes the points of a range-filtered scan one by one", async () => {
    const sink = new MemorySink();
    const encoder = await PointsEncoder.create(sink, "UNCOMPRESSED");
    encoder.point({ key: "loss", step: 3, value: 0.5, timestamp: 1722470400000 });
    encoder.point({ key: "acc", step: 3, value: Infinity });
    assert.equal(await encoder.finish(), 2);
    const file = concat(sink.chunks);
    assert.deepEqual(await parquetReadObjects({ file: file.buffer }), [
      { key: "loss", step: 3n, value: 0.5, timestamp: 1722470400000n },
      { key: "acc", step: 3n, value: Infinity, timestamp: null },
    ]);
  });
});
