import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type DatasetRun, type LocalServer, startServer } from "../../src/server/mod.ts";
import { arr, keyOf, login, obj, type TestClient } from "./_helpers.ts";

function colref(run: DatasetRun, key: string): Record<string, unknown> {
  return { experimentId: run.cuid, key, createdAt: run.createdAtSeconds };
}

describe("scalar metrics", () => {
  let server: LocalServer;
  let alice: TestClient;
  let run: DatasetRun;
  before(async () => {
    server = await startServer({ runs: 4, steps: 2000, extraKeys: 3 });
    alice = await login(server);
    run = server.dataset.projects["vision-lab/resnet-sweep"]!.runs[1]!;
  });
  after(async () => {
    await server.close();
  });

  it("POST /house/metrics/scalar/keys pages keys with limit/cursor/hasMore/nextCursor", async () => {
    const ref = {
      projectId: run.projectCuid,
      experimentId: run.cuid,
      createdAt: run.createdAtSeconds,
    };
    const all: string[] = [];
    let cursor = "";
    let pages = 0;
    for (;;) {
      const res = await alice.post("/house/metrics/scalar/keys", {
        experiments: [ref],
        limit: 4,
        cursor,
      });
      assert.equal(res.status, 200);
      const body = obj(res.body);
      all.push(...arr(body.keys).map(String));
      pages++;
      if (!body.hasMore) {
        assert.equal(body.nextCursor, "");
        break;
      }
      cursor = String(body.nextCursor);
    }
    assert.equal(pages, 3);
    assert.deepEqual(all, [...server.dataset.scalarKeys, ...server.dataset.systemKeys]);
    const bad = await alice.post("/house/metrics/scalar/keys", {
      experiments: [ref],
      limit: 4,
      cursor: "zzz",
    });
    assert.equal(bad.status, 400);
    const noCreated = await alice.post("/house/metrics/scalar/keys", {
      experiments: [{ projectId: run.projectCuid, experimentId: run.cuid }],
      limit: 4,
      cursor: "",
    });
    assert.equal(noCreated.status, 400);
    assert.match(String(obj(noCreated.body).message), /createdAt/);
  });

  it("lists the clone's keys through its root ids", async () => {
    const { root } = server.dataset.clone;
    const res = await alice.post("/house/metrics/scalar/keys", {
      experiments: [{
        projectId: root.projectCuid,
        experimentId: root.cuid,
        createdAt: root.createdAtSeconds,
      }],
      limit: 2000,
      cursor: "",
    });
    assert.equal(res.status, 200);
    assert.ok(arr(obj(res.body).keys).includes("train/loss"));
  });

  it("stores nothing under a clone's own ids: root ids are required to read its data", async () => {
    const { run: clone, root } = server.dataset.clone;
    const own = await alice.post("/house/metrics/scalar/keys", {
      experiments: [{
        projectId: clone.projectCuid,
        experimentId: clone.cuid,
        createdAt: clone.createdAtSeconds,
      }],
      limit: 2000,
      cursor: "",
    });
    assert.deepEqual(own.body, { keys: [], hasMore: false, nextCursor: "" });
    const body = {
      projectId: clone.projectCuid,
      xType: "step",
      range: [0, 0],
      columns: [colref(clone, "train/loss")],
      num: 10,
    };
    const without = await alice.post("/house/metrics/scalar", body);
    assert.deepEqual(obj(arr(without.body)[0]).metrics, []);
    const withRoot = await alice.post("/house/metrics/scalar", {
      ...body,
      columns: [{
        ...colref(clone, "train/loss"),
        rootProId: root.projectCuid,
        rootExpId: root.cuid,
      }],
    });
    assert.equal(arr(obj(arr(withRoot.body)[0]).metrics).length, 10);
    const wrongRoot = await alice.post("/house/metrics/scalar", {
      ...body,
      columns: [{
        ...colref(clone, "train/loss"),
        rootProId: clone.projectCuid,
        rootExpId: root.cuid,
      }],
    });
    assert.equal(wrongRoot.status, 404);
  });

  it("POST /house/metrics/scalar/availability maps each key to the runs that have it", async () => {
    const other = server.dataset.projects["vision-lab/resnet-sweep"]!.runs[2]!;
    const refs = [run, other].map((r) => ({
      projectId: r.projectCuid,
      experimentId: r.cuid,
      createdAt: r.createdAtSeconds,
    }));
    const res = await alice.post("/house/metrics/scalar/availability", {
      keys: ["train/loss", "nope"],
      experiments: refs,
    });
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, { "train/loss": [run.cuid, other.cuid], nope: [] });
    const missing = await alice.post("/house/metrics/scalar/availability", {
      keys: ["x"],
      experiments: [{
        projectId: run.projectCuid,
        experimentId: "cmissing",
        createdAt: run.createdAtSeconds,
      }],
    });
    assert.equal(missing.status, 404);
  });

  it("POST /house/metrics/scalar downsamples with LTTB to <= num points keeping first and last", async () => {
    const res = await alice.post("/house/metrics/scalar", {
      projectId: run.projectCuid,
      xType: "step",
      range: [0, 0],
      columns: [colref(run, "train/loss"), colref(run, "val/loss"), colref(run, "nope")],
      num: 100,
    });
    assert.equal(res.status, 200);
    const series = arr(res.body).map((s) => obj(s));
    const loss = arr(series.find((s) => s.key === "train/loss")!.metrics).map((p) => obj(p));
    assert.equal(loss.length, 100);
    assert.equal(loss[0]!.index, 0);
    assert.equal(loss.at(-1)!.index, 1999);
    for (const p of loss) {
      assert.equal(typeof p.index, "number");
      assert.equal(typeof p.timestamp, "number");
      assert.ok(String(p.timestamp).length === 13);
    }
    const val = arr(series.find((s) => s.key === "val/loss")!.metrics);
    assert.equal(val.length, 100);
    assert.equal(obj(val.at(-1)).index, 1990);
    assert.deepEqual(series.find((s) => s.key === "nope")!.metrics, []);
  });

  it("returns every point below num, NaN/INF/-INF as strings", async () => {
    const res = await alice.post("/house/metrics/scalar", {
      projectId: run.projectCuid,
      xType: "step",
      range: [0, 0],
      columns: [colref(run, "train/loss"), colref(run, "val/loss")],
      num: 1500,
    });
    const [loss, val] = arr(res.body).map((s) => arr(obj(s).metrics).map((p) => obj(p)));
    assert.equal(val!.length, 200);
    assert.equal(val!.find((p) => p.index === 990)!.data, "-INF");
    const shortRun = await alice.post("/house/metrics/scalar", {
      projectId: run.projectCuid,
      xType: "step",
      range: [390, 400],
      columns: [colref(run, "train/loss")],
      num: 1500,
    });
    const pts = arr(obj(arr(shortRun.body)[0]).metrics).map((p) => obj(p));
    assert.deepEqual(pts.map((p) => p.index), [
      390,
      391,
      392,
      393,
      394,
      395,
      396,
      397,
      398,
      399,
      400,
    ]);
    assert.equal(pts.find((p) => p.index === 396)!.data, "NaN");
    assert.ok(loss!.length <= 1500);
    const inf = await alice.post("/house/metrics/scalar", {
      projectId: run.projectCuid,
      xType: "step",
      range: [996, 996],
      columns: [colref(run, "train/loss")],
      num: 10,
    });
    assert.equal(obj(arr(obj(arr(inf.body)[0]).metrics)[0]).data, "INF");
  });

  it("rejects num > 1500, ms createdAt, bad xType and unknown fields with 400", async () => {
    const base = {
      projectId: run.projectCuid,
      xType: "step",
      range: [0, 0],
      columns: [colref(run, "train/loss")],
      num: 10,
    };
    for (
      const body of [
        { ...base, num: 1501 },
        { ...base, num: 0 },
        { ...base, xType: "time" },
        { ...base, range: [0] },
        {
          ...base,
          columns: [{ ...colref(run, "train/loss"), createdAt: run.createdAtSeconds * 1000 }],
        },
        {
          ...base,
          columns: [{ ...colref(run, "train/loss"), createdAt: String(run.createdAtSeconds) }],
        },
        { ...base, extra: true },
        { ...base, columns: [] },
      ]
    ) {
      const res = await alice.post("/house/metrics/scalar", body);
      assert.equal(res.status, 400, JSON.stringify(body).slice(0, 200));
      assert.equal(obj(res.body).code, "400");
    }
    const wrongProject = await alice.post("/house/metrics/scalar", {
      ...base,
      projectId: server.dataset.projects["alice/mnist-baseline"]!.cuid,
    });
    assert.equal(wrongProject.status, 404);
    const carol = await login(server, keyOf(server, "carol"));
    const hidden = server.dataset.projects["vision-lab/diffusion"]!.runs[0]!;
    const res = await carol.post("/house/metrics/scalar", {
      ...base,
      projectId: hidden.projectCuid,
      columns: [colref(hidden, "train/loss")],
    });
    assert.equal(res.status, 404);
  });

  it("POST /house/metrics/scalar/value returns min/max/latest with step or timestamp index", async () => {
    const body = {
      projectId: run.projectCuid,
      range: [0, 0],
      columns: [colref(run, "train/acc")],
      num: 1500,
    };
    const byStep = obj(
      arr((await alice.post("/house/metrics/scalar/value", { ...body, xType: "step" })).body)[0],
    );
    const byTime = obj(
      arr(
        (await alice.post("/house/metrics/scalar/value", { ...body, xType: "timestamp" })).body,
      )[0],
    );
    assert.equal(byStep.key, "train/acc");
    assert.equal(obj(byStep.latest).index, 1999);
    assert.ok(Number(obj(byTime.latest).index) > 1e12);
    assert.equal(obj(byStep.min).data, obj(byTime.min).data);
    assert.ok(Number(obj(byStep.min).data) <= Number(obj(byStep.median).data));
    assert.ok(Number(obj(byStep.median).data) <= Number(obj(byStep.max).data));
    assert.deepEqual(Object.keys(obj(byStep.avg)), ["data"]);
    assert.deepEqual(Object.keys(obj(byStep.median)), ["data"]);
    const full = obj(
      arr((await alice.post("/house/metrics/scalar", { ...body, xType: "step" })).body)[0],
    );
    const values = arr(full.metrics).map((p) => Number(obj(p).data));
    assert.equal(Math.min(...values), obj(byStep.min).data);
    assert.equal(Math.max(...values), obj(byStep.max).data);
    assert.equal(
      (await alice.post("/house/metrics/scalar/value", { ...body, xType: "epoch" })).status,
      400,
    );
  });

  it("POST /house/metrics/summaries returns SummaryItem per key keyed by run cuid", async () => {
    const ref = {
      projectId: run.projectCuid,
      experimentId: run.cuid,
      createdAt: run.createdAtSeconds,
    };
    const res = await alice.post("/house/metrics/summaries", {
      experiments: [ref, { ...ref, experimentId: "cmissing" }],
      keys: ["train/loss", "lr", "nope"],
    });
    assert.equal(res.status, 200);
    const body = obj(res.body);
    assert.equal(body.cmissing, null);
    const perKey = obj(body[run.cuid]);
    assert.deepEqual(Object.keys(perKey), ["train/loss", "lr"]);
    const loss = obj(perKey["train/loss"]);
    assert.deepEqual(Object.keys(loss).sort(), [
      "avg",
      "max",
      "median",
      "min",
      "minMax",
      "stdDev",
      "step",
      "value",
    ]);
    assert.equal(loss.step, 1999);
    assert.deepEqual(loss.minMax, [obj(loss.min).value, obj(loss.max).value]);
    const all = obj(
      obj((await alice.post("/house/metrics/summaries", { experiments: [ref] })).body)[run.cuid],
    );
    assert.equal(Object.keys(all).length, 5 + 3 + 3);
    const none = obj(
      (await alice.post("/house/metrics/summaries", { experiments: [ref], keys: [] })).body,
    );
    assert.deepEqual(none[run.cuid], {});
    const bad = await alice.post("/house/metrics/summaries", {
      experiments: [{ ...ref, createdAt: 17 }],
    });
    assert.equal(bad.status, 400);
  });

  it("summarizes the clone from its root run's metrics", async () => {
    const { run: clone, root } = server.dataset.clone;
    const ref = (r: DatasetRun, extra: Record<string, string> = {}): Record<string, unknown> => ({
      projectId: r.projectCuid,
      experimentId: r.cuid,
      createdAt: r.createdAtSeconds,
      ...extra,
    });
    const res = await alice.post("/house/metrics/summaries", {
      experiments: [ref(clone, { rootProId: root.projectCuid, rootExpId: root.cuid }), ref(root)],
      keys: ["train/loss"],
    });
    const body = obj(res.body);
    assert.deepEqual(body[clone.cuid], body[root.cuid]);
  });
});

describe("root ids cannot reach other runs", () => {
  let server: LocalServer;
  before(async () => {
    server = await startServer({ runs: 2, steps: 100 });
  });
  after(() => server.close());

  it("answers 404 when a visible run names a private run as its root, on every House endpoint", async () => {
    const carol = await login(server, keyOf(server, "carol"));
    const visible = server.dataset.projects["alice/mnist-baseline"]!.runs[0]!;
    const secret = server.dataset.projects["vision-lab/diffusion"]!.runs[0]!;
    const leak = { rootProId: secret.projectCuid, rootExpId: secret.cuid };
    const column = { ...colref(visible, "train/loss"), ...leak };
    const line = {
      projectId: visible.projectCuid,
      xType: "step",
      range: [0, 0],
      columns: [column],
      num: 10,
    };
    const responses = await Promise.all([
      carol.post("/house/metrics/scalar", line),
      carol.post("/house/metrics/scalar/value", line),
      carol.post("/house/metrics/scalar/export", {
        projectId: visible.projectCuid,
        columns: [column],
      }),
      carol.post("/house/metrics/summaries", {
        experiments: [{
          projectId: visible.projectCuid,
          experimentId: visible.cuid,
          createdAt: visible.createdAtSeconds,
          ...leak,
        }],
      }),
      carol.post("/house/metrics/media", {
        projectId: visible.projectCuid,
        columns: [{ ...colref(visible, "samples/image"), ...leak }],
        step: 0,
      }),
      carol.post("/house/metrics/f_media", {
        projectId: visible.projectCuid,
        columns: [{ ...colref(visible, "samples/image"), ...leak }],
      }),
      carol.get(
        `/house/metrics/log?projectId=${visible.projectCuid}&experimentId=${visible.cuid}&size=1000&level=INFO` +
          `&rootProId=${secret.projectCuid}&rootExpId=${secret.cuid}&createdAt=${visible.createdAtSeconds}`,
      ),
      carol.post("/house/metrics/log/export", {
        projectId: visible.projectCuid,
        experimentId: visible.cuid,
        start: 0,
        rows: 10,
        createdAt: visible.createdAtSeconds,
        ...leak,
      }),
    ]);
    // Summaries answer per run: the leaked reference gets null (no data), not the secret's stats.
    const [summaries] = responses.splice(3, 1);
    assert.equal(summaries!.status, 200);
    assert.deepEqual(summaries!.body, { [visible.cuid]: null });
    for (const response of responses) {
      assert.equal(response.status, 404, JSON.stringify(response.body));
    }
  });

  it("stops serving a clone's data once its root is deleted", async () => {
    const alice = await login(server);
    const { run: clone, root } = server.dataset.clone;
    const body = {
      projectId: clone.projectCuid,
      xType: "step",
      range: [0, 0],
      columns: [{
        ...colref(clone, "train/loss"),
        rootProId: root.projectCuid,
        rootExpId: root.cuid,
      }],
      num: 10,
    };
    assert.equal((await alice.post("/house/metrics/scalar", body)).status, 200);
    const [username, project] = root.projectPath.split("/");
    assert.equal(
      (await alice.del(`/project/${username}/${project}/runs/${root.cuid}`)).status,
      204,
    );
    assert.equal((await alice.post("/house/metrics/scalar", body)).status, 404);
  });
});
