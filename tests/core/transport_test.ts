import { after, before, beforeEach, describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  type ScriptedServer,
  type SeenRequest,
  sendJson,
  startScriptedServer,
} from "../_helpers/scripted_server.ts";
import { type ApiClient, Transport } from "../../src/core/transport.ts";
import {
  AbortError,
  ApiError,
  AuthenticationError,
  ConnectionError,
  InternalServerError,
  NotFoundError,
  RateLimitError,
  ResponseError,
  TimeoutError,
  ValidationError,
} from "../../src/core/errors.ts";
import type { ServerResponse } from "node:http";

const KEY = "sk-test-0123456789";
const LOGIN = {
  sid: "sid-secret-abcdef",
  expiredAt: new Date(Date.now() + 30 * 86_400_000).toISOString(),
  userInfo: { username: "alice", name: "Alice" },
};

function login(request: SeenRequest, response: ServerResponse): boolean {
  if (request.path !== "/api/login/api_key") return false;
  if (request.headers["authorization"] !== KEY) {
    sendJson(response, 401, { code: "1001", message: "API Token Invalid" });
  } else sendJson(response, 200, LOGIN);
  return true;
}

describe("Transport", () => {
  let server: ScriptedServer;
  before(async () => {
    server = await startScriptedServer((_, response) => sendJson(response, 500, {}));
  });
  after(() => server.close());
  beforeEach(() => {
    server.requests.length = 0;
  });

  const create = (extra: Record<string, unknown> = {}) =>
    Transport.create({
      host: server.origin,
      apiKey: KEY,
      env: {},
      initialRetryDelayMs: 1,
      ...extra,
    });

  it("logs in once, sends the key only to login and the sid cookie only afterwards", async () => {
    server.setScript((request, response) => {
      if (login(request, response)) return;
      sendJson(response, 200, { bio: "hi" });
    });
    const transport = await create();
    await Promise.all([1, 2, 3].map(() => transport.call((api) => api.GET("/user/profile"))));
    const logins = server.requests.filter((r) => r.path === "/api/login/api_key");
    assert.equal(logins.length, 1);
    assert.equal(logins[0]!.headers["authorization"], KEY);
    assert.equal(logins[0]!.headers["cookie"], undefined);
    const calls = server.requests.filter((r) => r.path === "/api/user/profile");
    assert.equal(calls.length, 3);
    for (const call of calls) {
      assert.equal(call.headers["cookie"], `sid=${LOGIN.sid}`);
      assert.equal(call.headers["authorization"], undefined);
      assert.ok(call.headers["x-swanlab-sdk-version"]);
    }
  });

  it("serializes booleans as True/False and percent-encodes every path segment", async () => {
    server.setScript((request, response) => {
      if (login(request, response)) return;
      // Valid for both operations below: a project page and a run record.
      sendJson(response, 200, { list: [], total: 0, pages: 1, size: 10, cuid: "c" });
    });
    const transport = await create();
    await transport.call((api) =>
      api.GET("/project/{username}", {
        params: {
          path: { username: "a b?#%" },
          query: { page: 1, size: 10, detail: "True", search: "x y" },
        },
      })
    );
    await transport.call((api) =>
      api.GET("/project/{username}/{project}/runs/{run}", {
        params: { path: { username: "u", project: "a+b", run: "r#1" } },
      })
    );
    await assert.rejects(
      transport.call((api) =>
        api.GET("/project/{username}/{project}/runs/{run}", {
          params: { path: { username: "u", project: "p", run: ".." } },
        })
      ),
      ValidationError,
    );
    const paths = server.requests.filter((r) => r.path !== "/api/login/api_key").map((r) => r.path);
    assert.equal(paths[0], "/api/project/a%20b%3F%23%25?page=1&size=10&detail=True&search=x+y");
    assert.equal(paths[1], "/api/project/u/a%2Bb/runs/r%231");
    assert.equal(paths.length, 2, "a dot segment must not be sent");
  });

  it("retries reads on 5xx and 429 with Retry-After, then succeeds", async () => {
    let calls = 0;
    server.setScript((request, response) => {
      if (login(request, response)) return;
      calls++;
      if (calls === 1) return sendJson(response, 503, { code: "503", message: "busy" });
      if (calls === 2) {
        return sendJson(response, 429, { code: "429", message: "slow" }, { "retry-after": "0" });
      }
      sendJson(response, 200, { ok: 1 });
    });
    const transport = await create();
    const body = await transport.call((api) => api.GET("/user/profile"));
    assert.deepEqual(body, { ok: 1 });
    assert.equal(calls, 3);
  });

  it("waits at least the Retry-After delay before retrying", async () => {
    let calls = 0;
    server.setScript((request, response) => {
      if (login(request, response)) return;
      calls++;
      if (calls === 1) return sendJson(response, 429, {}, { "retry-after": "1" });
      sendJson(response, 200, { ok: 1 });
    });
    const transport = await create();
    const started = performance.now();
    await transport.call((api) => api.GET("/user/profile"));
    assert.ok(performance.now() - started >= 950, "Retry-After: 1 was not honoured");
  });

  it("gives up after maxRetries with a typed error carrying status, code and trace id", async () => {
    let calls = 0;
    server.setScript((request, response) => {
      if (login(request, response)) return;
      calls++;
      sendJson(response, 500, { code: "E500", message: "boom" }, { traceid: "tr-9" });
    });
    const transport = await create({ maxRetries: 2 });
    await assert.rejects(transport.call((api) => api.GET("/user/profile")), (error: unknown) => {
      assert.ok(error instanceof InternalServerError);
      assert.equal(error.status, 500);
      assert.equal(error.code, "E500");
      assert.equal(error.serverMessage, "boom");
      assert.equal(error.traceId, "tr-9");
      assert.equal(error.method, "GET");
      assert.equal(error.path, "/api/user/profile");
      return true;
    });
    assert.equal(calls, 3);
  });

  it("reports an exhausted 429 as a RateLimitError", async () => {
    server.setScript((request, response) => {
      if (login(request, response)) return;
      sendJson(response, 429, { code: "429", message: "slow" }, { "retry-after": "0" });
    });
    const transport = await create({ maxRetries: 1 });
    await assert.rejects(transport.call((api) => api.GET("/user/profile")), RateLimitError);
  });

  it("does not retry a create or a delete unless the call opts in", async () => {
    let calls = 0;
    server.setScript((request, response) => {
      if (login(request, response)) return;
      calls++;
      sendJson(response, 503, {});
    });
    const transport = await create({ maxRetries: 3 });
    const body = { name: "p", visibility: "PUBLIC" as const, username: "alice" };
    await assert.rejects(
      transport.call((api) => api.POST("/project", { body })),
      InternalServerError,
    );
    assert.equal(calls, 1);
    calls = 0;
    await assert.rejects(
      transport.call((api) =>
        api.DELETE("/project/{username}/{project}", {
          params: { path: { username: "a", project: "b" } },
        })
      ),
      InternalServerError,
    );
    assert.equal(calls, 1);
    calls = 0;
    await assert.rejects(
      transport.call((api) => api.POST("/project", { body }), { retryUnsafe: true }),
      InternalServerError,
    );
    assert.equal(calls, 4);
  });

  it("maps 404 to NotFoundError with the server's code and message", async () => {
    server.setScript((request, response) => {
      if (login(request, response)) return;
      sendJson(response, 404, { code: 4040, message: "run not found" }, { traceid: "tr-404" });
    });
    const transport = await create();
    await assert.rejects(
      transport.call((api) =>
        api.GET("/project/{username}/{project}/runs/{run}", {
          params: { path: { username: "a", project: "b", run: "c" } },
        })
      ),
      (error: unknown) => {
        assert.ok(error instanceof NotFoundError);
        assert.equal(error.code, "4040");
        assert.equal(
          error.message,
          `API Request Failed: [4040] run not found | Trace ID: tr-404 | GET ${server.origin}/api/project/a/b/runs/c`,
        );
        return true;
      },
    );
  });

  it("maps an HTML error page to an ApiError without crashing", async () => {
    server.setScript((request, response) => {
      if (login(request, response)) return;
      response.writeHead(418, { "content-type": "text/html" });
      response.end("<html>teapot</html>");
    });
    const transport = await create();
    await assert.rejects(transport.call((api) => api.GET("/user/profile")), (error: unknown) => {
      assert.ok(error instanceof ApiError);
      assert.equal(error.status, 418);
      assert.equal(error.code, "418");
      return true;
    });
  });

  it("rejects a non-JSON or null success body with a ResponseError saying what came", async () => {
    server.setScript((request, response) => {
      if (login(request, response)) return;
      if (request.path === "/api/user/profile") {
        response.writeHead(200, { "content-type": "application/json" });
        response.end("<html>");
        return;
      }
      if (request.path === "/api/group/alice") {
        // A web app's page where the API was expected (the web host given as the API host).
        response.writeHead(200, { "content-type": "text/html; charset=utf-8" });
        response.end("<!doctype html><p>SwanLab</p>");
        return;
      }
      sendJson(response, 200, null);
    });
    const transport = await create();
    await assert.rejects(transport.call((api) => api.GET("/user/profile")), (error: unknown) => {
      assert.ok(error instanceof ResponseError, String(error));
      // The parser's own words differ by engine (V8, JavaScriptCore).
      assert.match(
        error.message,
        /^Cannot parse response of GET \/api\/user\/profile: not JSON \(200, application\/json: .+\)$/,
      );
      return true;
    });
    const group = (api: ApiClient) =>
      api.GET("/group/{username}", { params: { path: { username: "alice" } } });
    await assert.rejects(transport.call(group), (error: unknown) => {
      assert.ok(error instanceof ResponseError, String(error));
      assert.match(error.message, /not JSON \(200, text\/html; charset=utf-8: /);
      assert.ok(
        error.message.endsWith(
          `An HTML page: is ${server.origin} the API host (not the web app's)?`,
        ),
        error.message,
      );
      return true;
    });
    await assert.rejects(transport.call((api) => api.GET("/self_hosted/info")), ResponseError);
  });

  it("logs in again once when the server rejects the session, then retries the call", async () => {
    let logins = 0;
    server.setScript((request, response) => {
      if (request.path === "/api/login/api_key") {
        logins++;
        return sendJson(response, 200, { ...LOGIN, sid: `sid-${logins}-xxxx` });
      }
      if (request.headers["cookie"] === "sid=sid-1-xxxx") {
        return sendJson(response, 401, { code: "401", message: "expired" });
      }
      sendJson(response, 200, { ok: true });
    });
    const transport = await create();
    assert.deepEqual(await transport.call((api) => api.GET("/user/profile")), { ok: true });
    assert.equal(logins, 2);
  });

  it("fails with AuthenticationError when the renewed session is rejected too", async () => {
    server.setScript((request, response) => {
      if (login(request, response)) return;
      sendJson(response, 401, { code: "401", message: "nope" });
    });
    const transport = await create();
    await assert.rejects(transport.call((api) => api.GET("/user/profile")), AuthenticationError);
    assert.equal(server.requests.filter((r) => r.path === "/api/login/api_key").length, 2);
  });

  it("reports a rejected API key as AuthenticationError without the key in the message", async () => {
    server.setScript((request, response) => {
      login(request, response) || sendJson(response, 200, {});
    });
    const transport = await Transport.create({
      host: server.origin,
      apiKey: "sk-wrong-key-999",
      env: {},
    });
    await assert.rejects(transport.call((api) => api.GET("/user/profile")), (error: unknown) => {
      assert.ok(error instanceof AuthenticationError);
      assert.doesNotMatch(String(error.message), /sk-wrong-key-999/);
      return true;
    });
  });

  it("times out an attempt that gets no answer", async () => {
    server.setScript((request, response) => {
      if (login(request, response)) return;
      // never answer
    });
    const transport = await create({ timeoutMs: 200, maxRetries: 1 });
    const started = performance.now();
    await assert.rejects(transport.call((api) => api.GET("/user/profile")), (error: unknown) => {
      assert.ok(error instanceof TimeoutError, String(error));
      assert.equal(
        error.message,
        `Request to ${server.origin} timed out after 200 ms: GET /api/user/profile`,
      );
      return true;
    });
    assert.ok(performance.now() - started < 5000);
    assert.equal(server.requests.filter((r) => r.path === "/api/user/profile").length, 2);
  });

  it("stops at once when the caller aborts", async () => {
    server.setScript((request, response) => {
      if (login(request, response)) return;
    });
    const transport = await create();
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    await assert.rejects(
      transport.call((api) => api.GET("/user/profile"), { signal: controller.signal }),
      AbortError,
    );
  });

  it("retries connection resets and reports a ConnectionError when they persist", async () => {
    server.setScript((request, response, raw) => {
      if (login(request, response)) return;
      raw.socket.destroy();
    });
    const transport = await create({ maxRetries: 2 });
    await assert.rejects(transport.call((api) => api.GET("/user/profile")), (error: unknown) => {
      assert.ok(error instanceof ConnectionError);
      assert.ok(!(error instanceof TimeoutError));
      return true;
    });
    // 3 attempts; a runtime may transparently resend once on a dropped pooled connection.
    const attempts = server.requests.filter((r) => r.path === "/api/user/profile").length;
    assert.ok(attempts >= 3 && attempts <= 6, `attempts: ${attempts}`);
  });

  it("stops waiting for a slow login when the caller aborts, without cancelling it for others", async () => {
    server.setScript((request, response) => {
      if (request.path === "/api/login/api_key") {
        setTimeout(() => sendJson(response, 200, LOGIN), 1_500);
        return;
      }
      sendJson(response, 200, { ok: true });
    });
    const transport = await create();
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const started = performance.now();
    const other = transport.call((api) => api.GET("/user/profile"));
    await assert.rejects(
      transport.call((api) => api.GET("/user/profile"), { signal: controller.signal }),
      AbortError,
    );
    assert.ok(performance.now() - started < 1_000, "the abort waited for the login");
    assert.deepEqual(await other, { ok: true });
  });

  it("does not multiply the login's retries by the request's", async () => {
    let logins = 0;
    server.setScript((request, response, raw) => {
      if (request.path === "/api/login/api_key") {
        logins++;
        raw.socket.destroy();
        return;
      }
      sendJson(response, 200, {});
    });
    const transport = await create({ maxRetries: 3 });
    await assert.rejects(transport.call((api) => api.GET("/user/profile")), ConnectionError);
    // 4 attempts of the login (a runtime may resend once on a dropped pooled connection), not 16.
    assert.ok(logins >= 4 && logins <= 8, `login attempts: ${logins}`);
    assert.equal(server.requests.filter((r) => r.path === "/api/user/profile").length, 0);
  });

  it("downloads presigned URLs without cookie, authorization or SDK header", async () => {
    server.setScript((request, response) => {
      if (login(request, response)) return;
      if (request.path.startsWith("/bucket/")) {
        response.writeHead(200, { "content-type": "text/csv" });
        response.end("step\n1\n");
        return;
      }
      sendJson(response, 200, {});
    });
    const transport = await create();
    await transport.call((api) => api.GET("/user/profile"));
    const download = await transport.download(`${server.origin}/bucket/a.csv?X-Signature=abc`);
    assert.equal(await download.text(), "step\n1\n");
    const seen = server.requests.find((r) => r.path.startsWith("/bucket/"))!;
    assert.equal(seen.headers["cookie"], undefined);
    assert.equal(seen.headers["authorization"], undefined);
    assert.equal(seen.headers["x-swanlab-sdk-version"], undefined);
  });

  it("does not follow a redirect from a download, and redacts the signature in the error", async () => {
    server.setScript((request, response) => {
      if (request.path.startsWith("/bucket/")) {
        response.writeHead(302, { location: `${server.origin}/api/user/profile` });
        response.end();
        return;
      }
      sendJson(response, 200, {});
    });
    const transport = await create();
    await assert.rejects(
      transport.download(`${server.origin}/bucket/a.csv?X-Signature=topsecret`),
      (error: unknown) => {
        assert.ok(error instanceof ApiError);
        assert.equal(error.status, 302);
        assert.doesNotMatch(error.message, /topsecret/);
        return true;
      },
    );
    assert.equal(server.requests.filter((r) => r.path === "/api/user/profile").length, 0);
  });

  it("sends nothing, not even the session, to a URL off the API host", async () => {
    server.setScript((request, response) => {
      if (login(request, response)) return;
      sendJson(response, 200, { bio: "hi" });
    });
    const other = await startScriptedServer((_, response) => sendJson(response, 200, {}));
    try {
      const transport = await create();
      await transport.call((api) => api.GET("/user/profile"));
      const away = { baseUrl: `${other.origin}/api` } as Record<string, unknown>;
      await assert.rejects(
        transport.call((api) => api.GET("/user/profile", away)),
        /Refusing to send credentials to .*: not the API host/,
      );
      assert.equal(other.requests.length, 0);
    } finally {
      await other.close();
    }
  });

  it("writes debug lines without the API key or the session id", async () => {
    server.setScript((request, response) => {
      if (login(request, response)) return;
      sendJson(response, 503, { message: `bad ${LOGIN.sid}` });
    });
    const lines: string[] = [];
    const transport = await create({ debug: (line: string) => lines.push(line), maxRetries: 1 });
    const error = await transport.call((api) => api.GET("/user/profile")).catch((e: unknown) => e);
    assert.ok(lines.length >= 2);
    for (const text of [...lines, String((error as Error).message)]) {
      assert.doesNotMatch(text, new RegExp(KEY));
      assert.doesNotMatch(text, new RegExp(LOGIN.sid));
    }
  });
});
