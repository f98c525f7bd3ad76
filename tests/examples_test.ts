/**
 * Runs every program in `examples/` as a user would (`deno run -A examples/<name>.ts`), as a
 * subprocess against the local server, with credentials from the environment only, and checks
 * what it prints and writes against values read independently through the library.
 *
 * Deno only: the examples are Deno programs.
 *
 * @module
 */

import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { Api, type FullPointJson, type Run } from "../mod.ts";
import { type DatasetRun, type LocalServer, startServer } from "../src/server/mod.ts";

const ROOT = new URL("../", import.meta.url);
const isDeno = typeof (globalThis as { Deno?: unknown }).Deno !== "undefined";
const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const SWEEP = "vision-lab/resnet-sweep";

/** What one example run printed. */
interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

describe("examples", { skip: !isDeno }, () => {
  let server: LocalServer;
  let api: Api;
  let home: string;
  let cwd: string;
  let denoDir: string;

  /** Runs `examples/<name>.ts` in `cwd`, with credentials from the environment only. */
  async function example(name: string, args: string[]): Promise<Result> {
    const output = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "--config", new URL("deno.json", ROOT).pathname, script(name), ...args],
      cwd,
      clearEnv: true,
      env: {
        SWANLAB_API_HOST: server.host,
        SWANLAB_API_KEY: server.apiKey,
        // No `.netrc` or saved login of the machine may leak in.
        HOME: home,
        SWANLAB_ROOT: home,
        DENO_DIR: denoDir,
        NO_COLOR: "1",
      },
      stdin: "null",
      signal: AbortSignal.timeout(60_000),
    }).output();
    const decoder = new TextDecoder();
    return {
      code: output.code,
      stdout: decoder.decode(output.stdout),
      stderr: decoder.decode(output.stderr),
    };
  }

  /** Every point of `key`, read through the library (the CSV export, full resolution). */
  async function allPoints(run: Run, key: string): Promise<FullPointJson[]> {
    const json = await run.metrics([key], { all: true });
    return json.list[0]!.metrics as FullPointJson[];
  }

  function sweepRuns(): readonly DatasetRun[] {
    return server.dataset.projects[SWEEP]!.runs;
  }

  before(async () => {
    server = await startServer({ runs: 6, steps: 120, logLines: 20 });
    api = new Api({ host: server.host, apiKey: server.apiKey, env: {} });
    home = await Deno.makeTempDir({ prefix: "swanlab-ts-examples-home-" });
    cwd = await Deno.makeTempDir({ prefix: "swanlab-ts-examples-cwd-" });
    denoDir = await currentDenoDir();
  });

  after(async () => {
    await server.close();
    await Deno.remove(home, { recursive: true });
    await Deno.remove(cwd, { recursive: true });
  });

  describe("compare_runs.ts", () => {
    it("ranks the runs by their minimum val/loss, as computed from every point", async () => {
      const expected: { name: string; best: number }[] = [];
      for (const run of sweepRuns()) {
        // SwanLab's statistics ignore NaN and ±Infinity.
        const values = (await allPoints(api.run(run.path), "val/loss"))
          .map((p) => p.value).filter(Number.isFinite);
        expected.push({ name: run.name, best: Math.min(...values) });
      }
      expected.sort((a, b) => a.best - b.best);

      const result = await example("compare_runs", [SWEEP]);
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stderr, "");
      assert.match(result.stdout, /6 of 6 runs ranked by min val\/loss/);
      assert.deepEqual(rankedNames(result.stdout), expected.map((e) => e.name));
      // The best value is printed with six significant digits.
      const first = result.stdout.split("\n").find((line) => line.startsWith("1 "))!;
      assert.ok(first.includes(String(Number(expected[0]!.best.toPrecision(6)))), first);
    });

    it("takes --metric, --max and --top", async () => {
      const expected: { name: string; best: number }[] = [];
      for (const run of sweepRuns()) {
        const values = (await allPoints(api.run(run.path), "val/acc"))
          .map((p) => p.value).filter(Number.isFinite);
        expected.push({ name: run.name, best: Math.max(...values) });
      }
      expected.sort((a, b) => b.best - a.best);

      const result = await example("compare_runs", [
        SWEEP,
        "--metric",
        "val/acc",
        "--max",
        "--top",
        "3",
      ]);
      assert.equal(result.code, 0, result.stderr);
      assert.deepEqual(rankedNames(result.stdout), expected.slice(0, 3).map((e) => e.name));
    });

    it("exits 1 with the server's message for a missing project", async () => {
      const result = await example("compare_runs", ["vision-lab/missing-project"]);
      assert.equal(result.code, 1);
      assert.equal(result.stdout, "");
      assert.match(result.stderr, /^error: Project "vision-lab\/missing-project" not found/);
    });

    it("exits 2 with the usage for an invalid option", async () => {
      const result = await example("compare_runs", ["--top", "zero"]);
      assert.equal(result.code, 2);
      assert.match(result.stderr, /Cannot parse --top "zero"/);
      assert.match(result.stderr, /Usage: deno run -A examples\/compare_runs\.ts/);
    });
  });

  describe("export_project_csv.ts", () => {
    it("writes every point of every run as run,key,step,value,timestamp rows", async () => {
      const keys = ["train/loss", "val/loss"];
      const result = await example("export_project_csv", [
        SWEEP,
        "--keys",
        keys.join(","),
        "--output",
        "sweep.csv",
      ]);
      assert.equal(result.code, 0, result.stderr);
      const lines = (await Deno.readTextFile(`${cwd}/sweep.csv`)).split("\n");
      assert.equal(lines.pop(), ""); // the file ends with a newline
      assert.equal(lines[0], "run,key,step,value,timestamp");
      const rows = lines.slice(1).map((line) => line.split(","));
      assert.ok(rows.every((row) => row.length === 5));
      // The summary line counts exactly the rows written.
      assert.match(
        result.stdout,
        new RegExp(`Exported ${rows.length} points \\(6 runs, 2 keys\\)`),
      );
      // Written through AtomicFile: no temporary file is left beside it.
      for await (const entry of Deno.readDir(cwd)) {
        assert.ok(!entry.name.endsWith(".tmp"), `left behind: ${entry.name}`);
      }

      // Every run and key is complete: compared point by point with run.metrics({ all: true }).
      for (const run of [sweepRuns()[0]!, sweepRuns()[3]!]) {
        for (const key of keys) {
          const points = await allPoints(api.run(run.path), key);
          const exported = rows.filter((row) => row[0] === run.name && row[1] === key);
          assert.equal(exported.length, points.length, `${run.name} ${key}`);
          assert.deepEqual(
            exported.map(([, , step, value, timestamp]) => [step, value, timestamp]),
            points.map((p) => [String(p.step), csvValue(p.value), String(p.timestamp ?? "")]),
          );
        }
      }
      let total = 0;
      for (const run of sweepRuns()) {
        for (const key of keys) total += (await allPoints(api.run(run.path), key)).length;
      }
      assert.equal(rows.length, total);
    });

    it("keeps the previous file when the export fails, and checks the path before any request", async () => {
      const target = `${cwd}/kept.csv`;
      await Deno.writeTextFile(target, "previous export\n");
      server.setFaults({ truncateRate: 1 });
      try {
        const cut = await example("export_project_csv", [SWEEP, "--keys", "lr", "-o", "kept.csv"]);
        assert.equal(cut.code, 1, cut.stderr);
      } finally {
        server.setFaults({});
      }
      assert.equal(await Deno.readTextFile(target), "previous export\n");
      for await (const entry of Deno.readDir(cwd)) {
        assert.ok(!entry.name.endsWith(".tmp"), `left behind: ${entry.name}`);
      }
      server.clearRequests();
      const missing = await example("export_project_csv", [SWEEP, "-o", "no/such/dir.csv"]);
      assert.equal(missing.code, 2);
      assert.match(missing.stderr, /^error: Cannot write to "no\/such\/dir\.csv"/);
      assert.deepEqual(server.requests, []);
    });

    it("names the file after the project by default", async () => {
      const result = await example("export_project_csv", ["alice/mnist-baseline", "--keys", "lr"]);
      assert.equal(result.code, 0, result.stderr);
      const text = await Deno.readTextFile(`${cwd}/alice-mnist-baseline-metrics.csv`);
      assert.ok(text.startsWith("run,key,step,value,timestamp\n"));
      assert.match(result.stdout, /\(3 runs, 1 keys\) to alice-mnist-baseline-metrics\.csv/);
    });
  });

  describe("follow_run.ts", () => {
    it("--once prints the latest step and values of the newest running run", async () => {
      const running = sweepRuns()
        .filter((run) => run.state === "RUNNING")
        .sort((a, b) => b.createdAt.localeCompare(a.createdAt))[0]!;
      const points = await allPoints(api.run(running.path), "train/loss");
      const last = points.at(-1)!;

      const result = await example("follow_run", [SWEEP, "--once"]);
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, new RegExp(`^Following ${running.name} \\(`));
      const lines = result.stdout.trimEnd().split("\n");
      assert.equal(lines.length, 2, result.stdout);
      assert.match(lines[1]!, /^\d\d:\d\d:\d\d {2}RUNNING {3}/);
      assert.ok(lines[1]!.includes(`step ${last.step} `), lines[1]);
      assert.ok(
        lines[1]!.includes(`train/loss=${String(Number(last.value.toPrecision(6)))}`),
        lines[1],
      );
    });

    it("stops after the first poll when the run is not running", async () => {
      const finished = sweepRuns().find((run) => run.state === "FINISHED")!;
      const last = (await allPoints(api.run(finished.path), "val/acc")).at(-1)!;

      const result = await example("follow_run", [
        finished.path,
        "--keys",
        "val/acc",
        "--iterations",
        "3",
        "--interval",
        "0.05",
      ]);
      assert.equal(result.code, 0, result.stderr);
      const lines = result.stdout.trimEnd().split("\n");
      assert.equal(lines.length, 3, result.stdout);
      assert.ok(lines[1]!.includes(`FINISHED  step ${last.step}  val/acc=`), lines[1]);
      assert.equal(lines[2], "The run is FINISHED: nothing more to follow.");
    });

    it("exits 1 with the server's message for a missing run", async () => {
      const result = await example("follow_run", [`${SWEEP}/no-such-run`, "--once"]);
      assert.equal(result.code, 1);
      assert.match(result.stderr, /^error: Run "no-such-run" not found/);
    });
  });

  describe("download_media.ts", () => {
    it("downloads every media file of every step as PNGs, without credentials", async () => {
      const run = sweepRuns()[1]!;
      const media = await api.run(run.path).medias(["samples/image"], { all: true });
      const expected = media.list[0]!.metrics.flatMap(({ index: step, items }) =>
        items.map((_, i) => `samples_image/step${String(step).padStart(6, "0")}_${i}.png`)
      );
      assert.ok(expected.length > 0);
      server.clearRequests();

      const result = await example("download_media", [run.path, "--output", "media-out"]);
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, new RegExp(`Downloaded ${expected.length} files \\(`));
      const files = await listFiles(`${cwd}/media-out`);
      assert.deepEqual(files.sort(), expected.sort());
      for (const file of files) {
        const bytes = await Deno.readFile(`${cwd}/media-out/${file}`);
        assert.deepEqual([...bytes.subarray(0, 8)], PNG_SIGNATURE, file);
      }
      // Storage saw one GET per file, and never a credential.
      const downloads = server.requests.filter((r) => r.origin === "storage");
      assert.equal(downloads.length, expected.length);
      for (const request of downloads) {
        assert.equal(request.headers["authorization"], undefined);
        assert.equal(request.headers["cookie"], undefined);
      }
    });

    it("picks the newest run of a project and its media keys by default", async () => {
      const newest = [...sweepRuns()].sort((a, b) => b.createdAt.localeCompare(a.createdAt))[0]!;
      const result = await example("download_media", [SWEEP]);
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, new RegExp(`^${newest.name} \\(.*under samples/image\\n`));
      const files = await listFiles(`${cwd}/media/${newest.name}`);
      assert.ok(files.length > 0);
    });
  });
});

function script(name: string): string {
  return new URL(`examples/${name}.ts`, ROOT).pathname;
}

/** The run names of a ranked table, in order (rows start with their rank). */
function rankedNames(stdout: string): string[] {
  return stdout.split("\n").flatMap((line) => {
    const match = /^\d+\s+(\S+)/.exec(line);
    return match ? [match[1]!] : [];
  });
}

/** A value as the CSV export example writes it. */
function csvValue(value: number): string {
  if (value === Infinity) return "INF";
  if (value === -Infinity) return "-INF";
  return String(value);
}

/** Paths of the files under `dir`, relative to it, with `/` separators. */
async function listFiles(dir: string, prefix = ""): Promise<string[]> {
  const out: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    if (entry.isDirectory) {
      out.push(...await listFiles(`${dir}/${entry.name}`, `${prefix}${entry.name}/`));
    } else out.push(`${prefix}${entry.name}`);
  }
  return out;
}

/** The cache directory of the running Deno, so subprocesses with a fresh HOME reuse it. */
async function currentDenoDir(): Promise<string> {
  const fromEnv = Deno.env.get("DENO_DIR");
  if (fromEnv) return fromEnv;
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json"],
    stdout: "piped",
    stderr: "null",
  }).output();
  return JSON.parse(new TextDecoder().decode(output.stdout)).denoDir;
}
