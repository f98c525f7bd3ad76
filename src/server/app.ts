/**
 * The runtime-free app: `createApp(store, options)` returns a `(Request) => Promise<Response>`
 * handler (Hono style) that tests can call without a socket.
 *
 * Pipeline: record the request → route → inject faults → authenticate (cookie `sid`) →
 * validate against the OpenAPI spec → handle → add `traceid`.
 *
 * @module
 */

import { spec } from "../../generated/spec.ts";
import { resetResponse } from "./faults.ts";
import { mutateResponse } from "./response_mutation.ts";
import { errorResponse, HttpError, newTraceId } from "./http.ts";
import type { AppEnv, Route, RouteContext } from "./route.ts";
import { authRoutes } from "./routes/auth.ts";
import { columnRoutes } from "./routes/columns.ts";
import { fileRoutes } from "./routes/files.ts";
import { logRoutes } from "./routes/logs.ts";
import { mediaRoutes } from "./routes/media.ts";
import { metricRoutes } from "./routes/metrics.ts";
import { projectRoutes } from "./routes/projects.ts";
import { runRoutes } from "./routes/runs.ts";
import { selfHostedRoutes } from "./routes/self_hosted.ts";
import { workspaceRoutes } from "./routes/workspaces.ts";
import type { Store, UserRecord } from "./store.ts";
import { sleep } from "./time.ts";
import { RequestValidationError, RequestValidator } from "./validate.ts";

/**
 * A request as recorded by the server (both origins).
 *
 * @example Prove that no cookie reached storage
 * ```ts ignore
 * const leaked = server.requests.filter((r) => r.origin === "storage" && "cookie" in r.headers);
 * ```
 */
export interface RecordedRequest {
  /** Which listener received it. */
  readonly origin: "api" | "storage";
  /** HTTP method. */
  readonly method: string;
  /** URL path (still percent-encoded). */
  readonly path: string;
  /** Raw query string without the leading `?` (empty when none). */
  readonly query: string;
  /** Request headers, lower-cased names. */
  readonly headers: Readonly<Record<string, string>>;
  /** Parsed JSON body (or the raw text when it is not JSON); absent when empty. */
  readonly body?: unknown;
}

/**
 * Options of {@link createApp}.
 *
 * @example Options
 * ```ts ignore
 * const app = createApp(store, { env, record: (r) => log.push(r) });
 * ```
 */
export interface AppOptions {
  /** Signer, faults and lifetimes. */
  env: AppEnv;
  /** Called with every received request. */
  record?: (request: RecordedRequest) => void;
}

const ROUTES: readonly Route[] = [
  ...authRoutes,
  ...workspaceRoutes,
  ...projectRoutes,
  ...runRoutes,
  ...columnRoutes,
  ...metricRoutes,
  ...mediaRoutes,
  ...fileRoutes,
  ...logRoutes,
  ...selfHostedRoutes,
];

/** Operations that change data: refused by a read-only server. */
const WRITES: ReadonlySet<string> = new Set([
  "createProject",
  "deleteProject",
  "deleteRun",
  "deleteRuns",
  "createSelfHostedUsers",
]);

interface CompiledRoute {
  route: Route;
  segments: string[];
}

const ANONYMOUS: UserRecord = {
  username: "",
  name: "",
  apiKey: "",
  root: false,
  profile: { bio: null, url: null, institution: null, school: null, email: null, location: null },
  createdAt: "1970-01-01T00:00:00.000Z",
};

let sharedValidator: RequestValidator | undefined;

function matchRoute(
  compiled: readonly CompiledRoute[],
  segments: string[],
): { matches: { route: Route; params: Record<string, string> }[] } {
  const matches: { route: Route; params: Record<string, string>; literals: number }[] = [];
  for (const c of compiled) {
    if (c.segments.length !== segments.length) continue;
    const params: Record<string, string> = {};
    let literals = 0;
    let ok = true;
    for (let i = 0; i < segments.length; i++) {
      const pattern = c.segments[i]!;
      const actual = segments[i]!;
      if (pattern.startsWith("{")) {
        if (actual === "") {
          ok = false;
          break;
        }
        params[pattern.slice(1, -1)] = actual;
      } else if (pattern === actual) {
        literals++;
      } else {
        ok = false;
        break;
      }
    }
    if (ok) matches.push({ route: c.route, params, literals });
  }
  matches.sort((a, b) => b.literals - a.literals);
  return { matches };
}

function cookieValue(header: string | null, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

function withTrace(res: Response, close: boolean): Response {
  const extra: [string, string][] = [];
  if (!res.headers.has("traceid")) extra.push(["traceid", newTraceId()]);
  // While resets are injected, every connection serves one request: a runtime's HTTP client
  // silently retries a request whose reused keep-alive connection dropped, which would hide
  // the injected network error.
  if (close) extra.push(["connection", "close"]);
  if (extra.length === 0) return res;
  try {
    for (const [k, v] of extra) res.headers.set(k, v);
    return res;
  } catch {
    const headers = new Headers(res.headers);
    for (const [k, v] of extra) headers.set(k, v);
    return new Response(res.body, { status: res.status, headers });
  }
}

/**
 * The record of a received request, without its body: origin, method, path, query and headers
 * (names lower-cased), as both origins log it.
 *
 * @param origin Which listener received it.
 * @param request The request.
 * @param url Its parsed URL.
 * @returns The record.
 *
 * @example
 * ```ts ignore
 * record(describeRequest("storage", request, new URL(request.url)));
 * ```
 */
export function describeRequest(
  origin: RecordedRequest["origin"],
  request: Request,
  url: URL,
): RecordedRequest {
  const headers: Record<string, string> = {};
  request.headers.forEach((value, name) => {
    headers[name.toLowerCase()] = value;
  });
  return {
    origin,
    method: request.method,
    path: url.pathname,
    query: url.search.slice(1),
    headers,
  };
}

/**
 * Creates the API handler over `store`.
 *
 * @param store server state
 * @param options environment and request recorder
 * @returns a `(Request) => Promise<Response>` handler serving `/api/...`
 *
 * @example Call the app without a socket
 * ```ts ignore
 * const app = createApp(store, { env });
 * const res = await app(new Request("http://local/api/user/profile"));
 * res.status; // 401 (no session)
 * ```
 */
export function createApp(
  store: Store,
  options: AppOptions,
): (request: Request) => Promise<Response> {
  const compiled: CompiledRoute[] = ROUTES.map((route) => ({
    route,
    segments: route.path.split("/").slice(1),
  }));
  sharedValidator ??= new RequestValidator(spec);
  const validator = sharedValidator;
  const { env, record } = options;

  return async (request: Request): Promise<Response> => {
    const url = new URL(request.url);
    const limit = env.maxBodyBytes ?? Infinity;
    const declared = Number(request.headers.get("content-length") ?? NaN);
    const bytes = request.body && !(declared > limit)
      ? new Uint8Array(await request.arrayBuffer())
      : undefined;
    if (declared > limit || (bytes !== undefined && bytes.byteLength > limit)) {
      await request.body?.cancel().catch(() => {});
      if (record) record(describeRequest("api", request, url));
      return withTrace(
        errorResponse(413, `Request body too large: the limit is ${limit} bytes`),
        (env.faults.options.resetRate ?? 0) > 0,
      );
    }
    const text = bytes === undefined ? "" : new TextDecoder().decode(bytes);
    let parsed: unknown;
    let parseFailed = false;
    if (text.length > 0) {
      try {
        parsed = JSON.parse(text);
      } catch {
        parseFailed = true;
      }
    }
    if (record) {
      record({
        ...describeRequest("api", request, url),
        ...(text.length > 0 ? { body: parseFailed ? text : parsed } : {}),
      });
    }
    try {
      const res = await handle(request, url, parsed, parseFailed, text);
      return withTrace(res, (env.faults.options.resetRate ?? 0) > 0);
    } catch (err) {
      if (err instanceof HttpError) {
        return withTrace(
          errorResponse(err.status, err.message, err.code, err.headers),
          (env.faults.options.resetRate ?? 0) > 0,
        );
      }
      const message = err instanceof Error ? err.message : String(err);
      return withTrace(
        errorResponse(500, `Internal server error: ${message}`),
        (env.faults.options.resetRate ?? 0) > 0,
      );
    }
  };

  async function handle(
    request: Request,
    url: URL,
    parsed: unknown,
    parseFailed: boolean,
    text: string,
  ): Promise<Response> {
    const path = url.pathname;
    if (path !== "/api" && !path.startsWith("/api/")) {
      throw new HttpError(404, `Route not found: ${request.method} ${path}`);
    }
    let segments: string[];
    try {
      segments = path.slice(4).split("/").slice(1).map((s) => decodeURIComponent(s));
    } catch {
      throw new HttpError(400, `Cannot decode path "${path}"`);
    }
    const { matches } = matchRoute(compiled, segments);
    const match = matches.find((m) => m.route.method === request.method);
    if (!match) {
      if (matches.length > 0) {
        throw new HttpError(405, `Method ${request.method} not allowed on ${path}`);
      }
      throw new HttpError(404, `Route not found: ${request.method} ${path}`);
    }
    const { route, params } = match;

    const decision = env.faults.decide(route.operationId === "loginWithApiKey" ? "login" : "api");
    await sleep(decision.latencyMs);
    if (decision.kind === "reset") return resetResponse();
    if (decision.kind === "error") {
      const reason = {
        500: "internal server error",
        502: "bad gateway",
        503: "service unavailable",
      };
      return errorResponse(decision.status, `Injected fault: ${reason[decision.status]}`);
    }
    if (decision.kind === "rateLimit") {
      return errorResponse(429, "Injected fault: too many requests", "429", {
        "retry-after": String(decision.retryAfterSeconds),
      });
    }

    let user = ANONYMOUS;
    if (route.auth) {
      const sid = cookieValue(request.headers.get("cookie"), "sid");
      const sessionUser = store.sessionUser(sid);
      if (!sessionUser) {
        throw new HttpError(
          401,
          sid ? "Session expired or invalid" : "Login required: missing sid cookie",
        );
      }
      user = sessionUser;
    }
    if (store.readOnly !== undefined && WRITES.has(route.operationId)) {
      throw new HttpError(403, store.readOnly, "403");
    }
    if (parseFailed) throw new HttpError(400, "Invalid request body: not valid JSON");
    let validated = { params, query: {} as Record<string, unknown>, body: parsed };
    if (validator.has(route.operationId)) {
      try {
        validated = validator.validate(
          route.operationId,
          params,
          url.searchParams,
          text.length > 0 ? parsed : undefined,
        );
      } catch (err) {
        if (err instanceof RequestValidationError) throw new HttpError(400, err.message, "400");
        throw err;
      }
    }
    const ctx: RouteContext = {
      request,
      url,
      params: validated.params,
      query: validated.query,
      body: validated.body,
      user,
      store,
      env,
    };
    const response = await route.handler(ctx);
    const mutations = env.faults.options.mutateResponses;
    const mutated = mutations === undefined || mutations.length === 0
      ? response
      : await mutateResponse(response, route.operationId, mutations);
    const hook = env.faults.hook;
    return hook ? await hook(route.operationId, mutated) : mutated;
  }
}
