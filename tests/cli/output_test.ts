// deno-lint-ignore-file no-control-regex -- the tests look for ANSI escapes
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdir, mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  autoSaveName,
  type Envelope,
  flattenRecord,
  formatCell,
  keyValueRows,
  renderTable,
  saveEnvelope,
  saveTarget,
  toCsv,
  toJsonl,
  toJsonText,
} from "../../src/cli/output.ts";
import { colorEnabled, createStyle, displayWidth, stripAnsi } from "../../src/cli/style.ts";

const plain = createStyle(false);

/** Decides the --save target, then saves (the CLI checks the target before any request). */
async function save(envelope: Envelope, name: string, cwd: string) {
  return await saveEnvelope(envelope, await saveTarget(name, cwd));
}

describe("toJsonText()", () => {
  it("prints the envelope with 2-space indent like the Python CLI (orjson OPT_INDENT_2)", () => {
    const text = toJsonText({ ok: true, errmsg: "", data: { path: "x", list: [], empty: {} } });
    assert.equal(
      text,
      '{\n  "ok": true,\n  "errmsg": "",\n  "data": {\n    "path": "x",\n    "list": [],\n    "empty": {}\n  }\n}',
    );
  });

  it("spells NaN and infinities as the server does: NaN, INF, -INF", () => {
    const text = toJsonText({ a: NaN, b: Infinity, c: -Infinity, d: [NaN] });
    assert.deepEqual(JSON.parse(text), { a: "NaN", b: "INF", c: "-INF", d: ["NaN"] });
  });

  it("keeps non-ASCII text as is", () => {
    assert.match(toJsonText({ name: "实验" }), /"实验"/);
  });
});

describe("toCsv()", () => {
  it("quotes fields with commas, quotes and newlines (RFC 4180)", () => {
    const csv = toCsv({ rows: [{ a: "x,y", b: 'say "hi"', c: "l1\nl2", d: 1 }] });
    assert.equal(csv, 'a,b,c,d\n"x,y","say ""hi""","l1\nl2",1\n');
  });

  it("flattens nested objects and writes every field even when a table would show fewer", () => {
    const csv = toCsv({ rows: [{ a: 1, b: { c: 2 } }], columns: ["a"] });
    assert.equal(csv, "a,b.c\n1,2\n");
  });

  it("keeps numbers exact", () => {
    assert.equal(toCsv({ rows: [{ v: 0.123456789 }] }), "v\n0.123456789\n");
  });
});

describe("toJsonl()", () => {
  it("prints one compact object per line", () => {
    assert.equal(toJsonl({ rows: [{ a: 1 }, { a: NaN }] }), '{"a":1}\n{"a":"NaN"}\n');
  });
});

describe("renderTable()", () => {
  it("aligns columns, right-aligns numbers and draws a rule under the header", () => {
    const table = renderTable({ rows: [{ name: "a", n: 1 }, { name: "bb", n: 22 }] }, {
      width: 80,
      style: plain,
    });
    assert.equal(table, "name   n\n────  ──\na      1\nbb    22\n");
  });

  it("fits the width by shortening the widest columns with an ellipsis", () => {
    const rows = [{ a: "x".repeat(60), b: "y".repeat(60) }];
    const table = renderTable({ rows }, { width: 50, style: plain });
    for (const line of table.trimEnd().split("\n")) assert.ok(displayWidth(line) <= 50, line);
    assert.match(table, /…/);
  });

  it("uses the view's columns and header names", () => {
    const table = renderTable({
      rows: [{ path: "a/b", count: { experiments: 3 }, hidden: "no" }],
      columns: ["path", "count.experiments"],
      headers: { "count.experiments": "runs" },
    }, { width: 80, style: plain });
    assert.match(table, /^path {2}runs\n/);
    assert.doesNotMatch(table, /hidden/);
  });

  it("says so when there are no rows", () => {
    assert.equal(renderTable({ rows: [] }, { width: 80, style: plain }), "(no rows)\n");
  });

  it("writes bold headers only when colour is on", () => {
    const table = renderTable({ rows: [{ a: 1 }] }, { width: 80, style: createStyle(true) });
    assert.match(table, /\x1b\[1m/);
    assert.equal(stripAnsi(table), renderTable({ rows: [{ a: 1 }] }, { width: 80, style: plain }));
  });
});

describe("formatCell()", () => {
  it("formats numbers, nulls, arrays of names and objects", () => {
    assert.equal(formatCell(0.123456789), "0.123457");
    assert.equal(formatCell(42), "42");
    assert.equal(formatCell(NaN), "NaN");
    assert.equal(formatCell(null), "");
    assert.equal(formatCell([{ name: "a" }, { name: "b" }]), "a, b");
    assert.equal(formatCell(["x", 1]), "x, 1");
    assert.equal(formatCell({ a: 1 }), '{"a":1}');
  });
});

describe("flattenRecord() and keyValueRows()", () => {
  it("flattens nested objects into dotted keys", () => {
    assert.deepEqual(flattenRecord({ a: 1, b: { c: 2, d: { e: 3 } }, f: {} }), {
      a: 1,
      "b.c": 2,
      "b.d.e": 3,
      f: {},
    });
    assert.deepEqual(keyValueRows({ x: 1 }), [{ field: "x", value: 1 }]);
  });
});

describe("autoSaveName()", () => {
  it("follows swanlab-YYYYMMDD_HHMMSS-xxxx.json", () => {
    assert.equal(
      autoSaveName(new Date(2024, 7, 1, 9, 5, 3), () => 0),
      "swanlab-20240801_090503-aaaa.json",
    );
    assert.match(autoSaveName(), /^swanlab-\d{8}_\d{6}-[a-z0-9]{4}\.json$/);
  });
});

describe("saveEnvelope()", () => {
  it("saves to the given .json name, an automatic name for '.', and skips other extensions", async () => {
    const dir = await mkdtemp(join(tmpdir(), "swanlab-ts-save-"));
    try {
      const envelope = { ok: false, errmsg: "boom", data: null };
      const named = await save(envelope, "out.JSON", dir);
      assert.equal(named.message, "Saved to out.JSON");
      assert.deepEqual(JSON.parse(await readFile(join(dir, "out.JSON"), "utf8")), envelope);

      const auto = await save(envelope, ".", dir);
      assert.match(auto.path ?? "", /^swanlab-\d{8}_\d{6}-[a-z0-9]{4}\.json$/);

      const skipped = await save(envelope, "out.txt", dir);
      assert.equal(skipped.path, undefined);
      assert.equal(skipped.message, "unsupported file extension .txt, skipped saving");

      const bare = await save(envelope, "noext", dir);
      assert.equal(bare.path, "noext");
      assert.deepEqual((await readdir(dir)).sort(), [auto.path, "noext", "out.JSON"].sort());
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("saveEnvelope() paths", () => {
  it("takes the extension from the file name, not from dots in directory names", async () => {
    const dir = await mkdtemp(join(tmpdir(), "swanlab-ts-save-"));
    try {
      await mkdir(join(dir, "runs.d"));
      const envelope = { ok: true, errmsg: "", data: { x: 1 } };
      const saved = await save(envelope, "./runs.d/result", dir);
      assert.equal(saved.message, "Saved to ./runs.d/result");
      assert.deepEqual(JSON.parse(await readFile(join(dir, "runs.d", "result"), "utf8")), envelope);
      const json = await save(envelope, "runs.d/out.json", dir);
      assert.equal(json.path, "runs.d/out.json");
      const skipped = await save(envelope, "runs.d/out.csv", dir);
      assert.equal(skipped.message, "unsupported file extension .csv, skipped saving");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("colorEnabled()", () => {
  it("needs a terminal and respects NO_COLOR, TERM=dumb and --no-color", () => {
    assert.equal(colorEnabled({ isTTY: true, env: {} }), true);
    assert.equal(colorEnabled({ isTTY: false, env: {} }), false);
    assert.equal(colorEnabled({ isTTY: true, env: { NO_COLOR: "1" } }), false);
    assert.equal(colorEnabled({ isTTY: true, env: { TERM: "dumb" } }), false);
    assert.equal(colorEnabled({ isTTY: true, env: {}, noColor: true }), false);
    assert.equal(colorEnabled({ isTTY: true, env: { NO_COLOR: "" } }), true);
  });

  it("measures display width without escapes, wide characters as two", () => {
    assert.equal(displayWidth("\x1b[31mab\x1b[39m"), 2);
    assert.equal(displayWidth("实验"), 4);
  });
});
