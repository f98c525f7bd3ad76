import { after, before, beforeEach, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdir, mkdtemp, readdir, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { LocalServer } from "../../src/server/mod.ts";
import { Api } from "../../mod.ts";
import { captureIo, envelope, runCli, serverEnv, startTestServer } from "./_helpers.ts";
import { run } from "../../src/cli/main.ts";
import { duckdb, readWithHyparquet } from "../export/_readers.ts";

const SWEEP = "vision-lab/resnet-sweep";

describe("swanlab-ts project table / export", () => {
  let server: LocalServer;
  let env: Record<string, string>;
  let dir: string;
  let api: Api;
  before(async () => {
    server = await startTestServer({ runs: 5, steps: 120 });
    env = serverEnv(server);
    api = new Api({ host: server.host, apiKey: server.apiKey, env: {} });
  });
  after(() => server.close());
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "swanlab-ts-cli-export-"));
    server.clearRequests();
  });

  const cli = (argv: string[], tty = false) =>
    runCli(argv, { env, cwd: dir, tty: { stdout: tty, stderr: tty } });

  it("prints help with examples", async () => {
    for (const command of ["table", "export"]) {
      const result = await runCli(["project", command, "--help"]);
      assert.equal(result.code, 0);
      assert.match(result.stdout, new RegExp(`Usage: swanlab-ts project ${command}`));
      assert.match(result.stdout, /Examples:\n {2}swanlab-ts /);
      assert.match(result.stdout, /Connection options:\n {2}--host HOST/);
    }
  });

  it("prints the runs table as JSON with the config and summary columns", async () => {
    const result = await cli([
      "project",
      "table",
      SWEEP,
      "--config",
      "lr,optimizer",
      "--summary",
      "val/acc",
    ]);
    assert.equal(result.code, 0, result.stderr);
    const data = envelope(result).data as { columns: string[]; list: Record<string, unknown>[] };
    const expected = await api.runsGet(SWEEP, { size: 100, all: true })
      .table({ config: ["lr", "optimizer"], summary: ["val/acc"] }).collect();
    assert.deepEqual(data.columns, expected.columns);
    assert.deepEqual(data.list, JSON.parse(JSON.stringify(expected.rows)));
    assert.equal(data.list.length, 5);
  });

  it("writes the runs table to CSV and Parquet files", async () => {
    const csv = await cli(["project", "table", SWEEP, "--all-config", "--out", "runs.csv"]);
    assert.equal(csv.code, 0, csv.stderr);
    assert.equal(csv.stdout, "");
    assert.match(csv.stderr, /Wrote 5 runs x \d+ columns to runs\.csv/);
    const lines = (await readFile(join(dir, "runs.csv"), "utf8")).trimEnd().split("\n");
    assert.equal(lines.length, 6);
    assert.match(
      lines[0]!,
      /^path,run_id,name,state,group,job_type,created_at,finished_at,config\./,
    );

    const pq = await cli([
      "project",
      "table",
      SWEEP,
      "--summary",
      "val/acc",
      "--out",
      "runs.parquet",
    ]);
    assert.equal(pq.code, 0, pq.stderr);
    const rows = await readWithHyparquet(join(dir, "runs.parquet"));
    assert.equal(rows.length, 5);
    const [best] = await duckdb(
      `SELECT name, "summary.val/acc.max" AS best FROM '${
        join(dir, "runs.parquet")
      }' ORDER BY best DESC LIMIT 1`,
    );
    const max = Math.max(...rows.map((r) => r["summary.val/acc.max"] as number));
    assert.equal(best!["best"], max);
  });

  it("exports every point to a Parquet file, a Hive dataset and CSV on stdout", async () => {
    const keys = ["train/loss", "val/acc"];
    const expected = await api.runsGet(SWEEP, { size: 100, all: true }).scanMetrics(keys)
      .collect();

    const file = await cli([
      "project",
      "export",
      SWEEP,
      "--keys",
      keys.join(","),
      "--out",
      "c.parquet",
    ]);
    assert.equal(file.code, 0, file.stderr);
    assert.match(file.stderr, /Exported .* points of 2 keys from 5 runs to c\.parquet \(1 file/);
    const back = await readWithHyparquet(join(dir, "c.parquet"));
    assert.equal(back.length, expected.rows.length);
    assert.deepEqual(
      back.map((r) => [r["run"], r["key"], Number(r["step"]), r["value"]]),
      expected.rows.map((r) => [r.run, r.key, r.step, r.value]),
    );

    const hive = await cli(["project", "export", SWEEP, "--keys", keys.join(","), "--out", "ds"]);
    assert.equal(hive.code, 0, hive.stderr);
    assert.equal((await readdir(join(dir, "ds"))).length, 5);
    const [count] = await duckdb(
      `SELECT count(*) AS n, count(DISTINCT run_id) AS runs FROM read_parquet('${
        join(dir, "ds")
      }/*/*.parquet', hive_partitioning = true)`,
    );
    assert.deepEqual(count, { n: BigInt(expected.rows.length), runs: 5n });

    const csv = await cli([
      "project",
      "export",
      SWEEP,
      "--keys",
      "val/acc",
      "--range-tail",
      "3",
      "--format",
      "csv",
    ]);
    assert.equal(csv.code, 0, csv.stderr);
    const lines = csv.stdout.trimEnd().split("\n");
    assert.equal(lines[0], "run,key,step,value,timestamp");
    assert.equal(lines.length, 1 + 5 * 3);
  });

  it("writes Parquet to a piped standard output that takes bytes", async () => {
    const { io, stderr } = captureIo({ env, cwd: dir });
    const chunks: Uint8Array[] = [];
    io.stdout.writeBytes = (chunk) => void chunks.push(chunk.slice());
    const code = await run(
      ["project", "export", SWEEP, "--keys", "lr", "--range-tail", "2", "--format", "parquet"],
      io,
    );
    assert.equal(code, 0, stderr());
    const bytes = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0));
    let offset = 0;
    for (const chunk of chunks) {
      bytes.set(chunk, offset);
      offset += chunk.byteLength;
    }
    await writeFile(join(dir, "piped.parquet"), bytes);
    const rows = await readWithHyparquet(join(dir, "piped.parquet"));
    assert.equal(rows.length, 5 * 2);
    assert.ok(rows.every((r) => r["key"] === "lr"));
  });

  it("rejects bad input with exit 2 before any request and writes nothing", async () => {
    const cases: [string[], RegExp, boolean?][] = [
      [["project", "export", SWEEP, "--keys", " , ", "--format", "csv"], /--keys/],
      [
        ["project", "export", SWEEP, "--keys", "lr", "--format", "parquet"],
        /Parquet to a terminal/,
        true,
      ],
      [["project", "export", SWEEP, "--keys", "lr", "--format", "parquet"], /takes no binary data/],
      [["project", "export", SWEEP, "--keys", "lr", "--out", "no/dir/x.parquet"], /does not exist/],
      [[
        "project",
        "export",
        SWEEP,
        "--keys",
        "lr",
        "--out",
        "x.csv",
        "--range-head",
        "1",
        "--range-tail",
        "1",
      ], /mutually exclusive/],
      [
        ["project", "export", SWEEP, "--keys", "lr", "--format", "csv", "-f", "{not json"],
        /filter/,
      ],
      [
        ["project", "table", SWEEP, "-f", '[{"key":"state","type":"NOPE","op":"EQ","value":[]}]'],
        /filters\[0\]\.type/,
      ],
      [["project", "table", SWEEP, "--config", "lr", "--all-config"], /cannot be combined/],
      [["project", "table", SWEEP, "--format", "parquet"], /Parquet to a terminal/, true],
      [["project", "table", SWEEP, "--format", "table", "--out", "t.csv"], /prints to stdout/],
      [["project", "table", SWEEP, "--out", ""], /--out/],
    ];
    for (const [argv, pattern, tty] of cases) {
      server.clearRequests();
      const result = await cli(argv, tty ?? false);
      assert.equal(result.code, 2, `${argv.join(" ")}: ${result.stderr}`);
      assert.match(result.stderr, pattern, argv.join(" "));
      assert.equal(server.requests.length, 0, `no request for ${argv.join(" ")}`);
    }
    // A dataset directory that is not empty is refused too.
    await mkdir(join(dir, "full"));
    await writeFile(join(dir, "full", "mine.txt"), "keep");
    const full = await cli(["project", "export", SWEEP, "--keys", "lr", "--out", "full"]);
    assert.equal(full.code, 2);
    assert.match(full.stderr, /not empty/);
    assert.deepEqual((await readdir(dir)).sort(), ["full"]);
  });

  it("reports keys no run has with exit 2 and leaves a previous file as it was", async () => {
    await writeFile(join(dir, "old.parquet"), "previous");
    const result = await cli([
      "project",
      "export",
      SWEEP,
      "--keys",
      "lr,no/such",
      "--out",
      "old.parquet",
    ]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /Unknown keys .*no\/such/);
    assert.equal(await readFile(join(dir, "old.parquet"), "utf8"), "previous");
    assert.deepEqual(await readdir(dir), ["old.parquet"]);
    const table = await cli(["project", "table", SWEEP, "--config", "nope", "--out", "t.csv"]);
    assert.equal(table.code, 2);
    assert.match(table.stderr, /--config nope/);
    assert.deepEqual(await readdir(dir), ["old.parquet"]);
  });

  it("keeps a pre-existing file when the export fails midway (exit 1)", async () => {
    await writeFile(join(dir, "c.parquet"), "previous");
    server.setFaults({ truncateRate: 1 });
    try {
      const result = await cli(["project", "export", SWEEP, "--keys", "lr", "--out", "c.parquet"]);
      assert.equal(result.code, 1, result.stderr);
    } finally {
      server.setFaults({});
    }
    assert.equal(await readFile(join(dir, "c.parquet"), "utf8"), "previous");
    assert.deepEqual(await readdir(dir), ["c.parquet"]);
    server.setFaults({ truncateRate: 1 });
    try {
      const result = await cli(["project", "export", SWEEP, "--keys", "lr", "--out", "ds"]);
      assert.equal(result.code, 1);
    } finally {
      server.setFaults({});
    }
    assert.deepEqual(await readdir(dir), ["c.parquet"]);
  });
});
