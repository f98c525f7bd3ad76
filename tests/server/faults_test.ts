import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type LocalServer, startServer } from "../../src/server/mod.ts";
import { arr, call, login, obj, type TestClient } from "./_helpers.ts";

async function statuses(server: LocalServer, sid: string, n: number): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    try {
      const res = await fetch(`${server.host}/api/user/profile`, {
        headers: { cookie: `sid=${sid}` },
      });
      await res.body?.cancel();
      out.push(String(res.status));
    } catch {
      out.push("reset");
    }
  }
  return out;
}

describe("fault injection", () => {
  let server: LocalServer;
  let alice: TestClient;
  before(async () => {
    server = await startServer({ runs: 2, steps: 50 });
    alice = await login(server);
  });
  after(async () => {
    server.setFaults({});
    await server.close();
  });

  it("answers 500/502/503 {code, message} with a traceid at errorRate 1", async () => {
    server.setFaults({ errorRate: 1, seed: 3 });
    const seen = new Set<number>();
    for (let i = 0; i < 20; i++) {
      const res = await alice.get("/user/profile");
      assert.ok([500, 502, 503].includes(res.status));
      assert.equal(obj(res.body).code, String(res.status));
      assert.ok(res.headers.get("traceid"));
      seen.add(res.status);
    }
    assert.equal(seen.size, 3);
    server.setFaults({});
    assert.equal((await alice.get("/user/profile")).status, 200);
  });

  it("answers 429 with Retry-After (default 1, 0 allowed)", async () => {
    server.setFaults({ rateLimitRate: 1 });
    const res = await alice.get("/user/profile");
    assert.equal(res.status, 429);
    assert.equal(res.headers.get("retry-after"), "1");
    server.setFaults({ rateLimitRate: 1, retryAfterSeconds: 0 });
    assert.equal((await alice.get("/user/profile")).headers.get("retry-after"), "0");
    server.setFaults({});
  });

  it("drops the connection before any response at resetRate 1 (fetch rejects)", async () => {
    server.setFaults({ resetRate: 1 });
    await assert.rejects(
      fetch(`${server.host}/api/user/profile`, { headers: { cookie: `sid=${alice.sid}` } }),
    );
    server.setFaults({});
    assert.equal((await alice.get("/user/profile")).status, 200);
  });

  it("cuts storage downloads mid-body at truncateRate 1", async () => {
    const run = server.dataset.projects["vision-lab/resnet-sweep"]!.runs[0]!;
    const prefix = `${run.projectCuid}/${run.cuid}`;
    const urls = arr(
      obj(
        (await alice.post("/resources/presigned/get", {
          prefix,
          paths: ["media/samples/image/step0-0.png"],
        })).body,
      ).urls,
    );
    const exp = await alice.post("/house/metrics/scalar/export", {
      projectId: run.projectCuid,
      columns: [{ experimentId: run.cuid, key: "lr", createdAt: run.createdAtSeconds }],
    });
    const csvUrl = String(
      arr(
        obj((await alice.post("/files/presigned/get", { paths: [obj(exp.body).cosKey] })).body)
          .urls,
      )[0],
    );
    server.setFaults({ truncateRate: 1 });
    const png = await fetch(String(urls[0]));
    assert.equal(png.status, 200);
    assert.ok(Number(png.headers.get("content-length")) > 0);
    await assert.rejects(png.arrayBuffer());
    const csv = await fetch(csvUrl);
    await assert.rejects(csv.text());
    server.setFaults({});
    const ok = await fetch(String(urls[0]));
    assert.equal((await ok.arrayBuffer()).byteLength, Number(ok.headers.get("content-length")));
  });

  it("is reproducible: the same seed gives the same fault sequence", async () => {
    const faults = {
      seed: 11,
      errorRate: 0.3,
      rateLimitRate: 0.2,
      resetRate: 0.1,
      retryAfterSeconds: 0,
    };
    server.setFaults(faults);
    const first = await statuses(server, alice.sid, 40);
    server.setFaults(faults);
    const second = await statuses(server, alice.sid, 40);
    server.setFaults({ ...faults, seed: 12 });
    const third = await statuses(server, alice.sid, 40);
    server.setFaults({});
    assert.deepEqual(first, second);
    assert.notDeepEqual(first, third);
    for (const kind of ["200", "429", "reset"]) {
      assert.ok(first.includes(kind), `${kind} in ${first}`);
    }
    assert.ok(first.some((s) => ["500", "502", "503"].includes(s)));
    const other = await startServer({
      runs: 2,
      steps: 50,
      faults: { ...faults, faultLogin: false },
    });
    try {
      const client = await login(other);
      assert.deepEqual(await statuses(other, client.sid, 40), first);
    } finally {
      await other.close();
    }
  });

  it("can exclude login from faults (faultLogin: false) and adds latency", async () => {
    server.setFaults({ errorRate: 1, faultLogin: false });
    const res = await call(server, "POST", "/login/api_key", {
      headers: { authorization: server.apiKey },
    });
    assert.equal(res.status, 200);
    assert.equal((await alice.get("/user/profile")).status >= 500, true);
    server.setFaults({ errorRate: 1 });
    const failed = await call(server, "POST", "/login/api_key", {
      headers: { authorization: server.apiKey },
    });
    assert.ok(failed.status >= 500);
    server.setFaults({ latencyMs: 120 });
    const t = performance.now();
    assert.equal((await alice.get("/user/profile")).status, 200);
    assert.ok(performance.now() - t >= 110);
    server.setFaults({});
  });
});
