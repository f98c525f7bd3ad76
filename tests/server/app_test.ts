import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createApp, type RecordedRequest } from "../../src/server/app.ts";
import { seedDataset } from "../../src/server/dataset.ts";
import { FaultInjector } from "../../src/server/faults.ts";
import { UrlSigner } from "../../src/server/signing.ts";
import { Store } from "../../src/server/store.ts";

describe("createApp", () => {
  it("serves requests without a socket and records them", async () => {
    const store = new Store();
    const { users } = seedDataset(store, {
      seed: 42,
      runs: 2,
      steps: 10,
      extraKeys: 0,
      logLines: 10,
    });
    const recorded: RecordedRequest[] = [];
    const app = createApp(store, {
      env: {
        signer: new UrlSigner("secret", "http://storage.invalid"),
        faults: new FaultInjector(),
        sessionTtlMs: 60_000,
        presignTtlMs: 60_000,
      },
      record: (r) => recorded.push(r),
    });
    const login = await app(
      new Request("http://local/api/login/api_key", {
        method: "POST",
        headers: { Authorization: users[0]!.apiKey },
      }),
    );
    assert.equal(login.status, 200);
    const { sid } = await login.json() as { sid: string };
    const res = await app(
      new Request("http://local/api/project/alice?page=1&size=10&search=mnist+baseline", {
        headers: { cookie: `other=1; sid=${sid}` },
      }),
    );
    assert.equal(res.status, 200);
    assert.ok(res.headers.get("traceid"));
    assert.equal((await res.json() as { total: number }).total, 0);
    assert.equal(recorded.length, 2);
    assert.equal(recorded[0]!.headers.authorization, users[0]!.apiKey);
    assert.equal(recorded[1]!.query, "page=1&size=10&search=mnist+baseline");
    assert.equal(recorded[1]!.path, "/api/project/alice");
    const post = await app(
      new Request("http://local/api/project", {
        method: "POST",
        headers: { cookie: `sid=${sid}`, "content-type": "application/json" },
        body: JSON.stringify({ name: "p", visibility: "PUBLIC", username: "alice" }),
      }),
    );
    assert.equal(post.status, 201);
    assert.deepEqual(recorded[2]!.body, { name: "p", visibility: "PUBLIC", username: "alice" });
  });

  it("is deterministic: the same seed gives the same data set", () => {
    const a = seedDataset(new Store(), {
      seed: 7,
      runs: 5,
      steps: 100,
      extraKeys: 1,
      logLines: 10,
    });
    const b = seedDataset(new Store(), {
      seed: 7,
      runs: 5,
      steps: 100,
      extraKeys: 1,
      logLines: 10,
    });
    const c = seedDataset(new Store(), {
      seed: 8,
      runs: 5,
      steps: 100,
      extraKeys: 1,
      logLines: 10,
    });
    assert.deepEqual(a.info, b.info);
    assert.deepEqual(a.users, b.users);
    assert.notDeepEqual(a.info.projects, c.info.projects);
  });
});
