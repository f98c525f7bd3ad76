import { afterEach, beforeEach, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readEnv, resolveCredentials } from "../../src/core/credentials.ts";
import { CredentialsError } from "../../src/core/errors.ts";
import { setLoginState } from "../../src/core/login_state.ts";

describe("resolveCredentials()", () => {
  let dir: string;
  let env: Record<string, string>;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "swanlab-ts-cred-"));
    env = { SWANLAB_ROOT: dir, HOME: dir };
    setLoginState(undefined);
  });
  afterEach(async () => {
    setLoginState(undefined);
    await rm(dir, { recursive: true, force: true });
  });

  const netrc = (host: string, key: string) =>
    writeFile(join(dir, ".netrc"), `machine ${host}\n\tlogin ${host}\n\tpassword ${key}\n`);

  it("prefers explicit options over everything else", async () => {
    await netrc("http://n.example", "NETRC");
    setLoginState({ apiKey: "LOGIN", apiHost: "http://l.example", webHost: "http://l.example" });
    const result = await resolveCredentials({
      apiKey: "OPT",
      host: "http://o.example",
      env: { ...env, SWANLAB_API_KEY: "ENV" },
      cwd: dir,
    });
    assert.deepEqual(result, {
      apiKey: "OPT",
      apiHost: "http://o.example",
      webHost: "http://o.example",
      source: "options",
    });
  });

  it("prefers the login() session over the environment", async () => {
    setLoginState({ apiKey: "LOGIN", apiHost: "http://l.example", webHost: "http://l.example" });
    const result = await resolveCredentials({
      env: { ...env, SWANLAB_API_KEY: "ENV", SWANLAB_API_HOST: "http://e.example" },
      cwd: dir,
    });
    assert.equal(result.apiKey, "LOGIN");
    assert.equal(result.source, "login");
  });

  it("prefers the environment over .netrc", async () => {
    await netrc("http://n.example", "NETRC");
    const result = await resolveCredentials({
      env: { ...env, SWANLAB_API_KEY: "ENV", SWANLAB_API_HOST: "n.example" },
      cwd: dir,
    });
    assert.equal(result.apiKey, "ENV");
    assert.equal(result.apiHost, "https://n.example");
  });

  it("falls back to .netrc for key and hosts", async () => {
    await netrc("http://n.example:81", "NETRC");
    const result = await resolveCredentials({ env, cwd: dir });
    assert.deepEqual(result, {
      apiKey: "NETRC",
      apiHost: "http://n.example:81",
      webHost: "http://n.example:81",
      source: "netrc",
    });
  });

  it("never sends a key stored for one host to another host", async () => {
    await netrc("https://api.swanlab.cn", "CLOUD-KEY");
    await assert.rejects(
      resolveCredentials({ host: "http://127.0.0.1:9", env, cwd: dir }),
      (error: unknown) => {
        assert.ok(error instanceof CredentialsError);
        assert.match(error.message, /belong to other hosts/);
        assert.doesNotMatch(error.message, /CLOUD-KEY/);
        return true;
      },
    );
  });

  it("does not reuse SWANLAB_API_KEY for an explicit host other than SWANLAB_API_HOST", async () => {
    await assert.rejects(
      resolveCredentials({
        host: "http://other.example",
        env: { ...env, SWANLAB_API_KEY: "ENV", SWANLAB_API_HOST: "http://e.example" },
        cwd: dir,
      }),
      CredentialsError,
    );
    const same = await resolveCredentials({
      host: "http://e.example/api",
      env: { ...env, SWANLAB_API_KEY: "ENV", SWANLAB_API_HOST: "http://e.example" },
      cwd: dir,
    });
    assert.equal(same.apiKey, "ENV");
  });

  it("binds SWANLAB_API_KEY without SWANLAB_API_HOST to the cloud", async () => {
    const result = await resolveCredentials({ env: { ...env, SWANLAB_API_KEY: "ENV" }, cwd: dir });
    assert.equal(result.apiHost, "https://api.swanlab.cn");
    assert.equal(result.webHost, "https://swanlab.cn");
  });

  it("uses SWANLAB_WEB_HOST when set", async () => {
    const result = await resolveCredentials({
      env: {
        ...env,
        SWANLAB_API_KEY: "K",
        SWANLAB_API_HOST: "http://h:1",
        SWANLAB_WEB_HOST: "http://w:2",
      },
      cwd: dir,
    });
    assert.equal(result.webHost, "http://w:2");
  });

  it("derives the web host from an explicit host, ignoring SWANLAB_WEB_HOST (as the Python SDK)", async () => {
    const result = await resolveCredentials({
      apiKey: "K",
      host: "http://self.example:8000",
      env: { ...env, SWANLAB_WEB_HOST: "https://swanlab.cn" },
      cwd: dir,
    });
    assert.equal(result.webHost, "http://self.example:8000");
  });

  it("fails with a CredentialsError when no key exists anywhere", async () => {
    await assert.rejects(resolveCredentials({ env, cwd: dir }), CredentialsError);
  });
});

describe("readEnv()", () => {
  it("trims, strips one pair of quotes and matches names case-insensitively", () => {
    assert.equal(readEnv({ SWANLAB_API_KEY: `'"abc"'` }, "SWANLAB_API_KEY"), `"abc"`);
    assert.equal(readEnv({ swanlab_web_host: " w " }, "SWANLAB_WEB_HOST"), "w");
    assert.equal(readEnv({ SWANLAB_API_KEY: "  " }, "SWANLAB_API_KEY"), undefined);
  });
});
