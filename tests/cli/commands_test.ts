// deno-lint-ignore-file no-control-regex -- the tests look for ANSI escapes
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Api, ConnectionError } from "../../mod.ts";
import type { LocalServer } from "../../src/server/mod.ts";
import { SDK_JSON_KEYS } from "../_helpers/sdk_json_keys.ts";
import { envelope, runCli, runPath, serverEnv, startTestServer } from "./_helpers.ts";

/** A minimal RFC 4180 parser (quoted fields may hold commas, quotes and newlines). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      row.push(field);
      field = "";
    } else if (c === "\n") {
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
    } else field += c;
  }
  if (field !== "" || row.length > 0) rows.push([...row, field]);
  return rows;
}

const FINISHED = '[{"key":"state","type":"STABLE","op":"EQ","value":["FINISHED"]}]';

describe("swanlab-ts commands against the local server", () => {
  let server: LocalServer;
  let env: Record<string, string>;
  let api: Api;
  let dir: string;
  let path: string;

  before(async () => {
    server = await startTestServer();
    env = serverEnv(server);
    api = new Api({ host: server.host, apiKey: server.apiKey, env: {} });
    dir = await mkdtemp(join(tmpdir(), "swanlab-ts-cli-"));
    path = runPath(server);
  });
  after(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** Runs a command that must succeed, returning its envelope's data. */
  async function ok(argv: string[], extra: Parameters<typeof runCli>[1] = {}): Promise<unknown> {
    const result = await runCli(argv, { env, cwd: dir, ...extra });
    const parsed = envelope(result);
    assert.equal(result.code, 0, `${argv.join(" ")}: ${result.stderr}`);
    assert.equal(parsed.ok, true);
    assert.equal(parsed.errmsg, "");
    assert.doesNotMatch(result.stderr, /error/i, argv.join(" "));
    return parsed.data;
  }

  const keysOf = (value: unknown) => Object.keys(value as object);

  describe("user and workspace", () => {
    it("user info prints the Python envelope with the user's JSON", async () => {
      const data = await ok(["user", "info"]);
      assert.deepEqual(keysOf(data), SDK_JSON_KEYS.user);
      assert.deepEqual(data, await api.user().json());
    });

    it("workspace info defaults to the logged-in user and takes a USERNAME", async () => {
      const mine = await ok(["workspace", "info"]);
      assert.deepEqual(keysOf(mine), SDK_JSON_KEYS.workspace);
      assert.equal((mine as { username: string }).username, "alice");
      const team = await ok(["workspace", "info", "vision-lab"]);
      assert.deepEqual(team, await api.workspace("vision-lab").json());
    });

    it("workspace list prints the username and every workspace", async () => {
      const data = await ok(["workspace", "list"]) as { username: string; list: unknown[] };
      assert.equal(data.username, "alice");
      assert.deepEqual(
        data.list.map((w) => (w as { username: string }).username).sort(),
        ["alice", "vision-lab"],
      );
      for (const item of data.list) assert.deepEqual(keysOf(item), SDK_JSON_KEYS.workspace);
    });
  });

  describe("project", () => {
    it("project info prints the project's JSON", async () => {
      const data = await ok(["project", "info", "vision-lab/resnet-sweep"]);
      assert.deepEqual(keysOf(data), SDK_JSON_KEYS.project);
      assert.deepEqual(data, await api.project("vision-lab/resnet-sweep").json());
    });

    it("project list prints the page-info dict, for the logged-in user by default", async () => {
      const data = await ok(["project", "list"]) as { list: { path: string }[] };
      assert.deepEqual(keysOf(data), SDK_JSON_KEYS.pageInfo);
      assert.deepEqual(data, await api.projects("alice", { size: 20 }).json());
      assert.ok(data.list.every((p) => p.path.startsWith("alice/")));
    });

    it("project list accepts snake_case and kebab-case spellings alike", async () => {
      const snake = await ok([
        "project",
        "list",
        "--workspace",
        "vision-lab",
        "--page_num",
        "1",
        "--page_size",
        "10",
      ]);
      const kebab = await ok([
        "project",
        "list",
        "--workspace",
        "vision-lab",
        "--page-num",
        "1",
        "--page-size",
        "10",
      ]);
      const short = await ok([
        "project",
        "list",
        "--workspace",
        "vision-lab",
        "-n",
        "1",
        "-s",
        "10",
      ]);
      assert.deepEqual(snake, kebab);
      assert.deepEqual(snake, short);
      assert.equal((snake as { size: number }).size, 10);
    });
  });

  describe("run: info, list, filter, series", () => {
    it("run info prints the run's JSON", async () => {
      const data = await ok(["run", "info", path]);
      assert.deepEqual(keysOf(data), SDK_JSON_KEYS.run);
      assert.deepEqual(data, await api.run(path).json());
    });

    it("run list pages and --all fetches everything", async () => {
      const page = await ok(["run", "list", "vision-lab/resnet-sweep", "-s", "10", "-n", "1"]) as {
        total: number;
        pages: number;
        list: unknown[];
      };
      assert.deepEqual(keysOf(page), SDK_JSON_KEYS.pageInfo);
      assert.equal(page.total, 6);
      assert.equal(page.list.length, 6);
      for (const run of page.list) assert.deepEqual(keysOf(run), SDK_JSON_KEYS.run);
      const all = await ok([
        "run",
        "list",
        "vision-lab/resnet-sweep",
        "--all",
        "--page_size",
        "10",
      ]);
      assert.deepEqual(
        all,
        await api.runsGet("vision-lab/resnet-sweep", { size: 10, all: true }).json(),
      );
    });

    it("run filter takes inline JSON or a file, and returns what the library returns", async () => {
      const inline = await ok(["run", "filter", "vision-lab/resnet-sweep", "-f", FINISHED]) as {
        list: { state: string }[];
      };
      assert.deepEqual(keysOf(inline), SDK_JSON_KEYS.pageInfo);
      assert.ok(inline.list.length > 0);
      assert.ok(inline.list.every((r) => r.state === "FINISHED"));
      await writeFile(join(dir, "filters.json"), FINISHED);
      const fromFile = await ok([
        "run",
        "filter",
        "vision-lab/resnet-sweep",
        "--filter_query",
        "filters.json",
      ]);
      assert.deepEqual(fromFile, inline);
      assert.deepEqual(
        inline,
        await api.runs("vision-lab/resnet-sweep", { filters: JSON.parse(FINISHED) }).json(),
      );
    });

    it("run series lists keys, with case-insensitive --type and --class", async () => {
      const scalar = await ok(["run", "series", path]) as { keys: string[] };
      assert.deepEqual(keysOf(scalar), SDK_JSON_KEYS.series);
      assert.ok(scalar.keys.includes("train/loss"));
      const media = await ok(["run", "series", path, "--type", "media"]) as {
        keys: string[];
        metricType: string;
      };
      assert.equal(media.metricType, "MEDIA");
      assert.ok(media.keys.length > 0);
      const system = await ok(["run", "series", path, "--class", "System"]) as { keys: string[] };
      assert.ok(system.keys.every((k) => k.startsWith("__swanlab__")));
      const search = await ok(["run", "series", path, "--search", "LOSS"]) as { keys: string[] };
      assert.deepEqual(search.keys.sort(), ["train/loss", "val/loss"]);
    });
  });

  describe("run metrics", () => {
    it("prints sampled metrics with stats, as the library returns them", async () => {
      const data = await ok([
        "run",
        "metrics",
        path,
        "--keys",
        "train/loss, val/loss",
        "-s",
        "50",
      ]) as {
        list: { key: string; metrics: unknown[] }[];
      };
      assert.deepEqual(keysOf(data), SDK_JSON_KEYS.metrics);
      assert.deepEqual(data.list.map((e) => e.key), ["train/loss", "val/loss"]);
      assert.ok(data.list[0]!.metrics.length <= 50);
      assert.deepEqual(
        data,
        await api.run(path).metrics(["train/loss", "val/loss"], {
          sample: 50,
          onWarning: () => {},
        }),
      );
    });

    it("--all reads every point; --range-* selects a range; --ignore-timestamp drops timestamps", async () => {
      const all = await ok(["run", "metrics", path, "--keys", "train/loss", "--all"]) as {
        list: { metrics: { step: number; timestamp?: number }[] }[];
      };
      assert.equal(all.list[0]!.metrics.length, 200);
      const range = await ok([
        "run",
        "metrics",
        path,
        "--keys",
        "train/loss",
        "--range-start",
        "10",
        "--range_end",
        "19",
        "--ignore-timestamp",
      ]) as typeof all;
      assert.deepEqual(range.list[0]!.metrics.map((p) => p.step), [
        10,
        11,
        12,
        13,
        14,
        15,
        16,
        17,
        18,
        19,
      ]);
      assert.ok(range.list[0]!.metrics.every((p) => !("timestamp" in p)));
      const tail = await ok([
        "run",
        "metrics",
        path,
        "--keys",
        "train/loss",
        "--range-tail",
        "3",
      ]) as typeof all;
      assert.deepEqual(tail.list[0]!.metrics.map((p) => p.step), [197, 198, 199]);
    });

    it("--format csv and jsonl print one row per point", async () => {
      const csv = await runCli([
        "run",
        "metrics",
        path,
        "--keys",
        "train/loss",
        "--all",
        "--format",
        "csv",
      ], { env });
      assert.equal(csv.code, 0);
      const lines = csv.stdout.trimEnd().split("\n");
      assert.equal(lines[0], "key,step,value,timestamp");
      assert.equal(lines.length, 201);
      assert.match(lines[1]!, /^train\/loss,0,[-\d.e]+,\d+$/);
      const jsonl = await runCli([
        "run",
        "metrics",
        path,
        "--keys",
        "train/loss,lr",
        "--all",
        "--format",
        "jsonl",
      ], { env });
      const rows = jsonl.stdout.trimEnd().split("\n").map((l) => JSON.parse(l));
      assert.equal(rows.length, 400);
      assert.deepEqual(Object.keys(rows[0]), ["key", "step", "value", "timestamp"]);
    });

    it("--plot draws a chart on stdout; --plot-out writes an SVG", async () => {
      const plot = await runCli(
        [
          "run",
          "metrics",
          path,
          "--keys",
          "train/loss,val/loss",
          "--plot",
          "--plot-height",
          "8",
          "--plot-out",
          "chart.svg",
        ],
        { env, cwd: dir, columns: 90 },
      );
      assert.equal(plot.code, 0, plot.stderr);
      const lines = plot.stdout.trimEnd().split("\n");
      assert.ok(lines.every((l) => l.length <= 90));
      assert.match(plot.stdout, /┤/);
      assert.match(plot.stdout, /└[─┬]+/);
      assert.match(plot.stdout, /train\/loss/);
      assert.match(plot.stdout, /val\/loss/);
      assert.doesNotMatch(plot.stdout, /\x1b/);
      assert.match(plot.stderr, /Saved chart to chart\.svg/);
      const svg = await readFile(join(dir, "chart.svg"), "utf8");
      assert.equal(svg.match(/<polyline /g)?.length, 2);
    });

    it("warns on stderr, not stdout, when --sample is clamped", async () => {
      const result = await runCli(["run", "metrics", path, "--keys", "lr", "-s", "5000"], { env });
      assert.equal(result.code, 0);
      envelope(result);
      assert.match(result.stderr, /1500/);
    });
  });

  describe("run summary, medias, logs, exports, download", () => {
    it("run summary prints per-key stats; --keys selects", async () => {
      const data = await ok(["run", "summary", path]) as Record<string, unknown>;
      assert.ok("train/loss" in data && "val/acc" in data);
      assert.deepEqual(data, await api.run(path).summary());
      const some = await ok(["run", "summary", path, "--keys", "lr"]);
      assert.deepEqual(keysOf(some), ["lr"]);
      // An empty --keys is a usage error, as in every command; leaving it out reads every key.
      const empty = await runCli(["run", "summary", path, "--keys", ""], { env });
      assert.equal(empty.code, 2);
      assert.match(empty.stderr, /no valid keys provided.*leave --keys out for every key/);
    });

    it("run medias reads one step (-s) or every step (--all)", async () => {
      const step = server.dataset.mediaSteps[1]!;
      const key = server.dataset.mediaKeys[0]!;
      const one = await ok(["run", "medias", path, "--keys", key, "-s", String(step)]) as {
        list: { metrics: { index: number; items: { url: string }[] }[]; step: number }[];
      };
      assert.deepEqual(keysOf(one), SDK_JSON_KEYS.metrics);
      assert.equal(one.list[0]!.step, step);
      assert.equal(one.list[0]!.metrics[0]!.items.length, server.dataset.imagesPerStep);
      const all = await ok(["run", "medias", path, "--keys", key, "--all"]) as typeof one;
      assert.equal(all.list[0]!.metrics.length, server.dataset.mediaSteps.length);
    });

    it("run logs reads a shard, with case-insensitive --level", async () => {
      const data = await ok(["run", "logs", path, "-l", "warn", "--ignore-timestamp"]) as {
        logs: { level: string; timestamp?: string }[];
      };
      assert.deepEqual(keysOf(data), SDK_JSON_KEYS.logs);
      assert.ok(data.logs.length > 0);
      assert.ok(data.logs.every((l) => l.level === "WARN" || l.level === "ERROR"));
      assert.ok(data.logs.every((l) => !("timestamp" in l)));
      assert.deepEqual(
        await ok(["run", "logs", path, "--level", "ERROR", "-o", "0"]),
        await api.run(path).logs({ level: "ERROR", offset: 0 }),
      );
    });

    it("run export-logs prints {url} and --output downloads the file", async () => {
      const data = await ok([
        "run",
        "export-logs",
        path,
        "--start",
        "2",
        "-r",
        "5",
        "--output",
        "run.log",
      ]) as {
        url: string;
      };
      assert.deepEqual(keysOf(data), ["url"]);
      assert.ok(data.url.startsWith(server.storageOrigin));
      const text = await readFile(join(dir, "run.log"), "utf8");
      assert.equal(text.trimEnd().split("\n").length, 5);
    });

    it("run export-csv prints {url} (one key) or {urls} (several); --output downloads", async () => {
      const one = await ok([
        "run",
        "export-csv",
        path,
        "--keys",
        "train/loss",
        "--output",
        "loss.csv",
      ]) as {
        url: string;
      };
      assert.ok(one.url.startsWith(server.storageOrigin));
      const csv = await readFile(join(dir, "loss.csv"), "utf8");
      assert.equal(csv.trimEnd().split("\n").length, 201);
      const many = await ok([
        "run",
        "export-csv",
        path,
        "--keys",
        "train/loss,lr",
        "--output",
        "csvs",
      ]) as {
        urls: Record<string, string>;
      };
      assert.deepEqual(Object.keys(many.urls), ["train/loss", "lr"]);
      assert.deepEqual((await readdir(join(dir, "csvs"))).sort(), ["lr.csv", "train_loss.csv"]);
      const missing = await runCli(["run", "export-csv", path, "--keys", "nope"], { env });
      assert.equal(missing.code, 1);
      assert.equal(envelope(missing).ok, false);
    });

    it("run download writes run.json, metrics.csv, logs.log and media files", async () => {
      const data = await ok(["run", "download", path, "--out", "dl"]) as {
        metrics: { points: number; keys: string[] };
        logs: { bytes: number };
        media: { files: number };
      };
      const keys = server.dataset.scalarKeys;
      assert.deepEqual(data.metrics.keys, keys);
      const csv = (await readFile(join(dir, "dl", "metrics.csv"), "utf8")).trimEnd().split("\n");
      assert.equal(csv[0], "key,step,value,timestamp");
      assert.equal(csv.length - 1, data.metrics.points);
      let expected = 0;
      for (const key of keys) expected += Math.ceil(200 / (server.dataset.keyEvery[key] ?? 1));
      assert.equal(data.metrics.points, expected);
      assert.ok(data.logs.bytes > 0);
      assert.equal(
        data.media.files,
        server.dataset.mediaKeys.length * server.dataset.mediaSteps.length *
          server.dataset.imagesPerStep,
      );
      const run = JSON.parse(await readFile(join(dir, "dl", "run.json"), "utf8"));
      assert.deepEqual(Object.keys(run), SDK_JSON_KEYS.run);
      const media = await readdir(join(dir, "dl", "media"));
      assert.equal(media.length, server.dataset.mediaKeys.length);
    });

    it("run download --keys picks scalar and media keys; --no-logs and --no-media skip", async () => {
      const key = server.dataset.mediaKeys[0]!;
      const data = await ok([
        "run",
        "download",
        path,
        "--keys",
        `lr,${key}`,
        "-o",
        "dl2",
        "--no-logs",
      ]) as {
        metrics: { keys: string[] };
        logs: unknown;
        media: { keys: string[] };
      };
      assert.deepEqual(data.metrics.keys, ["lr"]);
      assert.deepEqual(data.media.keys, [key]);
      assert.equal(data.logs, null);
      const bare = await ok([
        "run",
        "download",
        path,
        "--keys",
        "lr",
        "-o",
        "dl3",
        "--no-media",
        "--no-logs",
      ]) as {
        media: unknown;
      };
      assert.equal(bare.media, null);
    });
  });

  describe("deprecated columns", () => {
    it("run columns and run column work and print a deprecation notice on stderr only", async () => {
      const list = await runCli(["run", "columns", path, "--search", "loss"], { env });
      assert.equal(list.code, 0);
      const data = envelope(list).data as { list: unknown[] };
      assert.deepEqual(keysOf(data), SDK_JSON_KEYS.pageInfo);
      for (const column of data.list) assert.deepEqual(keysOf(column), SDK_JSON_KEYS.column);
      assert.match(list.stderr, /deprecated/);
      const one = await runCli(["run", "column", path, "--key", "train/loss", "--type", "float"], {
        env,
      });
      assert.equal(one.code, 0);
      assert.deepEqual(keysOf(envelope(one).data), SDK_JSON_KEYS.column);
      assert.match(one.stderr, /deprecated.*run series/);
    });
  });

  describe("self-hosted", () => {
    it("info and the lists print {list: [...]} as the Python CLI", async () => {
      const info = await ok(["self-hosted", "info"]);
      assert.deepEqual(keysOf(info), SDK_JSON_KEYS.selfHosted);
      for (const command of ["list-users", "list-projects", "list-workspaces"]) {
        const data = await ok(["self-hosted", command, "--all"]) as { list: unknown[] };
        assert.deepEqual(keysOf(data), ["list"], command);
        assert.ok(data.list.length > 0, command);
      }
      const users = await ok(["self_hosted", "list_users"]) as { list: { username: string }[] };
      assert.ok(users.list.some((u) => u.username === "bob"));
      const projects = await ok(["self-hosted", "list-projects", "--workspace", "vision-lab"]) as {
        list: { path: string }[];
      };
      assert.ok(projects.list.every((p) => p.path.startsWith("vision-lab/")));
      const summary = await ok(["self-hosted", "summary"]);
      assert.equal(typeof summary, "object");
    });

    it("rejects a page size the server does not accept (exit 2)", async () => {
      const result = await runCli(["self-hosted", "list-users", "-s", "7"], { env });
      assert.equal(result.code, 2);
      assert.equal(envelope(result).ok, false);
    });

    it("fails with ok:false (exit 1) for a user who is not root", async () => {
      const bob = server.users.find((u) => u.username === "bob")!;
      const result = await runCli(["self-hosted", "list-users"], {
        env: { ...env, SWANLAB_API_KEY: bob.apiKey },
      });
      assert.equal(result.code, 1);
      assert.equal(envelope(result).ok, false);
      assert.match(result.stderr, /^error: /m);
    });
  });

  describe("output", () => {
    it("prints a table on a terminal and JSON with --json or when piped", async () => {
      const tty = await runCli(["project", "list", "--workspace", "vision-lab"], {
        env: { ...env, NO_COLOR: "1" },
        tty: { stdout: true, stderr: true },
      });
      assert.equal(tty.code, 0);
      assert.match(tty.stdout, /^path\s+visibility\s+runs\s+description/);
      assert.match(tty.stdout, /vision-lab\/resnet-sweep/);
      assert.doesNotMatch(tty.stdout, /\x1b/);
      const json = await runCli(["project", "list", "--workspace", "vision-lab", "--json"], {
        env,
        tty: { stdout: true },
      });
      envelope(json);
    });

    it("colours tables on a terminal unless NO_COLOR, --no-color or TERM=dumb", async () => {
      const argv = ["user", "info"];
      const colored = await runCli(argv, { env, tty: { stdout: true, stderr: true } });
      assert.match(colored.stdout, /\x1b\[1m/);
      for (
        const variant of [
          { argv: [...argv, "--no-color"], env },
          { argv, env: { ...env, NO_COLOR: "1" } },
          { argv, env: { ...env, TERM: "dumb" } },
        ]
      ) {
        const result = await runCli(variant.argv, {
          env: variant.env,
          tty: { stdout: true, stderr: true },
        });
        assert.doesNotMatch(result.stdout + result.stderr, /\x1b/);
        assert.match(result.stdout, /username\s+alice/);
      }
    });

    it("--format table/csv/jsonl work when piped, and json prints the envelope on a terminal", async () => {
      const table = await runCli(["run", "list", "vision-lab/resnet-sweep", "--format", "table"], {
        env,
      });
      assert.match(table.stdout, /^id\s+name\s+state/);
      const csv = await runCli(["run", "list", "vision-lab/resnet-sweep", "--format", "csv"], {
        env,
      });
      const [header, ...rows] = parseCsv(csv.stdout);
      assert.ok(header!.includes("name") && header!.includes("profile.config.lr"));
      assert.equal(rows.length, 6);
      assert.ok(rows.every((row) => row.length === header!.length));
      const jsonl = await runCli(["workspace", "list", "--format", "jsonl"], { env });
      assert.equal(jsonl.stdout.trimEnd().split("\n").length, 2);
      const json = await runCli(["user", "info", "--format", "json"], {
        env,
        tty: { stdout: true },
      });
      envelope(json);
    });

    it("shows a progress bar on a terminal's stderr for --all paging, never on stdout", async () => {
      const tty = await runCli(["run", "list", "vision-lab/resnet-sweep", "--all", "-s", "10"], {
        env: { ...serverEnv(server), NO_COLOR: "1" },
        tty: { stderr: true },
      });
      envelope(tty);
      const piped = await runCli(["run", "download", path, "--out", "dl-progress", "--no-media"], {
        env,
        cwd: dir,
      });
      envelope(piped);
      assert.doesNotMatch(piped.stderr, /\r/);
      const bar = await runCli(["run", "download", path, "--out", "dl-progress2", "--no-media"], {
        env,
        cwd: dir,
        tty: { stderr: true },
      });
      envelope(bar);
      assert.match(bar.stderr, /\r/);
      assert.match(bar.stderr, /Metrics: .* points of/);
    });

    it("--save writes the envelope: bare --save picks a name, .txt is skipped with a warning", async () => {
      const saveDir = await mkdtemp(join(dir, "save-"));
      const bare = await runCli(["user", "info", "--save"], { env, cwd: saveDir });
      assert.equal(bare.code, 0);
      const [auto] = await readdir(saveDir);
      assert.match(auto!, /^swanlab-\d{8}_\d{6}-[a-z0-9]{4}\.json$/);
      assert.match(bare.stderr, new RegExp(`Saved to ${auto}`));
      assert.deepEqual(JSON.parse(await readFile(join(saveDir, auto!), "utf8")), envelope(bare));
      assert.doesNotMatch(bare.stdout, /Saved to/);

      const named = await runCli(["user", "info", "--save", "me.json", "--format", "table"], {
        env,
        cwd: saveDir,
      });
      assert.equal(named.code, 0);
      assert.equal(JSON.parse(await readFile(join(saveDir, "me.json"), "utf8")).ok, true);

      const skipped = await runCli(["user", "info", "--save", "me.txt"], { env, cwd: saveDir });
      assert.equal(skipped.code, 0);
      assert.match(skipped.stderr, /warning: unsupported file extension \.txt, skipped saving/);
      assert.equal((await readdir(saveDir)).includes("me.txt"), false);
    });

    it("--save also saves failures", async () => {
      const saveDir = await mkdtemp(join(dir, "save-fail-"));
      const result = await runCli([
        "project",
        "info",
        "alice/does-not-exist",
        "--save",
        "fail.json",
      ], {
        env,
        cwd: saveDir,
      });
      assert.equal(result.code, 1);
      const saved = JSON.parse(await readFile(join(saveDir, "fail.json"), "utf8"));
      assert.equal(saved.ok, false);
      assert.deepEqual(saved, envelope(result));
    });
  });

  describe("errors and secrets", () => {
    it("a rejected API key exits 1 with ok:false on stdout and error: on stderr", async () => {
      const result = await runCli(["user", "info"], {
        env: { ...env, SWANLAB_API_KEY: "wrong-key-123" },
      });
      assert.equal(result.code, 1);
      const parsed = envelope(result);
      assert.deepEqual(parsed.data, null);
      assert.equal(parsed.ok, false);
      assert.match(parsed.errmsg, /401|1001|Invalid/i);
      assert.match(result.stderr, /^error: /m);
      assert.doesNotMatch(result.stdout + result.stderr, /wrong-key-123/);
    });

    it("no API key at all exits 1 with ok:false", async () => {
      const noKey = { ...env };
      delete (noKey as Record<string, string | undefined>)["SWANLAB_API_KEY"];
      const result = await runCli(["user", "info"], { env: noKey });
      assert.equal(result.code, 1);
      assert.equal(envelope(result).ok, false);
      assert.match(result.stderr, /No API key/);
    });

    it("a missing run exits 1 with ok:false", async () => {
      const result = await runCli(["run", "info", "vision-lab/resnet-sweep/nope"], { env });
      assert.equal(result.code, 1);
      assert.equal(envelope(result).ok, false);
    });

    it("prints failures only on stderr for non-JSON formats", async () => {
      const result = await runCli([
        "run",
        "info",
        "vision-lab/resnet-sweep/nope",
        "--format",
        "table",
      ], { env });
      assert.equal(result.code, 1);
      assert.equal(result.stdout, "");
      assert.match(result.stderr, /^error: .*404/m);
    });

    it("an unreachable host exits 1 with ok:false", async () => {
      const result = await runCli(["user", "info", "--host", "http://127.0.0.1:9"], { env });
      assert.equal(result.code, 1);
      assert.equal(envelope(result).ok, false);
    });

    it("--host with --api-key-stdin reads the key from standard input", async () => {
      const result = await runCli(["user", "info", "--host", server.host, "--api-key-stdin"], {
        env: { SWANLAB_ROOT: "/nonexistent-root", HOME: "/nonexistent-home" },
        stdin: `${server.apiKey}\n`,
      });
      assert.equal(result.code, 0, result.stderr);
      assert.equal((envelope(result).data as { username: string }).username, "alice");
      assert.doesNotMatch(result.stdout + result.stderr, new RegExp(server.apiKey));
    });

    it("--api-key works but warns about shell history, without echoing the key", async () => {
      const result = await runCli(["user", "info", "--host", server.host, "-k", server.apiKey], {
        env: { SWANLAB_ROOT: "/nonexistent-root", HOME: "/nonexistent-home" },
      });
      assert.equal(result.code, 0);
      assert.match(result.stderr, /warning: --api-key exposes the key in shell history/);
      assert.doesNotMatch(result.stdout + result.stderr, new RegExp(server.apiKey));
      const snake = await runCli([
        "user",
        "info",
        "--host",
        server.host,
        "--api_key",
        server.apiKey,
      ], {
        env: { SWANLAB_ROOT: "/nonexistent-root", HOME: "/nonexistent-home" },
      });
      assert.equal(snake.code, 0);
    });

    it("--api-key-stdin with empty input is a usage error", async () => {
      const result = await runCli(["user", "info", "--api-key-stdin"], { env, stdin: "" });
      assert.equal(result.code, 2);
      assert.match(result.stderr, /--api-key-stdin/);
    });

    it("never prints presigned URL signatures on stderr", async () => {
      const result = await runCli(["run", "download", path, "--out", "dl-secret"], {
        env,
        cwd: dir,
        tty: { stderr: true },
      });
      assert.equal(result.code, 0);
      assert.doesNotMatch(result.stderr, /Signature|X-Expires|https?:\/\//);
    });
  });
});

describe("fetchToFile()", () => {
  it("reports network failures as a ConnectionError without the URL's signature", async () => {
    const { fetchToFile } = await import("../../src/cli/commands/_download.ts");
    const dir = await mkdtemp(join(tmpdir(), "swanlab-ts-fetch-"));
    try {
      await assert.rejects(
        fetchToFile(
          new Api({ host: "http://127.0.0.1:9", apiKey: "k", maxRetries: 0, env: {} }),
          "http://127.0.0.1:9/x.csv?X-Signature=topsecret",
          join(dir, "x.csv"),
        ),
        (error: Error) => {
          assert.ok(error instanceof ConnectionError, String(error));
          assert.doesNotMatch(error.message, /topsecret/);
          return true;
        },
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
