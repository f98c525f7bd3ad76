/**
 * Every file the CLI writes (`--output`, `--save`, `--plot-out`, `run download`), attacked the
 * way a careless user and a failing network would: a fault-injected server that cuts every
 * download while the target file already exists, empty paths, missing directories, a chart
 * extension the CLI cannot write. The previous file must survive, no temporary file may remain,
 * bad paths must be usage errors (exit 2) before any request, and JSON output must carry the
 * `ok: false` envelope whatever the failure.
 */
import { after, afterEach, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CommandContext } from "../../src/cli/context.ts";
import { NO_COMMON } from "../../src/cli/options.ts";
import { InputReader } from "../../src/cli/prompt.ts";
import type { LocalServer } from "../../src/server/mod.ts";
import { captureIo, envelope, runCli, runPath, serverEnv, startTestServer } from "./_helpers.ts";

const OLD = "previous content: must survive a failed write\n";

describe("CLI output files", () => {
  let server: LocalServer;
  let env: Record<string, string>;
  let dir: string;
  let path: string;
  before(async () => {
    server = await startTestServer();
    env = serverEnv(server);
    dir = await mkdtemp(join(tmpdir(), "swanlab-ts-paths-"));
    path = runPath(server);
  });
  afterEach(() => server.setFaults({}));
  after(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** Files of a directory that are temporary leftovers of an atomic write. */
  async function leftovers(at: string): Promise<string[]> {
    const found: string[] = [];
    for (const entry of await readdir(at, { recursive: true })) {
      if (String(entry).endsWith(".tmp")) found.push(String(entry));
    }
    return found;
  }

  describe("a download cut by the server leaves the previous file and no partial file", () => {
    it("run export-csv --output", async () => {
      const target = join(dir, "loss.csv");
      await writeFile(target, OLD);
      server.setFaults({ truncateRate: 1 });
      const result = await runCli(
        ["run", "export-csv", path, "--keys", "train/loss", "--output", "loss.csv"],
        { env, cwd: dir },
      );
      assert.equal(result.code, 1, result.stderr);
      assert.equal(envelope(result).ok, false);
      assert.match(result.stderr, /^error: Cannot download file/m);
      assert.equal(await readFile(target, "utf8"), OLD);
      assert.deepEqual(await leftovers(dir), []);
    });

    it("run export-logs --output", async () => {
      const target = join(dir, "run.log");
      await writeFile(target, OLD);
      server.setFaults({ truncateRate: 1 });
      const result = await runCli(["run", "export-logs", path, "--output", "run.log"], {
        env,
        cwd: dir,
      });
      assert.equal(result.code, 1, result.stderr);
      assert.equal(envelope(result).ok, false);
      assert.equal(await readFile(target, "utf8"), OLD);
      assert.deepEqual(await leftovers(dir), []);
    });

    it("run download --out (metrics.csv, logs.log)", async () => {
      const out = join(dir, "dl");
      await mkdir(out);
      await writeFile(join(out, "metrics.csv"), OLD);
      await writeFile(join(out, "logs.log"), OLD);
      server.setFaults({ truncateRate: 1 });
      const result = await runCli(["run", "download", path, "--out", "dl", "--no-media"], {
        env,
        cwd: dir,
      });
      assert.equal(result.code, 1, result.stderr);
      assert.equal(envelope(result).ok, false);
      assert.equal(await readFile(join(out, "metrics.csv"), "utf8"), OLD);
      assert.equal(await readFile(join(out, "logs.log"), "utf8"), OLD);
      assert.deepEqual(await leftovers(dir), []);

      // The same command without faults replaces both files whole.
      server.setFaults({});
      const fine = await runCli(["run", "download", path, "--out", "dl", "--no-media"], {
        env,
        cwd: dir,
      });
      assert.equal(fine.code, 0, fine.stderr);
      const csv = await readFile(join(out, "metrics.csv"), "utf8");
      assert.ok(csv.startsWith("key,step,value,timestamp\n"));
      assert.equal(
        csv.trimEnd().split("\n").length - 1,
        (envelope(fine).data as {
          metrics: { points: number };
        }).metrics.points,
      );
      assert.deepEqual(await leftovers(dir), []);
    });
  });

  describe("bad output paths are usage errors (exit 2) before any request", () => {
    const cases: [string, string[]][] = [
      ["--output ''", ["run", "export-csv", "P", "--keys", "train/loss", "--output", ""]],
      ["--output in a missing directory", [
        "run",
        "export-logs",
        "P",
        "--output",
        "missing/run.log",
      ]],
      ["--output naming a directory", ["run", "export-logs", "P", "--output", "."]],
      ["--save ''", ["run", "info", "P", "--save", ""]],
      ["--save in a missing directory", ["run", "info", "P", "--save", "missing/out.json"]],
      ["--plot-out ''", ["run", "metrics", "P", "--keys", "train/loss", "--plot-out", ""]],
      ["--plot-out x.png", ["run", "metrics", "P", "--keys", "train/loss", "--plot-out", "x.png"]],
      ["--plot-out without extension", [
        "run",
        "metrics",
        "P",
        "--keys",
        "train/loss",
        "--plot-out",
        "chart",
      ]],
      ["--plot-out in a missing directory", [
        "run",
        "metrics",
        "P",
        "--keys",
        "train/loss",
        "--plot-out",
        "missing/x.svg",
      ]],
      ["run download --out ''", ["run", "download", "P", "--out", ""]],
      ["run download --out under a missing directory", [
        "run",
        "download",
        "P",
        "--out",
        "missing/deeper/dl",
      ]],
      ["run download --out naming a file", ["run", "download", "P", "--out", "a-file"]],
      ["export-csv several keys, --output naming a file", [
        "run",
        "export-csv",
        "P",
        "--keys",
        "train/loss,lr",
        "--output",
        "a-file",
      ]],
    ];
    for (const [name, argv] of cases) {
      it(name, async () => {
        const cwd = await mkdtemp(join(dir, "bad-"));
        await writeFile(join(cwd, "a-file"), OLD);
        const args = argv.map((arg) => arg === "P" ? path : arg);
        for (const json of [false, true]) {
          server.clearRequests();
          const result = await runCli(json ? [...args, "--json"] : args, {
            env,
            cwd,
            tty: json ? {} : { stdout: true },
          });
          assert.equal(result.code, 2, `${name}: ${result.stderr}`);
          assert.match(result.stderr, /^error: /m);
          assert.deepEqual(server.requests, [], `${name}: a request was sent`);
          if (json) {
            const failure = envelope(result);
            assert.equal(failure.ok, false);
            assert.equal(failure.data, null);
          } else assert.equal(result.stdout, "");
        }
        assert.deepEqual((await readdir(cwd)).sort(), ["a-file"]);
        assert.equal(await readFile(join(cwd, "a-file"), "utf8"), OLD);
      });
    }
  });

  describe("good output paths", () => {
    it("--plot-out x.svg writes an SVG chart and keeps the data output", async () => {
      const result = await runCli(
        ["run", "metrics", path, "--keys", "train/loss", "--plot-out", "chart.SVG"],
        { env, cwd: dir },
      );
      assert.equal(result.code, 0, result.stderr);
      assert.equal(envelope(result).ok, true);
      const svg = await readFile(join(dir, "chart.SVG"), "utf8");
      assert.match(svg, /<svg [^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
      assert.match(svg, /<\/svg>\s*$/);
    });

    it("run download --out creates one missing level, never its parents", async () => {
      const result = await runCli(["run", "download", path, "--out", "fresh", "--no-media"], {
        env,
        cwd: dir,
      });
      assert.equal(result.code, 0, result.stderr);
      assert.deepEqual((await readdir(join(dir, "fresh"))).sort(), [
        "logs.log",
        "metrics.csv",
        "run.json",
      ]);
    });

    it("a --save that fails after its check prints ok:false (never ok:true with exit 1)", async () => {
      const saveDir = join(dir, "vanishing");
      await mkdir(saveDir);
      const { io, stdout, stderr } = captureIo({ cwd: dir });
      const common = { ...NO_COMMON, save: "vanishing/out.json" };
      const ctx = new CommandContext(io, common, new InputReader(io.stdin), "user info");
      await ctx.prepare();
      await rm(saveDir, { recursive: true });
      const code = await ctx.emit({ ok: true, errmsg: "", data: { x: 1 } });
      assert.equal(code, 1);
      const failure = JSON.parse(stdout());
      assert.equal(failure.ok, false);
      assert.match(failure.errmsg, /^Cannot save output: /);
      assert.match(stderr(), /^error: Cannot save output: /m);
    });

    it("--save replaces an existing file whole", async () => {
      await writeFile(join(dir, "saved.json"), OLD);
      const result = await runCli(["user", "info", "--save", "saved.json"], { env, cwd: dir });
      assert.equal(result.code, 0, result.stderr);
      assert.deepEqual(
        JSON.parse(await readFile(join(dir, "saved.json"), "utf8")),
        envelope(result),
      );
      assert.deepEqual(await leftovers(dir), []);
    });
  });
});
