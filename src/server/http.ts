/**
 * Response helpers shared by the routes: bare JSON bodies, `{code, message}` errors and the
 * `traceid` header on every response.
 *
 * @module
 */

/**
 * An HTTP error thrown by a route; turned into a `{code, message}` JSON response.
 *
 * @example Throw a 404
 * ```ts
 * import { HttpError } from "./http.ts";
 * throw new HttpError(404, 'Project "alice/nope" not found');
 * ```
 */
export class HttpError extends Error {
  /** HTTP status. */
  readonly status: number;
  /** Application error code (defaults to the status as a string). */
  readonly code: string;
  /** Extra response headers. */
  readonly headers: Record<string, string>;

  /**
   * Creates the error.
   *
   * @param status HTTP status
   * @param message human-readable message (sent as `message`)
   * @param code application code (default: the status as a string)
   * @param headers extra headers
   */
  constructor(status: number, message: string, code?: string, headers?: Record<string, string>) {
    super(message);
    this.name = "HttpError";
    this.status = status;
    this.code = code ?? String(status);
    this.headers = headers ?? {};
  }
}

let traceCounter = 0;

/**
 * Returns a new trace id (`tr-<counter>-<random hex>`).
 *
 * @example Make one
 * ```ts
 * import { newTraceId } from "./http.ts";
 * newTraceId(); // e.g. "tr-1-9f2c4a1b"
 * ```
 */
export function newTraceId(): string {
  traceCounter = (traceCounter + 1) % 1e9;
  const rand = Math.floor(Math.random() * 0xffffffff).toString(16).padStart(8, "0");
  return `tr-${traceCounter}-${rand}`;
}

/**
 * A JSON response (never the literal `null`: `null` becomes `{}`).
 *
 * @example Answer a project
 * ```ts
 * import { json } from "./http.ts";
 * const res = json({ cuid: "c1", name: "p", path: "alice/p" });
 * ```
 */
export function json(body: unknown, status = 200, headers?: Record<string, string>): Response {
  return new Response(JSON.stringify(body ?? {}), {
    status,
    headers: { "content-type": "application/json; charset=utf-8", ...headers },
  });
}

/**
 * An error response `{code, message}` with a `traceid` header.
 *
 * @example A 401
 * ```ts
 * import { errorResponse } from "./http.ts";
 * const res = errorResponse(401, "API Token Invalid", "1001");
 * ```
 */
export function errorResponse(
  status: number,
  message: string,
  code?: string,
  headers?: Record<string, string>,
): Response {
  return json({ code: code ?? String(status), message }, status, {
    traceid: newTraceId(),
    ...headers,
  });
}

/**
 * An empty 204 response.
 *
 * @example After a delete
 * ```ts
 * import { noContent } from "./http.ts";
 * const res = noContent();
 * ```
 */
export function noContent(): Response {
  return new Response(null, { status: 204 });
}

/**
 * Returns the paged shape `{list, total, pages, size}` for 1-based `page`.
 *
 * @example Page 2 of 25 items
 * ```ts
 * import { paginate } from "./http.ts";
 * const p = paginate(Array.from({ length: 25 }, (_, i) => i), 2, 10);
 * p.list; // [10, …, 19]
 * ```
 */
export function paginate<T>(
  items: readonly T[],
  page: number,
  size: number,
): { list: T[]; total: number; pages: number; size: number } {
  const total = items.length;
  const pages = Math.ceil(total / size);
  const start = (page - 1) * size;
  return { list: items.slice(start, start + size), total, pages, size };
}
