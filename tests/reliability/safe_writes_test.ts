/**
 * Writes happen only when asked, exactly once, and to the intended target.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { Api, InternalServerError, NotFoundError, ValidationError } from "../../mod.ts";
import { type LocalServer, startServer } from "../../src/server/mod.ts";

describe("safe writes", () => {
  let server: LocalServer;
  let api: Api;
  before(async () => {
    server = await startServer();
    api = new Api({ host: server.host, apiKey: server.apiKey, env: {}, initialRetryDelayMs: 1 });
  });
  after(() => server.close());

  const writes = () =>
    server.requests.filter((r) =>
      r.origin === "api" && (r.method === "DELETE" || r.path.endsWith("/runs/del"))
    );

  it("sends zero DELETE requests without commit", async () => {
    server.clearRequests();
    const project = api.project("alice/mnist-baseline");
    const runPath = server.dataset.projects["alice/mnist-baseline"]!.runs[0]!.path;
    const slug = runPath.split("/")[2]!;
    const plans = [
      await project.delete(),
      await api.run(runPath).delete(),
      await project.deleteRuns([slug]),
      await project.delete({ commit: false }),
    ];
    for (const plan of plans) assert.equal(plan.committed, false);
    assert.equal(writes().length, 0);
    // Everything still exists.
    assert.equal(
      await api.run(runPath).name,
      server.dataset.projects["alice/mnist-baseline"]!.runs[0]!.name,
    );
  });

  it("does not retry a delete or a create on a 5xx unless the call opts in", async () => {
    const runPath = server.dataset.projects["vision-lab/resnet-sweep"]!.runs[3]!.path;
    const run = api.run(runPath);
    await run.load();
    server.clearRequests();
    server.setFaults({ seed: 3, errorRate: 1, faultLogin: false });
    try {
      await assert.rejects(run.delete({ commit: true }), InternalServerError);
      assert.equal(writes().length, 1, "the DELETE was sent more than once");
      server.clearRequests();
      await assert.rejects(
        api.createProject({ name: "once-only", visibility: "PUBLIC" }),
        InternalServerError,
      );
      assert.equal(
        server.requests.filter((r) => r.method === "POST" && r.path === "/api/project").length,
        1,
      );
    } finally {
      server.setFaults({});
    }
  });

  it("deletes when committed, exactly once, and the run is gone afterwards", async () => {
    const runPath = server.dataset.projects["vision-lab/resnet-sweep"]!.runs[4]!.path;
    server.clearRequests();
    const plan = await api.run(runPath).delete({ commit: true });
    assert.equal(plan.committed, true);
    assert.equal(writes().length, 1);
    await assert.rejects(api.run(runPath).load(), NotFoundError);
  });

  it("rejects names that could change the request target before sending anything", async () => {
    server.clearRequests();
    for (const path of ["alice/a?b", "alice/a#b", "alice/..", "alice/a%2Fb", "../alice/x"]) {
      await assert.rejects(async () => await api.project(path).load(), ValidationError, path);
    }
    for (
      const path of [
        "alice/mnist-baseline/x?y",
        "alice/mnist-baseline/..",
        "alice/mnist-baseline/a%b",
      ]
    ) {
      await assert.rejects(async () => await api.run(path).load(), ValidationError, path);
    }
    assert.equal(server.requests.length, 0);
  });

  it("keeps a legal '+' in a project name inside its own path segment", async () => {
    const project = await api.createProject({ name: "a+b.c", visibility: "PRIVATE" });
    assert.equal(await project.path, "alice/a+b.c");
    server.clearRequests();
    assert.equal(await api.project("alice/a+b.c").visibility, "PRIVATE");
    assert.ok(server.requests.some((r) => r.path === "/api/project/alice/a%2Bb.c"));
  });
});
