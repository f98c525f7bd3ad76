import { after, afterEach, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  Api,
  AuthenticationError,
  CredentialsError,
  login,
  logout,
  ValidationError,
} from "../../mod.ts";
import type { LocalServer } from "../../src/server/mod.ts";
import { logins, startTestServer } from "./_setup.ts";

describe("login() and logout()", () => {
  let server: LocalServer;
  let dir: string;
  let env: Record<string, string>;
  before(async () => {
    server = await startTestServer();
  });
  after(async () => {
    await logout({ env: {} });
    await server.close();
  });
  afterEach(async () => {
    await logout({ env: {} });
    if (dir) await rm(dir, { recursive: true, force: true });
  });
  const fresh = async () => {
    dir = await mkdtemp(join(tmpdir(), "swanlab-ts-login-"));
    env = { SWANLAB_ROOT: join(dir, "root"), HOME: dir };
  };

  it("verifies the key and remembers it for later clients in this process", async () => {
    await fresh();
    server.clearRequests();
    const me = await login({ apiKey: server.apiKey, host: server.host, env, cwd: dir });
    assert.deepEqual(me, {
      username: "alice",
      name: "Alice Zhang",
      apiHost: server.host,
      webHost: server.host,
    });
    assert.equal(logins(server).length, 1);
    const api = new Api({ env, cwd: dir });
    assert.equal(await api.username, "alice");
    assert.equal((await api.workspace().json()).username, "alice");
    await assert.rejects(stat(join(dir, "root", ".netrc")), /ENOENT|No such file/);
  });

  it("save: true writes <root>/.netrc with mode 0600, read by a client after logout", async () => {
    await fresh();
    const me = await login({ apiKey: server.apiKey, host: server.host, save: true, env, cwd: dir });
    const path = join(dir, "root", ".netrc");
    assert.equal(me.netrcPath, path);
    const text = await readFile(path, "utf8");
    assert.equal(
      text,
      `machine ${server.host}\n\tlogin ${server.host}\n\tpassword ${server.apiKey}\n`,
    );
    assert.equal((await stat(path)).mode & 0o777, 0o600);
    const removed = await logout({ env, cwd: dir });
    assert.equal(removed.removedNetrc, null);
    assert.equal(await new Api({ env, cwd: dir }).username, "alice", "found in .netrc");
    const gone = await logout({ env, cwd: dir, removeNetrc: true });
    assert.equal(gone.removedNetrc, path);
    await assert.rejects(stat(path), /ENOENT|No such file/);
    await assert.rejects(new Api({ env, cwd: dir }).username, CredentialsError);
  });

  it('save: "local" writes ./.swanlab/.netrc with a .gitignore', async () => {
    await fresh();
    const me = await login({
      apiKey: server.apiKey,
      host: server.host,
      save: "local",
      env,
      cwd: dir,
    });
    assert.equal(me.netrcPath, join(dir, ".swanlab", ".netrc"));
    assert.equal(await readFile(join(dir, ".swanlab", ".gitignore"), "utf8"), "*\n");
    const out = await logout({ env, cwd: dir, removeNetrc: "local" });
    assert.equal(out.removedNetrc, join(dir, ".swanlab", ".netrc"));
  });

  it("a rejected key saves and remembers nothing", async () => {
    await fresh();
    await assert.rejects(
      login({ apiKey: "wrong-key", host: server.host, save: true, env, cwd: dir, maxRetries: 0 }),
      AuthenticationError,
    );
    await assert.rejects(stat(join(dir, "root", ".netrc")), /ENOENT|No such file/);
    await assert.rejects(new Api({ env, cwd: dir, host: server.host }).username, CredentialsError);
  });

  it("rejects a blank key or a bad save option before any request", async () => {
    await fresh();
    server.clearRequests();
    await assert.rejects(
      login({ apiKey: "  ", host: server.host, env }),
      (e: unknown) => e instanceof ValidationError && e.field === "apiKey",
    );
    await assert.rejects(
      login({ apiKey: "k", host: server.host, env, save: "global" as unknown as boolean }),
      (e: unknown) => e instanceof ValidationError && e.field === "save",
    );
    assert.equal(server.requests.length, 0);
  });
});
