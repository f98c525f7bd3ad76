/**
 * One pass over every tool, resource and prompt with valid and invalid input, comparing the
 * structured results with the library's own results for the same data and checking that errors
 * carry no key, session id or stack. Run over each transport by the end-to-end tests.
 *
 * @module
 */

import assert from "node:assert/strict";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import type { CallToolResult, Tool } from "@modelcontextprotocol/sdk/types.js";
import type { Api } from "../../mod.ts";
import { MAX_RESULT_BYTES, resultBytes } from "../../src/mcp/output_bound.ts";
import type { LocalServer } from "../../src/server/mod.ts";
import { assertClean, callError, callOk, sessionIds, TOOL_NAMES } from "./_helpers.ts";

const SWEEP = "vision-lab/resnet-sweep";

/**
 * Exercises every tool through `client` against `server`, checking results against `api`.
 *
 * @param client A connected MCP client.
 * @param api A library client of the same server and user.
 * @param server The local server.
 */
export async function exerciseEveryTool(
  client: Client,
  api: Api,
  server: LocalServer,
): Promise<void> {
  const run = server.dataset.projects[SWEEP]!.runs[1]!.path;
  const { tools } = await client.listTools();
  assert.deepEqual((tools as Tool[]).map((t) => t.name).sort(), [...TOOL_NAMES].sort());
  assert.ok((tools as Tool[]).every((t) => t.annotations?.readOnlyHint === true));

  const valid: [
    string,
    Record<string, unknown>,
    (data: Record<string, unknown>) => Promise<void>,
  ][] = [
    ["whoami", {}, async (d) => {
      assert.equal((d["user"] as { username: string }).username, await api.username);
    }],
    ["list_workspaces", {}, async (d) => {
      assert.equal(d["total"], (await api.workspaces().toArray()).length);
    }],
    ["list_projects", { workspace: "vision-lab" }, async (d) => {
      const expected = await api.projects("vision-lab", { size: 20 }).json();
      assert.deepEqual(
        (d["items"] as { path: string }[]).map((p) => p.path),
        expected.list.map((p) => p.path),
      );
    }],
    ["list_runs", { project: SWEEP }, async (d) => {
      const ids = await Promise.all((await api.runs(SWEEP).toArray()).map((r) => r.runId));
      assert.deepEqual((d["items"] as { run_id: string }[]).map((r) => r.run_id), ids);
    }],
    ["get_run", { run }, async (d) => {
      const json = await api.run(run).json();
      assert.equal(d["run_id"], json.run_id);
      assert.deepEqual(d["config"], json.profile.config);
    }],
    ["summarize_runs", { project: SWEEP, rank_by: "val/loss", order: "ASC" }, async (d) => {
      const runs = await api.runs(SWEEP).toArray();
      const values = await Promise.all(
        runs.map(async (r) => (await r.summary(["val/loss"]))["val/loss"]?.value as number),
      );
      values.sort((a, b) => a - b);
      assert.deepEqual(
        (d["items"] as { metrics: Record<string, number> }[]).map((r) => r.metrics["val/loss"]),
        values,
      );
    }],
    ["list_metric_keys", { run }, async (d) => {
      assert.deepEqual(d["items"], await api.run(run).series().keys);
    }],
    ["get_metrics", { run, keys: ["val/acc"], sample: 15 }, async (d) => {
      const expected = await api.run(run).metrics(["val/acc"], { sample: 15 });
      const points = (d["series"] as { points: { step: number }[] }[])[0]!.points;
      assert.deepEqual(
        points.map((p) => p.step),
        (expected.list[0]!.metrics as { index: number }[]).map((p) => p.index),
      );
    }],
    ["get_logs", { run, level: "WARN", tail: 10 }, async (d) => {
      const all: string[] = [];
      for await (const line of api.run(run).scanLogs({ level: "WARN" })) {
        all.push(String(line.message));
      }
      assert.deepEqual((d["lines"] as { message: string }[]).map((l) => l.message), all.slice(-10));
    }],
    ["get_media", { run, keys: ["samples/image"], step: 0 }, async (d) => {
      const expected = await api.run(run).medias(["samples/image"], { step: 0 });
      const series = (d["series"] as { items: unknown[]; step: number }[])[0]!;
      assert.equal(series.items.length, expected.list[0]!.metrics[0]!.items.length);
      assert.equal(series.step, expected.list[0]!.metrics[0]!.index);
    }],
  ];
  assert.deepEqual(valid.map(([name]) => name).sort(), [...TOOL_NAMES].sort());
  for (const [name, args, check] of valid) {
    const data = await callOk(client, name, args);
    await check(data);
    const raw = await client.callTool({ name, arguments: args }) as CallToolResult;
    assert.ok(resultBytes(raw) <= MAX_RESULT_BYTES, name);
  }

  const invalid: [string, Record<string, unknown>][] = [
    ["list_workspaces", { offset: -1 }],
    ["list_projects", { workspace: "" }],
    ["list_runs", { project: "a/b/c" }],
    ["get_run", { run: 42 }],
    ["summarize_runs", { project: SWEEP, limit: 1000 }],
    ["list_metric_keys", { run: "nope" }],
    ["get_metrics", { run, keys: ["val/acc"], head: 1, tail: 1 }],
    ["get_logs", { run, level: "info" }],
    ["get_media", { run, keys: [] }],
    ["get_run", { run: `${SWEEP}/no-such-run` }],
  ];
  const secrets = () => [server.apiKey, ...sessionIds(server)];
  // Every tool with input has an invalid call (whoami takes none).
  assert.deepEqual(
    [...new Set(invalid.map(([name]) => name))].sort(),
    TOOL_NAMES.filter((name) => name !== "whoami").sort(),
  );
  for (const [name, args] of invalid) {
    assertClean(await callError(client, name, args), secrets());
  }
}
