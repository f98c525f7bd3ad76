import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type LocalServer, startServer } from "../../src/server/mod.ts";
import { arr, keyOf, login, obj, type TestClient } from "./_helpers.ts";

describe("GET /api/experiment/{cuid}/column", () => {
  let server: LocalServer;
  let alice: TestClient;
  before(async () => {
    server = await startServer({ runs: 3, steps: 50, extraKeys: 2 });
    alice = await login(server);
  });
  after(async () => {
    await server.close();
  });

  it("pages column metadata newest first (id DESC) with class and type", async () => {
    const run = server.dataset.projects["vision-lab/resnet-sweep"]!.runs[0]!;
    const res = await alice.get(`/experiment/${run.cuid}/column?page=1&size=100`);
    assert.equal(res.status, 200);
    const page = obj(res.body);
    const list = arr(page.list).map((c) => obj(c));
    assert.equal(page.total, 5 + 2 + 3 + 1);
    assert.equal(list[0]!.key, "samples/image");
    assert.equal(list[0]!.type, "IMAGE");
    const created = list.map((c) => Number(c.createdAt));
    assert.deepEqual(created, [...created].sort((a, b) => b - a));
    const cpu = list.find((c) => c.key === "__swanlab__.cpu")!;
    assert.equal(cpu.class, "SYSTEM");
    assert.equal(cpu.type, "FLOAT");
  });

  it("searches names case-insensitively and filters by class and type", async () => {
    const run = server.dataset.projects["alice/mnist-baseline"]!.runs[0]!;
    const search = arr(
      obj((await alice.get(`/experiment/${run.cuid}/column?page=1&size=10&search=LOSS`)).body).list,
    );
    assert.deepEqual(search.map((c) => obj(c).name), ["val/loss", "train/loss"]);
    const system = arr(
      obj((await alice.get(`/experiment/${run.cuid}/column?page=1&size=10&class=SYSTEM`)).body)
        .list,
    );
    assert.equal(system.length, 3);
    const images = arr(
      obj((await alice.get(`/experiment/${run.cuid}/column?page=1&size=10&type=IMAGE`)).body).list,
    );
    assert.equal(images.length, 1);
    assert.equal(
      (await alice.get(`/experiment/${run.cuid}/column?page=1&size=10&type=PICTURE`)).status,
      400,
    );
    assert.equal((await alice.get(`/experiment/${run.cuid}/column?page=1&size=9`)).status, 400);
    assert.equal(
      (await alice.get(`/experiment/${run.cuid}/column?page=1&size=10&bogus=1`)).status,
      400,
    );
  });

  it("answers 404 for a missing run and for a private run seen by carol", async () => {
    assert.equal((await alice.get("/experiment/cnope/column?page=1&size=10")).status, 404);
    const carol = await login(server, keyOf(server, "carol"));
    const hidden = server.dataset.projects["alice/scratch"]!.runs[0]!;
    assert.equal((await carol.get(`/experiment/${hidden.cuid}/column?page=1&size=10`)).status, 404);
  });
});
