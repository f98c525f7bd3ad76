/**
 * Route definitions shared by `app.ts` and `routes/*.ts`.
 *
 * @module
 */

import type { FaultInjector } from "./faults.ts";
import type { UrlSigner } from "./signing.ts";
import type { Store, UserRecord } from "./store.ts";

/**
 * Settings the routes need besides the store.
 *
 * @example Environment of an app
 * ```ts ignore
 * const env: AppEnv = { signer, faults, sessionTtlMs: 30 * 86_400_000, presignTtlMs: 3_600_000 };
 * ```
 */
export interface AppEnv {
  /** Presigned-URL signer of the storage origin. */
  signer: UrlSigner;
  /** Fault injector. */
  faults: FaultInjector;
  /** Session lifetime in milliseconds. */
  sessionTtlMs: number;
  /** Presigned URL lifetime in milliseconds. */
  presignTtlMs: number;
  /**
   * Largest request body accepted, in bytes (413 beyond).
   * @default unlimited
   */
  maxBodyBytes?: number;
}

/**
 * What a route handler receives.
 *
 * @example Read a path parameter
 * ```ts ignore
 * const handler = (ctx: RouteContext) => json({ name: ctx.params.username });
 * ```
 */
export interface RouteContext {
  /** The request. */
  request: Request;
  /** Its parsed URL. */
  url: URL;
  /** Decoded path parameters. */
  params: Record<string, string>;
  /** Validated, coerced query parameters. */
  query: Record<string, unknown>;
  /** Validated JSON body. */
  body: unknown;
  /** The session user (an anonymous record on the login route). */
  user: UserRecord;
  /** Server state. */
  store: Store;
  /** Settings. */
  env: AppEnv;
}

/**
 * One API route (path relative to `/api`, `{name}` for parameters).
 *
 * @example A route
 * ```ts ignore
 * const route: Route = { method: "GET", path: "/user/profile", operationId: "getUserProfile", auth: true, handler };
 * ```
 */
export interface Route {
  /** HTTP method. */
  method: "GET" | "POST" | "DELETE";
  /** Path template under `/api`. */
  path: string;
  /** OpenAPI operationId (used for validation). */
  operationId: string;
  /** Whether a session cookie is required. */
  auth: boolean;
  /** The handler. */
  handler: (ctx: RouteContext) => Response | Promise<Response>;
}
