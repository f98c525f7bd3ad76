import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { sendJson } from "../_helpers/scripted_server.ts";
import { refOf, useMetricsServer, withScriptedHouse } from "../_helpers/metrics_fixture.ts";
import { SDK_JSON_KEYS } from "../_helpers/sdk_json_keys.ts";
import { NotFoundError, ResponseError, ValidationError } from "../../src/core/errors.ts";
import {
  exportLogsUrl,
  fetchLogs,
  LOG_LEVEL_NAMES,
  type LogLevelName,
  scanLogs,
} from "../../src/metrics/logs.ts";

describe("fetchLogs, scanLogs and exportLogsUrl against the local server", () => {
  const fx = useMetricsServer({ runs: 2, steps: 20, logLines: 4321 });

  const logCalls = () => fx.server.requests.filter((r) => r.path === "/api/house/metrics/log");

  it("reads shard 0 at level INFO by default, with the SDK's query and output key order", async () => {
    const json = await fetchLogs(fx.transport, fx.ref);
    assert.deepEqual(Object.keys(json), SDK_JSON_KEYS.logs);
    assert.equal(json.key, "LOG");
    assert.equal(json.metric_type, "LOG");
    assert.equal(json.project_id, fx.run.projectCuid);
    assert.equal(json.run_id, fx.run.cuid);
    assert.equal(json.logs.length, Math.min(1000, json.count ?? NaN));
    for (const line of json.logs) {
      assert.equal(line.epoch, 0);
      assert.notEqual(line.level, "DEBUG");
      assert.equal(typeof line.timestamp, "string");
    }
    assert.equal(
      logCalls()[0]!.query,
      `projectId=${fx.run.projectCuid}&experimentId=${fx.run.cuid}&size=1000&epoch=0&level=INFO&createdAt=${fx.run.createdAtSeconds}`,
    );
  });

  it("filters by level and reads later shards with offset", async () => {
    const counts: number[] = [];
    for (const level of LOG_LEVEL_NAMES) {
      const json = await fetchLogs(fx.transport, fx.ref, { level });
      counts.push(json.count ?? NaN);
      const allowed = LOG_LEVEL_NAMES.slice(LOG_LEVEL_NAMES.indexOf(level));
      for (const line of json.logs) assert.ok(allowed.includes(line.level as LogLevelName));
    }
    assert.equal(counts[0], fx.server.dataset.logLines);
    assert.ok(
      counts[0]! > counts[1]! && counts[1]! > counts[2]! && counts[2]! > counts[3]!,
      String(counts),
    );
    const second = await fetchLogs(fx.transport, fx.ref, { offset: 1, level: "DEBUG" });
    assert.equal(second.logs.length, 1000);
    for (const line of second.logs) assert.equal(line.epoch, 1);
    const first = await fetchLogs(fx.transport, fx.ref, { level: "DEBUG" });
    assert.notDeepEqual(first.logs[0], second.logs[0]);
    assert.match(logCalls().at(-2)!.query, /&epoch=1&level=DEBUG&/);
  });

  it("removes timestamps with ignoreTimestamp", async () => {
    const json = await fetchLogs(fx.transport, fx.ref, { ignoreTimestamp: true, level: "WARN" });
    assert.ok(json.logs.length > 0);
    for (const line of json.logs) {
      assert.deepEqual(Object.keys(line), ["epoch", "level", "message", "tag"]);
    }
  });

  it("sends a clone's root ids before createdAt", async () => {
    const { run: clone } = fx.server.dataset.clone;
    const json = await fetchLogs(fx.transport, refOf(clone), { level: "ERROR" });
    assert.ok((json.count ?? 0) > 0);
    assert.equal(
      logCalls()[0]!.query,
      `projectId=${clone.projectCuid}&experimentId=${clone.cuid}&size=1000&epoch=0&level=ERROR` +
        `&rootProId=${clone.rootProId}&rootExpId=${clone.rootExpId}&createdAt=${clone.createdAtSeconds}`,
    );
  });

  it("walks every shard with scanLogs until a short shard", async () => {
    const lines = await Array.fromAsync(scanLogs(fx.transport, fx.ref, { level: "DEBUG" }));
    assert.equal(lines.length, fx.server.dataset.logLines);
    assert.deepEqual(logCalls().map((c) => new URLSearchParams(c.query).get("epoch")), [
      "0",
      "1",
      "2",
      "3",
      "4",
    ]);
    const info = await Array.fromAsync(scanLogs(fx.transport, fx.ref));
    assert.equal(info.length, (await fetchLogs(fx.transport, fx.ref)).count);
  });

  it("rejects bad levels and offsets before any request", async () => {
    for (
      const query of [{ level: "info" }, { level: "WARNING" }, { offset: -1 }, { offset: 1.5 }, {
        ignoreTimestamp: 1,
      }]
    ) {
      await assert.rejects(fetchLogs(fx.transport, fx.ref, query as never), ValidationError);
    }
    assert.throws(
      () => scanLogs(fx.transport, fx.ref, { level: "warn" as LogLevelName }),
      ValidationError,
    );
    assert.equal(fx.server.requests.length, 0);
  });

  it("exports logs to a URL that downloads the requested lines without credentials", async () => {
    const { url } = await exportLogsUrl(fx.transport, fx.ref, { start: 10, rows: 25 });
    const response = await fx.transport.download(url);
    const text = await response.text();
    assert.equal(text.trimEnd().split("\n").length, 25);
    const [call] = fx.server.requests.filter((r) => r.path === "/api/house/metrics/log/export");
    assert.deepEqual(call!.body, {
      projectId: fx.run.projectCuid,
      experimentId: fx.run.cuid,
      start: 10,
      rows: 25,
      createdAt: fx.run.createdAtSeconds,
    });
    const [download] = fx.server.requests.filter((r) => r.origin === "storage");
    assert.equal(download!.headers["cookie"], undefined);
    assert.equal(download!.headers["authorization"], undefined);
  });

  it("exports from line 0, 500000 rows by default and checks bounds before any request", async () => {
    await exportLogsUrl(fx.transport, fx.ref);
    const [call] = fx.server.requests.filter((r) => r.path === "/api/house/metrics/log/export");
    assert.equal((call!.body as { start: number }).start, 0);
    assert.equal((call!.body as { rows: number }).rows, 500_000);
    fx.server.clearRequests();
    for (const query of [{ start: -1 }, { rows: 0 }, { rows: 500_001 }, { start: 0.5 }]) {
      await assert.rejects(exportLogsUrl(fx.transport, fx.ref, query), ValidationError);
    }
    assert.equal(fx.server.requests.length, 0);
  });

  it("throws the server's error instead of returning no logs", async () => {
    await assert.rejects(
      fetchLogs(fx.transport, { ...fx.ref, runId: "cmissing000000000000000000" }),
      NotFoundError,
    );
  });
});

describe("exportLogsUrl with a scripted server", () => {
  it("reports a missing cosKey with the SDK's message", async () => {
    await withScriptedHouse(
      (_, response) => sendJson(response, 200, { cosKey: "" }),
      async (transport, ref) => {
        await assert.rejects(
          exportLogsUrl(transport, ref),
          (error: unknown) =>
            error instanceof ResponseError &&
            error.message === "Invalid response format: missing cosKey",
        );
      },
    );
  });
});
