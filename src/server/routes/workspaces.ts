/**
 * Workspaces and the user profile: `GET /group/{username}`, `GET /user/{username}/groups`,
 * `GET /user/profile`.
 *
 * @module
 */

import { json } from "../http.ts";
import type { Route } from "../route.ts";
import { type Schemas, workspaceJson, workspaceOr404 } from "./_common.ts";

/**
 * Routes of the workspaces group.
 *
 * @example List the routes
 * ```ts
 * import { workspaceRoutes } from "./workspaces.ts";
 * const paths = workspaceRoutes.map((r) => `${r.method} ${r.path}`);
 * ```
 */
export const workspaceRoutes: readonly Route[] = [
  {
    method: "GET",
    path: "/group/{username}",
    operationId: "getWorkspace",
    auth: true,
    handler: (ctx): Response => {
      const ws = workspaceOr404(ctx.store, ctx.params.username!);
      return json(workspaceJson(ctx.store, ws, ctx.user.username));
    },
  },
  {
    method: "GET",
    path: "/user/{username}/groups",
    operationId: "listWorkspaces",
    auth: true,
    handler: (ctx): Response => {
      const username = ctx.params.username!;
      workspaceOr404(ctx.store, username);
      const list: Schemas["WorkspaceList"] = [...ctx.store.workspaces.values()]
        .filter((ws) => ws.members.has(username))
        .sort((a, b) => Number(a.type === "TEAM") - Number(b.type === "TEAM"))
        .map((ws) => workspaceJson(ctx.store, ws, ctx.user.username));
      return json(list);
    },
  },
  {
    method: "GET",
    path: "/user/profile",
    operationId: "getUserProfile",
    auth: true,
    handler: (ctx): Response => {
      const body: Schemas["UserProfile"] = { ...ctx.user.profile };
      return json(body);
    },
  },
];
