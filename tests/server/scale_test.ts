import assert from "node:assert/strict";
import process from "node:process";
import { after, before, describe, it } from "node:test";
import { type DatasetRun, type LocalServer, startServer } from "../../src/server/mod.ts";
import { arr, login, obj, type TestClient } from "./_helpers.ts";

const BIG_STEPS = 10_000_000;

describe("start-up time", () => {
  it("starts the default data set quickly (target < 2 s; asserted < 5 s)", async () => {
    const t = performance.now();
    const server = await startServer();
    const startMs = performance.now() - t;
    try {
      const client = await login(server);
      const first = await client.get("/project/vision-lab/resnet-sweep/runs?page=1&size=24");
      const readyMs = performance.now() - t;
      assert.equal(obj(first.body).total, 24);
      console.log(
        `startServer(): ${startMs.toFixed(0)} ms; first paged response after ${
          readyMs.toFixed(0)
        } ms`,
      );
      assert.ok(startMs < 5000, `start-up took ${startMs} ms`);
    } finally {
      await server.close();
    }
  });
});

describe("10^7-point runs", () => {
  let server: LocalServer;
  let client: TestClient;
  let run: DatasetRun;
  before(async () => {
    server = await startServer({ runs: 1, steps: BIG_STEPS, logLines: 10 });
    client = await login(server);
    run = server.dataset.projects["vision-lab/resnet-sweep"]!.runs[0]!;
  });
  after(async () => {
    await server.close();
  });

  it("streams a 10^7-row CSV export with bounded memory", async () => {
    const exp = await client.post("/house/metrics/scalar/export", {
      projectId: run.projectCuid,
      columns: [{
        experimentName: "big",
        experimentId: run.cuid,
        key: "train/loss",
        createdAt: run.createdAtSeconds,
      }],
    });
    const url = String(
      arr(
        obj((await client.post("/files/presigned/get", { paths: [obj(exp.body).cosKey] })).body)
          .urls,
      )[0],
    );
    const rss0 = process.memoryUsage().rss;
    let peak = rss0;
    const t = performance.now();
    const res = await fetch(url);
    assert.equal(res.status, 200);
    let lines = 0;
    let bytes = 0;
    let chunks = 0;
    for await (const chunk of res.body!) {
      bytes += chunk.length;
      for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lines++;
      if (++chunks % 64 === 0) peak = Math.max(peak, process.memoryUsage().rss);
    }
    const seconds = (performance.now() - t) / 1000;
    const cells = (lines - 1) * 3;
    console.log(
      `CSV export over HTTP: ${lines} lines, ${(bytes / 1e6).toFixed(0)} MB in ${
        seconds.toFixed(2)
      } s ` +
        `(${(cells / seconds / 1e6).toFixed(1)} M cells/s, ${
          (bytes / 1e6 / seconds).toFixed(0)
        } MB/s); ` +
        `RSS growth ${((peak - rss0) / 1e6).toFixed(0)} MB`,
    );
    assert.equal(lines, BIG_STEPS + 1);
    assert.ok(peak - rss0 < 250e6, `RSS grew by ${peak - rss0} bytes for a ${bytes}-byte body`);
  });

  it("downsamples and summarizes 10^7 points in bounded time", async () => {
    const t = performance.now();
    const res = await client.post("/house/metrics/scalar", {
      projectId: run.projectCuid,
      xType: "step",
      range: [0, 0],
      columns: [{ experimentId: run.cuid, key: "train/loss", createdAt: run.createdAtSeconds }],
      num: 1500,
    });
    const lttbMs = performance.now() - t;
    const points = arr(obj(arr(res.body)[0]).metrics);
    assert.equal(points.length, 1500);
    assert.equal(obj(points.at(-1)).index, BIG_STEPS - 1);
    const t2 = performance.now();
    const summary = await client.post("/house/metrics/summaries", {
      experiments: [{
        projectId: run.projectCuid,
        experimentId: run.cuid,
        createdAt: run.createdAtSeconds,
      }],
      keys: ["train/loss"],
    });
    const statsMs = performance.now() - t2;
    assert.equal(obj(obj(obj(summary.body)[run.cuid])["train/loss"]).step, BIG_STEPS - 1);
    console.log(
      `LTTB of 10^7 points: ${lttbMs.toFixed(0)} ms; summary stats: ${statsMs.toFixed(0)} ms`,
    );
  });
});
