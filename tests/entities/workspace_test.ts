import { after, before, beforeEach, describe, it } from "node:test";
import assert from "node:assert/strict";
import { NotFoundError, Workspace, Workspaces } from "../../mod.ts";
import type { LocalServer } from "../../src/server/mod.ts";
import { apiCalls, apiFor, callsTo, startTestServer, useApiServer } from "./_setup.ts";
import { SDK_JSON_KEYS } from "../_helpers/sdk_json_keys.ts";

describe("Workspace", () => {
  const fx = useApiServer();

  it("json() has exactly the Python SDK's keys, in order", async () => {
    const json = await fx.api.workspace("vision-lab").json();
    assert.deepEqual(Object.keys(json), SDK_JSON_KEYS.workspace);
    assert.deepEqual(json, {
      comment: "Computer vision research team",
      name: "Vision Lab",
      profile: {
        bio: "Image models and diffusion.",
        url: "",
        institution: "",
        school: null,
        email: "lab@example.org",
        location: "",
      },
      role: "OWNER",
      username: "vision-lab",
      workspace_type: "TEAM",
    });
  });

  it("defaults to the logged-in user's workspace", async () => {
    const ws = apiFor(fx.server, "bob").workspace();
    assert.ok(ws instanceof Workspace);
    assert.equal(await ws.username, "bob");
    assert.equal(await ws.workspaceType, "PERSON");
    assert.equal(await ws.role, "OWNER");
    assert.equal((await apiFor(fx.server, "bob").workspace("vision-lab").json()).role, "MEMBER");
  });

  it("loads on first read, once, with the properties in camelCase", async () => {
    const ws = fx.api.workspace("vision-lab");
    assert.equal(apiCalls(fx.server).length, 0);
    const [name, type] = await Promise.all([ws.name, ws.workspaceType]);
    assert.equal(name, "Vision Lab");
    assert.equal(type, "TEAM");
    assert.equal(await ws.comment, "Computer vision research team");
    assert.equal((await ws.profile).email, "lab@example.org");
    const snapshot = await ws.load();
    assert.ok(Object.isFrozen(snapshot));
    assert.equal(snapshot.workspaceType, "TEAM");
    assert.equal(callsTo(fx.server, "GET", "/api/group/vision-lab").length, 1);
    assert.equal(apiCalls(fx.server).length, 1);
  });

  it("throws NotFoundError for a missing workspace, and retries on the next read", async () => {
    const ws = fx.api.workspace("ghost");
    await assert.rejects(ws.name, NotFoundError);
    await assert.rejects(ws.name, NotFoundError);
    assert.equal(callsTo(fx.server, "GET", "/api/group/ghost").length, 2);
  });

  it("lists its projects and creates projects", async () => {
    const ws = fx.api.workspace("vision-lab");
    const projects = ws.projects({ sort: "create", search: "S" });
    const json = await projects.json();
    assert.equal(json.total, 2);
    assert.deepEqual(json.list.map((p) => p.path).sort(), [
      "vision-lab/diffusion",
      "vision-lab/resnet-sweep",
    ]);
    const created = await ws.createProject({ name: "my_project", visibility: "PUBLIC" });
    assert.equal(created.path, "vision-lab/my_project");
    assert.equal(await created.visibility, "PUBLIC");
    assert.equal(callsTo(fx.server, "GET", "/api/group/vision-lab").length, 0);
    await created.delete({ commit: true });
  });
});

describe("Workspaces", () => {
  let server: LocalServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());
  beforeEach(() => server.clearRequests());

  it("iterates every workspace of a user from one request, pre-filled", async () => {
    const api = apiFor(server);
    const workspaces = api.workspaces();
    assert.ok(workspaces instanceof Workspaces);
    const names: string[] = [];
    for await (const ws of workspaces) names.push(`${await ws.username}:${await ws.workspaceType}`);
    assert.deepEqual(names.sort(), ["alice:PERSON", "vision-lab:TEAM"]);
    assert.equal(apiCalls(server).length, 1);
    assert.equal(apiCalls(server)[0]!.path, "/api/user/alice/groups");
  });

  it("json() is only { username }, as in the Python SDK", async () => {
    const api = apiFor(server, "carol");
    assert.deepEqual(await api.workspaces().json(), { username: "carol" });
    assert.deepEqual(await api.workspaces("bob").json(), { username: "bob" });
    assert.equal(await apiFor(server, "bob").workspaces("bob").total, 2);
    const [first] = await api.workspaces().toArray({ limit: 1 });
    assert.deepEqual(Object.keys(await first!.json()), SDK_JSON_KEYS.workspace);
  });
});
