import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createApiClient } from "../../src/core/_api_client.ts";

describe("createApiClient", () => {
  it("builds the openapi-fetch client without reading a lazy global process on Deno", async () => {
    const original = Object.getOwnPropertyDescriptor(globalThis, "process");
    let reads = 0;
    const get = () => {
      reads++;
      return original?.get ? original.get.call(globalThis) : original?.value;
    };
    // A lazy global like Deno's own: an accessor that counts its reads.
    Object.defineProperty(globalThis, "process", { get, configurable: true, enumerable: false });
    try {
      const seen: string[] = [];
      const client = createApiClient<Record<string, never>>({
        baseUrl: "http://127.0.0.1:9/api",
        fetch: (request: Request) => {
          seen.push(`${request.method} ${request.url}`);
          return Promise.resolve(Response.json({ ok: true }));
        },
      });
      // Deno reads nothing; Node and Bun call createClient as it is (one check of `process`).
      if ("Deno" in globalThis) assert.equal(reads, 0);
      else assert.ok(reads >= 1);
      // The accessor itself is back, the same function, and the client works.
      assert.equal(Object.getOwnPropertyDescriptor(globalThis, "process")?.get, get);
      const { data } = await (client as unknown as {
        GET(path: string): Promise<{ data: unknown }>;
      }).GET("/user/profile");
      assert.deepEqual(data, { ok: true });
      assert.deepEqual(seen, ["GET http://127.0.0.1:9/api/user/profile"]);
    } finally {
      if (original) Object.defineProperty(globalThis, "process", original);
    }
  });

  it("leaves a global process that is a plain value alone", () => {
    const original = Object.getOwnPropertyDescriptor(globalThis, "process");
    const plain = { versions: {} };
    Object.defineProperty(globalThis, "process", {
      value: plain,
      configurable: true,
      writable: true,
    });
    try {
      createApiClient<Record<string, never>>({ baseUrl: "http://127.0.0.1:9/api" });
      assert.equal((globalThis as { process?: unknown }).process, plain);
    } finally {
      if (original) Object.defineProperty(globalThis, "process", original);
    }
  });
});
