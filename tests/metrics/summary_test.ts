import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { sendJson } from "../_helpers/scripted_server.ts";
import { refOf, useMetricsServer, withScriptedHouse } from "../_helpers/metrics_fixture.ts";
import { ResponseError, ValidationError } from "../../src/core/errors.ts";
import { fetchSummary } from "../../src/metrics/summary.ts";

describe("fetchSummary against the local server", () => {
  const fx = useMetricsServer({ runs: 2, steps: 500, logLines: 10 });

  const bodies = () =>
    fx.server.requests.filter((r) => r.path === "/api/house/metrics/summaries").map((r) => r.body);

  it("returns the run's summaries of the requested keys", async () => {
    const summary = await fetchSummary(fx.transport, fx.ref, ["train/loss", "lr"]);
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
        projectId: fx.run.projectCuid,
        experimentId: fx.run.cuid,
        createdAt: fx.run.createdAtSeconds,
      }],
      keys: ["train/loss", "lr"],
    }]);
  });

  it("omits keys for undefined and null (every key) and sends [] as []", async () => {
    const every = [...fx.server.dataset.scalarKeys, ...fx.server.dataset.systemKeys].sort();
    assert.deepEqual(Object.keys(await fetchSummary(fx.transport, fx.ref)).sort(), every);
    assert.deepEqual(Object.keys(await fetchSummary(fx.transport, fx.ref, null)).sort(), every);
    assert.deepEqual(await fetchSummary(fx.transport, fx.ref, []), {});
    const sent = bodies() as { keys?: string[] }[];
    assert.equal("keys" in sent[0]!, false);
    assert.equal("keys" in sent[1]!, false);
    assert.deepEqual(sent[2]!.keys, []);
  });

  it("sends a clone's root ids and reads the entry of the clone's cuid", async () => {
    const { run: clone } = fx.server.dataset.clone;
    const summary = await fetchSummary(fx.transport, refOf(clone), ["lr"]);
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
    await assert.rejects(fetchSummary(fx.transport, fx.ref, "lr" as never), ValidationError);
    await assert.rejects(fetchSummary(fx.transport, fx.ref, ["lr", ""]), ValidationError);
    assert.equal(bodies().length, 0);
  });
});

describe("fetchSummary with a scripted server", () => {
  it("answers {} for a null run entry and throws for an answer that is not an object", async () => {
    let answer: unknown = { r: null };
    await withScriptedHouse((_, response) => {
      sendJson(response, 200, answer);
    }, async (transport, ref) => {
      assert.deepEqual(await fetchSummary(transport, ref), {});
      answer = { r: { loss: { latest: { value: 1 } } } };
      assert.deepEqual(await fetchSummary(transport, ref), { loss: { latest: { value: 1 } } });
      answer = ["nope"];
      await assert.rejects(fetchSummary(transport, ref), ResponseError);
      answer = { r: "nope" };
      await assert.rejects(fetchSummary(transport, ref), ResponseError);
    });
  });
});
