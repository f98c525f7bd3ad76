/**
 * `POST /login/api_key`: exchange the raw API key (header `authorization`, no `Bearer`) for a
 * session.
 *
 * @module
 */

import { HttpError, json } from "../http.ts";
import type { Route } from "../route.ts";
import { isoMs } from "../time.ts";
import type { Schemas } from "./_common.ts";

/**
 * Routes of the auth group.
 *
 * @example List the routes
 * ```ts
 * import { authRoutes } from "./auth.ts";
 * const paths = authRoutes.map((r) => `${r.method} ${r.path}`);
 * ```
 */
export const authRoutes: readonly Route[] = [
  {
    method: "POST",
    path: "/login/api_key",
    operationId: "loginWithApiKey",
    auth: false,
    handler: (ctx): Response => {
      const key = ctx.request.headers.get("authorization") ?? "";
      const user = key ? ctx.store.userByApiKey(key.trim()) : undefined;
      if (!user) throw new HttpError(401, "API Token Invalid", "1001");
      const session = ctx.store.createSession(user.username, ctx.env.sessionTtlMs);
      const body: Schemas["LoginResponse"] = {
        sid: session.sid,
        expiredAt: isoMs(session.expiresAt),
        userInfo: { username: user.username, name: user.name },
      };
      return json(body, 200, {
        "set-cookie": `sid=${session.sid}; Path=/; HttpOnly; SameSite=Lax`,
      });
    },
  },
];
