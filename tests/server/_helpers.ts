/**
 * Shared helpers of the server tests: a logged-in JSON client over real HTTP.
 *
 * @module
 */

import type { LocalServer } from "../../src/server/mod.ts";

/** A response decoded for assertions. */
export interface Reply {
  status: number;
  headers: Headers;
  body: unknown;
}

/** A minimal client bound to one session. */
export interface TestClient {
  sid: string;
  get(path: string): Promise<Reply>;
  post(path: string, body: unknown): Promise<Reply>;
  del(path: string): Promise<Reply>;
}

/** Sends one request to `server.host + "/api" + path` and decodes the JSON body (if any). */
export async function call(
  server: LocalServer,
  method: string,
  path: string,
  options: { sid?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<Reply> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.sid) headers.cookie = `sid=${options.sid}`;
  const init: RequestInit = { method, headers };
  if (options.body !== undefined) {
    headers["content-type"] = "application/json";
    init.body = typeof options.body === "string" ? options.body : JSON.stringify(options.body);
  }
  const res = await fetch(`${server.host}/api${path}`, init);
  const text = await res.text();
  let body: unknown = text;
  if (text) {
    try {
      body = JSON.parse(text);
    } catch {
      body = text;
    }
  }
  return { status: res.status, headers: res.headers, body };
}

/** Logs in with `apiKey` (default: the demo key) and returns a client. */
export async function login(server: LocalServer, apiKey = server.apiKey): Promise<TestClient> {
  const res = await call(server, "POST", "/login/api_key", { headers: { authorization: apiKey } });
  if (res.status !== 200) throw new Error(`Cannot log in: status ${res.status}`);
  const sid = (res.body as { sid: string }).sid;
  return {
    sid,
    get: (path) => call(server, "GET", path, { sid }),
    post: (path, body) => call(server, "POST", path, { sid, body }),
    del: (path) => call(server, "DELETE", path, { sid }),
  };
}

/** API key of a seeded user. */
export function keyOf(server: LocalServer, username: string): string {
  const user = server.users.find((u) => u.username === username);
  if (!user) throw new Error(`No seeded user "${username}"`);
  return user.apiKey;
}

/** Narrows `value` to a record for property access in assertions. */
export function obj(value: unknown): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new TypeError(`Expected an object, got ${JSON.stringify(value)?.slice(0, 200)}`);
  }
  return value as Record<string, unknown>;
}

/** Narrows `value` to an array. */
export function arr(value: unknown): unknown[] {
  if (!Array.isArray(value)) {
    throw new TypeError(`Expected an array, got ${JSON.stringify(value)?.slice(0, 200)}`);
  }
  return value;
}
