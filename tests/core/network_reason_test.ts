import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:net";
import { createServer as createHttpServer } from "node:http";
import { networkReason, plainHttpHint } from "../../src/core/network_reason.ts";
import { ConnectionError, TimeoutError } from "../../src/core/errors.ts";
import { Transport } from "../../src/core/transport.ts";

/** An error as a runtime builds it: a message, a `code`, a cause. */
function failure(message: string, extra: { code?: string; cause?: unknown } = {}): Error {
  const error = new TypeError(message, extra.cause === undefined ? {} : { cause: extra.cause });
  if (extra.code !== undefined) Object.assign(error, { code: extra.code });
  return error;
}

describe("networkReason()", () => {
  it("takes Deno's reason out of its wrapper, which names the URL", () => {
    const wrapped = (reason: string) =>
      failure(
        `error sending request for url (https://cos.example/x.csv?X-Signature=topsecret): client error (Connect): ${reason}`,
      );
    assert.equal(
      networkReason(wrapped("tcp connect error: Connection refused (os error 111)")),
      "tcp connect error: Connection refused (os error 111)",
    );
    assert.equal(
      networkReason(
        failure("fetch failed", {
          cause: wrapped("dns error: failed to lookup address information: Name unknown"),
        }),
      ),
      "dns error: failed to lookup address information: Name unknown",
    );
    assert.equal(
      networkReason(failure("Fetch failed: Requests to port 9 are blocked")),
      "Fetch failed: Requests to port 9 are blocked",
    );
  });

  it("takes Node's innermost cause, with its code when the message lacks it", () => {
    const refused = failure("fetch failed", {
      cause: failure("connect ECONNREFUSED 127.0.0.1:8000", { code: "ECONNREFUSED" }),
    });
    assert.equal(networkReason(refused), "connect ECONNREFUSED 127.0.0.1:8000");
    const reset = failure("fetch failed", {
      cause: failure("other side closed", { code: "UND_ERR_SOCKET" }),
    });
    assert.equal(networkReason(reset), "other side closed (UND_ERR_SOCKET)");
    // Both addresses of a name refused: an AggregateError with no message, only a code.
    const both = failure("fetch failed", {
      cause: Object.assign(new AggregateError([], ""), { code: "ECONNREFUSED" }),
    });
    assert.equal(networkReason(both), "ECONNREFUSED");
    // OpenSSL's message runs over 120 characters: the code alone says it.
    const tls = failure("fetch failed", {
      cause: failure(
        `801C468F067F0000:error:0A00010B:SSL routines:ssl3_get_record:wrong version number:${"../deps/openssl/openssl/ssl/record/ssl3_record.c"}:350:\n`,
        { code: "ERR_SSL_WRONG_VERSION_NUMBER" },
      ),
    });
    assert.equal(networkReason(tls), "ERR_SSL_WRONG_VERSION_NUMBER");
  });

  it("keeps Bun's message, which carries its code", () => {
    const bun = failure(
      "ECONNREFUSED: Unable to connect. Is the computer able to access the url?",
      {
        code: "ECONNREFUSED",
      },
    );
    assert.equal(
      networkReason(bun),
      "ECONNREFUSED: Unable to connect. Is the computer able to access the url?",
    );
  });

  it("has no reason for a bare 'fetch failed', an empty message or no error", () => {
    assert.equal(networkReason(failure("fetch failed")), undefined);
    assert.equal(networkReason(new Error("")), undefined);
    assert.equal(networkReason(undefined), undefined);
    assert.equal(networkReason(null), undefined);
    assert.equal(networkReason("socket hang up"), "socket hang up");
  });

  it("redacts URL signatures and proxy passwords, collapses whitespace and cuts long text", () => {
    const proxy = failure(
      "proxy connect to http://user:hunter2@proxy.example:3128 failed\n\tfor https://s/x?X-Amz-Signature=abc",
    );
    const reason = networkReason(proxy)!;
    assert.doesNotMatch(reason, /hunter2|abc/);
    assert.match(
      reason,
      /^proxy connect to http:\/\/proxy\.example:3128\/ failed for https:\/\/s\//,
    );
    assert.ok(!/\s{2,}|\n|\t/.test(reason), reason);
    const long = networkReason(failure("x".repeat(500)))!;
    assert.equal(long.length, 200);
    assert.ok(long.endsWith("…"));
  });

  it("stops on a cause chain that loops", () => {
    const a = failure("connection reset by peer");
    const b = failure("fetch failed", { cause: a });
    Object.assign(a, { cause: b });
    assert.equal(networkReason(b), "connection reset by peer");
  });
});

describe("plainHttpHint()", () => {
  it("suggests http for an https request that got a plain HTTP answer, on every runtime", () => {
    const hint =
      "Does the server speak http? Write the host as http://h:8000 (a host without a scheme is read as https).";
    for (
      const reason of [
        "received corrupt message of type InvalidContentType", // Deno
        "ERR_SSL_WRONG_VERSION_NUMBER", // Node
        "EPROTO: The TLS handshake failed. Does the server speak TLS on this port?", // Bun
      ]
    ) {
      assert.equal(plainHttpHint("https://h:8000", reason), hint, reason);
    }
  });

  it("says nothing for http requests, other failures or no reason", () => {
    assert.equal(plainHttpHint("http://h:8000", "received corrupt message"), undefined);
    assert.equal(plainHttpHint("https://h:8000", "connect ECONNREFUSED 1.2.3.4:8000"), undefined);
    assert.equal(plainHttpHint("https://h:8000", undefined), undefined);
    assert.equal(plainHttpHint(undefined, "received corrupt message"), undefined);
  });
});

describe("ConnectionError messages", () => {
  it("name the host and the reason when known, and keep the old form otherwise", () => {
    const cause = failure("fetch failed", { cause: failure("connect ECONNREFUSED 10.0.0.1:80") });
    assert.equal(
      new ConnectionError("GET", "/api/user/profile", { cause, origin: "http://10.0.0.1" }).message,
      "Cannot connect to http://10.0.0.1: GET /api/user/profile (connect ECONNREFUSED 10.0.0.1:80)",
    );
    assert.equal(
      new ConnectionError("GET", "/api/user/profile").message,
      "Cannot connect: GET /api/user/profile",
    );
    assert.equal(
      new TimeoutError("GET", "/api/user/profile", 5).message,
      "Request timed out after 5 ms: GET /api/user/profile",
    );
  });

  describe("from the transport", () => {
    let port = 0;
    before(async () => {
      // A port that was just free: nothing listens on it once the server is closed.
      const server = createServer();
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      port = (server.address() as { port: number }).port;
      await new Promise<void>((resolve) => server.close(() => resolve()));
    });

    it("suggest http when an https request reaches a plain HTTP server", async () => {
      const plain = createHttpServer((_, response) => response.end("{}"));
      await new Promise<void>((resolve) => plain.listen(0, "127.0.0.1", resolve));
      const { port: plainPort } = plain.address() as { port: number };
      try {
        // Written without a scheme: read as https, like the Python SDK.
        const transport = await Transport.create({
          host: `127.0.0.1:${plainPort}`,
          apiKey: "k",
          env: {},
          maxRetries: 0,
        });
        await assert.rejects(
          transport.call((api) => api.GET("/user/profile")),
          (error: unknown) => {
            assert.ok(error instanceof ConnectionError, String(error));
            assert.ok(
              error.message.endsWith(
                `Write the host as http://127.0.0.1:${plainPort} (a host without a scheme is read as https).`,
              ),
              error.message,
            );
            return true;
          },
        );
      } finally {
        plain.closeAllConnections();
        await new Promise<void>((resolve) => plain.close(() => resolve()));
      }
    });

    it("name the proxy a request went through, without its password", async () => {
      const transport = await Transport.create({
        host: "http://10.255.255.1:8000",
        apiKey: "k",
        env: { HTTP_PROXY: `http://me:hunter2@127.0.0.1:${port}` },
        maxRetries: 0,
      });
      await assert.rejects(transport.call((api) => api.GET("/user/profile")), (error: unknown) => {
        assert.ok(error instanceof ConnectionError, String(error));
        assert.ok(
          error.message.startsWith(
            `Cannot connect to http://10.255.255.1:8000 through the proxy http://***@127.0.0.1:${port}: POST /api/login/api_key`,
          ),
          error.message,
        );
        assert.doesNotMatch(error.message, /hunter2/);
        return true;
      });
    });

    it("say which host refused the connection, and why", async () => {
      const transport = await Transport.create({
        host: `http://127.0.0.1:${port}`,
        apiKey: "key-that-must-not-show",
        env: {},
        maxRetries: 0,
      });
      await assert.rejects(transport.call((api) => api.GET("/user/profile")), (error: unknown) => {
        assert.ok(error instanceof ConnectionError, String(error));
        assert.match(
          error.message,
          new RegExp(
            `^Cannot connect to http://127\\.0\\.0\\.1:${port}: POST /api/login/api_key \\(.+\\)$`,
          ),
        );
        assert.equal(error.path, "/api/login/api_key");
        assert.doesNotMatch(error.message, /key-that-must-not-show/);
        return true;
      });
    });
  });
});
