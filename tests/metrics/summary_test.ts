import { after, before, beforeEach, describe, it } from "node:test";
import assert from "node:assert/strict";
import { startServer } from "../../src/server/mod.ts";
import type { DatasetRun, LocalServer } from "../../src/server/mod.ts";
import { sendJson, startScriptedServer } from "../_helpers/scripted_server.ts";
import { Transport } from "../../src/core/transport.ts";
import { ResponseError, ValidationError } from "../../src/core/errors.ts";
import type { RunRef } from "../../src/metrics/run_ref.ts";
import { fetchSummary } from "../../src/metrics/summary.ts";

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

describe("fetchSummary against the local server", () => {
  let server: LocalServer;
  let transport: Transport;
  let run: DatasetRun;
  before(async () => {
    server = await startServer({ runs: 2, steps: 500, logLines: 10 });
    transport = await Transport.create({ host: server.host, apiKey: server.apiKey, env: {} });
    run = server.dataset.projects["vision-lab/resnet-sweep"]!.runs[0]!;
  });
  after(() => server.close());
  beforeEach(() => server.clearRequests());

  const bodies = () =>
    server.requests.filter((r) => r.path === "/api/house/metrics/summaries").map((r) => r.body);

  it("returns the run's summaries of the requested keys", async () => {
    const summary = await fetchSummary(transport, refOf(run), ["train/loss", "lr"]);
    assert.deepEqual(Object.keys(summary), ["train/loss", "lr"]);
    const loss = summary["train/loss"]!;
    assert.equal(loss.step, 499);
    assert.equal(typeof loss.value, "number");
    assert.deepEqual(Object.keys(loss), [
      "step",
      "value",
      "minMax",
      "min",
      "max",
      "avg",
      "median",
      "stdDev",
    ]);
    assert.deepEqual(bodies(), [{
      experiments: [{
        projectId: run.projectCuid,
        experimentId: run.cuid,
        createdAt: run.createdAtSeconds,
      }],
      keys: ["train/loss", "lr"],
    }]);
  });

  it("omits keys for undefined and null (every key) and sends [] as []", async () => {
    const every = [...server.dataset.scalarKeys, ...server.dataset.systemKeys].sort();
    assert.deepEqual(Object.keys(await fetchSummary(transport, refOf(run))).sort(), every);
    assert.deepEqual(Object.keys(await fetchSummary(transport, refOf(run), null)).sort(), every);
    assert.deepEqual(await fetchSummary(transport, refOf(run), []), {});
    const sent = bodies() as { keys?: string[] }[];
    assert.equal("keys" in sent[0]!, false);
    assert.equal("keys" in sent[1]!, false);
    assert.deepEqual(sent[2]!.keys, []);
  });

  it("sends a clone's root ids and reads the entry of the clone's cuid", async () => {
    const { run: clone } = server.dataset.clone;
    const summary = await fetchSummary(transport, refOf(clone), ["lr"]);
    assert.equal(summary["lr"]?.step, 499);
    assert.deepEqual((bodies()[0] as { experiments: unknown[] }).experiments, [{
      projectId: clone.projectCuid,
      experimentId: clone.cuid,
      createdAt: clone.createdAtSeconds,
      rootProId: clone.rootProId,
      rootExpId: clone.rootExpId,
    }]);
  });

  it("rejects keys that are not an array of non-blank strings before any request", async () => {
    await assert.rejects(fetchSummary(transport, refOf(run), "lr" as never), ValidationError);
    await assert.rejects(fetchSummary(transport, refOf(run), ["lr", ""]), ValidationError);
    assert.equal(bodies().length, 0);
  });
});

describe("fetchSummary with a scripted server", () => {
  it("answers {} for a null run entry and throws for an answer that is not an object", async () => {
    let answer: unknown = { r: null };
    const scripted = await startScriptedServer((request, response) => {
      if (request.path === "/api/login/api_key") {
        return sendJson(response, 200, {
          sid: "s",
          expiredAt: new Date(Date.now() + 30 * 86_400_000).toISOString(),
          userInfo: { username: "u", name: "U" },
        });
      }
      sendJson(response, 200, answer);
    });
    try {
      const transport = await Transport.create({ host: scripted.origin, apiKey: "k", env: {} });
      const ref: RunRef = { projectId: "p", runId: "r", createdAt: 1722470400, name: "" };
      assert.deepEqual(await fetchSummary(transport, ref), {});
      answer = { r: { loss: { latest: { value: 1 } } } };
      assert.deepEqual(await fetchSummary(transport, ref), { loss: { latest: { value: 1 } } });
      answer = ["nope"];
      await assert.rejects(fetchSummary(transport, ref), ResponseError);
      answer = { r: "nope" };
      await assert.rejects(fetchSummary(transport, ref), ResponseError);
    } finally {
      await scripted.close();
    }
  });
});
