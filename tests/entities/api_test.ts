import { after, before, beforeEach, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  AbortError,
  Api,
  AuthenticationError,
  CredentialsError,
  login,
  logout,
  NotFoundError,
  ValidationError,
} from "../../mod.ts";
import type { LocalServer } from "../../src/server/mod.ts";
import { apiCalls, apiFor, logins, startTestServer, sweep } from "./_setup.ts";

describe("Api", () => {
  let server: LocalServer;
  let home: string;
  before(async () => {
    server = await startTestServer();
    home = await mkdtemp(join(tmpdir(), "swanlab-ts-api-"));
  });
  after(async () => {
    await server.close();
    await rm(home, { recursive: true, force: true });
  });
  beforeEach(() => server.clearRequests());

  it("constructing the client and every entity sends nothing", () => {
    const api = apiFor(server);
    const run = sweep(server).runs[0]!;
    api.workspace();
    api.workspace("vision-lab");
    api.workspaces();
    api.project("vision-lab/resnet-sweep");
    api.projects("vision-lab");
    api.run(run.path);
    api.runs("vision-lab/resnet-sweep", { filters: [] });
    api.runsGet("vision-lab/resnet-sweep");
    api.column(run.path, "loss");
    api.columns(run.path);
    api.series(run.path);
    api.user();
    api.selfHosted();
    assert.deepEqual(api.json(), {});
    assert.equal(server.requests.length, 0);
  });

  it("logs in once, on first use, and reports the username", async () => {
    const api = apiFor(server, "bob");
    assert.equal(logins(server).length, 0);
    const [a, b] = await Promise.all([api.username, api.username]);
    assert.equal(a, "bob");
    assert.equal(b, "bob");
    await api.user().json();
    assert.equal(logins(server).length, 1);
  });

  it("surfaces missing credentials as CredentialsError on first use, not at construction", async () => {
    const api = new Api({ host: server.host, env: { SWANLAB_ROOT: home, HOME: home }, cwd: home });
    await assert.rejects(api.username, CredentialsError);
    await assert.rejects(api.project("alice/scratch").load(), CredentialsError);
    assert.equal(server.requests.length, 0);
  });

  it("rejects a wrong API key with AuthenticationError", async () => {
    const api = new Api({ host: server.host, apiKey: "not-a-key", env: {}, maxRetries: 0 });
    await assert.rejects(api.workspace().json(), AuthenticationError);
  });

  it("validates paths before any request, naming the field", () => {
    const api = apiFor(server);
    const cases: [() => unknown, string][] = [
      [() => api.project("alice"), "path"],
      [() => api.project("alice/has space"), "path"],
      [() => api.run("alice/p"), "path"],
      [() => api.run("a/b/c/d"), "path"],
      [() => api.run(" alice/p/r"), "path"],
      [() => api.runsGet("alice/../x"), "path"],
      [() => api.projects("a/b"), "path"],
      [() => api.workspace("bad name"), "username"],
      [() => api.column("a/b/c", "  "), "key"],
      [() => api.series("a/b/c", { metricType: "LOG" as "SCALAR" }), "metricType"],
      [() => api.series("a/b/c", { metricClass: "OTHER" as "CUSTOM" }), "metricClass"],
      [() => api.columns("a/b/c", { columnType: "PNG" as "FLOAT" }), "columnType"],
      [() => api.column("a/b/c", "loss", { columnClass: "X" as "CUSTOM" }), "columnClass"],
    ];
    for (const [call, field] of cases) {
      assert.throws(call, (error: unknown) => {
        assert.ok(error instanceof ValidationError, String(error));
        assert.equal(error.field, field);
        return true;
      });
    }
    assert.equal(server.requests.length, 0);
  });

  it("validates createProject input before any request", async () => {
    const api = apiFor(server);
    await assert.rejects(api.createProject({ name: "bad name" }), (e: unknown) => {
      assert.ok(e instanceof ValidationError);
      assert.equal(e.field, "name");
      return true;
    });
    await assert.rejects(
      api.createProject({ name: "ok", visibility: "SECRET" as "PUBLIC" }),
      (e: unknown) => e instanceof ValidationError && e.field === "visibility",
    );
    await assert.rejects(
      api.createProject({ name: "ok", username: "a b" }),
      (e: unknown) => e instanceof ValidationError && e.field === "username",
    );
    assert.equal(server.requests.length, 0);
  });

  it("rejects an options, query or project argument that is not an object, naming it", async () => {
    const api = apiFor(server);
    const run = sweep(server).runs[0]!;
    const project = api.project("vision-lab/resnet-sweep");
    const notObjects = [null, 7, "size=10", true];
    const named = (field: string) => (error: unknown) => {
      assert.ok(error instanceof ValidationError, String(error));
      assert.equal(error.field, field);
      assert.equal(error.message, `Cannot parse ${field}: expected an object`);
      return true;
    };
    for (const value of notObjects) {
      const bad = value as never;
      assert.throws(() => new Api(bad), named("options"));
      assert.throws(() => project.runs(bad), named("options"));
      assert.throws(() => project.runsGet(bad), named("options"));
      await assert.rejects(api.createProject(bad), named("project"));
      await assert.rejects(api.workspace("vision-lab").createProject(bad), named("project"));
      await assert.rejects(api.column(run.path, "train/loss").metric(bad), named("query"));
      await assert.rejects(login(bad), named("options"));
      await assert.rejects(logout(bad), named("options"));
    }
    assert.equal(server.requests.length, 0);
  });

  it("applies per-call options to every page of a list", async () => {
    const api = apiFor(server);
    await api.username; // log in first: the aborted call below must send nothing
    server.clearRequests();
    const aborted = { signal: AbortSignal.abort() };
    await assert.rejects(
      api.runsGet("vision-lab/resnet-sweep", { size: 10, all: true }, aborted).toArray(),
      AbortError,
    );
    await assert.rejects(api.projects("vision-lab", {}, aborted).toArray(), AbortError);
    await assert.rejects(
      api.project("vision-lab/resnet-sweep").runs({}, aborted).toArray(),
      AbortError,
    );
    assert.equal(apiCalls(server).length, 0);
    const runs = await api.runsGet("vision-lab/resnet-sweep", { size: 10 }, { timeoutMs: 5_000 })
      .toArray();
    const plain = await api.runsGet("vision-lab/resnet-sweep", { size: 10 }).toArray();
    assert.ok(runs.length > 0);
    assert.equal(runs.length, plain.length);
  });

  it("throws NotFoundError for a missing run, project and workspace", async () => {
    const api = apiFor(server);
    await assert.rejects(api.run("vision-lab/resnet-sweep/nope").json(), NotFoundError);
    await assert.rejects(api.project("vision-lab/nope").json(), NotFoundError);
    await assert.rejects(api.workspace("nobody").json(), NotFoundError);
    await assert.rejects(api.run("nobody/p/r").load(), NotFoundError);
    assert.ok(apiCalls(server).length >= 4);
  });
});
