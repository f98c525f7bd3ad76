import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type LocalServer, startServer } from "../../src/server/mod.ts";
import { arr, keyOf, login, obj, type TestClient } from "./_helpers.ts";

describe("workspaces and profile", () => {
  let server: LocalServer;
  let alice: TestClient;
  let carol: TestClient;
  before(async () => {
    server = await startServer({ runs: 3, steps: 50 });
    alice = await login(server);
    carol = await login(server, keyOf(server, "carol"));
  });
  after(async () => {
    await server.close();
  });

  it("GET /group/{u} returns the workspace with the caller's role", async () => {
    const team = await alice.get("/group/vision-lab");
    assert.equal(team.status, 200);
    const body = obj(team.body);
    assert.equal(body.username, "vision-lab");
    assert.equal(body.type, "TEAM");
    assert.equal(body.role, "OWNER");
    assert.deepEqual(Object.keys(obj(body.profile)).sort(), [
      "bio",
      "email",
      "institution",
      "location",
      "school",
      "url",
    ]);
    assert.equal(obj((await carol.get("/group/vision-lab")).body).role, "VISITOR");
    assert.equal(obj((await alice.get("/group/bob")).body).type, "PERSON");
  });

  it("GET /group/{u} answers 404 {code, message} for a missing workspace", async () => {
    const res = await alice.get("/group/nobody");
    assert.equal(res.status, 404);
    assert.equal(obj(res.body).code, "404");
  });

  it("GET /user/{u}/groups returns a bare array of the user's workspaces", async () => {
    const res = await alice.get("/user/alice/groups");
    assert.equal(res.status, 200);
    assert.deepEqual(arr(res.body).map((w) => obj(w).username), ["alice", "vision-lab"]);
    const bob = arr((await alice.get("/user/bob/groups")).body).map((w) => obj(w).username);
    assert.deepEqual(bob, ["bob", "vision-lab"]);
    assert.deepEqual(arr((await alice.get("/user/carol/groups")).body).length, 1);
    assert.equal((await alice.get("/user/nobody/groups")).status, 404);
  });

  it("GET /user/profile returns the caller's profile fields", async () => {
    const res = await carol.get("/user/profile");
    assert.equal(res.status, 200);
    assert.equal(obj(res.body).email, "carol@example.org");
    assert.equal("username" in obj(res.body), false);
  });
});
