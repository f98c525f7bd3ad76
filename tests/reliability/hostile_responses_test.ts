/**
 * Hostile server responses: nulls, missing fields, wrong types, huge bodies, non-JSON error
 * pages, bodies that stall. Each call ends in a typed error or a documented default within its
 * timeout — never a hang, never an untyped crash.
 */
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import type { ServerResponse } from "node:http";
import {
  Api,
  ApiError,
  InternalServerError,
  ResponseError,
  SwanLabError,
  TimeoutError,
} from "../../mod.ts";
import {
  type ScriptedServer,
  type SeenRequest,
  sendJson,
  startScriptedServer,
} from "../_helpers/scripted_server.ts";

const KEY = "sk-hostile-0000";
const RUN = {
  cuid: "crun0000000000000000000001",
  slug: "abc12345",
  name: "r",
  createdAt: "2024-08-01T00:00:00.000Z",
  project_id: "cproj",
};

type Handler = (request: SeenRequest, response: ServerResponse) => void;

/** Settles within `ms`, else fails the test: no call may hang. */
async function settle<T>(promise: Promise<T>, ms = 5_000): Promise<{ value?: T; error?: unknown }> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`call hung for more than ${ms} ms`)), ms);
  });
  try {
    return { value: await Promise.race([promise, hang]) };
  } catch (error) {
    if (error instanceof Error && error.message.startsWith("call hung")) throw error;
    return { error };
  } finally {
    clearTimeout(timer);
  }
}

describe("hostile responses", () => {
  let server: ScriptedServer;
  let routes: Record<string, Handler>;
  before(async () => {
    server = await startScriptedServer((request, response) => {
      if (request.path === "/api/login/api_key") {
        return sendJson(response, 200, {
          sid: "sid-hostile-1234",
          expiredAt: "2999-01-01T00:00:00.000Z",
          userInfo: { username: "u", name: "U" },
        });
      }
      const route = Object.entries(routes).find(([prefix]) => request.path.startsWith(prefix));
      if (route) return route[1](request, response);
      sendJson(response, 404, { code: "404", message: "no route" });
    });
  });
  after(() => server.close());

  // A short timeout, so stalled bodies fail fast; the huge-body test asks for a longer one (a 20 MB
  // body can take over a second on a loaded 2-core machine, and a timeout is not what it tests).
  const api = (timeoutMs = 1_000) =>
    new Api({
      host: server.origin,
      apiKey: KEY,
      env: {},
      timeoutMs,
      maxRetries: 1,
      initialRetryDelayMs: 1,
    });

  it("rejects a success body of null with a ResponseError", async () => {
    routes = { "/api/project/u/p/runs/abc12345": (_, res) => sendJson(res, 200, null) };
    const { error } = await settle(api().run("u/p/abc12345").load());
    assert.ok(error instanceof ResponseError, String(error));
  });

  it("fills documented defaults when a run record lacks fields, and fails typed on a missing createdAt", async () => {
    routes = {
      "/api/project/u/p/runs/abc12345": (_, res) => sendJson(res, 200, { cuid: RUN.cuid }),
    };
    const run = api().run("u/p/abc12345");
    assert.equal(await run.name, "");
    assert.equal(await run.state, "");
    assert.deepEqual(await run.labels, []);
    const { error } = await settle(run.metrics(["loss"]));
    assert.ok(error instanceof SwanLabError, String(error));
  });

  it("never crashes on wrong field types", async () => {
    routes = {
      "/api/project/u/p/runs/abc12345": (_, res) =>
        sendJson(res, 200, {
          cuid: 5,
          name: ["x"],
          state: 7,
          labels: "l",
          show: "yes",
          createdAt: true,
          profile: 3,
        }),
    };
    const { value, error } = await settle(api().run("u/p/abc12345").json());
    assert.ok(error === undefined || error instanceof SwanLabError, String(error));
    if (error === undefined) assert.equal(typeof value, "object");
  });

  it("reports a paged endpoint answering an array as a typed error instead of crashing", async () => {
    routes = { "/api/project/u/p/runs": (_, res) => sendJson(res, 200, [1, 2, 3]) };
    const { error } = await settle(api().runsGet("u/p", { size: 10 }).toArray());
    assert.ok(error instanceof SwanLabError, String(error));
  });

  it("fails a grouped filter result holding something that is not a run, naming it", async () => {
    // The drift policy: a list never loses an element silently (src/core/drift.ts).
    routes = {
      "/api/project/u/p/runs/shows": (_, res) =>
        sendJson(res, 200, {
          a: [{ ...RUN, cuid: "c1" }],
          b: { c: [{ ...RUN, cuid: "c2" }], d: 5 },
        }),
      "/api/project/u/p": (_, res) => sendJson(res, 200, { cuid: "cproj", name: "p", path: "u/p" }),
    };
    const { error } = await settle(api().runs("u/p", { filters: [] }).toArray());
    assert.ok(error instanceof ResponseError, String(error));
    assert.match(error.message, /filterRuns: "b\.d" expected array \| object, got integer/);
  });

  it("maps a non-JSON 502 page to an InternalServerError after its retries", async () => {
    routes = {
      "/api/user/profile": (_, res) => {
        res.writeHead(502, { "content-type": "text/html" });
        res.end("<html>502 Bad Gateway</html>");
      },
    };
    const { error } = await settle(api().user().json());
    assert.ok(error instanceof InternalServerError, String(error));
  });

  it("handles a huge body without crashing", async () => {
    const big = "x".repeat(20 * 1024 * 1024);
    routes = { "/api/user/profile": (_, res) => sendJson(res, 200, { bio: big }) };
    const { value, error } = await settle(api(15_000).user().bio, 20_000);
    assert.equal(error, undefined, String(error));
    assert.equal((value as string).length, big.length);
  });

  it("times out a JSON body that stalls mid-way", async () => {
    routes = {
      "/api/user/profile": (_, res) => {
        res.writeHead(200, { "content-type": "application/json", "content-length": "1000" });
        res.write('{"bio": "partial');
      },
    };
    const started = performance.now();
    const { error } = await settle(api().user().json());
    assert.ok(error instanceof TimeoutError || error instanceof SwanLabError, String(error));
    assert.ok(performance.now() - started < 4_500);
  });

  it("reports an export without cosKey as a failed ApiResponse, not a crash", async () => {
    routes = {
      "/api/project/u/p/runs/abc12345": (_, res) => sendJson(res, 200, RUN),
      "/api/house/metrics/log/export": (_, res) => sendJson(res, 200, { nothing: true }),
    };
    const { value, error } = await settle(api().run("u/p/abc12345").exportLogs());
    assert.equal(error, undefined);
    assert.equal(value!.ok, false);
    assert.match(value!.errmsg, /cosKey/);
  });

  it("times out a presigned CSV download that stalls", async () => {
    routes = {
      "/api/project/u/p/runs/abc12345": (_, res) => sendJson(res, 200, RUN),
      "/api/house/metrics/scalar/export": (_, res) =>
        sendJson(res, 200, { cosKey: "exports/x.csv" }),
      "/api/files/presigned/get": (_, res) =>
        sendJson(res, 200, { urls: [`${server.origin}/bucket/x.csv?X-Signature=s`] }),
      "/api/house/metrics/scalar/value": (_, res) => sendJson(res, 200, []),
      "/bucket/": (_, res) => {
        res.writeHead(200, { "content-type": "text/csv" });
        res.write("step,r-loss_step,r-loss_timestamp\n1,0.5,1722470401000\n");
      },
    };
    const { error } = await settle(
      api().run("u/p/abc12345").metrics(["loss"], { all: true }),
      10_000,
    );
    assert.ok(error instanceof SwanLabError, String(error));
  });

  it("reads finishedAt as the Python SDK does: null stays null, an absent field is an empty string", async () => {
    routes = {
      "/api/project/u/p/runs/abc12345": (_, res) =>
        sendJson(res, 200, { ...RUN, finishedAt: null }),
    };
    assert.equal((await api().run("u/p/abc12345").json()).finished_at, null);
    routes = { "/api/project/u/p/runs/abc12345": (_, res) => sendJson(res, 200, RUN) };
    assert.equal((await api().run("u/p/abc12345").json()).finished_at, "");
  });

  it("treats a missing license expiry as expired and a null one as not, like the Python SDK", async () => {
    const summary = (info: Record<string, unknown>) => {
      routes = {
        "/api/self_hosted/info": (_, res) => sendJson(res, 200, info),
        "/api/self_hosted/summary": (_, res) => sendJson(res, 200, { users: 1 }),
      };
      return api().selfHosted().getUsageSummary();
    };
    assert.equal((await summary({ enabled: true, expired: null, root: true })).ok, true);
    const missing = await summary({ enabled: true, root: true });
    assert.equal(missing.ok, false);
    assert.match(missing.errmsg, /expired/);
    assert.equal((await summary({ enabled: true, expired: false, root: null })).ok, false);
  });

  it("reports an HTTP error status with an empty body with the status as code", async () => {
    routes = {
      "/api/user/profile": (_, res) => {
        res.writeHead(418);
        res.end();
      },
    };
    const { error } = await settle(api().user().json());
    assert.ok(error instanceof ApiError, String(error));
    assert.equal(error.code, "418");
  });
});
