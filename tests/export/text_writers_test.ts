import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readdir, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ValidationError } from "../../src/core/errors.ts";
import { csvCell, writeCsv } from "../../src/export/csv_writer.ts";
import { writeJsonl } from "../../src/export/jsonl_writer.ts";
import { duckdb } from "./_readers.ts";

async function tempDir(): Promise<string> {
  return await mkdtemp(join(tmpdir(), "swanlab-ts-text-"));
}

describe("csvCell", () => {
  it("quotes only what needs it and spells non-finite numbers as readers expect", () => {
    assert.equal(csvCell(null), "");
    assert.equal(csvCell(undefined), "");
    assert.equal(csvCell(0.5), "0.5");
    assert.equal(csvCell(NaN), "NaN");
    assert.equal(csvCell(-Infinity), "-inf");
    assert.equal(csvCell(true), "true");
    assert.equal(csvCell("plain"), "plain");
    assert.equal(csvCell('a "b", c'), '"a ""b"", c"');
    assert.equal(csvCell("line\nbreak"), '"line\nbreak"');
    assert.equal(csvCell(" padded"), '" padded"');
    assert.equal(csvCell([1, 2]), '"[1,2]"');
  });
});

describe("writeCsv", () => {
  it("writes a header and the rows, which DuckDB parses back", async () => {
    const dir = await tempDir();
    const path = join(dir, "runs.csv");
    const rows = Array.from({ length: 5000 }, (_, i) => ({
      name: i % 10 === 0 ? `run, "${i}"` : `run-${i}`,
      acc: i % 7 === 0 ? null : i / 5000,
      extra: "ignored",
    }));
    const stats = await writeCsv(path, rows, { columns: ["name", "acc"] });
    const text = await readFile(path, "utf8");
    assert.equal(stats.rows, 5000);
    assert.equal(stats.bytes, new TextEncoder().encode(text).byteLength);
    assert.equal(text.split("\n")[0], "name,acc");
    assert.equal(text.split("\n")[1], '"run, ""0""",');
    const back = await duckdb(`SELECT * FROM read_csv('${path}', header = true)`);
    assert.equal(back.length, 5000);
    assert.deepEqual(back[10], { name: 'run, "10"', acc: 10 / 5000 });
    assert.deepEqual(back[7], { name: "run-7", acc: null });
  });

  it("keeps the previous file when the rows fail, and rejects no columns", async () => {
    const dir = await tempDir();
    const path = join(dir, "out.csv");
    await writeFile(path, "old");
    async function* failing() {
      yield { a: 1 };
      throw new Error("boom");
    }
    await assert.rejects(writeCsv(path, failing(), { columns: ["a"] }), /boom/);
    assert.equal(await readFile(path, "utf8"), "old");
    assert.deepEqual(await readdir(dir), ["out.csv"]);
    await assert.rejects(writeCsv(path, [], { columns: [] }), ValidationError);
  });
});

describe("writeJsonl", () => {
  it("writes one object per line, non-finite numbers as null", async () => {
    const dir = await tempDir();
    const path = join(dir, "points.jsonl");
    const stats = await writeJsonl(path, [
      [{ run: "r", key: "k", step: 0, value: 1.5 }, { run: "r", key: "k", step: 1, value: NaN }],
      { run: "r", key: "k", step: 2, value: 2, timestamp: 5 },
    ]);
    assert.equal(stats.rows, 3);
    const lines = (await readFile(path, "utf8")).trimEnd().split("\n").map((l) => JSON.parse(l));
    assert.deepEqual(lines, [
      { run: "r", key: "k", step: 0, value: 1.5 },
      { run: "r", key: "k", step: 1, value: null },
      { run: "r", key: "k", step: 2, value: 2, timestamp: 5 },
    ]);
  });
});
