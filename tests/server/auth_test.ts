import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type LocalServer, startServer } from "../../src/server/mod.ts";
import { call, keyOf, login, obj } from "./_helpers.ts";

describe("POST /api/login/api_key", () => {
  let server: LocalServer;
  before(async () => {
    server = await startServer({ runs: 3, steps: 50 });
  });
  after(async () => {
    await server.close();
  });

  it("returns sid, expiredAt 30 days ahead in YYYY-MM-DDTHH:MM:SS.mmmZ and userInfo", async () => {
    const res = await call(server, "POST", "/login/api_key", {
      headers: { authorization: server.apiKey, "x-swanlab-sdk-version": "0.9.0-dev" },
    });
    assert.equal(res.status, 200);
    const body = obj(res.body);
    assert.equal(typeof body.sid, "string");
    assert.match(String(body.expiredAt), /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    const days = (Date.parse(String(body.expiredAt)) - Date.now()) / 86_400_000;
    assert.ok(days > 29.9 && days <= 30, `expiry ${days} days ahead`);
    assert.deepEqual(body.userInfo, { username: "alice", name: "Alice Zhang" });
    assert.ok(res.headers.get("traceid"));
  });

  it("gives each seeded user a session for their own identity", async () => {
    for (const user of server.users) {
      const res = await call(server, "POST", "/login/api_key", {
        headers: { authorization: user.apiKey },
      });
      assert.equal(obj(obj(res.body).userInfo).username, user.username);
    }
    assert.deepEqual(server.users.map((u) => [u.username, u.root]), [["alice", true], [
      "bob",
      false,
    ], [
      "carol",
      false,
    ]]);
  });

  it("rejects an unknown key with 401 {code: 1001} and a traceid header", async () => {
    const res = await call(server, "POST", "/login/api_key", {
      headers: { authorization: "nope" },
    });
    assert.equal(res.status, 401);
    assert.deepEqual(res.body, { code: "1001", message: "API Token Invalid" });
    assert.ok(res.headers.get("traceid"));
  });

  it("rejects a Bearer-prefixed key and a missing header", async () => {
    const bearer = await call(server, "POST", "/login/api_key", {
      headers: { authorization: `Bearer ${server.apiKey}` },
    });
    assert.equal(bearer.status, 401);
    const missing = await call(server, "POST", "/login/api_key");
    assert.equal(missing.status, 401);
  });
});

describe("session cookie", () => {
  let server: LocalServer;
  before(async () => {
    server = await startServer({ runs: 3, steps: 50, sessionTtlMs: 300 });
  });
  after(async () => {
    await server.close();
  });

  it("is required on every other endpoint (401 without it, with traceid)", async () => {
    for (
      const [method, path] of [["GET", "/user/profile"], ["GET", "/group/alice"], [
        "POST",
        "/house/metrics/summaries",
      ]] as const
    ) {
      const res = await call(
        server,
        method,
        path,
        method === "POST" ? { body: { experiments: [] } } : {},
      );
      assert.equal(res.status, 401, `${method} ${path}`);
      assert.equal(obj(res.body).code, "401");
      assert.ok(res.headers.get("traceid"));
    }
    const forged = await call(server, "GET", "/user/profile", { sid: "forged" });
    assert.equal(forged.status, 401);
  });

  it("expires server-side after sessionTtlMs (401), and a new login works", async () => {
    const client = await login(server, keyOf(server, "bob"));
    assert.equal((await client.get("/user/profile")).status, 200);
    const body = obj(
      (await call(server, "POST", "/login/api_key", {
        headers: { authorization: server.apiKey },
      })).body,
    );
    const ttl = Date.parse(String(body.expiredAt)) - Date.now();
    assert.ok(ttl <= 300 && ttl > 0, `ttl ${ttl}`);
    await new Promise((r) => setTimeout(r, 350));
    assert.equal((await client.get("/user/profile")).status, 401);
    const again = await login(server, keyOf(server, "bob"));
    assert.equal((await again.get("/user/profile")).status, 200);
  });

  it("answers unknown routes with a 404 {code, message} and wrong methods with 405", async () => {
    const client = await login(server);
    const missing = await client.get("/nope");
    assert.equal(missing.status, 404);
    assert.equal(typeof obj(missing.body).message, "string");
    const outside = await fetch(`${server.host}/not-api`);
    assert.equal(outside.status, 404);
    assert.ok(outside.headers.get("traceid"));
    await outside.body?.cancel();
    const wrong = await call(server, "PUT", "/user/profile", { sid: client.sid });
    assert.equal(wrong.status, 405);
  });

  it("rejects a body that is not JSON with 400", async () => {
    const client = await login(server);
    const res = await call(server, "POST", "/project", { sid: client.sid, body: "{not json" });
    assert.equal(res.status, 400);
  });
});

describe("IPv6 loopback", () => {
  it("serves on [::1] with a bracketed host that clients can use", async () => {
    const server = await startServer({ hostname: "::1" });
    try {
      assert.match(server.host, /^http:\/\/\[::1\]:\d+$/);
      const res = await fetch(`${server.host}/api/login/api_key`, {
        method: "POST",
        headers: { authorization: server.apiKey },
      });
      assert.equal(res.status, 200);
      assert.equal(typeof (await res.json()).sid, "string");
    } finally {
      await server.close();
    }
  });
});
