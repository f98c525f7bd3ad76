import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  type Api,
  InternalServerError,
  ResponseError,
  type Run,
  RUN_TABLE_COLUMNS,
  SUMMARY_STATS,
  ValidationError,
} from "../../mod.ts";
import { type LocalServer, startServer } from "../../src/server/mod.ts";
import { flattenConfig, summaryCells } from "../../src/entities/runs_table.ts";
import { apiCalls, apiFor, callsTo, sweep } from "./_setup.ts";

const SWEEP = "vision-lab/resnet-sweep";

/** The row the per-run API gives for a run: `run.json()`, `run.summary(keys)`. */
async function expectedRow(run: Run, summaryKeys: readonly string[] | undefined) {
  const json = await run.json();
  const row: Record<string, unknown> = {
    path: run.path,
    run_id: json.run_id,
    name: json.name,
    state: json.state,
    group: json.group,
    job_type: json.job_type,
    created_at: json.created_at,
    finished_at: json.finished_at,
    ...flattenConfig(json.profile.config ?? {}),
  };
  if (summaryKeys !== undefined) {
    const summary = await run.summary(summaryKeys);
    for (const [key, item] of Object.entries(summary)) Object.assign(row, summaryCells(key, item));
  }
  return row;
}

describe("runs.table()", () => {
  let server: LocalServer;
  let api: Api;
  before(async () => {
    server = await startServer({ runs: 12, steps: 80, logLines: 5 });
    api = apiFor(server);
  });
  after(() => server.close());

  it("equals, row by row and in list order, what run.json() and run.summary() return", async () => {
    const keys = ["val/acc", "train/loss"];
    const table = await api.runsGet(SWEEP, { size: 10, all: true }).table({ summary: keys })
      .collect();
    const runs = await api.runsGet(SWEEP, { size: 10, all: true }).toArray();
    assert.equal(table.rows.length, sweep(server).runs.length);
    assert.deepEqual(table.rows.map((r) => r["run_id"]), runs.map((r) => r.path.split("/")[2]));
    for (const [i, run] of runs.entries()) {
      const want = await expectedRow(run, keys);
      const got = Object.fromEntries(
        Object.entries(table.rows[i]!).filter(([, value]) => value !== null),
      );
      const wantNonNull = Object.fromEntries(
        Object.entries(want).filter(([, value]) => value !== null),
      );
      assert.deepEqual(got, wantNonNull, `row ${i}`);
    }
    // The columns: identity, then config (first appearance), then the summary stats per key.
    assert.deepEqual(table.columns.slice(0, RUN_TABLE_COLUMNS.length), [...RUN_TABLE_COLUMNS]);
    assert.deepEqual(
      table.columns.filter((c) => c.startsWith("summary.")),
      keys.flatMap((k) => SUMMARY_STATS.map((s) => `summary.${k}.${s}`)),
    );
    assert.ok(table.columns.includes("config.lr"));
    // Every row has every column (union, empty cells null).
    for (const row of table.rows) assert.deepEqual(Object.keys(row), table.columns);
  });

  it("loads the project's cuid once when run records lack it, with the rows run.summary() gives", async () => {
    const keys = ["val/acc"];
    server.setFaults({
      mutateResponses: [{ operationId: "getRun", pointer: "/project_id", action: "delete" }],
    });
    try {
      server.clearRequests();
      const table = await api.runsGet(SWEEP, { size: 10 }).table({ summary: keys }).collect();
      // The project's cuid comes from one (shared) project request instead of the records.
      assert.equal(callsTo(server, "GET", "/api/project/vision-lab/resnet-sweep").length, 1);
      // Each record is read once, also when the run's other loads need it.
      assert.equal(
        callsTo(server, "GET", /^\/api\/project\/vision-lab\/resnet-sweep\/runs\/[^/]+$/).length,
        10,
      );
      // One summaries request names the 10 runs.
      assert.equal(callsTo(server, "POST", "/api/house/metrics/summaries").length, 1);
      const runs = await api.runsGet(SWEEP, { size: 10 }).toArray();
      for (const [i, run] of runs.entries()) {
        const want = await expectedRow(run, keys);
        assert.equal(table.rows[i]!["summary.val/acc.value"], want["summary.val/acc.value"]);
        assert.equal(typeof table.rows[i]!["summary.val/acc.value"], "number");
        assert.equal(table.rows[i]!["run_id"], want["run_id"]);
      }
    } finally {
      server.setFaults({});
    }
  });

  it("fails like run.summary() when a run record has no cuid", async () => {
    server.setFaults({
      mutateResponses: [{ operationId: "getRun", pointer: "/cuid", action: "delete" }],
    });
    try {
      const [run] = await api.runsGet(SWEEP, { size: 10 }).toArray();
      const expected = await run!.summary(["lr"]).then(() => undefined, (error: Error) => error);
      assert.ok(expected instanceof ResponseError, "run.summary() rejects");
      await assert.rejects(
        api.runsGet(SWEEP, { size: 10 }).table({ summary: ["lr"] }).collect(),
        (error: Error) => error instanceof ResponseError && error.message === expected.message,
      );
    } finally {
      server.setFaults({});
    }
  });

  it("takes the filtered list's order and fetches summaries only when asked", async () => {
    const filters = [{
      key: "state",
      type: "STABLE" as const,
      op: "EQ" as const,
      value: ["FINISHED"],
    }];
    const runs = api.runs(SWEEP, { filters });
    const expectedIds = (await runs.json()).list.map((r) => r.run_id);
    server.clearRequests();
    const table = await runs.table({ config: ["lr", "config.optimizer"] }).collect();
    assert.deepEqual(table.rows.map((r) => r["run_id"]), expectedIds);
    assert.deepEqual(table.columns.slice(RUN_TABLE_COLUMNS.length), [
      "config.lr",
      "config.optimizer",
    ]);
    assert.equal(callsTo(server, "POST", "/api/house/metrics/summaries").length, 0);
    // A filtered list's runs come with their full records: none is fetched again.
    assert.equal(callsTo(server, "GET", /\/runs\/[^/]+$/).length, 0);
    for (const row of table.rows) assert.equal(typeof row["config.lr"], "number");
  });

  it("gives every summary key with summary: true, and no config with config: false", async () => {
    const table = await api.runsGet(SWEEP, { size: 10 }).table({ config: false, summary: true })
      .collect();
    assert.ok(!table.columns.some((c) => c.startsWith("config.")));
    const first = (await api.runsGet(SWEEP, { size: 10 }).toArray())[0]!;
    const summary = await first.summary();
    for (const key of Object.keys(summary)) {
      assert.ok(table.columns.includes(`summary.${key}.max`), key);
    }
    assert.equal(table.rows[0]!["summary.val/acc.max"], summary["val/acc"]!.max!.value);
  });

  it("gives the union of heterogeneous configs, with empty cells where a run lacks a key", async () => {
    const runs = api.runsGet("alice/mnist-baseline", { size: 10 });
    const table = await runs.table().collect();
    assert.ok(table.columns.includes("config.hidden"));
    assert.ok(table.columns.includes("config.channels"));
    const list = await api.runsGet("alice/mnist-baseline", { size: 10 }).toArray();
    assert.equal(table.rows.length, list.length);
    for (const [i, run] of list.entries()) {
      const config = (await run.json()).profile.config ?? {};
      for (const key of ["hidden", "channels"]) {
        assert.equal(table.rows[i]![`config.${key}`], config[key] ?? null, `${key} of row ${i}`);
      }
    }
    assert.ok(table.rows.some((r) => r["config.hidden"] === null));
    assert.ok(table.rows.some((r) => r["config.channels"] === null));
  });

  it("keeps a requested summary key that no run has as an empty column", async () => {
    const table = await api.runsGet(SWEEP, { size: 10 }).table({ summary: ["no/such/key"] })
      .collect();
    assert.ok(table.columns.includes("summary.no/such/key.value"));
    assert.ok(table.rows.every((r) => r["summary.no/such/key.value"] === null));
  });

  it("streams rows in order when iterated, and fails as a whole when a run fails", async () => {
    const rows = [];
    for await (const row of api.runsGet(SWEEP, { size: 10 }).table({ summary: ["lr"] })) {
      rows.push(row);
    }
    assert.equal(rows.length, 10);
    server.setFaults({ errorRate: 1, faultLogin: false });
    try {
      await assert.rejects(
        api.runsGet(SWEEP, { size: 10 }).table({ summary: ["lr"] }, { maxRetries: 0 }).collect(),
      );
    } finally {
      server.setFaults({});
    }
  });

  it("ends with its first failure: nothing of it in flight then, and nothing sent after", async () => {
    // The first run record answered fails; every other answer comes 40 ms late, so that when
    // the table fails, the other runs' requests are in flight or waiting for the limiter.
    let failed = false;
    let answered = 0;
    server.setResponseHook(async (operation, response) => {
      if (operation === "getRun" && !failed) {
        failed = true;
        answered++;
        return Response.json({ code: "503", message: "unavailable" }, { status: 503 });
      }
      await new Promise((resolve) => setTimeout(resolve, 40));
      answered++;
      return response;
    });
    try {
      server.clearRequests();
      await assert.rejects(
        api.runsGet(SWEEP, { size: 10 }).table({ summary: ["lr"] }, { maxRetries: 0 }).collect(),
        (error: Error) => error instanceof InternalServerError && error.status === 503,
      );
      const sent = apiCalls(server).length;
      assert.ok(
        callsTo(server, "GET", /\/runs\/[^/]+$/).length > 1,
        `the other runs were under way when the first failed (${sent} requests)`,
      );
      assert.equal(answered, sent, "every request it sent was answered before it failed");
      await new Promise((resolve) => setTimeout(resolve, 150));
      assert.equal(apiCalls(server).length, sent, "no request after it failed");
    } finally {
      server.setResponseHook(undefined);
    }
  });

  it("survives transient faults with the same rows", async () => {
    const list = () => api.runsGet(SWEEP, { size: 10, all: true });
    const clean = await list().table({ summary: ["val/acc"] }).collect();
    server.setFaults({ errorRate: 0.3, rateLimitRate: 0.1, retryAfterSeconds: 0, seed: 4 });
    try {
      const faulty = await list().table({ summary: ["val/acc"] }, { maxRetries: 8 }).collect();
      assert.deepEqual(faulty, clean);
    } finally {
      server.setFaults({});
    }
  });

  it("rejects bad options before any request", () => {
    server.clearRequests();
    const runs = api.runsGet(SWEEP);
    assert.throws(() => runs.table({ config: "lr" as unknown as string[] }), ValidationError);
    assert.throws(
      () => runs.table({ summary: ["ok", " "] }),
      (e: unknown) => e instanceof ValidationError && e.field === "summary[1]",
    );
    assert.equal(server.requests.length, 0);
  });

  it("displays itself as an HTML table in notebooks", async () => {
    const table = await api.runsGet(SWEEP, { size: 10 }).table({ config: ["lr"] }).collect();
    const display = (table as unknown as Record<symbol, () => Record<string, string>>)[
      Symbol.for("Jupyter.display")
    ]!;
    const bundle = display.call(table);
    assert.match(bundle["text/html"]!, /^<table>/);
    assert.match(bundle["text/html"]!, /<th>config\.lr<\/th>/);
    assert.equal((bundle["text/html"]!.match(/<tr>/g) ?? []).length, 11);
  });
});

describe("flattenConfig", () => {
  it("flattens nested objects with dots and keeps lists", () => {
    assert.deepEqual(flattenConfig({ a: 1, m: { d: { x: "y" }, e: [1, 2] }, z: {} }), {
      "config.a": 1,
      "config.m.d.x": "y",
      "config.m.e": [1, 2],
      "config.z": null,
    });
  });
});

describe("runs.table() of many runs", () => {
  let server: LocalServer;
  let api: Api;
  before(async () => {
    server = await startServer({ runs: 120, steps: 20, logLines: 1 });
    api = apiFor(server);
  });
  after(() => server.close());

  it("asks for the summaries of 50 runs per request, with each run's own summaries", async () => {
    const keys = ["val/acc", "train/loss"];
    server.clearRequests();
    const table = await api.runsGet(SWEEP, { size: 100, all: true }).table({ summary: keys })
      .collect();
    const requests = callsTo(server, "POST", "/api/house/metrics/summaries");
    const named = requests.map((r) => (r.body as { experiments: unknown[] }).experiments.length);
    assert.deepEqual(named, [50, 50, 20]);
    assert.equal(table.rows.length, 120);
    const runs = await api.runsGet(SWEEP, { size: 100, all: true }).toArray();
    assert.deepEqual(table.rows.map((r) => r["run_id"]), runs.map((r) => r.path.split("/")[2]));
    for (const i of [0, 49, 50, 119]) {
      const want = await expectedRow(runs[i]!, keys);
      for (const key of keys) {
        for (const stat of SUMMARY_STATS) {
          const column = `summary.${key}.${stat}`;
          assert.deepEqual(table.rows[i]![column], want[column] ?? null, `row ${i} ${column}`);
        }
      }
    }
  });
});
