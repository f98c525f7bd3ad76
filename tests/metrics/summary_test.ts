import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { sendJson } from "../_helpers/scripted_server.ts";
import { refOf, useMetricsServer, withScriptedHouse } from "../_helpers/metrics_fixture.ts";
import { ApiError, ResponseError, ValidationError } from "../../src/core/errors.ts";
import type { RunRef } from "../../src/metrics/run_ref.ts";
import { fetchSummaries, fetchSummary, MAX_SUMMARY_RUNS } from "../../src/metrics/summary.ts";

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

describe("fetchSummaries against the local server", () => {
  const fx = useMetricsServer({ runs: 4, steps: 300, logLines: 10 });
  const summaryRequests = () =>
    fx.server.requests.filter((r) => r.path === "/api/house/metrics/summaries");

  it("asks for several runs with one request and gives each run what fetchSummary does", async () => {
    const refs = fx.server.dataset.projects["vision-lab/resnet-sweep"]!.runs.map(refOf);
    const { run: clone } = fx.server.dataset.clone;
    refs.push(refOf(clone), refs[0]!); // a clone (root ids), and a run named twice
    const summaries = await fetchSummaries(fx.transport, refs, ["train/loss", "lr"]);
    const sent = summaryRequests().map((r) => r.body as { experiments: unknown[] });
    assert.equal(sent.length, 1);
    assert.equal(sent[0]!.experiments.length, refs.length - 1);
    assert.deepEqual([...summaries.keys()], refs.slice(0, -1).map((ref) => ref.runId));
    fx.server.clearRequests();
    for (const ref of refs) {
      assert.deepEqual(
        summaries.get(ref.runId),
        await fetchSummary(fx.transport, ref, ["train/loss", "lr"]),
      );
    }
    assert.ok(Object.keys(summaries.get(refs[0]!.runId)!).length === 2);
  });
});

describe("fetchSummaries with a scripted server", () => {
  const refsOf = (count: number): RunRef[] =>
    Array.from({ length: count }, (_, i) => ({
      projectId: "p",
      runId: `r${i}`,
      createdAt: 1722470400,
      name: "",
    }));
  const idsOf = (raw: string) =>
    (JSON.parse(raw) as { experiments: { experimentId: string }[] }).experiments.map((e) =>
      e.experimentId
    );

  it("splits the runs into requests of at most MAX_SUMMARY_RUNS", async () => {
    const sent: string[][] = [];
    await withScriptedHouse((request, response) => {
      const ids = idsOf(request.body);
      sent.push(ids);
      sendJson(response, 200, Object.fromEntries(ids.map((id) => [id, { loss: { step: 1 } }])));
    }, async (transport) => {
      const refs = refsOf(MAX_SUMMARY_RUNS * 2 + 1);
      const summaries = await fetchSummaries(transport, refs, ["loss"]);
      assert.deepEqual(sent.map((ids) => ids.length), [MAX_SUMMARY_RUNS, MAX_SUMMARY_RUNS, 1]);
      assert.equal(summaries.size, refs.length);
      for (const ref of refs) assert.deepEqual(summaries.get(ref.runId), { loss: { step: 1 } });
    });
  });

  it("asks again, one by one, for the runs a several-run answer leaves out", async () => {
    const sent: string[][] = [];
    // A server that reads only the first run of a list.
    await withScriptedHouse((request, response) => {
      const [first] = idsOf(request.body);
      sent.push(idsOf(request.body));
      sendJson(response, 200, { [first!]: first === "r2" ? null : { loss: { step: 7 } } });
    }, async (transport) => {
      const summaries = await fetchSummaries(transport, refsOf(3));
      assert.deepEqual(sent, [["r0", "r1", "r2"], ["r1"], ["r2"]]);
      assert.deepEqual(Object.fromEntries(summaries), {
        r0: { loss: { step: 7 } },
        r1: { loss: { step: 7 } },
        r2: {},
      });
    });
  });

  it("asks one by one when the server refuses a several-run request", async () => {
    const sent: string[][] = [];
    await withScriptedHouse((request, response) => {
      const ids = idsOf(request.body);
      sent.push(ids);
      if (ids.length > 1 || ids[0] === "bad") {
        sendJson(response, 400, { code: 400, message: "experiments: at most one" });
      } else sendJson(response, 200, { [ids[0]!]: { loss: { step: 3 } } });
    }, async (transport) => {
      const summaries = await fetchSummaries(transport, refsOf(2), ["loss"]);
      assert.deepEqual(sent, [["r0", "r1"], ["r0"], ["r1"]]);
      assert.deepEqual(Object.fromEntries(summaries), {
        r0: { loss: { step: 3 } },
        r1: { loss: { step: 3 } },
      });
      // A one-run request that is refused is an error, not asked again.
      sent.length = 0;
      await assert.rejects(
        fetchSummaries(transport, [{ projectId: "p", runId: "bad", createdAt: 1, name: "" }]),
        (error: unknown) => error instanceof ApiError && error.status === 400,
      );
      assert.deepEqual(sent, [["bad"]]);
    });
  });

  it("fails on a run entry that is not an object, naming the run", async () => {
    await withScriptedHouse((_, response) => {
      sendJson(response, 200, { r0: {}, r1: "nope" });
    }, async (transport) => {
      await assert.rejects(
        fetchSummaries(transport, refsOf(2)),
        (error: unknown) => error instanceof ResponseError && /"r1"/.test(error.message),
      );
    });
  });
});
