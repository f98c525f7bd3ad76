import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { tableToHtml } from "../../src/export/table_data.ts";
import { writeTableParquet } from "../../src/export/table_parquet_writer.ts";
import { duckdb, duckdbTypes, parquetLayout, readWithHyparquet } from "./_readers.ts";

describe("writeTableParquet", () => {
  it("infers one type per column and keeps empty cells as nulls", async () => {
    const dir = await mkdtemp(join(tmpdir(), "swanlab-ts-table-"));
    const path = join(dir, "runs.parquet");
    const table = {
      columns: ["name", "config.epochs", "config.lr", "config.amp", "config.layers", "mixed"],
      rows: [
        {
          name: "a",
          "config.epochs": 10,
          "config.lr": 0.1,
          "config.amp": true,
          "config.layers": [1, 2],
          mixed: 1,
        },
        { name: "b", "config.epochs": 20, "config.lr": 1, mixed: "x" },
        { name: "c", "config.lr": null },
      ],
    };
    const stats = await writeTableParquet(path, table, { rowGroupSize: 2 });
    assert.equal(stats.rows, 3);
    const layout = await parquetLayout(path);
    assert.equal(layout.rowGroups, 2);
    assert.deepEqual(layout.types, {
      name: "BYTE_ARRAY",
      "config.epochs": "INT64",
      "config.lr": "DOUBLE",
      "config.amp": "BOOLEAN",
      "config.layers": "BYTE_ARRAY",
      mixed: "BYTE_ARRAY",
    });
    assert.deepEqual(await readWithHyparquet(path), [
      {
        name: "a",
        "config.epochs": 10n,
        "config.lr": 0.1,
        "config.amp": true,
        "config.layers": "[1,2]",
        mixed: "1",
      },
      {
        name: "b",
        "config.epochs": 20n,
        "config.lr": 1,
        "config.amp": null,
        "config.layers": null,
        mixed: "x",
      },
      {
        name: "c",
        "config.epochs": null,
        "config.lr": null,
        "config.amp": null,
        "config.layers": null,
        mixed: null,
      },
    ]);
    assert.deepEqual(await duckdbTypes(`'${path}'`), {
      name: "VARCHAR",
      "config.epochs": "BIGINT",
      "config.lr": "DOUBLE",
      "config.amp": "BOOLEAN",
      "config.layers": "VARCHAR",
      mixed: "VARCHAR",
    });
    const ranked = await duckdb(
      `SELECT name FROM '${path}' ORDER BY "config.lr" DESC NULLS LAST`,
    );
    assert.deepEqual(ranked.map((r) => r["name"]), ["b", "a", "c"]);
  });
});

describe("tableToHtml", () => {
  it("escapes every value and summarizes rows past the limit", () => {
    const html = tableToHtml({
      columns: ["name", "<x>"],
      rows: [{ name: "<b>&", "<x>": { a: 1 } }, { name: "two" }, { name: "three" }],
    }, { maxRows: 2 });
    assert.match(html, /<th>&lt;x&gt;<\/th>/);
    assert.match(html, /<td>&lt;b&gt;&amp;<\/td><td>\{&quot;a&quot;:1\}<\/td>/);
    assert.doesNotMatch(html, /three/);
    assert.match(html, /1 more rows \(3 in all\)/);
  });
});
