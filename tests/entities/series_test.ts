import { after, before, beforeEach, describe, it } from "node:test";
import assert from "node:assert/strict";
import { type Api, Key, Series, ValidationError } from "../../mod.ts";
import type { LocalServer } from "../../src/server/mod.ts";
import { apiCalls, apiFor, callsTo, startTestServer, sweep } from "./_setup.ts";

describe("Series", () => {
  let server: LocalServer;
  let api: Api;
  let path: string;
  before(async () => {
    server = await startTestServer();
    api = apiFor(server);
    path = sweep(server).runs[0]!.path;
    await api.username;
  });
  after(() => server.close());
  beforeEach(() => server.clearRequests());

  it("lists the custom scalar keys by default, fetched once", async () => {
    const series = api.series(path);
    assert.ok(series instanceof Series);
    assert.equal(apiCalls(server).length, 0);
    assert.deepEqual(await series.keys, [...server.dataset.scalarKeys]);
    assert.equal(await series.total, server.dataset.scalarKeys.length);
    const calls = apiCalls(server).length;
    await series.keys;
    await series.json();
    assert.equal(apiCalls(server).length, calls);
    assert.equal(callsTo(server, "POST", "/api/house/metrics/scalar/keys").length, 1);
  });

  it("filters by class, type and case-insensitive search", async () => {
    const run = api.run(path);
    assert.deepEqual(
      await run.series({ metricClass: "SYSTEM" }).keys,
      [...server.dataset.systemKeys],
    );
    assert.deepEqual(await run.series({ metricType: "MEDIA" }).keys, [...server.dataset.mediaKeys]);
    assert.deepEqual(await run.series({ metricType: "MEDIA", metricClass: "SYSTEM" }).keys, []);
    assert.deepEqual(await run.series({ search: "LOSS" }).keys, ["train/loss", "val/loss"]);
  });

  it("json() has the Python SDK's keys and values", async () => {
    const info = sweep(server).runs[0]!;
    const json = await api.series(path, { search: "acc" }).json();
    assert.deepEqual(Object.keys(json), [
      "keys",
      "metricClass",
      "metricType",
      "projectId",
      "runId",
    ]);
    assert.deepEqual(json, {
      keys: ["train/acc", "val/acc"],
      metricClass: "CUSTOM",
      metricType: "SCALAR",
      projectId: info.projectCuid,
      runId: info.cuid,
    });
  });

  it("iterates Keys whose json() has the Python SDK's keys", async () => {
    const info = sweep(server).runs[0]!;
    const keys: Key[] = [];
    for await (const key of api.series(path, { metricClass: "SYSTEM" })) keys.push(key);
    assert.equal(keys.length, server.dataset.systemKeys.length);
    assert.ok(keys[0] instanceof Key);
    const json = await keys[0]!.json();
    assert.deepEqual(Object.keys(json), [
      "key",
      "key_class",
      "metric_type",
      "project_id",
      "run_id",
    ]);
    assert.deepEqual(json, {
      key: server.dataset.systemKeys[0],
      key_class: "SYSTEM",
      metric_type: "SCALAR",
      project_id: info.projectCuid,
      run_id: info.cuid,
    });
    assert.equal((await keys[0]!.load()).keyClass, "SYSTEM");
    const limited = await api.series(path).toArray({ limit: 2 });
    assert.deepEqual(limited.map((k) => k.key), server.dataset.scalarKeys.slice(0, 2));
  });

  it("Key.metric() and exportCsv() read the key's data", async () => {
    const [loss] = await api.series(path, { search: "train/loss" }).toArray();
    const data = await loss!.metric({ sample: 7 });
    assert.equal(data.metric_type, "SCALAR");
    assert.ok(data.metrics.length > 0 && data.metrics.length <= 7);
    const csv = await loss!.exportCsv();
    assert.equal(csv.ok, true);
    assert.ok(csv.data?.url.startsWith(server.storageOrigin));
    const export_ = callsTo(server, "POST", "/api/house/metrics/scalar/export").at(-1)!;
    const body = export_.body as { columns: { experimentName?: string }[] };
    assert.equal(body.columns[0]!.experimentName, sweep(server).runs[0]!.name);

    const [image] = await api.series(path, { metricType: "MEDIA" }).toArray();
    const media = await image!.metric({ mediaStep: 0 });
    assert.equal(media.metric_type, "MEDIA");
    const mediaCsv = await image!.exportCsv();
    assert.equal(mediaCsv.ok, false);
    assert.match(mediaCsv.errmsg, /only SCALAR/);
  });

  it("availability() maps each key to the runs that have it", async () => {
    const series = api.series(path);
    const cuid = sweep(server).runs[0]!.cuid;
    assert.deepEqual(await series.availability(["train/loss", "nope"]), {
      "train/loss": [cuid],
      nope: [],
    });
    server.clearRequests();
    assert.deepEqual(await series.availability([]), {});
    assert.equal(apiCalls(server).length, 0);
    const media = await api.series(path, { metricType: "MEDIA" }).availability(["samples/image"]);
    assert.deepEqual(media, { "samples/image": [cuid] });
  });

  it("asks a cloned run's keys from its root run", async () => {
    const { run: clone, root } = server.dataset.clone;
    const keys = await api.series(clone.path).keys;
    assert.deepEqual(keys, [...server.dataset.scalarKeys]);
    const [request] = callsTo(server, "POST", "/api/house/metrics/scalar/keys");
    const body = request!.body as { experiments: { projectId: string; experimentId: string }[] };
    assert.equal(body.experiments[0]!.experimentId, root.cuid);
    assert.equal(body.experiments[0]!.projectId, root.projectCuid);
  });

  it("validates options before any request", async () => {
    assert.throws(
      () => api.series(path, { metricType: "LOG" as "SCALAR" }),
      (e: unknown) => e instanceof ValidationError && e.field === "metricType",
    );
    assert.throws(() => api.run(path).series({ search: 3 as unknown as string }), ValidationError);
    await assert.rejects(
      api.series(path).availability("loss" as unknown as string[]),
      ValidationError,
    );
    assert.equal(server.requests.length, 0);
  });
});
