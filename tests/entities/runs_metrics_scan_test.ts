import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { type Api, type MetricRow, ResponseError, ValidationError } from "../../mod.ts";
import type { MetricRowColumns } from "../../src/export/metric_row_columns.ts";
import { type LocalServer, startServer } from "../../src/server/mod.ts";
import { apiFor } from "./_setup.ts";

const SWEEP = "vision-lab/resnet-sweep";
const KEYS = ["train/loss", "val/acc", "lr", "no/such/key"];

/** The union of each run's own `run.scanMetrics(keys)`, run by run in list order. */
async function perRunUnion(api: Api, keys: readonly string[]): Promise<MetricRow[]> {
  const rows: MetricRow[] = [];
  for await (const run of api.runsGet(SWEEP, { size: 100, all: true })) {
    const id = await run.runId;
    for await (const p of run.scanMetrics(keys)) {
      rows.push(
        p.timestamp === undefined
          ? { run: id, key: p.key, step: p.step, value: p.value }
          : { run: id, key: p.key, step: p.step, value: p.value, timestamp: p.timestamp },
      );
    }
  }
  return rows;
}

/** The rows of column blocks, checking that each block holds one run and at most 8192 rows. */
function columnRows(blocks: readonly MetricRowColumns[]): MetricRow[] {
  const rows: MetricRow[] = [];
  for (const b of blocks) {
    assert.ok(b.length > 0 && b.length <= 8192, `block of ${b.length} rows`);
    for (let i = 0; i < b.length; i++) {
      const base = {
        run: b.run,
        key: b.keys[b.keyIndex[i]!]!,
        step: b.steps[i]!,
        value: b.values[i]!,
      };
      const timestamp = b.timestamps[i]!;
      rows.push(Number.isNaN(timestamp) ? base : { ...base, timestamp });
    }
  }
  return rows;
}

for (const runCount of [1, 7, 50]) {
  describe(`runs.scanMetrics() over ${runCount} run(s)`, () => {
    let server: LocalServer;
    let api: Api;
    let expected: MetricRow[];
    before(async () => {
      server = await startServer({ runs: runCount, steps: 150, logLines: 2 });
      api = apiFor(server, "alice", { concurrency: 3 });
      expected = await perRunUnion(api, KEYS);
    });
    after(() => server.close());

    it("equals the union of each run's scanMetrics: nothing dropped or duplicated", async () => {
      const runs = api.runsGet(SWEEP, { size: 100, all: true });
      const rows: MetricRow[] = [];
      for await (const row of runs.scanMetrics(KEYS)) rows.push(row);
      assert.ok(expected.length > runCount * 150, "the runs have points");
      assert.equal(new Set(expected.map((r) => r.run)).size, runCount);
      assert.ok(!expected.some((r) => r.key === "no/such/key"));
      assert.deepEqual(rows, expected);
      // The batches carry the same rows.
      const batched = (await Array.fromAsync(runs.scanMetrics(KEYS).batches())).flat();
      assert.deepEqual(batched, expected);
      // And so do the column blocks.
      assert.deepEqual(
        columnRows(await Array.fromAsync(runs.scanMetrics(KEYS).columns())),
        expected,
      );
    });

    it("gives the same rows with faults switched on", async () => {
      server.clearRequests();
      await api.runsGet(SWEEP, { size: 100, all: true }).scanMetrics(KEYS).collect();
      const cleanRequests = server.requests.length;
      server.clearRequests();
      server.setFaults({
        seed: 11,
        errorRate: 0.15,
        rateLimitRate: 0.05,
        retryAfterSeconds: 0,
        truncateRate: 0.3,
      });
      try {
        const table = await api.runsGet(SWEEP, { size: 100, all: true })
          .scanMetrics(KEYS, {}, { maxRetries: 12, retryUnsafe: true })
          .collect();
        assert.deepEqual(table.rows, expected);
        const blocks = await Array.fromAsync(
          api.runsGet(SWEEP, { size: 100, all: true })
            .scanMetrics(KEYS, {}, { maxRetries: 12, retryUnsafe: true })
            .columns(),
        );
        assert.deepEqual(columnRows(blocks), expected);
        // Faults were hit and retried: more requests than the clean scan.
        assert.ok(server.requests.length > cleanRequests, "faults were injected");
      } finally {
        server.setFaults({});
      }
    });
  });
}

describe("runs.scanMetrics() limits and failures", () => {
  let server: LocalServer;
  let api: Api;
  before(async () => {
    server = await startServer({ runs: 12, steps: 3000, logLines: 2 });
    api = apiFor(server, "alice", { concurrency: 4 });
  });
  after(() => server.close());

  const exportedRuns = () =>
    new Set(
      server.requests
        .filter((r) => r.path === "/api/house/metrics/scalar/export")
        .map((r) =>
          JSON.stringify(
            (r.body as { columns: { experimentId: string }[] }).columns[0]!.experimentId,
          )
        ),
    );

  it("keeps at most runConcurrency runs open ahead of a slow consumer", async () => {
    server.clearRequests();
    const scan = api.runsGet(SWEEP, { size: 100, all: true })
      .scanMetrics(["train/loss", "val/loss"], {}, { runConcurrency: 2 });
    const iterator = scan[Symbol.asyncIterator]();
    const first = await iterator.next();
    assert.equal(first.done, false);
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.ok(exportedRuns().size <= 2, `${exportedRuns().size} runs started`);
    await iterator.return?.();
  });

  it("cuts column blocks at 8192 rows and gives the rows of batches, range query or not", async () => {
    const runs = api.runsGet(SWEEP, { size: 100, all: true });
    const keys = ["train/loss", "val/loss", "train/acc", "val/acc", "lr"];
    const blocks = await Array.fromAsync(
      runs.scanMetrics(keys, {}, { runConcurrency: 3 }).columns(),
    );
    const rows = (await Array.fromAsync(runs.scanMetrics(keys).batches())).flat();
    const first = rows.filter((r) => r.run === rows[0]!.run).length;
    assert.ok(first > 8192, `${first} rows in the first run`);
    assert.ok(blocks.some((b) => b.length === 8192), "full blocks");
    assert.deepEqual(columnRows(blocks), rows);
    const query = { rangeQuery: { tail: 5 } };
    assert.deepEqual(
      columnRows(await Array.fromAsync(runs.scanMetrics(keys, query).columns())),
      (await Array.fromAsync(runs.scanMetrics(keys, query).batches())).flat(),
    );
  });

  it("applies the range query to every run", async () => {
    const rows = await api.runsGet(SWEEP, { size: 100, all: true })
      .scanMetrics(["train/loss"], { rangeQuery: { tail: 5 } })
      .collect();
    assert.equal(rows.rows.length, 12 * 5);
    assert.equal(rows.runs.length, 12);
  });

  it("fails as a whole when one run's download stays cut", async () => {
    server.setFaults({ truncateRate: 1 });
    try {
      await assert.rejects(
        api.runsGet(SWEEP, { size: 100, all: true })
          .scanMetrics(["train/loss"], {}, { maxRetries: 0 })
          .collect(),
        ResponseError,
      );
    } finally {
      server.setFaults({});
    }
  });

  it("rejects bad keys, range queries and options before any request", () => {
    server.clearRequests();
    const runs = api.runsGet(SWEEP);
    assert.throws(() => runs.scanMetrics([]), ValidationError);
    assert.throws(() => runs.scanMetrics([" "]), ValidationError);
    assert.throws(
      () => runs.scanMetrics(["lr"], { rangeQuery: { head: -1 } }),
      ValidationError,
    );
    assert.throws(
      () => runs.scanMetrics(["lr"], {}, { runConcurrency: 0 }),
      (e: unknown) => e instanceof ValidationError && e.field === "runConcurrency",
    );
    assert.equal(server.requests.length, 0);
    const many = Array.from({ length: 65_537 }, (_, i) => `k${i}`);
    assert.throws(
      () => api.runsGet(SWEEP, { size: 100, all: true }).scanMetrics(many).columns(),
      (e: unknown) =>
        e instanceof ValidationError && e.field === "keys" && /at most 65536/.test(e.message),
    );
  });

  it("displays one SVG chart per key, a line per run", async () => {
    const table = await api.runsGet(SWEEP, { size: 10 })
      .scanMetrics(["train/loss", "lr"], { rangeQuery: { tail: 20 } })
      .collect();
    const display = (table as unknown as Record<symbol, () => Promise<Record<string, string>>>)[
      Symbol.for("Jupyter.display")
    ]!;
    const html = (await display.call(table))["text/html"]!;
    assert.equal((html.match(/<svg/g) ?? []).length, 2);
    assert.doesNotMatch(html, /<\?xml/);
    assert.match(html, /train\/loss/);
    // Legends use the run names.
    const names = [...table.runNames.values()];
    assert.equal(names.length, 10);
    assert.ok(html.includes(names[0]!));
  });
});
