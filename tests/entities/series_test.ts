import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Key, Series, ValidationError } from "../../mod.ts";
import { apiCalls, callsTo, sweep, useApiServer } from "./_setup.ts";
import { SDK_JSON_KEYS } from "../_helpers/sdk_json_keys.ts";

describe("Series", () => {
  const fx = useApiServer();

  it("lists the custom scalar keys by default, fetched once", async () => {
    const series = fx.api.series(fx.runPath);
    assert.ok(series instanceof Series);
    assert.equal(apiCalls(fx.server).length, 0);
    assert.deepEqual(await series.keys, [...fx.server.dataset.scalarKeys]);
    assert.equal(await series.total, fx.server.dataset.scalarKeys.length);
    const calls = apiCalls(fx.server).length;
    await series.keys;
    await series.json();
    assert.equal(apiCalls(fx.server).length, calls);
    assert.equal(callsTo(fx.server, "POST", "/api/house/metrics/scalar/keys").length, 1);
  });

  it("filters by class, type and case-insensitive search", async () => {
    const run = fx.api.run(fx.runPath);
    assert.deepEqual(
      await run.series({ metricClass: "SYSTEM" }).keys,
      [...fx.server.dataset.systemKeys],
    );
    assert.deepEqual(await run.series({ metricType: "MEDIA" }).keys, [
      ...fx.server.dataset.mediaKeys,
    ]);
    assert.deepEqual(await run.series({ metricType: "MEDIA", metricClass: "SYSTEM" }).keys, []);
    assert.deepEqual(await run.series({ search: "LOSS" }).keys, ["train/loss", "val/loss"]);
  });

  it("json() has the Python SDK's keys and values", async () => {
    const info = sweep(fx.server).runs[0]!;
    const json = await fx.api.series(fx.runPath, { search: "acc" }).json();
    assert.deepEqual(Object.keys(json), SDK_JSON_KEYS.series);
    assert.deepEqual(json, {
      keys: ["train/acc", "val/acc"],
      metricClass: "CUSTOM",
      metricType: "SCALAR",
      projectId: info.projectCuid,
      runId: info.cuid,
    });
  });

  it("iterates Keys whose json() has the Python SDK's keys", async () => {
    const info = sweep(fx.server).runs[0]!;
    const keys: Key[] = [];
    for await (const key of fx.api.series(fx.runPath, { metricClass: "SYSTEM" })) keys.push(key);
    assert.equal(keys.length, fx.server.dataset.systemKeys.length);
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
      key: fx.server.dataset.systemKeys[0],
      key_class: "SYSTEM",
      metric_type: "SCALAR",
      project_id: info.projectCuid,
      run_id: info.cuid,
    });
    assert.equal((await keys[0]!.load()).keyClass, "SYSTEM");
    const limited = await fx.api.series(fx.runPath).toArray({ limit: 2 });
    assert.deepEqual(limited.map((k) => k.key), fx.server.dataset.scalarKeys.slice(0, 2));
  });

  it("Key.metric() and exportCsv() read the key's data", async () => {
    const [loss] = await fx.api.series(fx.runPath, { search: "train/loss" }).toArray();
    const data = await loss!.metric({ sample: 7 });
    assert.equal(data.metric_type, "SCALAR");
    assert.ok(data.metrics.length > 0 && data.metrics.length <= 7);
    const csv = await loss!.exportCsv();
    assert.equal(csv.ok, true);
    assert.ok(csv.data?.url.startsWith(fx.server.storageOrigin));
    const export_ = callsTo(fx.server, "POST", "/api/house/metrics/scalar/export").at(-1)!;
    const body = export_.body as { columns: { experimentName?: string }[] };
    assert.equal(body.columns[0]!.experimentName, sweep(fx.server).runs[0]!.name);

    const [image] = await fx.api.series(fx.runPath, { metricType: "MEDIA" }).toArray();
    const media = await image!.metric({ mediaStep: 0 });
    assert.equal(media.metric_type, "MEDIA");
    const mediaCsv = await image!.exportCsv();
    assert.equal(mediaCsv.ok, false);
    assert.match(mediaCsv.errmsg, /only SCALAR/);
  });

  it("availability() maps each key to the runs that have it", async () => {
    const series = fx.api.series(fx.runPath);
    const cuid = sweep(fx.server).runs[0]!.cuid;
    assert.deepEqual(await series.availability(["train/loss", "nope"]), {
      "train/loss": [cuid],
      nope: [],
    });
    fx.server.clearRequests();
    assert.deepEqual(await series.availability([]), {});
    assert.equal(apiCalls(fx.server).length, 0);
    const media = await fx.api.series(fx.runPath, { metricType: "MEDIA" }).availability([
      "samples/image",
    ]);
    assert.deepEqual(media, { "samples/image": [cuid] });
  });

  it("asks a cloned run's keys from its root run", async () => {
    const { run: clone, root } = fx.server.dataset.clone;
    const keys = await fx.api.series(clone.path).keys;
    assert.deepEqual(keys, [...fx.server.dataset.scalarKeys]);
    const [request] = callsTo(fx.server, "POST", "/api/house/metrics/scalar/keys");
    const body = request!.body as { experiments: { projectId: string; experimentId: string }[] };
    assert.equal(body.experiments[0]!.experimentId, root.cuid);
    assert.equal(body.experiments[0]!.projectId, root.projectCuid);
  });

  it("validates options before any request", async () => {
    assert.throws(
      () => fx.api.series(fx.runPath, { metricType: "LOG" as "SCALAR" }),
      (e: unknown) => e instanceof ValidationError && e.field === "metricType",
    );
    assert.throws(
      () => fx.api.run(fx.runPath).series({ search: 3 as unknown as string }),
      ValidationError,
    );
    await assert.rejects(
      fx.api.series(fx.runPath).availability("loss" as unknown as string[]),
      ValidationError,
    );
    assert.equal(fx.server.requests.length, 0);
  });
});
