import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { decodePointsFile, PointsFileError } from "../../src/server/_mirror_points.ts";
import { decodePointsLayout, UnsupportedLayout } from "../../src/server/_points_layout_decoder.ts";
import { type PointRow as Row, writtenByHyparquet, writtenByMirror } from "./_points_files.ts";

/** What a run's metrics must hold: each key's rows sorted by step (stable), as plain arrays. */
function expected(rows: readonly Row[]): Map<string, Row[]> {
  const byKey = new Map<string, Row[]>();
  for (const row of rows) {
    let list = byKey.get(row[0]);
    if (!list) byKey.set(row[0], list = []);
    list.push(row);
  }
  for (const list of byKey.values()) list.sort((a, b) => a[1] - b[1]);
  return byKey;
}

/** Asserts two sets of rows are equal (`Object.is` per cell), naming the first difference. */
function sameRows(actual: Map<string, Row[]>, wanted: Map<string, Row[]>, label: string): void {
  assert.deepEqual([...actual.keys()].sort(), [...wanted.keys()].sort(), label);
  for (const [key, rows] of wanted) {
    const got = actual.get(key)!;
    assert.equal(got.length, rows.length, `${label}: ${key}`);
    for (let i = 0; i < rows.length; i++) {
      for (let c = 0; c < 4; c++) {
        if (!Object.is(got[i]![c], rows[i]![c])) {
          assert.fail(`${label}: ${key} row ${i}: ${got[i]} instead of ${rows[i]}`);
        }
      }
    }
  }
}

/** Every point of every key of decoded metrics, read back through the series accessors. */
async function decoded(bytes: Uint8Array, rows: number, keys: string[], layout = true) {
  const metrics = await decodePointsFile(bytes, rows, keys, { layout });
  const out = new Map<string, Row[]>();
  for (const key of keys) {
    const series = metrics.series(key);
    if (!series) continue;
    const list: Row[] = [];
    for (let i = 0; i < series.count; i++) {
      const step = series.stepAt(i);
      const timestamp = series.timestamp!(step);
      list.push([key, step, series.value(step), Number.isNaN(timestamp) ? null : timestamp]);
    }
    out.set(key, list);
  }
  return { metrics, out };
}

describe("decodePointsFile", () => {
  it("reads every point of many keys across row groups, out of step order, 64-bit integers exactly", async () => {
    // 20 keys (more than are found by identity), rows cycling through them out of order, steps
    // and timestamps past 2^32 and below 0, missing timestamps, NaN and infinities.
    const keys = Array.from({ length: 20 }, (_, i) => `k/${String(i).padStart(2, "0")}`);
    const rows: Row[] = [];
    for (let i = 0; i < 400; i++) {
      const key = keys[(i * 7) % keys.length]!;
      const step = i % 3 === 0 ? 2 ** 33 + (400 - i) : i % 5 === 0 ? -i : i;
      const value = i % 11 === 0 ? NaN : i % 13 === 0 ? -Infinity : i / 8;
      const timestamp = i % 4 === 0 ? null : 1_700_000_000_000 + i * 1_000;
      rows.push([key, step, value, timestamp]);
    }
    const file = writtenByHyparquet(rows, 37);
    // Another writer's layout (data pages v1): read by hyparquet.
    assert.throws(() => decodePointsLayout(file, rows.length), UnsupportedLayout);
    const { metrics, out } = await decoded(file, rows.length, keys);
    assert.deepEqual(out, expected(rows));
    assert.equal(metrics.steps, 2 ** 33 + 400 + 1);
    assert.deepEqual(metrics.keys, keys);
  });

  it("reads the mirror's own files (Snappy and uncompressed) like the rows it was given", async () => {
    const rows: Row[] = [];
    for (let step = 0; step < 250_000; step++) {
      rows.push(["loss", step, 1 / (step + 1), 1_700_000_000_000 + step]);
      if (step % 3 === 0) rows.push(["acc", step, step / 250_000, null]);
    }
    for (const compression of ["SNAPPY", "UNCOMPRESSED"] as const) {
      const bytes = await writtenByMirror(rows, compression);
      const mine = await decoded(bytes, rows.length, ["loss", "acc"]);
      assert.deepEqual(mine.out, expected(rows), compression);
      const theirs = await decoded(bytes, rows.length, ["loss", "acc"], false);
      assert.deepEqual(theirs.out, expected(rows), compression);
      assert.equal(mine.metrics.steps, theirs.metrics.steps);
    }
  });

  it("decodes the mirror's layout exactly as hyparquet does, on varied data", async () => {
    // Keys beyond the first 16, a key in one row group only, timestamps absent in runs and
    // alone, steps that go backwards and jump past 2^32, deltas of every bit width up to 46,
    // NaN, infinities and negative zero; row groups split across them.
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    const keys = Array.from({ length: 24 }, (_, i) => `group/${i}`);
    const rows: Row[] = [];
    const used = new Map<string, Set<number>>();
    let step = 0;
    for (let i = 0; i < 230_000; i++) {
      const jump = random();
      step += jump < 0.001 ? -Math.floor(random() * 1000) : jump < 0.002 ? 2 ** 33 : 1;
      const width = Math.floor(random() * 47);
      const timestamp = random() < 0.2
        ? null
        : 1_700_000_000_000 + Math.floor(random() * 2 ** width);
      const value = [NaN, Infinity, -Infinity, -0, random() * 1e6 - 5e5][Math.floor(random() * 5)]!;
      const key = i > 200_000 && i < 200_050 ? "rare" : keys[Math.floor(random() * keys.length)]!;
      // A key's steps are unique (its points are found by step).
      const taken = used.get(key) ?? used.set(key, new Set()).get(key)!;
      while (taken.has(step)) step++;
      taken.add(step);
      rows.push([key, step, value, timestamp]);
    }
    for (const compression of ["SNAPPY", "UNCOMPRESSED"] as const) {
      const bytes = await writtenByMirror(rows, compression);
      const all = [...keys, "rare"];
      const mine = await decoded(bytes, rows.length, all);
      const theirs = await decoded(bytes, rows.length, all, false);
      // The mirror's own layout is read by the layout decoder (no fallback to hyparquet).
      assert.equal(decodePointsLayout(bytes, rows.length).keys.length, all.length);
      sameRows(mine.out, theirs.out, `${compression}: layout decoder against hyparquet`);
      sameRows(mine.out, expected(rows), `${compression}: layout decoder against the rows`);
    }
  });

  it("the layout decoder ends on damaged files, returning or deferring to hyparquet", async () => {
    const points: Row[] = [];
    for (let step = 0; step < 300; step++) {
      points.push(["loss", step, step / 3, 1_700_000_000_000 + step]);
      if (step % 2 === 0) points.push(["acc", step, -step, null]);
    }
    const file = await writtenByMirror(points);
    const rows = points.length;
    assert.equal(decodePointsLayout(file, rows).keys.length, 2);
    let seed = 11;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    let deferred = 0;
    for (let trial = 0; trial < 400; trial++) {
      const damaged = file.slice();
      for (let flips = 1 + Math.floor(random() * 3); flips > 0; flips--) {
        damaged[Math.floor(random() * damaged.length)] = Math.floor(random() * 256);
      }
      try {
        decodePointsLayout(damaged, rows);
      } catch (error) {
        assert.ok(error instanceof UnsupportedLayout, String(error));
        deferred++;
      }
    }
    assert.ok(deferred > 0);
  });

  it("names a file that is not Parquet or holds another number of rows", async () => {
    await assert.rejects(
      () => decodePointsFile(new TextEncoder().encode("not parquet at all"), 1, []),
      (error) => error instanceof PointsFileError && /is not valid Parquet/.test(error.message),
    );
    const bytes = writtenByHyparquet([["loss", 0, 1, null], ["loss", 1, 2, null]], 10);
    await assert.rejects(
      () => decodePointsFile(bytes, 3, ["loss"]),
      (error) =>
        error instanceof PointsFileError &&
        error.message === 'has 2 values in column "key", expected 3',
    );
  });
});
