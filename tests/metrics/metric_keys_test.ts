import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { sendJson } from "../_helpers/scripted_server.ts";
import {
  refOf,
  sweepRun,
  useMetricsServer,
  withScriptedHouse,
} from "../_helpers/metrics_fixture.ts";
import { ResponseError, ValidationError } from "../../src/core/errors.ts";
import type { RunRef } from "../../src/metrics/run_ref.ts";
import {
  chunkKeys,
  columnRef,
  fetchAvailability,
  keyClass,
  keyExperimentRef,
  listMetricKeys,
  validateMetricKeys,
} from "../../src/metrics/metric_keys.ts";

const CLONE: RunRef = {
  projectId: "cp",
  runId: "cr",
  createdAt: 1722470400,
  name: "clone",
  rootProId: "cp0",
  rootExpId: "cr0",
};

describe("columnRef", () => {
  it("sends the run's own cuid and adds root ids only when they are set", () => {
    assert.deepEqual(columnRef({ ...CLONE, rootProId: "", rootExpId: "" }, "loss"), {
      experimentId: "cr",
      key: "loss",
      createdAt: 1722470400,
    });
    assert.deepEqual(columnRef(CLONE, "loss"), {
      experimentId: "cr",
      key: "loss",
      createdAt: 1722470400,
      rootProId: "cp0",
      rootExpId: "cr0",
    });
  });
});

describe("keyExperimentRef", () => {
  it("uses the root ids instead of the own ids of a clone, without root fields", () => {
    assert.deepEqual(keyExperimentRef(CLONE), {
      projectId: "cp0",
      experimentId: "cr0",
      createdAt: 1722470400,
    });
    assert.deepEqual(keyExperimentRef({ projectId: "p", runId: "r", createdAt: 1, name: "" }), {
      projectId: "p",
      experimentId: "r",
      createdAt: 1,
    });
  });
});

describe("validateMetricKeys", () => {
  it("removes duplicates in order", () => {
    assert.deepEqual(validateMetricKeys(["b", "a", "b", "c", "a"]), ["b", "a", "c"]);
  });

  it("rejects an empty list, blank keys and non-arrays naming the field", () => {
    assert.throws(() => validateMetricKeys([]), ValidationError);
    assert.throws(() => validateMetricKeys("loss"), ValidationError);
    assert.throws(
      () => validateMetricKeys(["loss", "  "]),
      (error: unknown) => error instanceof ValidationError && error.field === "keys[1]",
    );
    assert.throws(() => validateMetricKeys(["loss", 3]), ValidationError);
  });
});

describe("chunkKeys", () => {
  it("splits keys into chunks of at most 16 in order", () => {
    const keys = Array.from({ length: 33 }, (_, i) => `k${i}`);
    const chunks = chunkKeys(keys);
    assert.deepEqual(chunks.map((chunk) => chunk.length), [16, 16, 1]);
    assert.deepEqual(chunks.flat(), keys);
  });
});

describe("keyClass", () => {
  it("is SYSTEM only for scalar keys with the __swanlab__ prefix", () => {
    assert.equal(keyClass("__swanlab__.cpu", "SCALAR"), "SYSTEM");
    assert.equal(keyClass("train/__swanlab__", "SCALAR"), "CUSTOM");
    assert.equal(keyClass("__swanlab__.cpu", "MEDIA"), "CUSTOM");
    assert.equal(keyClass("loss", "SCALAR"), "CUSTOM");
  });
});

describe("listMetricKeys and fetchAvailability against the local server", () => {
  const fx = useMetricsServer({ runs: 2, steps: 50, extraKeys: 2100, logLines: 10 });

  const keyCalls = () => fx.server.requests.filter((r) => r.path.startsWith("/api/house/metrics/"));

  it("follows the cursor until hasMore is false and returns every key in order", async () => {
    const keys = await listMetricKeys(fx.transport, fx.ref, "SCALAR");
    assert.deepEqual(keys, [...fx.server.dataset.scalarKeys, ...fx.server.dataset.systemKeys]);
    const calls = keyCalls();
    assert.equal(calls.length, 2);
    assert.deepEqual(calls.map((c) => (c.body as { cursor: string }).cursor)[0], "");
    assert.notEqual((calls[1]!.body as { cursor: string }).cursor, "");
    for (const call of calls) {
      assert.equal(call.path, "/api/house/metrics/scalar/keys");
      assert.equal((call.body as { limit: number }).limit, 2000);
    }
  });

  it("lists media keys", async () => {
    const run = sweepRun(fx.server, 1);
    assert.deepEqual(
      await listMetricKeys(fx.transport, refOf(run), "MEDIA"),
      fx.server.dataset.mediaKeys,
    );
    assert.equal(keyCalls()[0]!.path, "/api/house/metrics/media/keys");
  });

  it("lists a clone's keys with the root ids and no root fields", async () => {
    const { run: clone, root } = fx.server.dataset.clone;
    const keys = await listMetricKeys(fx.transport, refOf(clone), "SCALAR");
    assert.ok(keys.includes("train/loss"));
    const body = keyCalls()[0]!.body as { experiments: Record<string, unknown>[] };
    assert.deepEqual(body.experiments, [{
      projectId: root.projectCuid,
      experimentId: root.cuid,
      createdAt: clone.createdAtSeconds,
    }]);
  });

  it("maps each key to the runs that have it, [] for absent keys", async () => {
    const scalar = await fetchAvailability(fx.transport, fx.ref, "SCALAR", [
      "train/loss",
      "nope",
    ]);
    assert.deepEqual(scalar, { "train/loss": [fx.run.cuid], nope: [] });
    const media = await fetchAvailability(fx.transport, fx.ref, "MEDIA", [
      "samples/image",
      "train/loss",
    ]);
    assert.deepEqual(media, { "samples/image": [fx.run.cuid], "train/loss": [] });
    assert.deepEqual(keyCalls().map((c) => c.path), [
      "/api/house/metrics/scalar/availability",
      "/api/house/metrics/media/availability",
    ]);
  });

  it("looks up a clone's availability with the root ids", async () => {
    const { run: clone, root } = fx.server.dataset.clone;
    const result = await fetchAvailability(fx.transport, refOf(clone), "SCALAR", ["lr"]);
    assert.deepEqual(result, { lr: [root.cuid] });
    const body = keyCalls()[0]!.body as { experiments: Record<string, unknown>[]; keys: string[] };
    assert.deepEqual(body.keys, ["lr"]);
    assert.deepEqual(body.experiments[0], {
      projectId: root.projectCuid,
      experimentId: root.cuid,
      createdAt: clone.createdAtSeconds,
    });
  });

  it("answers {} for no keys without a request, and rejects bad input before any request", async () => {
    assert.deepEqual(await fetchAvailability(fx.transport, fx.ref, "SCALAR", []), {});
    await assert.rejects(
      fetchAvailability(fx.transport, fx.ref, "SCALAR", ["ok", ""]),
      ValidationError,
    );
    await assert.rejects(
      listMetricKeys(fx.transport, fx.ref, "LOG" as "SCALAR"),
      ValidationError,
    );
    assert.equal(keyCalls().length, 0);
  });
});

describe("listMetricKeys with a misbehaving server", () => {
  it("throws a ResponseError when the server repeats a cursor", async () => {
    await withScriptedHouse((_, response) => {
      sendJson(response, 200, { keys: ["a"], hasMore: true, nextCursor: "same" });
    }, async (transport) => {
      await assert.rejects(
        listMetricKeys(transport, CLONE, "SCALAR"),
        (error: unknown) => error instanceof ResponseError && /repeats/.test(error.message),
      );
    });
  });
});
