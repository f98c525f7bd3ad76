/**
 * Runs: paged list, filter/group/sort (`runs/shows`), get by slug or cuid, delete one, delete
 * many.
 *
 * @module
 */

import { json, noContent, paginate } from "../http.ts";
import type { Route } from "../route.ts";
import { queryRuns, type RunQueryItem } from "../run_filter.ts";
import {
  pageParams,
  requireWriter,
  runJson,
  runOr404,
  type Schemas,
  visibleProject,
  workspaceOr404,
} from "./_common.ts";

/**
 * Routes of the runs group.
 *
 * @example List the routes
 * ```ts
 * import { runRoutes } from "./runs.ts";
 * const paths = runRoutes.map((r) => `${r.method} ${r.path}`);
 * ```
 */
export const runRoutes: readonly Route[] = [
  {
    method: "GET",
    path: "/project/{username}/{project}/runs",
    operationId: "listRuns",
    auth: true,
    handler: (ctx): Response => {
      const p = visibleProject(ctx, ctx.params.username!, ctx.params.project!);
      const { page, size } = pageParams(ctx);
      const runs = ctx.store.runsOf(p.cuid).sort((a, b) => b.createdAt.localeCompare(a.createdAt));
      const paged = paginate(runs, page, size);
      const body: Schemas["RunPage"] = {
        ...paged,
        list: paged.list.map((r) => runJson(r, "list")),
      };
      return json(body);
    },
  },
  {
    method: "POST",
    path: "/project/{username}/{project}/runs/shows",
    operationId: "filterRuns",
    auth: true,
    handler: (ctx): Response => {
      const p = visibleProject(ctx, ctx.params.username!, ctx.params.project!);
      const body = ctx.body as {
        filters: RunQueryItem[];
        groups: RunQueryItem[];
        sorts: RunQueryItem[];
      };
      const result = queryRuns(ctx.store.runsOf(p.cuid), body, (r) => runJson(r, "shows"));
      return json(result satisfies Schemas["RunFilterResponse"]);
    },
  },
  {
    method: "GET",
    path: "/project/{username}/{project}/runs/{run}",
    operationId: "getRun",
    auth: true,
    handler: (ctx): Response => {
      const p = visibleProject(ctx, ctx.params.username!, ctx.params.project!);
      return json(runJson(runOr404(ctx, p, ctx.params.run!), "full"));
    },
  },
  {
    method: "DELETE",
    path: "/project/{username}/{project}/runs/{run}",
    operationId: "deleteRun",
    auth: true,
    handler: (ctx): Response => {
      const p = visibleProject(ctx, ctx.params.username!, ctx.params.project!);
      const run = runOr404(ctx, p, ctx.params.run!);
      requireWriter(ctx.user, workspaceOr404(ctx.store, p.workspace));
      run.deleted = true;
      return noContent();
    },
  },
  {
    method: "POST",
    path: "/project/{username}/{project}/runs/del",
    operationId: "deleteRuns",
    auth: true,
    handler: (ctx): Response => {
      const p = visibleProject(ctx, ctx.params.username!, ctx.params.project!);
      requireWriter(ctx.user, workspaceOr404(ctx.store, p.workspace));
      const { cuids } = ctx.body as Schemas["DeleteRunsRequest"];
      const deleted: string[] = [];
      for (const id of cuids) {
        const run = ctx.store.run(p.cuid, id);
        if (run) {
          run.deleted = true;
          deleted.push(run.cuid);
        }
      }
      return json({ deleted, count: deleted.length });
    },
  },
];
