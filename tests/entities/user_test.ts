import { after, before, beforeEach, describe, it } from "node:test";
import assert from "node:assert/strict";
import { User } from "../../mod.ts";
import type { LocalServer } from "../../src/server/mod.ts";
import { apiCalls, apiFor, logins, startTestServer } from "./_setup.ts";
import { SDK_JSON_KEYS } from "../_helpers/sdk_json_keys.ts";

describe("User", () => {
  let server: LocalServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());
  beforeEach(() => server.clearRequests());

  it("json() has exactly the Python SDK's keys, in order", async () => {
    const json = await apiFor(server).user().json();
    assert.deepEqual(Object.keys(json), SDK_JSON_KEYS.user);
    assert.deepEqual(json, {
      bio: "Alice Zhang builds models.",
      email: "alice@example.org",
      institution: "Example University",
      location: "Hangzhou",
      name: "Alice Zhang",
      school: "",
      url: "",
      username: "alice",
    });
  });

  it("takes username and name from the login and the profile from one request", async () => {
    const user = apiFor(server, "bob").user();
    assert.ok(user instanceof User);
    assert.equal(server.requests.length, 0);
    assert.equal(await user.username, "bob");
    assert.equal(await user.name, "Bob Li");
    assert.equal(apiCalls(server).length, 0);
    assert.equal(await user.email, "bob@example.org");
    assert.equal(await user.school, "");
    await user.load();
    assert.equal(apiCalls(server).length, 1);
    assert.equal(logins(server).length, 1);
  });
});
