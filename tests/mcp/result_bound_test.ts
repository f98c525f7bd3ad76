/**
 * Output size: on a large seeded project (150 runs, 5000 steps, 45 scalar keys, 3000 log
 * lines per run), no tool result exceeds MAX_RESULT_BYTES, even with the largest arguments each
 * tool accepts, and what a cap left out is counted.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { Api } from "../../mod.ts";
import { type LocalServer, startServer } from "../../src/server/mod.ts";
import { MAX_POINTS } from "../../src/mcp/metric_tools.ts";
import { MAX_RESULT_BYTES, resultBytes } from "../../src/mcp/output_bound.ts";
import { connectInMemory } from "./_helpers.ts";

const SWEEP = "vision-lab/resnet-sweep";

describe("tool results on the largest seeded project", () => {
  let server: LocalServer;
  let client: Client;
  let runPath: string;
  let keys: string[];

  before(async () => {
    server = await startServer({ runs: 150, steps: 5000, extraKeys: 40, logLines: 3000 });
    const api = new Api({ host: server.host, apiKey: server.apiKey, env: {} });
    client = await connectInMemory(api, [server.apiKey]);
    runPath = server.dataset.projects[SWEEP]!.runs[0]!.path;
    keys = await api.run(runPath).series().keys;
  });
  after(async () => {
    await client.close();
    await server.close();
  });

  async function bounded(name: string, args: Record<string, unknown>) {
    const result = await client.callTool({ name, arguments: args }) as CallToolResult;
    assert.notEqual(result.isError, true, `${name}: ${JSON.stringify(result.content)}`);
    const bytes = resultBytes(result);
    assert.ok(bytes <= MAX_RESULT_BYTES, `${name} returned ${bytes} bytes`);
    return result.structuredContent as Record<string, unknown>;
  }

  it("keeps lists within the bound and pages them with a total", async () => {
    await bounded("whoami", {});
    await bounded("list_projects", { workspace: "vision-lab", size: 100 });
    const runs = await bounded("list_runs", { project: SWEEP, limit: 100 });
    assert.equal(runs["total"], 150);
    assert.equal(runs["next_offset"], 100);
    const keyPage = await bounded("list_metric_keys", { run: runPath, limit: 500 });
    assert.equal(keyPage["total"], keys.length);
  });

  it("keeps the runs table within the bound with every column asked", async () => {
    const table = await bounded("summarize_runs", {
      project: SWEEP,
      rank_by: "val/acc",
      metrics: keys.slice(0, 23),
      limit: 100,
    });
    const items = table["items"] as unknown[];
    assert.equal(table["total"], 150);
    assert.ok(items.length >= 1 && items.length <= 100);
    assert.equal(table["next_offset"], items.length);
  });

  it("caps metrics at MAX_POINTS and counts what was left out", async () => {
    const sampled = await bounded("get_metrics", {
      run: runPath,
      keys: keys.slice(0, 16),
      sample: 1000,
    });
    const series = sampled["series"] as { points: unknown[]; omitted: number }[];
    const points = series.reduce((n, s) => n + s.points.length, 0);
    assert.ok(points <= MAX_POINTS, `${points} points`);

    const tail = await bounded("get_metrics", { run: runPath, keys: ["train/loss"], tail: 5000 });
    const [loss] = tail["series"] as { points: unknown[]; omitted: number }[];
    assert.equal(loss!.points.length, MAX_POINTS);
    assert.equal(loss!.omitted, 5000 - MAX_POINTS);
    const wide = await bounded("get_metrics", {
      run: runPath,
      keys: keys.slice(0, 4),
      start_step: 0,
      end_step: 4999,
    });
    for (const s of wide["series"] as { points: unknown[]; omitted: number; matched: number }[]) {
      assert.ok(s.points.length <= MAX_POINTS / 4);
      assert.equal(s.points.length + s.omitted, s.matched);
      assert.ok(s.omitted > 0);
    }
  });

  it("caps logs, media and a run's record", async () => {
    const logs = await bounded("get_logs", { run: runPath, level: "DEBUG", tail: 500 });
    assert.ok((logs["lines"] as unknown[]).length <= 500);
    assert.equal(
      (logs["lines"] as unknown[]).length + (logs["omitted"] as number),
      logs["total"],
    );
    await bounded("get_media", { run: runPath, keys: ["samples/image"] });
    await bounded("get_run", { run: runPath });
  });
});
