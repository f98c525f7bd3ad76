import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  ApiError,
  Experiment,
  InternalServerError,
  NotFoundError,
  ResponseError,
  Run,
  type RunJson,
  Runs,
  ValidationError,
} from "../../mod.ts";
import type { LocalServer } from "../../src/server/mod.ts";
import {
  apiCalls,
  apiFor,
  callsTo,
  logins,
  startTestServer,
  sweep,
  useApiServer,
} from "./_setup.ts";
import { SDK_JSON_KEYS } from "../_helpers/sdk_json_keys.ts";

const RUN_GET = /^\/api\/project\/vision-lab\/resnet-sweep\/runs\/[^/]+$/;

describe("Run", () => {
  const fx = useApiServer({ runs: 24 });

  it("is also exported as Experiment", () => {
    assert.equal(Experiment, Run);
  });

  it("json() has exactly the Python SDK's keys, in order, with the run's data", async () => {
    const info = sweep(fx.server).runs[0]!;
    const json = await fx.api.run(info.path).json();
    assert.deepEqual(Object.keys(json), SDK_JSON_KEYS.run);
    assert.equal(json.run_id, info.cuid);
    assert.equal(json.project_id, info.projectCuid);
    assert.equal(json.name, info.name);
    assert.equal(json.state, info.state);
    assert.equal(json.created_at, info.createdAt);
    assert.equal(json.created_at_ts, info.createdAtSeconds);
    assert.equal(json.finished_at, info.finishedAt);
    assert.equal(json.group, info.cluster);
    assert.equal(json.job_type, info.job);
    assert.deepEqual(json.labels.map((l) => l.name), info.labels);
    assert.deepEqual(json.profile.config, info.config);
    assert.equal(json.root_exp_id, "");
    assert.equal(json.root_pro_id, "");
    assert.equal(json.show, true);
    assert.equal(json.type, "CHAPTER");
    assert.equal(json.url, `${fx.server.host}/@vision-lab/resnet-sweep/runs/${info.slug}/chart`);
    assert.deepEqual(Object.keys(json.user).sort(), ["name", "username"]);
  });

  it("finishedAt is null for an unfinished run", async () => {
    const running = sweep(fx.server).runs.find((r) => r.state === "RUNNING")!;
    const run = fx.api.run(running.path);
    assert.equal(await run.finishedAt, null);
    assert.equal((await run.json()).finished_at, null);
  });

  it("reports the root ids of a cloned run", async () => {
    const { run: clone, root } = fx.server.dataset.clone;
    const json = await fx.api.run(clone.path).json();
    assert.equal(json.root_exp_id, root.cuid);
    assert.equal(json.root_pro_id, root.projectCuid);
    assert.equal(await fx.api.run(clone.path).rootExpId, root.cuid);
  });

  it("loads on the first property read only, once, and caches it", async () => {
    const info = sweep(fx.server).runs[1]!;
    const run = fx.api.run(info.path);
    assert.equal(apiCalls(fx.server).length, 0);
    assert.equal(await run.state, info.state);
    assert.equal(apiCalls(fx.server).length, 1);
    assert.equal(await run.name, info.name);
    assert.equal(await run.jobType, info.job);
    assert.equal(await run.group, info.cluster);
    assert.equal(await run.createdAtTs, info.createdAtSeconds);
    assert.equal(await run.projectId, info.projectCuid);
    assert.equal(await run.runId, info.cuid);
    await run.json();
    await run.load();
    assert.equal(apiCalls(fx.server).length, 1);
    assert.equal(
      callsTo(fx.server, "GET", `/api/project/vision-lab/resnet-sweep/runs/${info.slug}`).length,
      1,
    );
  });

  it("shares one request between concurrent first reads", async () => {
    const run = fx.api.run(sweep(fx.server).runs[2]!.path);
    await Promise.all([run.state, run.name, run.profile, run.load(), run.json()]);
    assert.equal(callsTo(fx.server, "GET", RUN_GET).length, 1);
  });

  it("load() returns a frozen snapshot in camelCase", async () => {
    const info = sweep(fx.server).runs[3]!;
    const snapshot = await fx.api.run(info.path).load();
    assert.ok(Object.isFrozen(snapshot));
    assert.ok(Object.isFrozen(snapshot.profile));
    assert.equal(snapshot.runId, info.cuid);
    assert.equal(snapshot.slug, info.slug);
    assert.equal(snapshot.jobType, info.job);
    assert.equal(snapshot.group, info.cluster);
    assert.throws(() => {
      (snapshot as { name: string }).name = "x";
    }, TypeError);
  });

  it("does not cache a failed load: the next read retries", async () => {
    const flaky = apiFor(fx.server, "alice", { maxRetries: 0 });
    await flaky.username;
    const run = flaky.run(sweep(fx.server).runs[4]!.path);
    fx.server.setFaults({ errorRate: 1, faultLogin: false });
    try {
      await assert.rejects(run.state, InternalServerError);
    } finally {
      fx.server.setFaults({});
    }
    assert.equal(await run.state, sweep(fx.server).runs[4]!.state);
  });

  it("throws NotFoundError for a missing run", async () => {
    const run = fx.api.run("vision-lab/resnet-sweep/does-not-exist");
    await assert.rejects(run.name, NotFoundError);
    await assert.rejects(run.json(), NotFoundError);
  });

  it("hides runs of private projects from non-members (NotFoundError)", async () => {
    const scratch = fx.server.dataset.projects["alice/scratch"]!.runs[0]!;
    await assert.rejects(apiFor(fx.server, "bob").run(scratch.path).json(), NotFoundError);
    const diffusion = fx.server.dataset.projects["vision-lab/diffusion"]!.runs[0]!;
    await assert.rejects(apiFor(fx.server, "carol").run(diffusion.path).load(), NotFoundError);
    assert.equal(
      (await apiFor(fx.server, "bob").run(diffusion.path).json()).run_id,
      diffusion.cuid,
    );
  });

  describe("runsGet (paged)", () => {
    it("pages with size, page and all, and reports total and pages", async () => {
      const runs = fx.api.runsGet("vision-lab/resnet-sweep", { size: 10 });
      assert.ok(runs instanceof Runs);
      assert.equal(await runs.total, 24);
      assert.equal(await runs.pages, 3);
      assert.equal((await runs.toArray()).length, 10);
      const second = await fx.api.runsGet("vision-lab/resnet-sweep", { page: 2, size: 10 })
        .toArray();
      assert.equal(second.length, 10);
      fx.server.clearRequests();
      const all = await fx.api.runsGet("vision-lab/resnet-sweep", { size: 10, all: true })
        .toArray();
      assert.equal(all.length, 24);
      assert.equal(new Set(await Promise.all(all.map((r) => r.runId))).size, 24);
      assert.deepEqual(
        callsTo(fx.server, "GET", "/api/project/vision-lab/resnet-sweep/runs").map((r) => r.query)
          .sort(),
        ["page=1&size=10", "page=2&size=10", "page=3&size=10"],
      );
    });

    it("toArray({ limit }) stops without fetching further pages", async () => {
      const runs = await fx.api.runsGet("vision-lab/resnet-sweep", { size: 10, all: true }).toArray(
        {
          limit: 5,
        },
      );
      assert.equal(runs.length, 5);
      assert.equal(
        callsTo(fx.server, "GET", "/api/project/vision-lab/resnet-sweep/runs").length,
        1,
      );
    });

    it("fails on a listed run without a cuid, naming the request and the element", async () => {
      // The spec's check lets an empty string through (it is a string); the list does not: a
      // run without an id cannot be addressed, and a list never drops an element silently.
      fx.server.setFaults({
        mutateResponses: [{
          operationId: "listRuns",
          pointer: "/list/3/cuid",
          action: "set",
          value: "",
        }],
      });
      try {
        await assert.rejects(
          fx.api.runsGet("vision-lab/resnet-sweep", { size: 10 }).toArray(),
          (error: unknown) =>
            error instanceof ResponseError &&
            error.message ===
              'Cannot use response of GET /api/project/vision-lab/resnet-sweep/runs: "list[3].cuid" expected a non-empty string',
        );
      } finally {
        fx.server.setFaults({});
      }
    });

    it("rejects an invalid size or page with ValidationError before any request", () => {
      for (const size of [0, 30, 101, 12.5]) {
        assert.throws(
          () => fx.api.runsGet("vision-lab/resnet-sweep", { size }),
          (e: unknown) => e instanceof ValidationError && e.field === "size",
        );
      }
      for (const page of [0, -1, 1.5]) {
        assert.throws(
          () => fx.api.runsGet("vision-lab/resnet-sweep", { page }),
          (e: unknown) => e instanceof ValidationError && e.field === "page",
        );
      }
      assert.equal(fx.server.requests.length, 0);
    });

    it("pre-fills runs from the list: listed fields need no request", async () => {
      const [run] = await fx.api.runsGet("vision-lab/resnet-sweep", { size: 10 }).toArray({
        limit: 1,
      });
      fx.server.clearRequests();
      const info = sweep(fx.server).runs.find((r) => r.cuid === run!.path.split("/")[2])!;
      assert.equal(await run!.name, info.name);
      assert.equal(await run!.state, info.state);
      assert.equal(await run!.group, info.cluster);
      assert.equal(await run!.jobType, info.job);
      assert.equal(await run!.createdAt, info.createdAt);
      assert.equal(await run!.finishedAt, info.finishedAt);
      assert.deepEqual((await run!.labels).map((l) => l.name), info.labels);
      assert.equal(apiCalls(fx.server).length, 0);
      // A field the list lacks loads the run once, by cuid.
      assert.equal(await run!.description, `Sweep trial ${sweep(fx.server).runs.indexOf(info)}`);
      assert.equal(await run!.profile.then((p) => p.config?.["lr"]), info.config["lr"]);
      assert.deepEqual(apiCalls(fx.server).map((r) => r.path), [
        `/api/project/vision-lab/resnet-sweep/runs/${info.cuid}`,
      ]);
    });

    it("json() reports the page info and consistent full records", async () => {
      const json = await fx.api.runsGet("vision-lab/resnet-sweep", { size: 10, page: 3 }).json();
      assert.deepEqual(Object.keys(json), ["page", "size", "total", "pages", "list"]);
      assert.equal(json.page, 3);
      assert.equal(json.size, 10);
      assert.equal(json.total, 24);
      assert.equal(json.pages, 3);
      assert.equal(json.list.length, 4);
      for (const item of json.list) {
        assert.deepEqual(Object.keys(item), SDK_JSON_KEYS.run);
        assert.equal(item.project_id, sweep(fx.server).cuid);
        assert.ok(item.profile.config, "profile comes from the full record");
      }
    });
  });

  describe("runs (filter mode)", () => {
    const finished = [{
      key: "state",
      type: "STABLE" as const,
      op: "EQ" as const,
      value: ["FINISHED"],
    }];

    it("returns the matching runs and the SDK's filter-mode page info", async () => {
      const runs = fx.api.runs("vision-lab/resnet-sweep", { filters: finished });
      const json = await runs.json();
      const expected = sweep(fx.server).runs.filter((r) => r.state === "FINISHED" || r.pin);
      assert.equal(json.page, 1);
      assert.equal(json.pages, 0);
      assert.equal(json.size, expected.length);
      assert.equal(json.total, expected.length);
      assert.deepEqual(
        json.list.map((r: RunJson) => r.run_id).sort(),
        expected.map((r) => r.cuid).sort(),
      );
      for (const run of json.list) assert.deepEqual(Object.keys(run), SDK_JSON_KEYS.run);
      // One POST; full records in the answer need no run GET; one shared project GET.
      assert.equal(callsTo(fx.server, "POST", /runs\/shows$/).length, 1);
      assert.equal(callsTo(fx.server, "GET", RUN_GET).length, 0);
      assert.equal(callsTo(fx.server, "GET", "/api/project/vision-lab/resnet-sweep").length, 1);
      const body = callsTo(fx.server, "POST", /runs\/shows$/)[0]!.body as Record<string, unknown>;
      assert.deepEqual(body, {
        filters: [{ ...finished[0], active: true }],
        groups: [],
        sorts: [],
      });
    });

    it("flattens grouped answers", async () => {
      const project = fx.api.project("vision-lab/resnet-sweep");
      const flat = await project.runs({ filters: finished }).toArray();
      const grouped = await project.runs({
        filters: finished,
        groups: [{ key: "job", type: "STABLE" }, { key: "cluster", type: "STABLE" }],
      }).toArray();
      assert.equal(grouped.length, flat.length);
      assert.deepEqual(
        (await Promise.all(grouped.map((r) => r.runId))).sort(),
        (await Promise.all(flat.map((r) => r.runId))).sort(),
      );
    });

    it("filters with two rules (AND)", async () => {
      const names: string[] = [];
      for await (
        const run of fx.api.runs("vision-lab/resnet-sweep", {
          filters: [
            ...finished,
            { key: "name", type: "STABLE", op: "CONTAIN", value: ["sweep-1"] },
          ],
        })
      ) {
        names.push(await run.name);
      }
      assert.ok(names.length > 0);
      for (const name of names) assert.match(name, /sweep-1|sweep-05/);
    });

    it("rejects bad filters, groups and sorts with ValidationError and sends nothing", () => {
      const bad: [unknown, string][] = [
        [
          { filters: [{ key: "state", type: "STABLE", op: "LIKE", value: ["x"] }] },
          "filters[0].op",
        ],
        [{ filters: [{ key: "nope", type: "STABLE", op: "EQ", value: ["x"] }] }, "filters[0].key"],
        [{ filters: [{ key: "state", type: "STABLE", op: "EQ", value: "x" }] }, "filters[0].value"],
        [{ filters: [{ key: "lr", type: "HYPER", op: "EQ", value: [] }] }, "filters[0].type"],
        [{ filters: [finished[0], "x"] }, "filters[1]"],
        [{ filters: "state=FINISHED" }, "filters"],
        [{ sorts: [{ key: "name", type: "STABLE", order: "UP" }] }, "sorts[0].order"],
        [{ groups: [{ key: "oops", type: "STABLE" }] }, "groups[0].key"],
      ];
      for (const [options, field] of bad) {
        assert.throws(
          () => fx.api.runs("vision-lab/resnet-sweep", options as never),
          (e: unknown) => e instanceof ValidationError && e.field === field,
          field,
        );
        assert.throws(
          () => fx.api.project("vision-lab/resnet-sweep").runs(options as never),
          (e: unknown) => e instanceof ValidationError && e.field === field,
        );
      }
      assert.equal(fx.server.requests.length, 0);
    });
  });

  describe("data methods", () => {
    it("metrics() samples by default and returns the Metrics.json() shape", async () => {
      const info = sweep(fx.server).runs[0]!;
      const result = await fx.api.run(info.path).metrics(
        ["train/loss", "train/acc", "train/loss"],
        {
          sample: 10,
        },
      );
      assert.deepEqual(Object.keys(result), [
        "keys",
        "metricType",
        "projectId",
        "experimentId",
        "list",
      ]);
      assert.deepEqual(result.keys, ["train/loss", "train/acc", "train/loss"]);
      assert.equal(result.metricType, "SCALAR");
      assert.equal(result.projectId, info.projectCuid);
      assert.equal(result.experimentId, info.cuid);
      assert.deepEqual(result.list.map((s) => s.key), ["train/loss", "train/acc"]);
      for (const series of result.list) {
        assert.ok(series.metrics.length > 0 && series.metrics.length <= 10);
        assert.ok("index" in series.metrics[0]!);
        assert.ok(series.min && series.max && series.latest);
      }
    });

    it("metrics({ all }) and range queries read full-resolution points", async () => {
      const run = fx.api.run(fx.runPath);
      const all = await run.metrics(["train/loss"], { all: true });
      assert.equal(all.list[0]!.metrics.length, 60);
      assert.ok("step" in all.list[0]!.metrics[0]!);
      const ranged = await run.metrics(["train/loss"], {
        rangeQuery: { type: "step", start: 10, end: 19 },
        ignoreTimestamp: true,
      });
      const steps = ranged.list[0]!.metrics.map((p) => (p as { step: number }).step);
      assert.deepEqual(steps, [10, 11, 12, 13, 14, 15, 16, 17, 18, 19]);
      assert.ok(!("timestamp" in ranged.list[0]!.metrics[0]!));
      const tail = await run.metrics(["train/loss"], { rangeQuery: { tail: 3 } });
      assert.deepEqual(tail.list[0]!.metrics.map((p) => (p as { step: number }).step), [
        57,
        58,
        59,
      ]);
    });

    it("validates metric queries before any request", async () => {
      const run = fx.api.run(fx.runPath);
      await assert.rejects(
        run.metrics([]),
        (e: unknown) => e instanceof ValidationError && e.field === "keys",
      );
      await assert.rejects(run.metrics(["  "]), ValidationError);
      await assert.rejects(run.metrics(["x"], { sample: 0 }), ValidationError);
      await assert.rejects(
        run.metrics(["x"], { rangeQuery: { last: 5, start: 1 } }),
        ValidationError,
      );
      await assert.rejects(run.logs({ level: "TRACE" as "INFO" }), ValidationError);
      await assert.rejects(run.logs({ offset: -1 }), ValidationError);
      await assert.rejects(run.medias(["x"], { step: -1 }), ValidationError);
      await assert.rejects(run.summary("loss" as unknown as string[]), ValidationError);
      assert.throws(() => run.scanMetrics([]), ValidationError);
      const exported = await run.exportLogs({ rows: 0 });
      assert.equal(exported.ok, false);
      assert.ok(exported.error instanceof ValidationError);
      assert.equal(fx.server.requests.length, 0);
    });

    it("scanMetrics() streams every point", async () => {
      const points = [];
      for await (const p of fx.api.run(fx.runPath).scanMetrics(["train/loss"])) {
        points.push(p);
      }
      assert.equal(points.length, 60);
      assert.equal(points[0]!.key, "train/loss");
      assert.equal(points[59]!.step, 59);
    });

    it("metricsColumns() returns the scanned points as typed arrays, checked before any request", async () => {
      const run = fx.api.run(fx.runPath);
      const columns = await run.metricsColumns(["train/loss"], { all: true });
      const series = columns.list[0]!;
      assert.equal(series.key, "train/loss");
      assert.ok(series.steps instanceof Float64Array && series.values instanceof Float64Array);
      const points = [];
      for await (const p of run.scanMetrics(["train/loss"])) points.push(p);
      assert.deepEqual(Array.from(series.steps), points.map((p) => p.step));
      assert.deepEqual(Array.from(series.values), points.map((p) => p.value));
      assert.deepEqual(Array.from(series.timestamps), points.map((p) => p.timestamp ?? NaN));
      fx.server.clearRequests();
      await assert.rejects(run.metricsColumns([]), ValidationError);
      await assert.rejects(
        run.metricsColumns(["x"], { all: 1 as unknown as boolean }),
        ValidationError,
      );
      await assert.rejects(
        run.metricsColumns(["x"], { rangeQuery: { last: 5, start: 1 } }),
        ValidationError,
      );
      assert.equal(fx.server.requests.length, 0);
    });

    it("summary() returns the statistics per key", async () => {
      const summary = await fx.api.run(fx.runPath).summary([
        "train/loss",
        "train/acc",
      ]);
      assert.deepEqual(Object.keys(summary).sort(), ["train/acc", "train/loss"]);
      assert.equal(summary["train/loss"]!.step, 59);
      assert.equal(typeof summary["train/loss"]!.value, "number");
    });

    it("medias() returns presigned URLs on the storage origin", async () => {
      const result = await fx.api.run(fx.runPath).medias(["samples/image"], {
        step: 0,
      });
      assert.equal(result.metricType, "MEDIA");
      const items = result.list[0]!.metrics[0]!.items;
      assert.equal(items.length, fx.server.dataset.imagesPerStep);
      for (const item of items) assert.ok(item.url?.startsWith(fx.server.storageOrigin));
      const everyStep = await fx.api.run(fx.runPath).medias(["samples/image"], {
        all: true,
      });
      assert.equal(everyStep.list[0]!.metrics.length, fx.server.dataset.mediaSteps.length);
    });

    it("logs() returns one shard and exportLogs() a URL, never throwing", async () => {
      const run = fx.api.run(fx.runPath);
      const logs = await run.logs({ offset: 0, level: "INFO", ignoreTimestamp: true });
      assert.equal(logs.key, "LOG");
      assert.equal(logs.metric_type, "LOG");
      assert.equal(logs.run_id, sweep(fx.server).runs[0]!.cuid);
      assert.ok(logs.logs.length > 0);
      for (const line of logs.logs) {
        assert.ok(["INFO", "WARN", "ERROR"].includes(String(line.level)), String(line.level));
        assert.ok(!("timestamp" in line));
      }
      const exported = await run.exportLogs({ start: 0, rows: 500 });
      assert.equal(exported.ok, true);
      assert.ok(exported.data?.url.startsWith(fx.server.storageOrigin));
      const missing = await fx.api.run("vision-lab/resnet-sweep/nope").exportLogs();
      assert.equal(missing.ok, false);
      assert.ok(missing.error instanceof NotFoundError);
      assert.equal(missing.json().data, null);
    });
  });

  describe("delete", () => {
    it("dry run loads the run and sends no DELETE", async () => {
      const info = sweep(fx.server).runs[22]!;
      const plan = await fx.api.run(info.path).delete();
      assert.deepEqual(plan, {
        committed: false,
        items: [{ id: info.cuid, name: info.name, path: info.path }],
      });
      assert.equal(apiCalls(fx.server).filter((r) => r.method === "DELETE").length, 0);
      assert.equal((await fx.api.run(info.path).json()).run_id, info.cuid);
    });

    it("commit deletes the run by cuid; it is gone afterwards", async () => {
      const info = sweep(fx.server).runs[23]!;
      const plan = await fx.api.run(info.path).delete({ commit: true });
      assert.equal(plan.committed, true);
      assert.deepEqual(callsTo(fx.server, "DELETE", /.*/).map((r) => r.path), [
        `/api/project/vision-lab/resnet-sweep/runs/${info.cuid}`,
      ]);
      await assert.rejects(fx.api.run(info.path).json(), NotFoundError);
    });

    it("a failed load throws and never sends a DELETE", async () => {
      await assert.rejects(
        fx.api.run("vision-lab/resnet-sweep/missing").delete({ commit: true }),
        NotFoundError,
      );
      assert.equal(callsTo(fx.server, "DELETE", /.*/).length, 0);
    });
  });
});

describe("Run sessions and presigned URLs", () => {
  let server: LocalServer;
  before(async () => {
    server = await startTestServer({ sessionTtlMs: 1_000, presignTtlMs: 1 });
  });
  after(() => server.close());

  it("renews an expired session transparently", async () => {
    const api = apiFor(server);
    const run = api.run(sweep(server).runs[0]!.path);
    await run.load();
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const summary = await run.summary(["train/loss"]);
    assert.ok(summary["train/loss"]);
    assert.equal(logins(server).length, 2);
  });

  it("reports an expired presigned URL as a typed error", async () => {
    // Downloads wait 5 ms, so a URL presigned for 1 ms has expired whatever the runtime's speed.
    const slowStorage: typeof fetch = async (input, init) => {
      const url = input instanceof Request ? input.url : String(input);
      if (url.startsWith(server.storageOrigin)) {
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      return await fetch(input, init);
    };
    const api = apiFor(server, "alice", { maxRetries: 0, fetch: slowStorage });
    const run = api.run(sweep(server).runs[0]!.path);
    await run.load();
    await assert.rejects(run.metrics(["train/loss"], { all: true }), (error: unknown) => {
      assert.ok(error instanceof ApiError, String(error));
      assert.equal(error.status, 403);
      return true;
    });
  });
});
