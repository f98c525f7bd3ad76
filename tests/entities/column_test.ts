import { after, before, beforeEach, describe, it } from "node:test";
import assert from "node:assert/strict";
import { type Api, Column, Columns, NotFoundError, ValidationError } from "../../mod.ts";
import type { LocalServer } from "../../src/server/mod.ts";
import { apiCalls, apiFor, callsTo, startTestServer, sweep } from "./_setup.ts";

const COLUMN_JSON_KEYS = [
  "column_class",
  "column_type",
  "created_at",
  "key",
  "name",
  "project_id",
  "run_id",
];
const COLUMN_GET = /^\/api\/experiment\/[^/]+\/column$/;

describe("Columns", () => {
  let server: LocalServer;
  let api: Api;
  let path: string;
  before(async () => {
    // 25 custom scalar keys (5 built-in + 20 extra), 3 system keys, 1 image key.
    server = await startTestServer({ extraKeys: 20 });
    api = apiFor(server);
    path = sweep(server).runs[0]!.path;
    await api.username;
  });
  after(() => server.close());
  beforeEach(() => server.clearRequests());

  it("api.columns() defaults to CUSTOM columns; run.columns() sends no class", async () => {
    const custom = api.columns(path);
    assert.ok(custom instanceof Columns);
    assert.equal(await custom.total, 26);
    assert.equal(await api.run(path).columns().total, 29);
    assert.equal(await api.run(path).columns({ columnClass: "SYSTEM" }).total, 3);
    const queries = callsTo(server, "GET", COLUMN_GET).map((r) => r.query);
    assert.deepEqual(queries, [
      "page=1&size=100&class=CUSTOM",
      "page=1&size=100",
      "page=1&size=100&class=SYSTEM",
    ]);
  });

  it("pages with size, page and all; filters by type and search", async () => {
    const all = await api.columns(path, { size: 10, all: true, columnType: "FLOAT" }).toArray();
    assert.equal(all.length, 25);
    assert.equal(callsTo(server, "GET", COLUMN_GET).length, 3);
    const second = await api.columns(path, { page: 2, size: 10 }).toArray();
    assert.equal(second.length, 10);
    const names: string[] = [];
    for await (const col of api.columns(path, { search: "LOSS" })) names.push(await col.name);
    assert.deepEqual(names.sort(), ["train/loss", "val/loss"]);
    const limited = await api.columns(path, { size: 10, all: true }).toArray({ limit: 4 });
    assert.equal(limited.length, 4);
  });

  it("json() reports the page info and every column's JSON without extra requests", async () => {
    const info = sweep(server).runs[0]!;
    const json = await api.columns(path, { size: 10, search: "val" }).json();
    assert.deepEqual(Object.keys(json), ["page", "size", "total", "pages", "list"]);
    assert.deepEqual([json.page, json.size, json.total, json.pages], [1, 10, 2, 1]);
    for (const col of json.list) {
      assert.deepEqual(Object.keys(col), COLUMN_JSON_KEYS);
      assert.equal(col.run_id, info.cuid);
      assert.equal(col.project_id, info.projectCuid);
      assert.equal(col.column_class, "CUSTOM");
      assert.equal(col.column_type, "FLOAT");
      assert.equal(typeof col.created_at, "number");
    }
    // One run GET (for the cuid and project id), one column page.
    assert.equal(apiCalls(server).length, 2);
  });

  it("rejects invalid paging and enums before any request", () => {
    assert.throws(
      () => api.columns(path, { size: 11 }),
      (e: unknown) => e instanceof ValidationError && e.field === "size",
    );
    assert.throws(
      () => api.run(path).columns({ page: 0 }),
      (e: unknown) => e instanceof ValidationError && e.field === "page",
    );
    assert.throws(() => api.columns(path, { columnClass: "USER" as "CUSTOM" }), ValidationError);
    assert.equal(server.requests.length, 0);
  });
});

describe("Column", () => {
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

  it("looks the column up on first read and caches it", async () => {
    const col = api.column(path, "train/loss", { columnType: "FLOAT" });
    assert.ok(col instanceof Column);
    assert.equal(apiCalls(server).length, 0);
    const json = await col.json();
    assert.deepEqual(Object.keys(json), COLUMN_JSON_KEYS);
    assert.equal(json.key, "train/loss");
    assert.equal(json.name, "train/loss");
    assert.equal(json.column_type, "FLOAT");
    assert.equal(json.column_class, "CUSTOM");
    assert.equal(json.run_id, sweep(server).runs[0]!.cuid);
    const count = apiCalls(server).length;
    assert.equal(await col.key, "train/loss");
    assert.equal(await col.columnType, "FLOAT");
    assert.equal(apiCalls(server).length, count);
    const [lookup] = callsTo(server, "GET", COLUMN_GET);
    assert.equal(lookup!.query, "page=1&size=10&search=train%2Floss&class=CUSTOM");
  });

  it("fuzzy-matches on the column name", async () => {
    assert.match(await api.run(path).column("loss").key, /loss$/);
    assert.equal(
      await api.run(path).column("cpu", { columnClass: "SYSTEM" }).key,
      "__swanlab__.cpu",
    );
  });

  it("throws NotFoundError when nothing matches", async () => {
    await assert.rejects(api.column(path, "no-such-metric").json(), NotFoundError);
    await assert.rejects(api.column("vision-lab/resnet-sweep/nope", "loss").name, NotFoundError);
  });

  it("metric() derives the metric type from the column type", async () => {
    const scalar = await api.column(path, "train/loss").metric({ sample: 5 });
    assert.equal(scalar.metric_type, "SCALAR");
    assert.equal(scalar.key, "train/loss");
    assert.ok(scalar.metrics.length > 0 && scalar.metrics.length <= 5);
    const media = await api.run(path).column("samples/image", { columnType: "IMAGE" }).metric({
      mediaStep: 0,
    });
    assert.equal(media.metric_type, "MEDIA");
    assert.ok(media.metrics[0]!.items[0]!.url?.startsWith(server.storageOrigin));
  });

  it("exportCsv() returns a URL for scalar columns and ok: false for media columns", async () => {
    const csv = await api.column(path, "train/loss").exportCsv();
    assert.equal(csv.ok, true);
    assert.equal(csv.errmsg, "");
    assert.ok(csv.data?.url.startsWith(server.storageOrigin));
    const media = await api.column(path, "samples/image").exportCsv();
    assert.equal(media.ok, false);
    assert.ok(media.error instanceof ValidationError);
    assert.equal(media.data, null);
    const missing = await api.column(path, "nothing-here").exportCsv();
    assert.equal(missing.ok, false);
    assert.ok(missing.error instanceof NotFoundError);
  });
});
