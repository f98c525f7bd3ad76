import { after, before, beforeEach, describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  Api,
  InternalServerError,
  LicenseExpiredError,
  PermissionDeniedError,
  RecordList,
  RootRequiredError,
  SelfHosted,
  ValidationError,
} from "../../mod.ts";
import type { LocalServer } from "../../src/server/mod.ts";
import { sendJson, startScriptedServer } from "../_helpers/scripted_server.ts";
import { apiCalls, apiFor, callsTo, startTestServer } from "./_setup.ts";

describe("SelfHosted", () => {
  let server: LocalServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());
  beforeEach(() => server.clearRequests());

  it("json() has exactly the Python SDK's keys and the license data", async () => {
    const sh = apiFor(server).selfHosted();
    assert.ok(sh instanceof SelfHosted);
    assert.equal(server.requests.length, 0);
    const json = await sh.json();
    assert.deepEqual(Object.keys(json), ["enabled", "expired", "plan", "root", "seats"]);
    assert.deepEqual(json, {
      enabled: true,
      expired: false,
      plan: "commercial",
      root: true,
      seats: 50,
    });
    assert.equal(await sh.root, true);
    assert.equal(await sh.seats, 50);
    assert.equal(callsTo(server, "GET", "/api/self_hosted/info").length, 1);
    assert.equal((await apiFor(server, "bob").selfHosted().load()).root, false);
  });

  describe("as root", () => {
    it("creates a user (not retried) and lists users", async () => {
      const sh = apiFor(server).selfHosted();
      const created = await sh.createUser({ username: "newuser", password: "pass123" });
      assert.equal(created.ok, true, created.errmsg);
      assert.equal(created.errmsg, "");
      const [post] = callsTo(server, "POST", "/api/self_hosted/users");
      assert.deepEqual(post!.body, { users: [{ username: "newuser", password: "pass123" }] });
      const users = sh.getUsers({ page: 1, size: 100, all: true });
      assert.ok(users instanceof RecordList);
      const names = (await users.toArray()).map((u) => u.username);
      assert.deepEqual(names.sort(), ["alice", "bob", "carol", "newuser"]);
      const duplicate = await sh.createUser({ username: "newuser", password: "x" });
      assert.equal(duplicate.ok, false);

      server.clearRequests();
      server.setFaults({ errorRate: 1, faultLogin: false });
      try {
        const failed = await sh.createUser({ username: "other", password: "x" });
        assert.equal(failed.ok, false);
        assert.ok(failed.error instanceof InternalServerError);
      } finally {
        server.setFaults({});
      }
      assert.equal(callsTo(server, "POST", "/api/self_hosted/users").length, 1);
    });

    it("lists projects with filters and paging", async () => {
      const sh = apiFor(server).selfHosted();
      const all = await sh.getProjects({ all: true, size: 10 }).toArray();
      assert.equal(all.length, 4);
      const team: string[] = [];
      for await (const p of sh.getProjects({ group: "vision-lab", sort: "create" })) {
        team.push(String(p.path));
      }
      assert.deepEqual(team.sort(), ["vision-lab/diffusion", "vision-lab/resnet-sweep"]);
      const byBob = await sh.getProjects({ creator: "bob", search: "DIFF" }).toArray();
      assert.deepEqual(byBob.map((p) => p.name), ["diffusion"]);
      const query = callsTo(server, "GET", "/api/self_hosted/projects").at(-1)!.query;
      assert.equal(query, "page=1&size=100&search=DIFF&creator=bob");
      const running = await sh.getProjects({ state: "RUNNING", all: true }).toArray();
      assert.ok(running.length > 0);
      for (const p of running) assert.equal(p["state"], "RUNNING");
      const json = await sh.getProjects({ size: 10, search: "mnist" }).json();
      assert.deepEqual([json.page, json.size, json.total, json.pages], [1, 10, 1, 1]);
    });

    it("lists workspaces by type and the usage summary", async () => {
      const sh = apiFor(server).selfHosted();
      const teams = await sh.getGroups({ all: true, type: "TEAM", sort: "name" }).toArray();
      assert.deepEqual(teams.map((g) => g.username), ["vision-lab"]);
      const summary = await sh.getUsageSummary();
      assert.equal(summary.ok, true);
      assert.equal(typeof summary.data?.users, "number");
      assert.deepEqual(summary.json().ok, true);
    });

    it("validates input before any request", async () => {
      const sh = apiFor(server).selfHosted();
      const blank = await sh.createUser({ username: " ", password: "x" });
      assert.equal(blank.ok, false);
      assert.ok(blank.error instanceof ValidationError);
      assert.throws(() => sh.getUsers({ size: 7 }), ValidationError);
      assert.throws(() => sh.getProjects({ state: "CRASHED" as "RUNNING" }), ValidationError);
      assert.throws(() => sh.getGroups({ type: "ORG" as "TEAM" }), ValidationError);
      assert.equal(server.requests.length, 0);
    });
  });

  describe("as a non-root user", () => {
    it("refuses management calls with RootRequiredError and sends them nowhere", async () => {
      const sh = apiFor(server, "bob").selfHosted();
      await assert.rejects(sh.getUsers().toArray(), (e: unknown) => {
        assert.ok(e instanceof RootRequiredError);
        assert.ok(e instanceof PermissionDeniedError);
        assert.equal(e.status, 403);
        return true;
      });
      await assert.rejects(sh.getProjects().json(), RootRequiredError);
      await assert.rejects(sh.getGroups().total, RootRequiredError);
      const created = await sh.createUser({ username: "mallory", password: "pw" });
      assert.equal(created.ok, false);
      assert.ok(created.error instanceof RootRequiredError);
      const summary = await sh.getUsageSummary();
      assert.equal(summary.ok, false);
      assert.match(summary.errmsg, /root/);
      assert.deepEqual(apiCalls(server).map((r) => r.path), ["/api/self_hosted/info"]);
    });
  });
});

describe("SelfHosted with an expired or unknown license", () => {
  it("refuses management calls with LicenseExpiredError (a missing expired counts as expired)", async () => {
    const scripted = await startScriptedServer((request, response) => {
      if (request.path === "/api/login/api_key") {
        sendJson(response, 200, {
          sid: "sid-1",
          expiredAt: new Date(Date.now() + 30 * 86_400_000).toISOString(),
          userInfo: { username: "root", name: "Root" },
        });
      } else if (request.path === "/api/self_hosted/info") {
        sendJson(response, 200, { enabled: true, root: true, plan: "free", seats: 3 });
      } else {
        sendJson(response, 500, { message: "should not be called" });
      }
    });
    try {
      const sh = new Api({ host: scripted.origin, apiKey: "k", env: {} }).selfHosted();
      assert.equal(await sh.expired, null); // not sent: null, never a guess (drift policy)
      await assert.rejects(sh.getUsers().toArray(), LicenseExpiredError);
      const summary = await sh.getUsageSummary();
      assert.ok(summary.error instanceof LicenseExpiredError);
      assert.deepEqual(
        scripted.requests.map((r) => r.path),
        ["/api/login/api_key", "/api/self_hosted/info"],
      );
    } finally {
      await scripted.close();
    }
  });
});
