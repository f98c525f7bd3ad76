import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Column, Columns, NotFoundError, ValidationError } from "../../mod.ts";
import { apiCalls, callsTo, sweep, useApiServer } from "./_setup.ts";
import { SDK_JSON_KEYS } from "../_helpers/sdk_json_keys.ts";

const COLUMN_GET = /^\/api\/experiment\/[^/]+\/column$/;

describe("Columns", () => {
  // 25 custom scalar keys (5 built-in + 20 extra), 3 system keys, 1 image key.
  const fx = useApiServer({ extraKeys: 20 });

  it("api.columns() defaults to CUSTOM columns; run.columns() sends no class", async () => {
    const custom = fx.api.columns(fx.runPath);
    assert.ok(custom instanceof Columns);
    assert.equal(await custom.total, 26);
    assert.equal(await fx.api.run(fx.runPath).columns().total, 29);
    assert.equal(await fx.api.run(fx.runPath).columns({ columnClass: "SYSTEM" }).total, 3);
    const queries = callsTo(fx.server, "GET", COLUMN_GET).map((r) => r.query);
    assert.deepEqual(queries, [
      "page=1&size=100&class=CUSTOM",
      "page=1&size=100",
      "page=1&size=100&class=SYSTEM",
    ]);
  });

  it("pages with size, page and all; filters by type and search", async () => {
    const all = await fx.api.columns(fx.runPath, { size: 10, all: true, columnType: "FLOAT" })
      .toArray();
    assert.equal(all.length, 25);
    assert.equal(callsTo(fx.server, "GET", COLUMN_GET).length, 3);
    const second = await fx.api.columns(fx.runPath, { page: 2, size: 10 }).toArray();
    assert.equal(second.length, 10);
    const names: string[] = [];
    for await (const col of fx.api.columns(fx.runPath, { search: "LOSS" })) {
      names.push(await col.name);
    }
    assert.deepEqual(names.sort(), ["train/loss", "val/loss"]);
    const limited = await fx.api.columns(fx.runPath, { size: 10, all: true }).toArray({ limit: 4 });
    assert.equal(limited.length, 4);
  });

  it("json() reports the page info and every column's JSON without extra requests", async () => {
    const info = sweep(fx.server).runs[0]!;
    const json = await fx.api.columns(fx.runPath, { size: 10, search: "val" }).json();
    assert.deepEqual(Object.keys(json), ["page", "size", "total", "pages", "list"]);
    assert.deepEqual([json.page, json.size, json.total, json.pages], [1, 10, 2, 1]);
    for (const col of json.list) {
      assert.deepEqual(Object.keys(col), SDK_JSON_KEYS.column);
      assert.equal(col.run_id, info.cuid);
      assert.equal(col.project_id, info.projectCuid);
      assert.equal(col.column_class, "CUSTOM");
      assert.equal(col.column_type, "FLOAT");
      assert.equal(typeof col.created_at, "number");
    }
    // One run GET (for the cuid and project id), one column page.
    assert.equal(apiCalls(fx.server).length, 2);
  });

  it("rejects invalid paging and enums before any request", () => {
    assert.throws(
      () => fx.api.columns(fx.runPath, { size: 11 }),
      (e: unknown) => e instanceof ValidationError && e.field === "size",
    );
    assert.throws(
      () => fx.api.run(fx.runPath).columns({ page: 0 }),
      (e: unknown) => e instanceof ValidationError && e.field === "page",
    );
    assert.throws(
      () => fx.api.columns(fx.runPath, { columnClass: "USER" as "CUSTOM" }),
      ValidationError,
    );
    assert.equal(fx.server.requests.length, 0);
  });
});

describe("Column", () => {
  const fx = useApiServer();

  it("looks the column up on first read and caches it", async () => {
    const col = fx.api.column(fx.runPath, "train/loss", { columnType: "FLOAT" });
    assert.ok(col instanceof Column);
    assert.equal(apiCalls(fx.server).length, 0);
    const json = await col.json();
    assert.deepEqual(Object.keys(json), SDK_JSON_KEYS.column);
    assert.equal(json.key, "train/loss");
    assert.equal(json.name, "train/loss");
    assert.equal(json.column_type, "FLOAT");
    assert.equal(json.column_class, "CUSTOM");
    assert.equal(json.run_id, sweep(fx.server).runs[0]!.cuid);
    const count = apiCalls(fx.server).length;
    assert.equal(await col.key, "train/loss");
    assert.equal(await col.columnType, "FLOAT");
    assert.equal(apiCalls(fx.server).length, count);
    const [lookup] = callsTo(fx.server, "GET", COLUMN_GET);
    assert.equal(lookup!.query, "page=1&size=10&search=train%2Floss&class=CUSTOM");
  });

  it("fuzzy-matches on the column name", async () => {
    assert.match(await fx.api.run(fx.runPath).column("loss").key, /loss$/);
    assert.equal(
      await fx.api.run(fx.runPath).column("cpu", { columnClass: "SYSTEM" }).key,
      "__swanlab__.cpu",
    );
  });

  it("throws NotFoundError when nothing matches", async () => {
    await assert.rejects(fx.api.column(fx.runPath, "no-such-metric").json(), NotFoundError);
    await assert.rejects(fx.api.column("vision-lab/resnet-sweep/nope", "loss").name, NotFoundError);
  });

  it("metric() derives the metric type from the column type", async () => {
    const scalar = await fx.api.column(fx.runPath, "train/loss").metric({ sample: 5 });
    assert.equal(scalar.metric_type, "SCALAR");
    assert.equal(scalar.key, "train/loss");
    assert.ok(scalar.metrics.length > 0 && scalar.metrics.length <= 5);
    const media = await fx.api.run(fx.runPath).column("samples/image", { columnType: "IMAGE" })
      .metric({
        mediaStep: 0,
      });
    assert.equal(media.metric_type, "MEDIA");
    assert.ok(media.metrics[0]!.items[0]!.url?.startsWith(fx.server.storageOrigin));
  });

  it("metric() accepts a metricType that agrees with the column and rejects one that does not", async () => {
    const column = fx.api.column(fx.runPath, "train/loss");
    const scalar = await column.metric({ sample: 5, metricType: "SCALAR" });
    assert.equal(scalar.metric_type, "SCALAR");
    await assert.rejects(column.metric({ metricType: "MEDIA" }), (error: unknown) => {
      assert.ok(error instanceof ValidationError);
      assert.equal(error.field, "metricType");
      return true;
    });
    fx.server.clearRequests();
    await assert.rejects(
      // @ts-expect-error: not a metric type
      fx.api.column(fx.runPath, "train/loss").metric({ metricType: "LOG" }),
      ValidationError,
    );
    assert.equal(fx.server.requests.length, 0, "an invalid metricType sent a request");
  });

  it("exportCsv() returns a URL for scalar columns and ok: false for media columns", async () => {
    const csv = await fx.api.column(fx.runPath, "train/loss").exportCsv();
    assert.equal(csv.ok, true);
    assert.equal(csv.errmsg, "");
    assert.ok(csv.data?.url.startsWith(fx.server.storageOrigin));
    const media = await fx.api.column(fx.runPath, "samples/image").exportCsv();
    assert.equal(media.ok, false);
    assert.ok(media.error instanceof ValidationError);
    assert.equal(media.data, null);
    const missing = await fx.api.column(fx.runPath, "nothing-here").exportCsv();
    assert.equal(missing.ok, false);
    assert.ok(missing.error instanceof NotFoundError);
  });
});
