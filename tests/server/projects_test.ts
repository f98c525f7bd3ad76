import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type LocalServer, startServer } from "../../src/server/mod.ts";
import { arr, keyOf, login, obj, type TestClient } from "./_helpers.ts";

describe("projects", () => {
  let server: LocalServer;
  let alice: TestClient;
  let bob: TestClient;
  let carol: TestClient;
  before(async () => {
    server = await startServer({ runs: 6, steps: 50 });
    alice = await login(server);
    bob = await login(server, keyOf(server, "bob"));
    carol = await login(server, keyOf(server, "carol"));
  });
  after(async () => {
    await server.close();
  });

  it("GET /project/{u} pages {list, total, pages, size} and accepts detail=True|False|true", async () => {
    const res = await alice.get("/project/vision-lab?page=1&size=10&detail=True");
    assert.equal(res.status, 200);
    const page = obj(res.body);
    assert.equal(page.total, 2);
    assert.equal(page.pages, 1);
    assert.equal(page.size, 10);
    const first = obj(arr(page.list)[0]);
    assert.ok("_count" in first && "projectLabels" in first);
    const lean = obj(
      arr(obj((await alice.get("/project/vision-lab?page=1&size=10&detail=False")).body).list)[0],
    );
    assert.equal("_count" in lean, false);
    assert.equal((await alice.get("/project/vision-lab?page=1&size=10&detail=true")).status, 200);
    assert.equal((await alice.get("/project/vision-lab?page=1&size=10&detail=maybe")).status, 400);
  });

  it("GET /project/{u} rejects page sizes outside 10,12,15,20,24,27,50,100 with 400", async () => {
    for (const size of [1, 11, 25, 101, 1000]) {
      const res = await alice.get(`/project/alice?page=1&size=${size}`);
      assert.equal(res.status, 400, `size ${size}`);
      assert.match(String(obj(res.body).message), /size/);
    }
    assert.equal((await alice.get("/project/alice?page=0&size=10")).status, 400);
    assert.equal((await alice.get("/project/alice?page=1&size=27")).status, 200);
  });

  it("GET /project/{u} supports search (+ as space), sort and hides private projects from carol", async () => {
    const search = obj((await alice.get("/project/vision-lab?page=1&size=10&search=RESNET")).body);
    assert.deepEqual(arr(search.list).map((p) => obj(p).name), ["resnet-sweep"]);
    const spaced = obj(
      (await alice.get("/project/vision-lab?page=1&size=10&search=resnet+sweep")).body,
    );
    assert.equal(spaced.total, 0);
    const byName = arr(
      obj((await alice.get("/project/vision-lab?page=1&size=10&sort=name")).body).list,
    );
    assert.deepEqual(byName.map((p) => obj(p).name), ["diffusion", "resnet-sweep"]);
    const visible = arr(obj((await carol.get("/project/vision-lab?page=1&size=10")).body).list);
    assert.deepEqual(visible.map((p) => obj(p).name), ["resnet-sweep"]);
    assert.equal((await alice.get("/project/nobody?page=1&size=10")).status, 404);
  });

  it("GET /project/{u}/{p} returns the project; private ones are 404 for non-members", async () => {
    const res = await alice.get("/project/alice/mnist-baseline");
    assert.equal(res.status, 200);
    const p = obj(res.body);
    assert.equal(p.path, "alice/mnist-baseline");
    assert.equal(p.cuid, server.dataset.projects["alice/mnist-baseline"]!.cuid);
    assert.equal(p.visibility, "PUBLIC");
    assert.equal((await carol.get("/project/alice/scratch")).status, 404);
    assert.equal((await carol.get("/project/vision-lab/diffusion")).status, 404);
    assert.equal((await bob.get("/project/vision-lab/diffusion")).status, 200);
    assert.equal((await bob.get("/project/alice/scratch")).status, 404);
    assert.equal((await alice.get("/project/alice/nope")).status, 404);
  });

  it("POST /project creates a project (201, path) that persists; 409 when it exists", async () => {
    const res = await alice.post("/project", {
      name: "new.proj+1",
      visibility: "PRIVATE",
      username: "alice",
      description: "x",
    });
    assert.equal(res.status, 201);
    assert.equal(obj(res.body).path, "alice/new.proj+1");
    const got = await alice.get(`/project/alice/${encodeURIComponent("new.proj+1")}`);
    assert.equal(got.status, 200);
    assert.equal(obj(got.body).description, "x");
    assert.equal((await alice.get("/project/alice/new.proj+1")).status, 200);
    const dup = await alice.post("/project", {
      name: "new.proj+1",
      visibility: "PUBLIC",
      username: "alice",
    });
    assert.equal(dup.status, 409);
    assert.equal((await carol.get("/project/alice/new.proj+1")).status, 404);
  });

  it("POST /project validates the body (400) and permissions (403, 404)", async () => {
    for (
      const body of [
        { name: "bad name", visibility: "PUBLIC", username: "alice" },
        { name: "x".repeat(101), visibility: "PUBLIC", username: "alice" },
        { name: "ok", visibility: "public", username: "alice" },
        { name: "ok", username: "alice" },
        { name: "ok", visibility: "PUBLIC", username: "alice", extra: 1 },
      ]
    ) {
      const res = await alice.post("/project", body);
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.equal(obj(res.body).code, "400");
    }
    const team = await carol.post("/project", {
      name: "intruder",
      visibility: "PUBLIC",
      username: "vision-lab",
    });
    assert.equal(team.status, 403);
    const missing = await alice.post("/project", {
      name: "p",
      visibility: "PUBLIC",
      username: "ghost",
    });
    assert.equal(missing.status, 404);
    const bobs = await bob.post("/project", {
      name: "bob-team",
      visibility: "PUBLIC",
      username: "vision-lab",
    });
    assert.equal(bobs.status, 201);
  });

  it("DELETE /project/{u}/{p} deletes persistently (then 404); non-writers get 403", async () => {
    await alice.post("/project", { name: "to-delete", visibility: "PUBLIC", username: "alice" });
    assert.equal((await carol.del("/project/alice/to-delete")).status, 403);
    const res = await alice.del("/project/alice/to-delete");
    assert.ok(res.status === 204 || res.status === 200);
    assert.equal((await alice.get("/project/alice/to-delete")).status, 404);
    assert.equal((await alice.del("/project/alice/to-delete")).status, 404);
  });
});
