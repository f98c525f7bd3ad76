/**
 * One spelling for NaN and ±Infinity: `NaN`, `INF`, `-INF` in JSON, JSON Lines, CSV and tables,
 * whether the points came from the sampled query (the server sends strings) or the full CSV
 * export (parsed to numbers), and in `run download`'s metrics.csv; right-aligned like numbers
 * in tables.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { formatCell, renderTable, toCsv, toJsonl, toJsonText } from "../../src/cli/output.ts";
import { createStyle } from "../../src/cli/style.ts";
import type { LocalServer } from "../../src/server/mod.ts";
import { envelope, runCli, runPath, serverEnv, startTestServer } from "./_helpers.ts";

const SPELLINGS = new Set(["NaN", "INF", "-INF"]);
type Point = { key: string; step: number; value: string };

function nonFinite(points: Point[]): string[] {
  return points.filter((p) => SPELLINGS.has(p.value)).map((p) => `${p.key}@${p.step}=${p.value}`)
    .sort();
}

function parse(format: string, stdout: string): Point[] {
  if (format === "json") {
    const data = JSON.parse(stdout).data as {
      list: { key: string; metrics: Record<string, unknown>[] }[];
    };
    return data.list.flatMap((entry) =>
      entry.metrics.map((m) => ({
        key: entry.key,
        step: Number(m["index"] ?? m["step"]),
        value: String(m["data"] ?? m["value"]),
      }))
    );
  }
  if (format === "jsonl") {
    return stdout.trimEnd().split("\n").map((line) => {
      const row = JSON.parse(line);
      return { key: row.key, step: row.step, value: String(row.value) };
    });
  }
  const lines = stdout.trimEnd().split("\n").slice(format === "table" ? 2 : 1);
  return lines.map((line) => {
    const [key, step, value] = format === "csv" ? line.split(",") : line.trim().split(/\s+/);
    return { key: key!, step: Number(step), value: value! };
  });
}

describe("NaN and ±Infinity in every output format", () => {
  let server: LocalServer;
  let env: Record<string, string>;
  let dir: string;
  before(async () => {
    // 1000 steps: train/loss is NaN at steps 396 and 793 and INF at 996; val/loss -INF at 990.
    server = await startTestServer({ steps: 1000, runs: 1 });
    env = serverEnv(server);
    dir = await mkdtemp(join(tmpdir(), "swanlab-ts-nonfinite-"));
  });
  after(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("sampled and full queries print the same spelling in JSON, JSON Lines, CSV and tables", async () => {
    const path = runPath(server);
    const expected = [
      "train/loss@396=NaN",
      "train/loss@793=NaN",
      "train/loss@996=INF",
      "val/loss@990=-INF",
    ];
    for (const mode of [[], ["--all"], ["--range-start", "0", "--range-end", "999"]]) {
      for (const format of ["json", "jsonl", "csv", "table"]) {
        const argv = [
          ...["run", "metrics", path, "--keys", "train/loss,val/loss", "--format", format],
          ...mode,
        ];
        const result = await runCli(argv, { env });
        assert.equal(result.code, 0, result.stderr);
        assert.doesNotMatch(result.stdout, /null|\binf\b|Infinity/, argv.join(" "));
        assert.deepEqual(nonFinite(parse(format, result.stdout)), expected, argv.join(" "));
        if (format === "table") {
          // Right-aligned like the numbers: every value cell ends under the end of "value".
          const [header, , ...rows] = result.stdout.trimEnd().split("\n");
          const end = header!.indexOf("value") + "value".length;
          for (const row of rows) {
            const value = row.trim().split(/\s+/)[2]!;
            const at = row.indexOf(` ${value} `) + 1;
            assert.equal(at + value.length, end, `not right-aligned: ${row}`);
          }
        }
      }
    }

    const download = await runCli(
      ["run", "download", path, "--keys", "train/loss,val/loss", "--out", "dl", "--no-logs"],
      { env, cwd: dir },
    );
    assert.equal(download.code, 0, download.stderr);
    const csv = await readFile(join(dir, "dl", "metrics.csv"), "utf8");
    assert.deepEqual(nonFinite(parse("csv", csv)), expected);
    assert.ok(envelope(download).ok);
  });

  it("the formatters spell any non-finite number the same way everywhere", () => {
    const plain = createStyle(false);
    fc.assert(
      fc.property(fc.constantFrom(NaN, Infinity, -Infinity), (value) => {
        const text = Number.isNaN(value) ? "NaN" : value > 0 ? "INF" : "-INF";
        assert.equal(formatCell(value), text);
        assert.equal(formatCell(value, true), text);
        assert.equal(toCsv({ rows: [{ v: value }] }), `v\n${text}\n`);
        assert.equal(toJsonl({ rows: [{ v: value }] }), `{"v":"${text}"}\n`);
        assert.deepEqual(JSON.parse(toJsonText({ v: value })), { v: text });
        const table = renderTable({ rows: [{ v: value }, { v: 12345 }] }, {
          width: 80,
          style: plain,
        });
        assert.equal(table, `    v\n─────\n${text.padStart(5)}\n12345\n`);
      }),
    );
  });
});
