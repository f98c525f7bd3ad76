import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type LocalServer, startServer } from "../../src/server/mod.ts";
import { arr, keyOf, login, obj, type TestClient } from "./_helpers.ts";

describe("self-hosted", () => {
  let server: LocalServer;
  let alice: TestClient;
  let bob: TestClient;
  before(async () => {
    server = await startServer({ runs: 3, steps: 20 });
    alice = await login(server);
    bob = await login(server, keyOf(server, "bob"));
  });
  after(async () => {
    await server.close();
  });

  it("GET /self_hosted/info reports root only for the root user", async () => {
    const info = await alice.get("/self_hosted/info");
    assert.deepEqual(info.body, {
      enabled: true,
      expired: false,
      root: true,
      plan: "commercial",
      seats: 50,
    });
    assert.equal(obj((await bob.get("/self_hosted/info")).body).root, false);
  });

  it("answers the other self-hosted endpoints only for root (403 {code, message} otherwise)", async () => {
    for (
      const path of [
        "/self_hosted/users?page=1&size=10",
        "/self_hosted/projects",
        "/self_hosted/groups",
        "/self_hosted/summary",
      ]
    ) {
      const res = await bob.get(path);
      assert.equal(res.status, 403, path);
      assert.equal(obj(res.body).code, "403");
      assert.equal((await alice.get(path)).status, 200, path);
    }
    const create = await bob.post("/self_hosted/users", {
      users: [{ username: "eve", password: "pw" }],
    });
    assert.equal(create.status, 403);
  });

  it("POST /self_hosted/users creates users that persist; duplicates are 409", async () => {
    const res = await alice.post("/self_hosted/users", {
      users: [{ username: "dave", password: "pw" }],
    });
    assert.equal(res.status, 200);
    const users = arr(obj((await alice.get("/self_hosted/users?page=1&size=100")).body).list);
    assert.ok(users.some((u) => obj(u).username === "dave"));
    assert.equal((await alice.get("/group/dave")).status, 200);
    assert.equal(
      (await alice.post("/self_hosted/users", { users: [{ username: "dave", password: "x" }] }))
        .status,
      409,
    );
    assert.equal(
      (await alice.post("/self_hosted/users", { users: [{ username: "bob", password: "x" }] }))
        .status,
      409,
    );
    assert.equal(
      (await alice.post("/self_hosted/users", { users: [{ username: "x" }] })).status,
      400,
    );
    assert.equal((await alice.post("/self_hosted/users", { users: [] })).status, 400);
  });

  it("GET /self_hosted/users accepts any page size >= 1", async () => {
    const page = obj((await alice.get("/self_hosted/users?page=2&size=1")).body);
    assert.equal(arr(page.list).length, 1);
    assert.equal(page.size, 1);
    assert.ok(Number(page.pages) >= 3);
    assert.equal((await alice.get("/self_hosted/users?page=1&size=7")).status, 200);
    assert.equal((await alice.get("/self_hosted/users?page=1&size=0")).status, 400);
  });

  it("GET /self_hosted/projects filters by search, creator, group and state", async () => {
    const all = obj((await alice.get("/self_hosted/projects?page=1&size=100")).body);
    assert.equal(all.total, 4);
    const team = arr(
      obj((await alice.get("/self_hosted/projects?page=1&size=100&group=vision-lab")).body).list,
    );
    assert.deepEqual(team.map((p) => obj(p).name).sort(), ["diffusion", "resnet-sweep"]);
    const byBob = arr(
      obj((await alice.get("/self_hosted/projects?page=1&size=100&creator=bob")).body).list,
    );
    assert.deepEqual(byBob.map((p) => obj(p).name), ["diffusion"]);
    const search = arr(
      obj((await alice.get("/self_hosted/projects?page=1&size=100&search=MNIST&sort=name")).body)
        .list,
    );
    assert.deepEqual(search.map((p) => obj(p).path), ["alice/mnist-baseline"]);
    const finished = arr(
      obj((await alice.get("/self_hosted/projects?page=1&size=100&state=FINISHED")).body).list,
    );
    assert.deepEqual(finished.map((p) => obj(p).name), ["mnist-baseline"]);
    assert.equal((await alice.get("/self_hosted/projects?state=DONE")).status, 400);
  });

  it("GET /self_hosted/groups filters by type and GET /self_hosted/summary counts", async () => {
    const teams = arr(
      obj((await alice.get("/self_hosted/groups?page=1&size=100&type=TEAM")).body).list,
    );
    assert.deepEqual(teams.map((g) => obj(g).username), ["vision-lab"]);
    assert.equal(obj(teams[0]).members, 2);
    const summary = obj((await alice.get("/self_hosted/summary")).body);
    assert.equal(summary.projects, 4);
    assert.ok(Number(summary.users) >= 3);
    assert.equal(typeof summary.experiments, "number");
  });
});
