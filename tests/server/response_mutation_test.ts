// The server's response-mutation test facility (`FaultOptions.mutateResponses`).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { mutateResponse } from "../../src/server/response_mutation.ts";
import { startServer } from "../../src/server/mod.ts";

describe("mutateResponse", () => {
  it("deletes, nulls and sets fields of the chosen operation only", async () => {
    const body = { a: { b: [1, 2, 3] }, c: "x", d: true };
    const mutations = [
      { operationId: "op", pointer: "/a/b/1", action: "delete" as const },
      { operationId: "op", pointer: "/c", action: "null" as const },
      { operationId: "op", pointer: "/d", action: "set" as const, value: "yes" },
      { operationId: "other", pointer: "/a", action: "delete" as const },
    ];
    const changed = await mutateResponse(Response.json(body), "op", mutations);
    assert.deepEqual(await changed.json(), { a: { b: [1, 3] }, c: null, d: "yes" });
    const untouched = await mutateResponse(Response.json(body), "else", mutations);
    assert.deepEqual(await untouched.json(), body);
  });

  it("leaves error responses and missing parents alone", async () => {
    const error = Response.json({ code: "1" }, { status: 404 });
    const mutations = [{ operationId: "op", pointer: "/code", action: "delete" as const }];
    assert.equal(await mutateResponse(error, "op", mutations), error);
    const missing = await mutateResponse(Response.json({ a: 1 }), "op", [
      { operationId: "op", pointer: "/x/y", action: "null" },
    ]);
    assert.deepEqual(await missing.json(), { a: 1 });
  });

  it("applies to a running server through setFaults", async () => {
    const server = await startServer({ runs: 2, steps: 20, logLines: 5 });
    try {
      const login = await fetch(`${server.host}/api/login/api_key`, {
        method: "POST",
        headers: { authorization: server.apiKey },
      });
      const { sid } = await login.json();
      const get = async () =>
        await (await fetch(`${server.host}/api/group/vision-lab`, {
          headers: { cookie: `sid=${sid}` },
        })).json();
      assert.equal((await get()).username, "vision-lab");
      server.setFaults({
        mutateResponses: [{ operationId: "getWorkspace", pointer: "/username", action: "null" }],
      });
      assert.equal((await get()).username, null);
      server.setFaults({});
      assert.equal((await get()).username, "vision-lab");
    } finally {
      await server.close();
    }
  });
});
