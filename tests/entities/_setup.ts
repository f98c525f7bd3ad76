/**
 * Shared fixtures of the entity tests: a small local server and clients for its users.
 *
 * @module
 */

import { after, before, beforeEach } from "node:test";
import { Api, type ClientOptions } from "../../mod.ts";
import { type LocalServer, type RecordedRequest, startServer } from "../../src/server/mod.ts";
import type { ServerOptions } from "../../src/server/mod.ts";

/** Starts a local server with a small data set (6 sweep runs, 60 steps, 40 log lines). */
export function startTestServer(options: ServerOptions = {}): Promise<LocalServer> {
  return startServer({ runs: 6, steps: 60, logLines: 40, ...options });
}

/** A client of `server` logged in as `user` (default alice, the root user). */
export function apiFor(
  server: LocalServer,
  user = "alice",
  extra: ClientOptions = {},
): Api {
  const seed = server.users.find((u) => u.username === user);
  if (!seed) throw new Error(`no seeded user ${user}`);
  return new Api({
    host: server.host,
    apiKey: seed.apiKey,
    env: {},
    initialRetryDelayMs: 1,
    ...extra,
  });
}

/** The API requests recorded since the last `clearRequests()`, login excluded. */
export function apiCalls(server: LocalServer): RecordedRequest[] {
  return server.requests.filter((r) => r.origin === "api" && r.path !== "/api/login/api_key");
}

/** The API requests with `method` whose path matches `pattern`. */
export function callsTo(
  server: LocalServer,
  method: string,
  pattern: RegExp | string,
): RecordedRequest[] {
  return apiCalls(server).filter((r) =>
    r.method === method &&
    (typeof pattern === "string" ? r.path === pattern : pattern.test(r.path))
  );
}

/** The login requests recorded. */
export function logins(server: LocalServer): RecordedRequest[] {
  return server.requests.filter((r) => r.path === "/api/login/api_key");
}

/** The sweep project of the data set and its runs. */
export function sweep(server: LocalServer) {
  const project = server.dataset.projects["vision-lab/resnet-sweep"];
  if (!project) throw new Error("no sweep project");
  return project;
}

/** What {@linkcode useApiServer} provides once its `before` hook has run. */
export interface ApiFixture {
  /** The local server. */
  readonly server: LocalServer;
  /** A client of the server, logged in as alice. */
  readonly api: Api;
  /** The path of the first run of the sweep project. */
  readonly runPath: string;
}

/**
 * Registers the hooks of a `describe` block against the local server: before all tests, starts
 * a server (see {@linkcode startTestServer}) and logs a client in as alice once, so that request
 * counts in the tests are API calls only; after them, closes the server; before each test,
 * clears the recorded requests.
 *
 * @param options The server's options.
 * @returns The fixture, filled in by the `before` hook.
 */
export function useApiServer(options: ServerOptions = {}): ApiFixture {
  let fixture: ApiFixture | undefined;
  const ready = (): ApiFixture => {
    if (!fixture) throw new Error("the API fixture is used before its before() hook ran");
    return fixture;
  };
  before(async () => {
    const server = await startTestServer(options);
    const api = apiFor(server);
    fixture = { server, api, runPath: sweep(server).runs[0]!.path };
    await api.username;
  });
  after(() => fixture?.server.close());
  beforeEach(() => ready().server.clearRequests());
  return {
    get server() {
      return ready().server;
    },
    get api() {
      return ready().api;
    },
    get runPath() {
      return ready().runPath;
    },
  };
}
