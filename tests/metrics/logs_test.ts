import { after, before, beforeEach, describe, it } from "node:test";
import assert from "node:assert/strict";
import { startServer } from "../../src/server/mod.ts";
import type { DatasetRun, LocalServer } from "../../src/server/mod.ts";
import { sendJson, startScriptedServer } from "../_helpers/scripted_server.ts";
import { Transport } from "../../src/core/transport.ts";
import { NotFoundError, ResponseError, ValidationError } from "../../src/core/errors.ts";
import type { RunRef } from "../../src/metrics/run_ref.ts";
import {
  exportLogsUrl,
  fetchLogs,
  LOG_LEVEL_NAMES,
  type LogLevelName,
  scanLogs,
} from "../../src/metrics/logs.ts";

function refOf(run: DatasetRun): RunRef {
  return {
    projectId: run.projectCuid,
    runId: run.cuid,
    createdAt: run.createdAtSeconds,
    name: run.name,
    ...(run.rootProId ? { rootProId: run.rootProId } : {}),
    ...(run.rootExpId ? { rootExpId: run.rootExpId } : {}),
  };
}

describe("fetchLogs, scanLogs and exportLogsUrl against the local server", () => {
  let server: LocalServer;
  let transport: Transport;
  let run: DatasetRun;
  let ref: RunRef;
  before(async () => {
    server = await startServer({ runs: 2, steps: 20, logLines: 4321 });
    transport = await Transport.create({ host: server.host, apiKey: server.apiKey, env: {} });
    run = server.dataset.projects["vision-lab/resnet-sweep"]!.runs[0]!;
    ref = refOf(run);
  });
  after(() => server.close());
  beforeEach(() => server.clearRequests());

  const logCalls = () => server.requests.filter((r) => r.path === "/api/house/metrics/log");

  it("reads shard 0 at level INFO by default, with the SDK's query and output key order", async () => {
    const json = await fetchLogs(transport, ref);
    assert.deepEqual(Object.keys(json), [
      "count",
      "key",
      "logs",
      "metric_type",
      "project_id",
      "run_id",
    ]);
    assert.equal(json.key, "LOG");
    assert.equal(json.metric_type, "LOG");
    assert.equal(json.project_id, run.projectCuid);
    assert.equal(json.run_id, run.cuid);
    assert.equal(json.logs.length, Math.min(1000, json.count));
    for (const line of json.logs) {
      assert.equal(line.epoch, 0);
      assert.notEqual(line.level, "DEBUG");
      assert.equal(typeof line.timestamp, "string");
    }
    assert.equal(
      logCalls()[0]!.query,
      `projectId=${run.projectCuid}&experimentId=${run.cuid}&size=1000&epoch=0&level=INFO&createdAt=${run.createdAtSeconds}`,
    );
  });

  it("filters by level and reads later shards with offset", async () => {
    const counts: number[] = [];
    for (const level of LOG_LEVEL_NAMES) {
      const json = await fetchLogs(transport, ref, { level });
      counts.push(json.count);
      const allowed = LOG_LEVEL_NAMES.slice(LOG_LEVEL_NAMES.indexOf(level));
      for (const line of json.logs) assert.ok(allowed.includes(line.level as LogLevelName));
    }
    assert.equal(counts[0], server.dataset.logLines);
    assert.ok(
      counts[0]! > counts[1]! && counts[1]! > counts[2]! && counts[2]! > counts[3]!,
      String(counts),
    );
    const second = await fetchLogs(transport, ref, { offset: 1, level: "DEBUG" });
    assert.equal(second.logs.length, 1000);
    for (const line of second.logs) assert.equal(line.epoch, 1);
    const first = await fetchLogs(transport, ref, { level: "DEBUG" });
    assert.notDeepEqual(first.logs[0], second.logs[0]);
    assert.match(logCalls().at(-2)!.query, /&epoch=1&level=DEBUG&/);
  });

  it("removes timestamps with ignoreTimestamp", async () => {
    const json = await fetchLogs(transport, ref, { ignoreTimestamp: true, level: "WARN" });
    assert.ok(json.logs.length > 0);
    for (const line of json.logs) {
      assert.deepEqual(Object.keys(line), ["epoch", "level", "message", "tag"]);
    }
  });

  it("sends a clone's root ids before createdAt", async () => {
    const { run: clone } = server.dataset.clone;
    const json = await fetchLogs(transport, refOf(clone), { level: "ERROR" });
    assert.ok(json.count > 0);
    assert.equal(
      logCalls()[0]!.query,
      `projectId=${clone.projectCuid}&experimentId=${clone.cuid}&size=1000&epoch=0&level=ERROR` +
        `&rootProId=${clone.rootProId}&rootExpId=${clone.rootExpId}&createdAt=${clone.createdAtSeconds}`,
    );
  });

  it("walks every shard with scanLogs until a short shard", async () => {
    const lines = await Array.fromAsync(scanLogs(transport, ref, { level: "DEBUG" }));
    assert.equal(lines.length, server.dataset.logLines);
    assert.deepEqual(logCalls().map((c) => new URLSearchParams(c.query).get("epoch")), [
      "0",
      "1",
      "2",
      "3",
      "4",
    ]);
    const info = await Array.fromAsync(scanLogs(transport, ref));
    assert.equal(info.length, (await fetchLogs(transport, ref)).count);
  });

  it("rejects bad levels and offsets before any request", async () => {
    for (
      const query of [{ level: "info" }, { level: "WARNING" }, { offset: -1 }, { offset: 1.5 }, {
        ignoreTimestamp: 1,
      }]
    ) {
      await assert.rejects(fetchLogs(transport, ref, query as never), ValidationError);
    }
    assert.throws(
      () => scanLogs(transport, ref, { level: "warn" as LogLevelName }),
      ValidationError,
    );
    assert.equal(server.requests.length, 0);
  });

  it("exports logs to a URL that downloads the requested lines without credentials", async () => {
    const { url } = await exportLogsUrl(transport, ref, { start: 10, rows: 25 });
    const response = await transport.download(url);
    const text = await response.text();
    assert.equal(text.trimEnd().split("\n").length, 25);
    const [call] = server.requests.filter((r) => r.path === "/api/house/metrics/log/export");
    assert.deepEqual(call!.body, {
      projectId: run.projectCuid,
      experimentId: run.cuid,
      start: 10,
      rows: 25,
      createdAt: run.createdAtSeconds,
    });
    const [download] = server.requests.filter((r) => r.origin === "storage");
    assert.equal(download!.headers["cookie"], undefined);
    assert.equal(download!.headers["authorization"], undefined);
  });

  it("exports from line 0, 500000 rows by default and checks bounds before any request", async () => {
    await exportLogsUrl(transport, ref);
    const [call] = server.requests.filter((r) => r.path === "/api/house/metrics/log/export");
    assert.equal((call!.body as { start: number }).start, 0);
    assert.equal((call!.body as { rows: number }).rows, 500_000);
    server.clearRequests();
    for (const query of [{ start: -1 }, { rows: 0 }, { rows: 500_001 }, { start: 0.5 }]) {
      await assert.rejects(exportLogsUrl(transport, ref, query), ValidationError);
    }
    assert.equal(server.requests.length, 0);
  });

  it("throws the server's error instead of returning no logs", async () => {
    await assert.rejects(
      fetchLogs(transport, { ...ref, runId: "cmissing000000000000000000" }),
      NotFoundError,
    );
  });
});

describe("exportLogsUrl with a scripted server", () => {
  it("reports a missing cosKey with the SDK's message", async () => {
    const scripted = await startScriptedServer((request, response) => {
      if (request.path === "/api/login/api_key") {
        return sendJson(response, 200, {
          sid: "s",
          expiredAt: new Date(Date.now() + 30 * 86_400_000).toISOString(),
          userInfo: { username: "u", name: "U" },
        });
      }
      sendJson(response, 200, { cosKey: "" });
    });
    try {
      const transport = await Transport.create({ host: scripted.origin, apiKey: "k", env: {} });
      const ref: RunRef = { projectId: "p", runId: "r", createdAt: 1722470400, name: "" };
      await assert.rejects(
        exportLogsUrl(transport, ref),
        (error: unknown) =>
          error instanceof ResponseError &&
          error.message === "Invalid response format: missing cosKey",
      );
    } finally {
      await scripted.close();
    }
  });
});
