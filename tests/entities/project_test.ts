import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  type Api,
  ConflictError,
  InternalServerError,
  NotFoundError,
  Project,
  Projects,
  ValidationError,
} from "../../mod.ts";
import { apiCalls, apiFor, callsTo, sweep, useApiServer } from "./_setup.ts";
import { SDK_JSON_KEYS } from "../_helpers/sdk_json_keys.ts";

describe("Project", () => {
  const fx = useApiServer();

  it("json() has exactly the Python SDK's keys, in order, with the project's data", async () => {
    const info = sweep(fx.server);
    const json = await fx.api.project(info.path).json();
    assert.deepEqual(Object.keys(json), SDK_JSON_KEYS.project);
    assert.equal(json.project_id, info.cuid);
    assert.equal(json.name, "resnet-sweep");
    assert.equal(json.path, "vision-lab/resnet-sweep");
    assert.equal(json.visibility, "PUBLIC");
    assert.equal(json.description, "ResNet hyper-parameter sweep on CIFAR-10");
    assert.deepEqual(json.labels.map((l) => l.name), ["sweep", "cifar10"]);
    assert.equal(json.count.experiments, info.runs.length);
    assert.match(json.created_at, /^\d{4}-\d{2}-\d{2}T/);
    assert.match(json.updated_at, /^\d{4}-\d{2}-\d{2}T/);
    assert.equal(json.url, `${fx.server.host}/@vision-lab/resnet-sweep`);
  });

  it("knows its name, path and URL without a request, and loads the rest once", async () => {
    const project = fx.api.project("vision-lab/resnet-sweep");
    assert.ok(project instanceof Project);
    assert.equal(project.path, "vision-lab/resnet-sweep");
    assert.equal(await project.name, "resnet-sweep");
    assert.equal(await project.url, `${fx.server.host}/@vision-lab/resnet-sweep`);
    assert.equal(apiCalls(fx.server).length, 0);
    await Promise.all([project.description, project.visibility, project.count]);
    assert.equal(await project.projectId, sweep(fx.server).cuid);
    await project.json();
    assert.equal(apiCalls(fx.server).length, 1);
    const snapshot = await project.load();
    assert.ok(Object.isFrozen(snapshot));
    assert.equal(snapshot.visibility, "PUBLIC");
  });

  it("hides private projects from non-members with NotFoundError", async () => {
    await assert.rejects(apiFor(fx.server, "bob").project("alice/scratch").json(), NotFoundError);
    await assert.rejects(
      apiFor(fx.server, "carol").project("vision-lab/diffusion").projectId,
      NotFoundError,
    );
    const bobSees = await apiFor(fx.server, "bob").project("vision-lab/diffusion").json();
    assert.equal(bobSees.visibility, "PRIVATE");
  });

  describe("projects()", () => {
    it("lists the projects a user may see", async () => {
      const names = async (client: Api, workspace: string) =>
        (await Promise.all((await client.projects(workspace).toArray()).map((p) => p.name)))
          .sort();
      assert.deepEqual(await names(fx.api, "alice"), ["mnist-baseline", "scratch"]);
      assert.deepEqual(await names(apiFor(fx.server, "bob"), "alice"), ["mnist-baseline"]);
      assert.deepEqual(await names(apiFor(fx.server, "carol"), "vision-lab"), ["resnet-sweep"]);
    });

    it("pre-fills projects from the list (detail) and needs no further request", async () => {
      const projects = fx.api.projects("vision-lab", { sort: "name", search: "SWEEP" });
      assert.ok(projects instanceof Projects);
      const [project] = await projects.toArray();
      assert.equal(await project!.description, "ResNet hyper-parameter sweep on CIFAR-10");
      assert.equal((await project!.json()).project_id, sweep(fx.server).cuid);
      assert.deepEqual(apiCalls(fx.server).map((r) => `${r.method} ${r.path}?${r.query}`), [
        "GET /api/project/vision-lab?page=1&size=100&detail=True&search=SWEEP&sort=name",
      ]);
    });

    it("with detail: false, keeps the list's minimal records as they are, like the Python SDK", async () => {
      const [project] = await fx.api.projects("vision-lab", { detail: false, search: "sweep" })
        .toArray();
      assert.equal(await project!.description, "ResNet hyper-parameter sweep on CIFAR-10");
      const json = await project!.json();
      assert.deepEqual(json.count, {});
      assert.deepEqual(json.labels, []);
      assert.equal(apiCalls(fx.server).length, 1);
      assert.equal(apiCalls(fx.server)[0]!.query, "page=1&size=100&detail=False&search=sweep");
      // The full record is one explicit load away.
      assert.equal((await fx.api.project(project!.path).labels).length, 2);
    });

    it("pages with page, size and all; total; toArray limit; json page info", async () => {
      const created = [];
      for (let i = 0; i < 11; i++) {
        created.push(await fx.api.createProject({ name: `paging-${i}` }));
      }
      assert.equal(created.length, 11);
      fx.server.clearRequests();
      const first = fx.api.projects("alice", { size: 10, sort: "name" });
      assert.equal(await first.total, 13);
      assert.equal(await first.pages, 2);
      assert.equal((await first.toArray()).length, 10);
      const all = await fx.api.projects("alice", { size: 10, all: true }).toArray();
      assert.equal(all.length, 13);
      const limited = await fx.api.projects("alice", { size: 10, all: true }).toArray({ limit: 3 });
      assert.equal(limited.length, 3);
      const json = await fx.api.projects("alice", { size: 10, page: 2, sort: "name" }).json();
      assert.deepEqual(Object.keys(json), ["page", "size", "total", "pages", "list"]);
      assert.deepEqual([json.page, json.size, json.total, json.pages], [2, 10, 13, 2]);
      assert.equal(json.list.length, 3);
      for (const item of json.list) assert.deepEqual(Object.keys(item), SDK_JSON_KEYS.project);
      for (const project of created) await project.delete({ commit: true });
    });

    it("rejects invalid options with ValidationError before any request", () => {
      assert.throws(
        () => fx.api.projects("alice", { size: 25 }),
        (e: unknown) => e instanceof ValidationError && e.field === "size",
      );
      assert.throws(
        () => fx.api.projects("alice", { page: 0 }),
        (e: unknown) => e instanceof ValidationError && e.field === "page",
      );
      assert.throws(
        () => fx.api.projects("alice", { sort: "date" as "name" }),
        (e: unknown) => e instanceof ValidationError && e.field === "sort",
      );
      assert.throws(() => fx.api.workspace("alice").projects({ size: 7 }), ValidationError);
      assert.equal(fx.server.requests.length, 0);
    });
  });

  describe("createProject()", () => {
    it("creates a project in the logged-in user's workspace by default", async () => {
      const project = await fx.api.createProject({ name: "new.proj+1", description: "x" });
      assert.equal(project.path, "alice/new.proj+1");
      const [post] = callsTo(fx.server, "POST", "/api/project");
      assert.deepEqual(post!.body, {
        name: "new.proj+1",
        visibility: "PRIVATE",
        username: "alice",
        description: "x",
      });
      fx.server.clearRequests();
      const json = await project.json();
      assert.equal(json.visibility, "PRIVATE");
      assert.equal(json.description, "x");
      assert.equal(apiCalls(fx.server).length, 0, "pre-filled from the response");
      assert.equal((await fx.api.project("alice/new.proj+1").json()).project_id, json.project_id);
      await project.delete({ commit: true });
    });

    it("creates a project in a team workspace and rejects a duplicate", async () => {
      const project = await fx.api.createProject({
        username: "vision-lab",
        name: "new-project",
        visibility: "PUBLIC",
      });
      assert.equal((await project.json()).visibility, "PUBLIC");
      await assert.rejects(
        fx.api.createProject({ username: "vision-lab", name: "new-project" }),
        ConflictError,
      );
      await project.delete({ commit: true });
    });

    it("is not retried: a failed create is sent once", async () => {
      fx.server.setFaults({ errorRate: 1, faultLogin: false });
      try {
        await assert.rejects(fx.api.createProject({ name: "never-created" }), InternalServerError);
      } finally {
        fx.server.setFaults({});
      }
      assert.equal(callsTo(fx.server, "POST", "/api/project").length, 1);
      await assert.rejects(fx.api.project("alice/never-created").json(), NotFoundError);
    });
  });

  describe("delete()", () => {
    it("dry run returns the plan and sends no DELETE", async () => {
      const project = await fx.api.createProject({ name: "to-delete" });
      fx.server.clearRequests();
      const plan = await project.delete();
      assert.equal(plan.committed, false);
      assert.deepEqual(plan.items.map((i) => [i.name, i.path]), [["to-delete", "alice/to-delete"]]);
      assert.equal(callsTo(fx.server, "DELETE", /.*/).length, 0);
      const commit = await fx.api.project("alice/to-delete").delete({ commit: true });
      assert.equal(commit.committed, true);
      assert.deepEqual(callsTo(fx.server, "DELETE", /.*/).map((r) => r.path), [
        "/api/project/alice/to-delete",
      ]);
      await assert.rejects(fx.api.project("alice/to-delete").json(), NotFoundError);
    });

    it("a failed load throws and never sends a DELETE", async () => {
      await assert.rejects(fx.api.project("alice/missing").delete({ commit: true }), NotFoundError);
      assert.equal(callsTo(fx.server, "DELETE", /.*/).length, 0);
    });
  });

  describe("deleteRuns()", () => {
    it("dry run resolves every id and sends no delete", async () => {
      const [a, b] = sweep(fx.server).runs;
      const project = fx.api.project("vision-lab/resnet-sweep");
      const plan = await project.deleteRuns([a!.slug, b!.cuid]);
      assert.equal(plan.committed, false);
      assert.deepEqual(plan.items, [
        { id: a!.cuid, name: a!.name, path: a!.path },
        { id: b!.cuid, name: b!.name, path: b!.path },
      ]);
      assert.equal(callsTo(fx.server, "POST", /runs\/del$/).length, 0);
    });

    it("rejects unknown ids with NotFoundError before deleting anything", async () => {
      const [a] = sweep(fx.server).runs;
      await assert.rejects(
        fx.api.project("vision-lab/resnet-sweep").deleteRuns([a!.slug, "no-such-run"], {
          commit: true,
        }),
        NotFoundError,
      );
      assert.equal(callsTo(fx.server, "POST", /runs\/del$/).length, 0);
      assert.equal((await fx.api.run(a!.path).json()).run_id, a!.cuid);
    });

    it("commit deletes the runs; they are gone afterwards", async () => {
      const runs = sweep(fx.server).runs;
      const [x, y] = [runs[4]!, runs[5]!];
      const plan = await fx.api.project("vision-lab/resnet-sweep").deleteRuns(
        [x.slug, y.slug, x.cuid],
        {
          commit: true,
        },
      );
      assert.equal(plan.committed, true);
      assert.equal(plan.items.length, 2);
      const [post] = callsTo(fx.server, "POST", /runs\/del$/);
      assert.deepEqual(post!.body, { cuids: [x.cuid, y.cuid] });
      await assert.rejects(fx.api.run(x.path).json(), NotFoundError);
      await assert.rejects(fx.api.run(y.path).json(), NotFoundError);
    });

    it("validates the ids before any request", async () => {
      const project = fx.api.project("vision-lab/resnet-sweep");
      await assert.rejects(project.deleteRuns("abc" as unknown as string[]), ValidationError);
      await assert.rejects(
        project.deleteRuns(["ok", "bad/id"]),
        (e: unknown) => e instanceof ValidationError && e.field === "ids[1]",
      );
      await assert.rejects(project.deleteRuns([], { commit: "yes" as unknown as boolean }), (
        e: unknown,
      ) => e instanceof ValidationError && e.field === "commit");
      assert.equal(fx.server.requests.length, 0);
    });
  });
});
