/**
 * Self-hosted administration: `info` for everyone, the rest for the root user only (403
 * otherwise). Self-hosted list endpoints accept any page size >= 1.
 *
 * @module
 */

import { HttpError, json, paginate } from "../http.ts";
import type { Route, RouteContext } from "../route.ts";
import type { UserRecord } from "../store.ts";
import { isoMs } from "../time.ts";
import { pageParams, type Schemas } from "./_common.ts";
import { sortProjects } from "./projects.ts";

function requireRoot(ctx: RouteContext): void {
  if (!ctx.user.root) {
    throw new HttpError(
      403,
      "You don't have permission to perform this action. Please login as a root user.",
      "403",
    );
  }
}

function userJson(u: UserRecord): Schemas["SelfHostedUser"] {
  return {
    username: u.username,
    name: u.name,
    email: u.profile.email,
    identity: u.root ? "root" : "user",
    createdAt: u.createdAt,
  };
}

/**
 * Routes of the self-hosted group.
 *
 * @example List the routes
 * ```ts
 * import { selfHostedRoutes } from "./self_hosted.ts";
 * const paths = selfHostedRoutes.map((r) => `${r.method} ${r.path}`);
 * ```
 */
export const selfHostedRoutes: readonly Route[] = [
  {
    method: "GET",
    path: "/self_hosted/info",
    operationId: "getSelfHostedInfo",
    auth: true,
    handler: (ctx): Response => {
      const stored = ctx.store.selfHostedInfo;
      if (stored === null) {
        throw new HttpError(404, "Self-hosted info not available: the mirrored source had none");
      }
      const out: Schemas["SelfHostedInfo"] = stored ? { ...stored, root: ctx.user.root } : {
        enabled: true,
        expired: false,
        root: ctx.user.root,
        plan: "commercial",
        seats: 50,
      };
      return json(out);
    },
  },
  {
    method: "POST",
    path: "/self_hosted/users",
    operationId: "createSelfHostedUsers",
    auth: true,
    handler: (ctx): Response => {
      requireRoot(ctx);
      const body = ctx.body as Schemas["CreateUsersRequest"];
      const names = new Set<string>();
      for (const u of body.users) {
        if (
          ctx.store.users.has(u.username) || ctx.store.workspaces.has(u.username) ||
          names.has(u.username)
        ) {
          throw new HttpError(409, `User "${u.username}" already exists`);
        }
        names.add(u.username);
      }
      const now = isoMs(Date.now());
      const created: Schemas["SelfHostedUser"][] = [];
      for (const u of body.users) {
        const key = Array.from(
          crypto.getRandomValues(new Uint8Array(21)),
          (b) => "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"[b % 62],
        ).join("");
        const profile = {
          bio: "",
          url: "",
          institution: "",
          school: null,
          email: null,
          location: "",
        };
        const record: UserRecord = {
          username: u.username,
          name: u.username,
          apiKey: key,
          root: false,
          password: u.password,
          profile,
          createdAt: now,
        };
        ctx.store.users.set(u.username, record);
        ctx.store.workspaces.set(u.username, {
          username: u.username,
          name: u.username,
          type: "PERSON",
          comment: "",
          profile,
          members: new Map([[u.username, "OWNER"]]),
          createdAt: now,
          updatedAt: now,
        });
        created.push(userJson(record));
      }
      return json({ created, count: created.length });
    },
  },
  {
    method: "GET",
    path: "/self_hosted/users",
    operationId: "listSelfHostedUsers",
    auth: true,
    handler: (ctx): Response => {
      requireRoot(ctx);
      const { page, size } = pageParams(ctx, true);
      const users = [...ctx.store.users.values()].map(userJson);
      const out: Schemas["SelfHostedUserPage"] = paginate(users, page, size);
      return json(out);
    },
  },
  {
    method: "GET",
    path: "/self_hosted/projects",
    operationId: "listSelfHostedProjects",
    auth: true,
    handler: (ctx): Response => {
      requireRoot(ctx);
      const { page, size } = pageParams(ctx, true);
      const q = ctx.query as {
        search?: string;
        sort?: string;
        state?: string;
        creator?: string;
        group?: string;
      };
      const search = q.search?.toLowerCase() ?? "";
      const all = [...ctx.store.projects.values()].filter((p) => !p.deleted);
      const stateOf = (cuid: string): "RUNNING" | "FINISHED" =>
        ctx.store.runsOf(cuid).some((r) => r.state === "RUNNING") ? "RUNNING" : "FINISHED";
      const filtered = all
        .filter((p) => !search || p.name.toLowerCase().includes(search))
        .filter((p) => !q.creator || p.creator === q.creator)
        .filter((p) => !q.group || p.workspace === q.group)
        .filter((p) => !q.state || stateOf(p.cuid) === q.state);
      const paged = paginate(sortProjects(filtered, q.sort), page, size);
      const out: Schemas["SelfHostedProjectPage"] = {
        ...paged,
        list: paged.list.map((p) => ({
          cuid: p.cuid,
          name: p.name,
          username: p.workspace,
          path: `${p.workspace}/${p.name}`,
          visibility: p.visibility,
          state: stateOf(p.cuid),
          creator: p.creator,
          experiments: ctx.store.runsOf(p.cuid).length,
          createdAt: p.createdAt,
          updatedAt: p.updatedAt,
        })),
      };
      return json(out);
    },
  },
  {
    method: "GET",
    path: "/self_hosted/groups",
    operationId: "listSelfHostedGroups",
    auth: true,
    handler: (ctx): Response => {
      requireRoot(ctx);
      const { page, size } = pageParams(ctx, true);
      const q = ctx.query as { search?: string; sort?: string; type?: string };
      const search = q.search?.toLowerCase() ?? "";
      const list = [...ctx.store.workspaces.values()]
        .filter((w) =>
          !search || w.username.toLowerCase().includes(search) ||
          w.name.toLowerCase().includes(search)
        )
        .filter((w) => !q.type || w.type === q.type)
        .sort((a, b) =>
          q.sort === "name"
            ? a.username.localeCompare(b.username)
            : q.sort === "create"
            ? b.createdAt.localeCompare(a.createdAt)
            : b.updatedAt.localeCompare(a.updatedAt)
        );
      const paged = paginate(list, page, size);
      const out: Schemas["SelfHostedGroupPage"] = {
        ...paged,
        list: paged.list.map((w) => ({
          username: w.username,
          name: w.name,
          type: w.type,
          members: w.members.size,
          createdAt: w.createdAt,
        })),
      };
      return json(out);
    },
  },
  {
    method: "GET",
    path: "/self_hosted/summary",
    operationId: "getSelfHostedSummary",
    auth: true,
    handler: (ctx): Response => {
      requireRoot(ctx);
      const projects = [...ctx.store.projects.values()].filter((p) => !p.deleted);
      const runs = projects.flatMap((p) => ctx.store.runsOf(p.cuid));
      const out: Schemas["UsageSummary"] = {
        users: ctx.store.users.size,
        projects: projects.length,
        experiments: runs.length,
        workspaces: ctx.store.workspaces.size,
        storageBytes: runs.reduce((n, r) => n + r.metrics.steps * r.metrics.keys.length * 16, 0),
      };
      return json(out);
    },
  },
];
