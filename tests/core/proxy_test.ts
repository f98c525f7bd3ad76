// Proxies from the environment: which requests go through which proxy (`proxyFor`), and end to
// end through a small forward + CONNECT proxy on 127.0.0.1, for API calls and presigned
// downloads.
import assert from "node:assert/strict";
import { after, before, beforeEach, describe, it } from "node:test";
import { Api, ConnectionError } from "../../mod.ts";
import { displayProxy, proxyFor } from "../../src/core/proxy.ts";
import { type LocalServer, startServer } from "../../src/server/mod.ts";
import { type RecordingProxy, startProxy } from "../_helpers/recording_proxy.ts";

describe("proxyFor", () => {
  it("picks HTTPS_PROXY for https and HTTP_PROXY for http, lower case first", () => {
    const env = { HTTPS_PROXY: "http://s:1", HTTP_PROXY: "http://p:2", http_proxy: "http://l:3" };
    assert.deepEqual(proxyFor("https://a.example/x", env), {
      url: "http://s:1",
      variable: "HTTPS_PROXY",
    });
    assert.deepEqual(proxyFor("http://a.example/x", env), {
      url: "http://l:3",
      variable: "http_proxy",
    });
    assert.equal(proxyFor("https://a.example/x", { HTTP_PROXY: "http://p:2" }), undefined);
    assert.equal(proxyFor("http://a.example/x", {}), undefined);
    assert.equal(proxyFor("http://a.example/x", { HTTP_PROXY: "  " }), undefined);
  });

  it("adds http:// to a proxy without a scheme", () => {
    assert.equal(
      proxyFor("https://a.example", { HTTPS_PROXY: "proxy:3128" })?.url,
      "http://proxy:3128",
    );
  });

  it("honours NO_PROXY: *, domains with their subdomains, IPs, ports", () => {
    const via = (url: string, noProxy: string) =>
      proxyFor(url, { HTTPS_PROXY: "http://p:1", HTTP_PROXY: "http://p:1", NO_PROXY: noProxy }) !==
        undefined;
    assert.equal(via("https://api.example.com", "*"), false);
    assert.equal(via("https://api.example.com", "example.com"), false);
    assert.equal(via("https://api.example.com", ".example.com"), false);
    assert.equal(via("https://api.example.com", "*.example.com"), false);
    assert.equal(via("https://example.com", ".example.com"), false);
    assert.equal(via("https://badexample.com", "example.com"), true);
    assert.equal(via("http://127.0.0.1:8000", "localhost, 127.0.0.1"), false);
    assert.equal(via("http://127.0.0.1:8000", "127.0.0.1:9000"), true);
    assert.equal(via("http://127.0.0.1:8000", "127.0.0.1:8000"), false);
    assert.equal(via("https://a.example", "a.example:443"), false);
    assert.equal(via("http://[::1]:80/", "[::1]"), false);
    assert.equal(via("https://API.Example.com", "example.COM"), false);
    assert.equal(
      proxyFor("https://x.internal", { HTTPS_PROXY: "http://p:1", no_proxy: ".internal" }),
      undefined,
    );
  });

  it("hides proxy credentials when shown", () => {
    assert.equal(displayProxy("http://me:secret@proxy:3128"), "http://***@proxy:3128");
    assert.equal(displayProxy("http://proxy:3128"), "http://proxy:3128");
  });
});

describe("requests through a proxy", () => {
  let server: LocalServer;
  let proxy: RecordingProxy;
  before(async () => {
    server = await startServer({ runs: 2, steps: 50, logLines: 10 });
    proxy = await startProxy();
  });
  after(async () => {
    await proxy.close();
    await server.close();
  });
  beforeEach(() => {
    proxy.seen.length = 0;
    proxy.raw.length = 0;
    server.clearRequests();
  });

  const api = (env: Record<string, string>) =>
    new Api({ host: server.host, apiKey: server.apiKey, env, maxRetries: 0 });

  it("HTTP_PROXY: API calls and presigned downloads go through the proxy", async () => {
    const client = api({ HTTP_PROXY: proxy.url });
    const run = (await client.runs("vision-lab/resnet-sweep").toArray())[0]!;
    const metrics = await run.metrics(["train/loss"], { all: true });
    assert.equal(metrics.list[0]!.metrics.length, 50);
    const apiSeen = proxy.seen.filter((s) => s.target.startsWith(`${server.host}/api/`));
    const storageSeen = proxy.seen.filter((s) => s.target.startsWith(server.storageOrigin));
    assert.ok(apiSeen.some((s) => s.target.endsWith("/api/login/api_key")));
    assert.ok(apiSeen.some((s) => s.target.includes("/house/metrics/scalar/export")));
    assert.equal(storageSeen.length, 1, JSON.stringify(proxy.seen.map((s) => s.target)));
    // Every request the server answered came through the proxy.
    assert.equal(proxy.seen.length, server.requests.length);
    // Downloads carry no credential, through the proxy too; nothing authenticates to the proxy
    // with the API key.
    assert.equal(storageSeen[0]!.headers["cookie"], undefined);
    assert.equal(storageSeen[0]!.headers["authorization"], undefined);
    for (const s of proxy.seen) assert.equal(s.headers["proxy-authorization"], undefined);
  });

  it("lower-case http_proxy works too", async () => {
    await api({ http_proxy: proxy.url }).user().json();
    assert.ok(proxy.seen.length >= 2);
  });

  it("NO_PROXY bypasses the proxy", async () => {
    const client = api({ HTTP_PROXY: proxy.url, NO_PROXY: "localhost,127.0.0.1" });
    const run = (await client.runs("vision-lab/resnet-sweep").toArray())[0]!;
    await run.metrics(["train/loss"], { all: true });
    assert.deepEqual(proxy.seen, []);
    assert.ok(server.requests.some((r) => r.origin === "storage"));
  });

  it("HTTPS_PROXY is not used for an http host", async () => {
    await api({ HTTPS_PROXY: proxy.url }).user().json();
    assert.deepEqual(proxy.seen, []);
  });

  it("https through HTTPS_PROXY: a CONNECT tunnel that carries no credential", async () => {
    // Any port will do (not a "bad port" like 9, which runtimes refuse): the proxy refuses the
    // tunnel after recording it.
    const port = new URL(server.host).port;
    const client = new Api({
      host: `https://127.0.0.1:${port}`,
      apiKey: "sk-proxy-secret-123456",
      env: { HTTPS_PROXY: proxy.url },
      maxRetries: 0,
      timeoutMs: 5000,
    });
    await assert.rejects(client.user().json(), (error: unknown) => {
      assert.ok(error instanceof ConnectionError, String(error));
      // The message names the proxy the request went through, not only the host.
      assert.ok(
        error.message.startsWith(
          `Cannot connect to https://127.0.0.1:${port} through the proxy ${
            new URL(proxy.url).origin
          }: POST /api/login/api_key`,
        ),
        error.message,
      );
      return true;
    });
    assert.ok(proxy.seen.length >= 1);
    for (const s of proxy.seen) {
      assert.equal(s.method, "CONNECT");
      assert.equal(s.target, `127.0.0.1:${port}`);
      assert.equal(s.headers["authorization"], undefined);
      assert.equal(s.headers["cookie"], undefined);
      assert.equal(s.headers["proxy-authorization"], undefined);
    }
    assert.ok(!proxy.raw.join("").includes("sk-proxy-secret-123456"));
  });
});
