import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type DatasetRun, type LocalServer, startServer } from "../../src/server/mod.ts";
import { arr, keyOf, login, obj, type TestClient } from "./_helpers.ts";

const SWEEP = "/project/vision-lab/resnet-sweep";

function shows(
  client: TestClient,
  body: { filters?: unknown[]; groups?: unknown[]; sorts?: unknown[] },
  project = SWEEP,
): Promise<{ status: number; body: unknown }> {
  return client.post(`${project}/runs/shows`, {
    filters: body.filters ?? [],
    groups: body.groups ?? [],
    sorts: body.sorts ?? [],
  });
}

function names(body: unknown): string[] {
  return arr(body).map((r) => String(obj(r).name));
}

describe("runs", () => {
  let server: LocalServer;
  let alice: TestClient;
  let carol: TestClient;
  let runs: readonly DatasetRun[];
  before(async () => {
    server = await startServer({ runs: 16, steps: 100 });
    alice = await login(server);
    carol = await login(server, keyOf(server, "carol"));
    runs = server.dataset.projects["vision-lab/resnet-sweep"]!.runs;
  });
  after(async () => {
    await server.close();
  });

  it("seeds runs in every state with 25-char cuids, 8-char slugs and ISO …000Z dates", () => {
    assert.equal(runs.length, 16);
    assert.deepEqual(
      [...new Set(runs.map((r) => r.state))].sort(),
      ["ABORTED", "CRASHED", "FINISHED", "OFFLINE", "RUNNING"],
    );
    for (const r of runs) {
      assert.match(r.cuid, /^c[a-z0-9]{24}$/);
      assert.match(r.slug, /^[a-z0-9]{8}$/);
      assert.match(r.createdAt, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.000Z$/);
      assert.equal(r.createdAtSeconds, Date.parse(r.createdAt) / 1000);
      assert.equal(r.finishedAt === null, r.state === "RUNNING" || r.state === "OFFLINE");
    }
  });

  it("GET …/runs pages minimal run records, newest first", async () => {
    const res = await alice.get(`${SWEEP}/runs?page=2&size=10`);
    assert.equal(res.status, 200);
    const page = obj(res.body);
    assert.equal(page.total, 16);
    assert.equal(page.pages, 2);
    assert.equal(arr(page.list).length, 6);
    const item = obj(arr(page.list)[0]);
    assert.ok(typeof item.cuid === "string");
    assert.equal("profile" in item, false);
    assert.equal("project_id" in item, false);
    const first = obj(arr(obj((await alice.get(`${SWEEP}/runs?page=1&size=10`)).body).list)[0]);
    assert.equal(first.name, "resnet-sweep-15");
    assert.equal((await alice.get(`${SWEEP}/runs?page=1&size=13`)).status, 400);
    assert.equal(
      (await carol.get("/project/vision-lab/diffusion/runs?page=1&size=10")).status,
      404,
    );
  });

  it("GET …/runs/{run} accepts the slug and the cuid and adds project_id", async () => {
    const r = runs[3]!;
    for (const id of [r.slug, r.cuid]) {
      const res = await alice.get(`${SWEEP}/runs/${id}`);
      assert.equal(res.status, 200);
      const body = obj(res.body);
      assert.equal(body.cuid, r.cuid);
      assert.equal(body.slug, r.slug);
      assert.equal(body.project_id, r.projectCuid);
      assert.equal(body.cluster, r.cluster);
      assert.equal(body.job, r.job);
      const profile = obj(body.profile);
      assert.deepEqual(Object.keys(profile).sort(), [
        "conda",
        "config",
        "metadata",
        "requirements",
      ]);
      assert.equal(obj(profile.config).lr, r.config.lr);
    }
    const missing = await alice.get(`${SWEEP}/runs/nope`);
    assert.equal(missing.status, 404);
    assert.equal(obj(missing.body).code, "404");
    assert.equal((await alice.get(`/project/alice/mnist-baseline/runs/${r.slug}`)).status, 404);
  });

  it("exposes the clone with rootProId/rootExpId pointing at its root run", async () => {
    const { run, root } = server.dataset.clone;
    const body = obj((await alice.get(`/project/${run.projectPath}/runs/${run.slug}`)).body);
    assert.equal(body.rootExpId, root.cuid);
    assert.equal(body.rootProId, root.projectCuid);
    assert.equal(run.projectPath, "alice/mnist-baseline");
  });

  it("POST …/runs/shows returns a bare array; pinned first then createdAt DESC", async () => {
    const res = await shows(alice, {});
    assert.equal(res.status, 200);
    const list = arr(res.body);
    assert.equal(list.length, 16);
    assert.equal(obj(list[0]).cuid, server.dataset.pinned.cuid);
    assert.equal(obj(list[1]).name, "resnet-sweep-15");
    assert.ok("profile" in obj(list[0]));
    assert.equal("project_id" in obj(list[0]), false);
  });

  it("filters STABLE fields with EQ, NEQ, IN, NOT IN, CONTAIN and keeps pinned runs", async () => {
    const pinned = server.dataset.pinned;
    const byState = (s: string): string[] =>
      runs.filter((r) => r.state === s || r.pin).map((r) => r.name).sort();
    const eq = names(
      (await shows(alice, {
        filters: [{ key: "state", type: "STABLE", op: "EQ", value: ["CRASHED"], active: true }],
      })).body,
    );
    assert.deepEqual([...eq].sort(), byState("CRASHED"));
    assert.ok(eq.includes(pinned.name));
    const neq = names(
      (await shows(alice, {
        filters: [{ key: "state", type: "STABLE", op: "NEQ", value: ["FINISHED"] }],
      })).body,
    );
    assert.equal(neq.length, runs.filter((r) => r.state !== "FINISHED" || r.pin).length);
    const inList = names(
      (await shows(alice, {
        filters: [{ key: "state", type: "STABLE", op: "IN", value: ["RUNNING", "OFFLINE"] }],
      })).body,
    );
    assert.equal(
      inList.length,
      runs.filter((r) => r.state === "RUNNING" || r.state === "OFFLINE" || r.pin).length,
    );
    const notIn = names(
      (await shows(alice, {
        filters: [{ key: "cluster", type: "STABLE", op: "NOT IN", value: ["sweep-a", "sweep-b"] }],
      })).body,
    );
    assert.equal(notIn.length, runs.filter((r) => r.cluster === "sweep-c" || r.pin).length);
    const contain = names(
      (await shows(alice, {
        filters: [{ key: "name", type: "STABLE", op: "CONTAIN", value: ["sweep-1"] }],
      })).body,
    );
    assert.deepEqual(
      contain.sort(),
      runs.filter((r) => r.name.includes("sweep-1") || r.pin).map((r) => r.name).sort(),
    );
    const labels = names(
      (await shows(alice, {
        filters: [{ key: "labels", type: "STABLE", op: "EQ", value: ["best"] }],
      })).body,
    );
    assert.deepEqual(
      labels.sort(),
      runs.filter((r) => r.labels.includes("best") || r.pin).map((r) => r.name).sort(),
    );
    const anded = names(
      (await shows(alice, {
        filters: [
          { key: "state", type: "STABLE", op: "EQ", value: ["FINISHED"] },
          { key: "job", type: "STABLE", op: "EQ", value: ["eval"] },
        ],
      })).body,
    );
    assert.deepEqual(
      anded.sort(),
      runs.filter((r) => (r.state === "FINISHED" && r.job === "eval") || r.pin).map((r) => r.name)
        .sort(),
    );
  });

  it("filters dates with GTE/LTE, CONFIG values numerically and SCALAR by latest value", async () => {
    const cut = runs[8]!.createdAt;
    const gte = names(
      (await shows(alice, {
        filters: [{ key: "createdAt", type: "STABLE", op: "GTE", value: [cut] }],
      })).body,
    );
    assert.deepEqual(
      gte.sort(),
      runs.filter((r) => r.createdAt >= cut || r.pin).map((r) => r.name).sort(),
    );
    const lr = names(
      (await shows(alice, {
        filters: [{ key: "lr", type: "CONFIG", op: "LTE", value: ["0.01"] }],
      })).body,
    );
    assert.deepEqual(
      lr.sort(),
      runs.filter((r) => Number(r.config.lr) <= 0.01 || r.pin).map((r) => r.name).sort(),
    );
    const opt = names(
      (await shows(alice, {
        filters: [{ key: "optimizer", type: "CONFIG", op: "EQ", value: ["adam"] }],
      })).body,
    );
    assert.deepEqual(
      opt.sort(),
      runs.filter((r) => r.config.optimizer === "adam" || r.pin).map((r) => r.name).sort(),
    );
    const scalar = names(
      (await shows(alice, {
        filters: [{ key: "train/acc", type: "SCALAR", op: "GTE", value: ["0"] }],
      })).body,
    );
    assert.equal(scalar.length, 16);
    const none = names(
      (await shows(alice, {
        filters: [{ key: "train/acc", type: "SCALAR", op: "GTE", value: ["2"] }],
      })).body,
    );
    assert.deepEqual(none, [server.dataset.pinned.name]);
    const missingKey = names(
      (await shows(alice, {
        filters: [{ key: "no/such", type: "SCALAR", op: "EQ", value: ["1"] }],
      })).body,
    );
    assert.deepEqual(missingKey, [server.dataset.pinned.name]);
  });

  it("groups into nested objects of arrays (labels sorted and joined with ', ')", async () => {
    const res = await shows(alice, {
      groups: [{ key: "cluster", type: "STABLE", active: true }, {
        key: "labels",
        type: "STABLE",
        active: true,
      }],
    });
    assert.equal(res.status, 200);
    const top = obj(res.body);
    assert.deepEqual(Object.keys(top).sort(), ["sweep-a", "sweep-b", "sweep-c"]);
    const nested = obj(top["sweep-a"]);
    assert.ok(Object.keys(nested).includes("best, resnet50"), Object.keys(nested).join("|"));
    let total = 0;
    for (const g of Object.values(top)) {
      for (const list of Object.values(obj(g))) total += arr(list).length;
    }
    assert.equal(total, 16);
    const byConfig = obj(
      (await shows(alice, { groups: [{ key: "optimizer", type: "CONFIG" }] })).body,
    );
    assert.deepEqual(Object.keys(byConfig).sort(), ["adam", "adamw", "sgd"]);
  });

  it("flattens the grouping into one sorted list when sorts are given (wire doc §3.1.4)", async () => {
    const res = await shows(alice, {
      groups: [{ key: "cluster", type: "STABLE" }],
      sorts: [{ key: "name", type: "STABLE", order: "DESC" }],
    });
    assert.equal(res.status, 200);
    const list = arr(res.body).map((run) => String(obj(run).name));
    assert.equal(list.length, 16);
    const pinned = server.dataset.pinned.name;
    const rest = list.filter((name) => name !== pinned);
    assert.deepEqual(rest, [...rest].sort().reverse());
  });

  it("sorts by several keys, then the fallback order", async () => {
    const res = await shows(alice, {
      sorts: [{ key: "lr", type: "CONFIG", order: "ASC" }, {
        key: "name",
        type: "STABLE",
        order: "DESC",
      }],
    });
    const list = arr(res.body).map((r) => obj(r));
    const lrs = list.map((r) => Number(obj(obj(r.profile).config).lr));
    assert.deepEqual(lrs, [...lrs].sort((a, b) => a - b));
    const firstGroup = list.filter((r) => Number(obj(obj(r.profile).config).lr) === lrs[0]);
    const groupNames = firstGroup.map((r) => String(r.name));
    assert.deepEqual(groupNames, [...groupNames].sort().reverse());
  });

  it("rejects invalid filter bodies with 400 naming the field", async () => {
    for (
      const body of [
        {
          filters: [{ key: "nope", type: "STABLE", op: "EQ", value: ["x"] }],
          groups: [],
          sorts: [],
        },
        {
          filters: [{ key: "state", type: "STABLE", op: "LIKE", value: ["x"] }],
          groups: [],
          sorts: [],
        },
        {
          filters: [{ key: "state", type: "STABLE", op: "EQ", value: "x" }],
          groups: [],
          sorts: [],
        },
        { filters: [], groups: [] },
        { filters: [], groups: [], sorts: [{ key: "name", type: "STABLE" }] },
        {
          filters: [{ key: "labels", type: "STABLE", op: "GTE", value: ["a"] }],
          groups: [],
          sorts: [],
        },
      ]
    ) {
      const res = await alice.post(`${SWEEP}/runs/shows`, body);
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.ok(String(obj(res.body).message).length > 0);
    }
    assert.equal((await shows(carol, {}, "/project/vision-lab/diffusion")).status, 404);
  });

  it("DELETE …/runs/{cuid} and POST …/runs/del delete persistently", async () => {
    const [a, b, c] = [runs[10]!, runs[11]!, runs[12]!];
    assert.equal((await carol.del(`${SWEEP}/runs/${a.cuid}`)).status, 403);
    const one = await alice.del(`${SWEEP}/runs/${a.cuid}`);
    assert.ok(one.status === 204 || one.status === 200);
    assert.equal((await alice.get(`${SWEEP}/runs/${a.slug}`)).status, 404);
    assert.equal((await alice.del(`${SWEEP}/runs/${a.cuid}`)).status, 404);
    const many = await alice.post(`${SWEEP}/runs/del`, { cuids: [b.cuid, c.slug, "missing"] });
    assert.equal(many.status, 200);
    assert.deepEqual(obj(many.body).deleted, [b.cuid, c.cuid]);
    assert.equal((await alice.get(`${SWEEP}/runs/${b.cuid}`)).status, 404);
    assert.equal(obj((await alice.get(`${SWEEP}/runs?page=1&size=20`)).body).total, 13);
    assert.equal((await alice.post(`${SWEEP}/runs/del`, { ids: [] })).status, 400);
    assert.equal((await carol.post(`${SWEEP}/runs/del`, { cuids: [c.cuid] })).status, 403);
  });
});
