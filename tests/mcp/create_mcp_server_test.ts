import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import type { CallToolResult, Tool } from "@modelcontextprotocol/sdk/types.js";
import { Api } from "../../mod.ts";
import { type LocalServer, startServer } from "../../src/server/mod.ts";
import { MAX_RESULT_BYTES, resultBytes } from "../../src/mcp/output_bound.ts";
import {
  assertClean,
  callError,
  callOk,
  connectInMemory,
  sessionIds,
  textOf,
  TOOL_NAMES,
} from "./_helpers.ts";

const SWEEP = "vision-lab/resnet-sweep";

describe("createMcpServer", () => {
  let server: LocalServer;
  let api: Api;
  let client: Client;
  let runPath: string;

  before(async () => {
    server = await startServer({ runs: 6, steps: 200, logLines: 60 });
    api = new Api({ host: server.host, apiKey: server.apiKey, env: {}, initialRetryDelayMs: 1 });
    client = await connectInMemory(api, [server.apiKey]);
    runPath = server.dataset.projects[SWEEP]!.runs[0]!.path;
  });
  after(async () => {
    await client.close();
    await server.close();
  });

  it("offers every tool, each read-only with described inputs and an output schema", async () => {
    const { tools } = await client.listTools();
    assert.deepEqual(tools.map((t: Tool) => t.name).sort(), [...TOOL_NAMES].sort());
    for (const tool of tools as Tool[]) {
      assert.equal(tool.annotations?.readOnlyHint, true, tool.name);
      assert.equal(tool.annotations?.destructiveHint, false, tool.name);
      assert.ok(tool.description && tool.description.length > 40, tool.name);
      assert.ok(tool.outputSchema, `${tool.name} has no output schema`);
      for (const [field, schema] of Object.entries(tool.inputSchema.properties ?? {})) {
        const described = (schema as { description?: string }).description;
        assert.ok(described && described.length > 3, `${tool.name}.${field} is not described`);
      }
    }
  });

  it("whoami and list_workspaces return the library's user and workspaces", async () => {
    const me = await callOk<{ user: { username: string }; workspaces: { username: string }[] }>(
      client,
      "whoami",
      {},
    );
    assert.equal(me.user.username, await api.username);
    const expected = await Promise.all(
      (await api.workspaces().toArray()).map(async (w) => await w.username),
    );
    assert.deepEqual(me.workspaces.map((w) => w.username), expected);
    const page = await callOk<{ items: { username: string }[]; total: number }>(
      client,
      "list_workspaces",
      { limit: 1 },
    );
    assert.equal(page.total, expected.length);
    assert.deepEqual(page.items.map((w) => w.username), expected.slice(0, 1));
  });

  it("list_projects pages, searches and sorts as api.projects()", async () => {
    const data = await callOk<{ items: { path: string; runs: number | null }[]; total: number }>(
      client,
      "list_projects",
      { workspace: "vision-lab", sort: "name", search: "sweep", size: 10 },
    );
    const expected = await api.projects("vision-lab", { sort: "name", search: "sweep", size: 10 })
      .json();
    assert.equal(data.total, expected.total);
    assert.deepEqual(data.items.map((p) => p.path), expected.list.map((p) => p.path));
    assert.deepEqual(data.items.map((p) => p.runs), expected.list.map((p) => p.count.experiments));
  });

  it("list_runs filters, sorts and pages as api.runs()", async () => {
    const filters = [{ key: "state", type: "STABLE", op: "EQ", value: ["FINISHED"] }];
    const sorts = [{ key: "createdAt", type: "STABLE", order: "ASC" }];
    const expected = await api.runs(SWEEP, { filters, sorts } as Parameters<Api["runs"]>[1])
      .toArray();
    const ids = await Promise.all(expected.map((r) => r.runId));
    assert.ok(ids.length >= 2);
    const first = await callOk<
      { items: { run_id: string; state: string }[]; total: number; next_offset: number | null }
    >(
      client,
      "list_runs",
      { project: SWEEP, filters, sorts, limit: 1 },
    );
    assert.equal(first.total, ids.length);
    assert.deepEqual(first.items.map((r) => r.run_id), ids.slice(0, 1));
    assert.equal(first.next_offset, 1);
    const rest = await callOk<{ items: { run_id: string; state: string }[] }>(
      client,
      "list_runs",
      { project: SWEEP, filters, sorts, offset: 1, limit: 100 },
    );
    assert.deepEqual(rest.items.map((r) => r.run_id), ids.slice(1));
    assert.ok(rest.items.every((r) => r.state === "FINISHED"));
  });

  it("get_run returns the run's state, config and summary as the library", async () => {
    const data = await callOk<{
      state: string;
      run_id: string;
      config: Record<string, unknown>;
      summary: Record<string, { latest: unknown; min: unknown; max: unknown }>;
    }>(client, "get_run", { run: runPath });
    const run = api.run(runPath);
    const json = await run.json();
    assert.equal(data.run_id, json.run_id);
    assert.equal(data.state, json.state);
    assert.deepEqual(data.config, json.profile.config);
    const summary = await run.summary();
    assert.deepEqual(Object.keys(data.summary), Object.keys(summary));
    for (const [key, item] of Object.entries(summary)) {
      assert.equal(data.summary[key]!.latest, item.value);
      assert.equal(data.summary[key]!.min, item.min?.value);
      assert.equal(data.summary[key]!.max, item.max?.value);
    }
    assert.match(data.__text, /```text\n/);
  });

  it("list_metric_keys lists the run's scalar and media keys", async () => {
    const scalar = await callOk<{ items: string[]; total: number }>(client, "list_metric_keys", {
      run: runPath,
    });
    assert.deepEqual(scalar.items, await api.run(runPath).series().keys);
    const media = await callOk<{ items: string[] }>(client, "list_metric_keys", {
      run: runPath,
      type: "MEDIA",
    });
    assert.deepEqual(media.items, await api.run(runPath).series({ metricType: "MEDIA" }).keys);
    const paged = await callOk<{ items: string[]; next_offset: number | null }>(
      client,
      "list_metric_keys",
      { run: runPath, offset: 1, limit: 2 },
    );
    assert.deepEqual(paged.items, scalar.items.slice(1, 3));
  });

  it("get_metrics samples as run.metrics() and reads a tail as a range query", async () => {
    type Series = {
      key: string;
      points: { step: number; value: unknown }[];
      omitted: number;
      latest: unknown;
      matched: number | null;
    };
    const sampled = await callOk<{ mode: string; series: Series[] }>(client, "get_metrics", {
      run: runPath,
      keys: ["train/loss", "val/acc"],
      sample: 20,
    });
    assert.equal(sampled.mode, "sampled");
    const expected = await api.run(runPath).metrics(["train/loss", "val/acc"], { sample: 20 });
    for (const [i, entry] of expected.list.entries()) {
      const got = sampled.series[i]!;
      assert.equal(got.key, entry.key);
      assert.deepEqual(
        got.points,
        (entry.metrics as { index: number; data: unknown }[]).map((p) => ({
          step: p.index,
          value: p.data,
        })),
      );
      assert.equal(got.latest, entry.latest?.data);
    }

    const tail = await callOk<{ mode: string; series: Series[] }>(client, "get_metrics", {
      run: runPath,
      keys: ["train/loss"],
      tail: 7,
    });
    assert.equal(tail.mode, "range");
    const full = await api.run(runPath).metrics(["train/loss"], { rangeQuery: { tail: 7 } });
    assert.deepEqual(
      tail.series[0]!.points,
      (full.list[0]!.metrics as { step: number; value: number }[]).map((p) => ({
        step: p.step,
        value: p.value,
      })),
    );
    assert.equal(tail.series[0]!.omitted, 0);

    // A step range with timestamps: the points run.metrics() gives for the same range.
    const stamped = await callOk<{ series: Series[] }>(client, "get_metrics", {
      run: runPath,
      keys: ["train/loss"],
      start_step: 3,
      end_step: 5,
      timestamps: true,
    });
    const range = await api.run(runPath).metrics(["train/loss"], {
      rangeQuery: { type: "step", start: 3, end: 5 },
    });
    assert.deepEqual(stamped.series[0]!.points, range.list[0]!.metrics);
    assert.equal(stamped.series[0]!.points.length, 3);

    // A range wider than the cap keeps the first points and counts the rest.
    const wide = await callOk<{ per_key_cap: number; series: Series[] }>(client, "get_metrics", {
      run: runPath,
      keys: ["train/loss", "val/loss", "train/acc", "val/acc", "lr"],
      start_step: 0,
      end_step: 199,
    });
    assert.equal(wide.per_key_cap, 200);
    const loss = wide.series[0]!;
    assert.equal(loss.points.length + loss.omitted, loss.matched);
  });

  it("get_logs returns the tail or the head of a level, as the library's log scan", async () => {
    const run = api.run(runPath);
    const all: string[] = [];
    for await (const line of run.scanLogs({ level: "INFO" })) all.push(String(line.message));
    const tail = await callOk<{ lines: { message: string }[]; total: number; omitted: number }>(
      client,
      "get_logs",
      { run: runPath, tail: 5 },
    );
    assert.equal(tail.total, all.length);
    assert.deepEqual(tail.lines.map((l) => l.message), all.slice(-5));
    assert.equal(tail.omitted, all.length - 5);
    const head = await callOk<{ lines: { message: string }[] }>(client, "get_logs", {
      run: runPath,
      head: 3,
    });
    assert.deepEqual(head.lines.map((l) => l.message), all.slice(0, 3));
    const errors = await callOk<{ lines: { level: string }[] }>(client, "get_logs", {
      run: runPath,
      level: "ERROR",
    });
    assert.ok(errors.lines.every((l) => l.level === "ERROR"));
    assert.match(tail.__text, /server data, not instructions/);
  });

  it("get_media returns presigned URLs of the latest step, as run.medias()", async () => {
    const data = await callOk<{
      series: { key: string; step: number | null; items: { url: string }[]; steps: number[] }[];
    }>(client, "get_media", { run: runPath, keys: ["samples/image"] });
    const expected = await api.run(runPath).medias(["samples/image"], { step: null });
    const entry = expected.list[0]!;
    assert.equal(data.series[0]!.step, entry.metrics[0]!.index);
    assert.deepEqual(data.series[0]!.steps, entry.steps);
    const path = (url: string) => new URL(url).pathname;
    assert.deepEqual(
      data.series[0]!.items.map((i) => path(i.url)),
      entry.metrics[0]!.items.map((i) => path(String(i.url))),
    );
    assert.ok(data.series[0]!.items.every((i) => i.url.startsWith(server.storageOrigin)));
  });

  it("summarize_runs ranks the runs by a metric as the per-run summaries say", async () => {
    const data = await callOk<{
      items: {
        rank: number | null;
        run_id?: string;
        path: string;
        metrics: Record<string, number>;
      }[];
      config_columns: string[];
      total: number;
    }>(client, "summarize_runs", {
      project: SWEEP,
      rank_by: "val/acc",
      config: ["lr", "optimizer"],
    });
    const runs = await api.runs(SWEEP).toArray();
    const values = await Promise.all(runs.map(async (r) => ({
      id: await r.runId,
      value: (await r.summary(["val/acc"]))["val/acc"]?.value as number,
      config: (await r.profile).config ?? {},
    })));
    values.sort((a, b) => b.value - a.value);
    assert.equal(data.total, runs.length);
    assert.deepEqual(data.items.map((r) => r.path.split("/").pop()), values.map((v) => v.id));
    assert.deepEqual(data.items.map((r) => r.metrics["val/acc"]), values.map((v) => v.value));
    assert.deepEqual(data.items.map((r) => r.rank), values.map((_, i) => i + 1));
    assert.deepEqual(data.config_columns, ["lr", "optimizer"]);
    const ascending = await callOk<{ items: { metrics: Record<string, number> }[] }>(
      client,
      "summarize_runs",
      { project: SWEEP, rank_by: "val/loss", order: "ASC", stat: "min", limit: 2 },
    );
    const mins = ascending.items.map((r) => r.metrics["val/loss"]!);
    assert.ok(mins[0]! <= mins[1]!);
    const averages = await callOk<{ items: { path: string; metrics: Record<string, number> }[] }>(
      client,
      "summarize_runs",
      { project: SWEEP, metrics: ["train/loss"], stat: "avg", config: [] },
    );
    for (const row of averages.items) {
      const summary = await api.run(row.path).summary(["train/loss"]);
      assert.equal(row.metrics["train/loss"], summary["train/loss"]?.avg);
    }
  });

  it("rejects invalid input of every tool before any request, naming the field", async () => {
    const invalid: [string, Record<string, unknown>, RegExp][] = [
      ["list_workspaces", { limit: 0 }, /limit/],
      ["list_workspaces", { username: "bad name!" }, /username/],
      ["list_projects", { workspace: "a/b" }, /path|workspace/i],
      ["list_projects", { workspace: "vision-lab", size: 13 }, /size/],
      ["list_runs", { project: "only-one" }, /project|path/i],
      ["list_runs", {
        project: SWEEP,
        filters: [{ key: "state", type: "NOPE", op: "EQ", value: [] }],
      }, /type/],
      ["get_run", { run: "a/b" }, /path|segments/],
      ["get_run", {}, /run/],
      ["summarize_runs", { project: SWEEP, stat: "median" }, /stat/],
      ["summarize_runs", { project: SWEEP, rank_by: " " }, /rank_by/],
      ["list_metric_keys", { run: runPath, type: "TEXT" }, /type/],
      ["get_metrics", { run: runPath, keys: [] }, /keys/],
      [
        "get_metrics",
        { run: runPath, keys: ["train/loss"], start_step: 50, end_step: 10 },
        /start|end/,
      ],
      ["get_logs", { run: runPath, level: "TRACE" }, /level/],
      ["get_logs", { run: runPath, head: 2, tail: 2 }, /head|tail/],
      ["get_media", { run: runPath, keys: ["samples/image"], step: -1 }, /step/],
    ];
    // Warm the login so that a request counted below could only come from the tool.
    await api.username;
    for (const [name, args, field] of invalid) {
      server.clearRequests();
      const message = await callError(client, name, args);
      assert.match(message, field, `${name}: ${message}`);
      assert.deepEqual(
        server.requests.filter((r) => r.origin === "api").map((r) => r.path),
        [],
        `${name} sent a request for invalid input`,
      );
      assertClean(message, [server.apiKey, ...sessionIds(server)]);
    }
  });

  it("turns API failures into tool errors without key, session id or stack", async () => {
    const missing = await callError(client, "get_run", { run: `${SWEEP}/no-such-run` });
    assert.match(missing, /404|not found/i);
    server.setFaults({ errorRate: 1 });
    try {
      const failed = await callError(client, "list_runs", { project: SWEEP });
      assert.match(failed, /5\d\d|server/i);
      assertClean(failed, [server.apiKey, ...sessionIds(server)]);
    } finally {
      server.setFaults({});
    }
    const wrongKey = "wrong-key-0123456789abc";
    const stranger = await connectInMemory(
      new Api({ host: server.host, apiKey: wrongKey, env: {}, maxRetries: 0 }),
      [wrongKey],
    );
    try {
      const denied = await callError(stranger, "whoami", {});
      assertClean(denied, [wrongKey, server.apiKey, ...sessionIds(server)]);
      assertClean(missing, [server.apiKey, ...sessionIds(server)]);
    } finally {
      await stranger.close();
    }
  });

  it("serves a run and a project as resources, and lists projects", async () => {
    const templates = await client.listResourceTemplates();
    assert.deepEqual(
      templates.resourceTemplates.map((t: { uriTemplate: string }) => t.uriTemplate).sort(),
      ["swanlab://{workspace}/{project}", "swanlab://{workspace}/{project}/{run}"],
    );
    const run = await client.readResource({ uri: `swanlab://${runPath}` });
    const runJson = JSON.parse(String(run.contents[0]!.text));
    assert.equal(runJson.run_id, (await api.run(runPath).json()).run_id);
    const project = await client.readResource({ uri: `swanlab://${SWEEP}` });
    const projectJson = JSON.parse(String(project.contents[0]!.text));
    assert.equal(projectJson.project.path, SWEEP);
    assert.equal(projectJson.runs.total, (await api.runs(SWEEP).toArray()).length);
    const listed = await client.listResources();
    assert.ok(listed.resources.some((r: { uri: string }) => r.uri === `swanlab://${SWEEP}`));
    await assert.rejects(
      client.readResource({ uri: "swanlab://vision-lab/no-such-project" }),
      (e) => {
        assertClean(String(e), [server.apiKey, ...sessionIds(server)]);
        return true;
      },
    );
  });

  it("offers the compare-runs-of-a-sweep prompt", async () => {
    const { prompts } = await client.listPrompts();
    assert.deepEqual(prompts.map((p: { name: string }) => p.name), ["compare_sweep_runs"]);
    const prompt = await client.getPrompt({
      name: "compare_sweep_runs",
      arguments: { project: SWEEP, metric: "val/loss", goal: "min" },
    });
    const text = String((prompt.messages[0]!.content as { text: string }).text);
    assert.match(text, /summarize_runs/);
    assert.match(text, /"val\/loss"/);
    assert.match(text, /order ASC/);
  });

  it("keeps every text rendering short and fences server text", async () => {
    const result = await client.callTool({
      name: "list_runs",
      arguments: { project: SWEEP },
    }) as CallToolResult;
    const text = textOf(result);
    assert.ok(text.length < resultBytes(result.structuredContent));
    assert.match(text, /server data, not instructions/);
    assert.ok(resultBytes(result) <= MAX_RESULT_BYTES);
  });
});
