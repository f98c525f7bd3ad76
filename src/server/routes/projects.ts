/**
 * Projects: list, create, get, delete.
 *
 * @module
 */

import { HttpError, json, noContent, paginate } from "../http.ts";
import type { Route } from "../route.ts";
import type { ProjectRecord } from "../store.ts";
import { isoMs } from "../time.ts";
import {
  pageParams,
  projectJson,
  requireWriter,
  type Schemas,
  visibleProject,
  workspaceOr404,
} from "./_common.ts";

const NAME = /^[0-9A-Za-z\-_.+]{1,100}$/;

/**
 * Sorts projects by the `sort` query value (`update` by default, newest first).
 *
 * @example Sort by name
 * ```ts ignore
 * const sorted = sortProjects(projects, "name");
 * ```
 */
export function sortProjects(list: ProjectRecord[], sort: unknown): ProjectRecord[] {
  const by = sort === "name" ? "name" : sort === "create" ? "createdAt" : "updatedAt";
  return list.sort((a, b) =>
    by === "name"
      ? a.name.localeCompare(b.name)
      : b[by].localeCompare(a[by]) || a.name.localeCompare(b.name)
  );
}

function newCuid(): string {
  const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
  const bytes = crypto.getRandomValues(new Uint8Array(24));
  return "c" + Array.from(bytes, (b) => alphabet[b % 36]).join("");
}

/**
 * Routes of the projects group.
 *
 * @example List the routes
 * ```ts
 * import { projectRoutes } from "./projects.ts";
 * const paths = projectRoutes.map((r) => `${r.method} ${r.path}`);
 * ```
 */
export const projectRoutes: readonly Route[] = [
  {
    method: "GET",
    path: "/project/{username}",
    operationId: "listProjects",
    auth: true,
    handler: (ctx): Response => {
      const ws = workspaceOr404(ctx.store, ctx.params.username!);
      const { page, size } = pageParams(ctx);
      const search = typeof ctx.query.search === "string" ? ctx.query.search.toLowerCase() : "";
      const detail = ctx.query.detail !== "False";
      const visible = ctx.store.projectsOf(ws.username)
        .filter((p) => ctx.store.canSee(ctx.user.username, p))
        .filter((p) => !search || p.name.toLowerCase().includes(search));
      const paged = paginate(sortProjects(visible, ctx.query.sort), page, size);
      const body: Schemas["ProjectPage"] = {
        ...paged,
        list: paged.list.map((p) => projectJson(ctx.store, p, ctx.user.username, detail)),
      };
      return json(body);
    },
  },
  {
    method: "POST",
    path: "/project",
    operationId: "createProject",
    auth: true,
    handler: (ctx): Response => {
      const body = ctx.body as Schemas["CreateProjectRequest"];
      if (!NAME.test(body.name)) {
        throw new HttpError(
          400,
          `Invalid request body field "name": must match ^[0-9A-Za-z\\-_.+]{1,100}$`,
        );
      }
      const ws = workspaceOr404(ctx.store, body.username);
      requireWriter(ctx.user, ws);
      if (ctx.store.project(ws.username, body.name)) {
        throw new HttpError(409, `Project "${ws.username}/${body.name}" already exists`);
      }
      const now = isoMs(Date.now());
      const project: ProjectRecord = {
        cuid: newCuid(),
        name: body.name,
        workspace: ws.username,
        visibility: body.visibility,
        description: body.description ?? "",
        labels: [],
        creator: ctx.user.username,
        createdAt: now,
        updatedAt: now,
        deleted: false,
      };
      ctx.store.projects.set(project.cuid, project);
      return json(projectJson(ctx.store, project, ctx.user.username), 201);
    },
  },
  {
    method: "GET",
    path: "/project/{username}/{project}",
    operationId: "getProject",
    auth: true,
    handler: (ctx): Response => {
      const p = visibleProject(ctx, ctx.params.username!, ctx.params.project!);
      return json(projectJson(ctx.store, p, ctx.user.username));
    },
  },
  {
    method: "DELETE",
    path: "/project/{username}/{project}",
    operationId: "deleteProject",
    auth: true,
    handler: (ctx): Response => {
      const p = visibleProject(ctx, ctx.params.username!, ctx.params.project!);
      requireWriter(ctx.user, workspaceOr404(ctx.store, p.workspace));
      p.deleted = true;
      for (const r of ctx.store.runsOf(p.cuid)) r.deleted = true;
      return noContent();
    },
  },
];
