import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type DatasetRun, type LocalServer, startServer } from "../../src/server/mod.ts";
import { arr, login, obj, type TestClient } from "./_helpers.ts";

function logQuery(run: DatasetRun, params: Record<string, string | number>): string {
  const q = new URLSearchParams({
    projectId: run.projectCuid,
    experimentId: run.cuid,
    size: "1000",
    ...Object.fromEntries(Object.entries(params).map(([k, v]) => [k, String(v)])),
    createdAt: String(run.createdAtSeconds),
  });
  return `/house/metrics/log?${q}`;
}

describe("logs", () => {
  let server: LocalServer;
  let alice: TestClient;
  let run: DatasetRun;
  before(async () => {
    server = await startServer({ runs: 2, steps: 50, logLines: 2500 });
    alice = await login(server);
    run = server.dataset.projects["vision-lab/resnet-sweep"]!.runs[0]!;
  });
  after(async () => {
    await server.close();
  });

  it("GET /house/metrics/log returns shards of 1000 lines selected by epoch", async () => {
    const shards = [];
    for (const epoch of [0, 1, 2, 3]) {
      const res = await alice.get(logQuery(run, { epoch, level: "DEBUG" }));
      assert.equal(res.status, 200);
      shards.push(obj(res.body));
    }
    assert.deepEqual(shards.map((s) => arr(s.logs).length), [1000, 1000, 500, 0]);
    assert.ok(shards.every((s) => s.count === 2500));
    const line = obj(arr(shards[1]!.logs)[0]);
    assert.equal(line.epoch, 1);
    assert.ok(["DEBUG", "INFO", "WARN", "ERROR"].includes(String(line.level)));
    assert.match(String(line.timestamp), /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    assert.equal(typeof line.message, "string");
    assert.equal(typeof line.tag, "string");
    const noEpoch = obj((await alice.get(logQuery(run, { level: "DEBUG" }))).body);
    assert.deepEqual(noEpoch.logs, shards[0]!.logs);
  });

  it("treats level as a minimum (WARN returns WARN and ERROR)", async () => {
    const counts: Record<string, number> = {};
    for (const level of ["DEBUG", "INFO", "WARN", "ERROR"]) {
      const body = obj((await alice.get(logQuery(run, { epoch: 0, level }))).body);
      counts[level] = Number(body.count);
      const levels = new Set(arr(body.logs).map((l) => obj(l).level));
      if (level === "WARN") assert.deepEqual([...levels].sort(), ["ERROR", "WARN"]);
      if (level === "ERROR") assert.deepEqual([...levels], ["ERROR"]);
    }
    assert.ok(
      counts.DEBUG! > counts.INFO! && counts.INFO! > counts.WARN! && counts.WARN! > counts.ERROR!,
    );
    assert.ok(counts.ERROR! > 0);
  });

  it("rejects a bad level, a missing createdAt and ms timestamps with 400", async () => {
    assert.equal((await alice.get(logQuery(run, { epoch: 0, level: "TRACE" }))).status, 400);
    assert.equal((await alice.get(logQuery(run, { epoch: -1, level: "INFO" }))).status, 400);
    const noCreated =
      `/house/metrics/log?projectId=${run.projectCuid}&experimentId=${run.cuid}&size=1000&level=INFO`;
    const res = await alice.get(noCreated);
    assert.equal(res.status, 400);
    assert.match(String(obj(res.body).message), /createdAt/);
    assert.equal(
      (await alice.get(`${noCreated}&createdAt=${run.createdAtSeconds * 1000}`)).status,
      400,
    );
    assert.equal((await alice.get(`${noCreated}&createdAt=${run.createdAtSeconds}`)).status, 200);
    const missing =
      `/house/metrics/log?projectId=${run.projectCuid}&experimentId=cnope&size=1000&level=INFO&createdAt=${run.createdAtSeconds}`;
    assert.equal((await alice.get(missing)).status, 404);
  });

  it("reads the clone's logs through rootProId/rootExpId", async () => {
    const { run: clone, root } = server.dataset.clone;
    const viaClone = obj(
      (await alice.get(logQuery(clone, {
        epoch: 0,
        level: "INFO",
        rootProId: root.projectCuid,
        rootExpId: root.cuid,
      }))).body,
    );
    const direct = obj((await alice.get(logQuery(root, { epoch: 0, level: "INFO" }))).body);
    assert.deepEqual(viaClone, direct);
  });

  it("POST /house/metrics/log/export returns a cosKey whose .log file holds rows from start", async () => {
    const res = await alice.post("/house/metrics/log/export", {
      projectId: run.projectCuid,
      experimentId: run.cuid,
      start: 10,
      rows: 25,
      createdAt: run.createdAtSeconds,
    });
    assert.equal(res.status, 200);
    const cosKey = String(obj(res.body).cosKey);
    assert.match(cosKey, /\.log$/);
    const url = String(
      arr(obj((await alice.post("/files/presigned/get", { paths: [cosKey] })).body).urls)[0],
    );
    const text = await (await fetch(url)).text();
    const lines = text.trimEnd().split("\n");
    assert.equal(lines.length, 25);
    assert.match(lines[0]!, /^\d{4}-\d{2}-\d{2}T\S+Z \[(DEBUG|INFO|WARN|ERROR)\] /);
    const all = await alice.post("/house/metrics/log/export", {
      projectId: run.projectCuid,
      experimentId: run.cuid,
      start: 2400,
      rows: 500000,
      createdAt: run.createdAtSeconds,
    });
    const url2 = String(
      arr(
        obj(
          (await alice.post("/files/presigned/get", { paths: [String(obj(all.body).cosKey)] }))
            .body,
        ).urls,
      )[0],
    );
    assert.equal((await (await fetch(url2)).text()).trimEnd().split("\n").length, 100);
    const bad = await alice.post("/house/metrics/log/export", {
      projectId: run.projectCuid,
      experimentId: run.cuid,
      start: 0,
      rows: 500001,
      createdAt: run.createdAtSeconds,
    });
    assert.equal(bad.status, 400);
  });
});
