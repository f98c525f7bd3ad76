/**
 * Fault soak: 1,000+ mixed operations against the local server with 5xx, 429 + Retry-After,
 * latency, connection resets and truncated downloads switched on. Every result must equal the
 * fault-free result or be a typed error; "silently wrong" must be 0. Bounded: 127.0.0.1 only,
 * stops after OPERATIONS operations or TIME_LIMIT_MS, whichever comes first.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { Api, SwanLabError } from "../../mod.ts";
import { type LocalServer, startServer } from "../../src/server/mod.ts";

const OPERATIONS = 1_000;
const TIME_LIMIT_MS = 100_000;
const PROJECT = "vision-lab/resnet-sweep";

/** Presigned URLs carry a fresh signature and expiry each time: compare them without the query. */
function normalize(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value), (_key, item) => {
    if (typeof item === "string" && /^https?:\/\/127\.0\.0\.1:\d+\/.+\?/.test(item)) {
      return item.slice(0, item.indexOf("?"));
    }
    return item;
  });
}

describe("fault soak", () => {
  let server: LocalServer;
  before(async () => {
    server = await startServer({ runs: 12, steps: 2_000, logLines: 1_500 });
  });
  after(() => server.close());

  it("returns the fault-free result or a typed error for every operation, never a silently wrong one", async () => {
    let retried = 0;
    const api = new Api({
      host: server.host,
      apiKey: server.apiKey,
      env: {},
      maxRetries: 6,
      initialRetryDelayMs: 2,
      timeoutMs: 5_000,
      debug: (line) => {
        if (
          line.includes("retry #") || line.includes("logging in again") || line.includes("restart")
        ) retried++;
      },
    });
    const runs = await api.runsGet(PROJECT, { size: 10 }).toArray({ limit: 3 });
    const paths = await Promise.all(runs.map(async (run) => `${PROJECT}/${await run.runId}`));
    const keys = ["train/loss", "val/acc"];

    const operations: [string, () => Promise<unknown>][] = [];
    for (const path of paths) {
      const run = api.run(path);
      operations.push(
        ["run json", () => api.run(path).json()],
        ["sampled metrics", () => run.metrics(keys, { sample: 200 })],
        ["full metrics", () => run.metrics(keys, { all: true })],
        [
          "range metrics",
          () => run.metrics(["train/loss"], { rangeQuery: { start: 100, end: 900, tail: 50 } }),
        ],
        ["logs", () => run.logs({ offset: 1, level: "WARN" })],
        ["medias", () => run.medias(["samples/image"], { step: 249 })],
        ["summary", () => run.summary(keys)],
        ["export logs", async () => {
          const result = await run.exportLogs({ start: 0, rows: 100 });
          if (!result.ok) throw result.error ?? new Error(result.errmsg);
          // Each export is a new object: compare where it points, not its unique name.
          const url = new URL(result.data!.url);
          return { origin: url.origin, extension: url.pathname.split(".").at(-1) };
        }],
      );
    }
    operations.push(
      [
        "list runs",
        async () => (await api.runsGet(PROJECT, { size: 10, all: true }).toArray()).length,
      ],
      ["list runs json", () => api.runsGet(PROJECT, { size: 10, page: 2 }).json()],
      ["projects", () => api.projects("vision-lab").json()],
      [
        "filter runs",
        () =>
          api.runs(PROJECT, {
            filters: [{ key: "state", type: "STABLE", op: "EQ", value: ["FINISHED"] }],
          }).json(),
      ],
      ["user", () => api.user().json()],
    );

    const baseline = new Map<string, unknown>();
    for (const [index, [, operation]] of operations.entries()) {
      baseline.set(String(index), normalize(await operation()));
    }
    assert.equal(retried, 0, "the fault-free baseline needed retries");

    server.setFaults({
      seed: 20261128,
      errorRate: 0.08,
      rateLimitRate: 0.04,
      retryAfterSeconds: 0,
      latencyMs: 1,
      resetRate: 0.03,
      truncateRate: 0.2,
    });
    const counts = { ok: 0, recovered: 0, typedError: 0, silentlyWrong: 0, untypedError: 0 };
    const wrong: string[] = [];
    const started = Date.now();
    let done = 0;
    for (; done < OPERATIONS && Date.now() - started < TIME_LIMIT_MS; done++) {
      const index = done % operations.length;
      const [name, operation] = operations[index]!;
      const retriedBefore = retried;
      try {
        const result = normalize(await operation());
        try {
          assert.deepEqual(result, baseline.get(String(index)));
          if (retried > retriedBefore) counts.recovered++;
          else counts.ok++;
        } catch {
          counts.silentlyWrong++;
          wrong.push(name);
        }
      } catch (error) {
        if (error instanceof SwanLabError) counts.typedError++;
        else {
          counts.untypedError++;
          wrong.push(`${name}: ${error}`);
        }
      }
    }
    server.setFaults({});
    console.log(
      `fault soak: ${done} operations in ${((Date.now() - started) / 1000).toFixed(1)} s: ` +
        `ok ${counts.ok}, recovered by retry ${counts.recovered}, typed error ${counts.typedError}, ` +
        `silently wrong ${counts.silentlyWrong}, untyped error ${counts.untypedError}`,
    );
    assert.equal(counts.silentlyWrong, 0, `silently wrong: ${wrong.join(", ")}`);
    assert.equal(counts.untypedError, 0, `untyped errors: ${wrong.join(", ")}`);
    assert.ok(done >= OPERATIONS, `only ${done} operations ran within the time limit`);
    assert.ok(counts.recovered > 0, "no operation needed a retry: the faults were not exercised");
    assert.ok(counts.ok + counts.recovered > done * 0.8, "too few operations succeeded");
  });
});
