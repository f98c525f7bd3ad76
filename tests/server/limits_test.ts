/**
 * The local server's limits (issue 15, item 6): request bodies are capped (413 beyond, without
 * keeping the body in memory) and stored strings are bounded, as documented in the spec.
 */
import assert from "node:assert/strict";
import { request as httpRequest } from "node:http";
import { after, before, describe, it } from "node:test";
import { type LocalServer, startServer } from "../../src/server/mod.ts";
import { spec } from "../../generated/spec.ts";
import { login, obj, type TestClient } from "./_helpers.ts";

const LIMIT = 1_048_576;

/** Sends a raw POST whose body is `size` bytes of a JSON string, with or without a length. */
function rawPost(
  server: LocalServer,
  sid: string,
  size: number,
  chunked: boolean,
): Promise<{ status: number; body: string }> {
  const url = new URL(`${server.host}/api/project`);
  const prefix = '{"name":"big","visibility":"PUBLIC","username":"alice","description":"';
  const suffix = '"}';
  const filler = size - prefix.length - suffix.length;
  return new Promise((resolve, reject) => {
    const req = httpRequest({
      hostname: url.hostname,
      port: url.port,
      path: url.pathname,
      method: "POST",
      headers: {
        cookie: `sid=${sid}`,
        "content-type": "application/json",
        ...(chunked ? {} : { "content-length": String(size) }),
      },
    }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => text += c);
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on("error", reject);
    req.write(prefix);
    const piece = "x".repeat(64 * 1024);
    for (let left = filler; left > 0; left -= piece.length) {
      req.write(left >= piece.length ? piece : piece.slice(0, left));
    }
    req.end(suffix);
  });
}

describe("server limits", () => {
  let server: LocalServer;
  let alice: TestClient;
  before(async () => {
    server = await startServer({ runs: 2, steps: 10 });
    alice = await login(server);
  });
  after(() => server.close());

  for (const chunked of [false, true]) {
    const how = chunked ? "chunked" : "with Content-Length";
    it(`answers 413 to a body of ${LIMIT + 1} bytes (${how})`, async () => {
      const reply = await rawPost(server, alice.sid, LIMIT + 1, chunked);
      assert.equal(reply.status, 413);
      const body = JSON.parse(reply.body) as { code: string; message: string };
      assert.equal(body.code, "413");
      assert.match(body.message, /1048576 bytes/);
    });

    it(`accepts a body of exactly ${LIMIT} bytes up to validation (${how})`, async () => {
      const reply = await rawPost(server, alice.sid, LIMIT, chunked);
      // Not 413: the body was read, then the description's length was rejected (400).
      assert.equal(reply.status, 400, reply.body);
      assert.match(reply.body, /description/);
    });
  }

  it("honours a configured limit", async () => {
    const small = await startServer({ runs: 1, steps: 5, maxBodyBytes: 200 });
    try {
      const client = await login(small);
      const keys = Array.from({ length: 40 }, (_, i) => `key-${i}`);
      const res = await client.post("/project/alice/x/runs/del", { cuids: keys });
      assert.equal(res.status, 413);
      const ok = await client.post("/project/alice/x/runs/del", { cuids: ["a"] });
      assert.notEqual(ok.status, 413);
    } finally {
      await small.close();
    }
  });

  it("rejects an invalid maxBodyBytes", async () => {
    await assert.rejects(startServer({ maxBodyBytes: 0 }), RangeError);
  });

  const STRINGS: [string, Record<string, unknown>, string, number][] = [
    ["/project", { name: "p", visibility: "PUBLIC", username: "alice" }, "description", 1024],
    ["/project", { visibility: "PUBLIC", username: "alice" }, "name", 100],
  ];
  for (const [path, base, field, max] of STRINGS) {
    it(`stores a ${field} of ${max} characters and rejects ${max + 1}`, async () => {
      const tooLong = await alice.post(path, { ...base, [field]: "a".repeat(max + 1) });
      assert.equal(tooLong.status, 400);
      assert.match(String(obj(tooLong.body).message), new RegExp(field));
      const fits = await alice.post(path, {
        ...base,
        name: field === "name" ? "b".repeat(max) : `fits-${field}`,
        ...(field === "description" ? { description: "d".repeat(max) } : {}),
      });
      assert.ok(fits.status === 200 || fits.status === 201, JSON.stringify(fits.body));
    });
  }

  it("bounds new users' username and password", async () => {
    const long = await alice.post("/self_hosted/users", {
      users: [{ username: "u".repeat(101), password: "pw" }],
    });
    assert.equal(long.status, 400);
    const longPassword = await alice.post("/self_hosted/users", {
      users: [{ username: "fits", password: "p".repeat(129) }],
    });
    assert.equal(longPassword.status, 400);
  });

  it("documents the limits in the spec", () => {
    const text = JSON.stringify(spec);
    assert.match(text, /at most 1 MiB \(1 048 576 bytes\)/);
    assert.match(text, /PayloadTooLarge/);
  });
});
