/**
 * Deprecated column metadata: `GET /experiment/{cuid}/column` (paged, `search` is a
 * case-insensitive contains on the name, order `id DESC`).
 *
 * @module
 */

import { HttpError, json, paginate } from "../http.ts";
import { SYSTEM_PREFIX } from "../metric_source.ts";
import type { Route } from "../route.ts";
import { dataOf, type RunRecord } from "../store.ts";
import { pageParams, type Schemas, visibleProjectByCuid } from "./_common.ts";

/**
 * All columns of a run, oldest first (id ascending).
 *
 * @example Column keys of a run
 * ```ts ignore
 * const keys = columnsOf(run).map((c) => c.key);
 * ```
 */
export function columnsOf(run: RunRecord): Schemas["Column"][] {
  // Stored columns are in listing order, which the route reverses.
  if (run.columns) return run.columns.map((c) => ({ ...c })).reverse();
  const created = Date.parse(run.createdAt);
  const data = dataOf(run);
  const scalar = data.metrics.keys.map((key, i): Schemas["Column"] => ({
    key,
    name: key,
    type: "FLOAT",
    class: key.startsWith(SYSTEM_PREFIX) ? "SYSTEM" : "CUSTOM",
    createdAt: created + 1000 + i,
  }));
  const media = data.media.keys.map((key, i): Schemas["Column"] => ({
    key,
    name: key,
    type: "IMAGE",
    class: "CUSTOM",
    createdAt: created + 1000 + scalar.length + i,
  }));
  return [...scalar, ...media];
}

/**
 * Routes of the columns group.
 *
 * @example List the routes
 * ```ts
 * import { columnRoutes } from "./columns.ts";
 * const paths = columnRoutes.map((r) => `${r.method} ${r.path}`);
 * ```
 */
export const columnRoutes: readonly Route[] = [
  {
    method: "GET",
    path: "/experiment/{cuid}/column",
    operationId: "listColumns",
    auth: true,
    handler: (ctx): Response => {
      const run = ctx.store.runByCuid(ctx.params.cuid!);
      if (!run) throw new HttpError(404, `Experiment "${ctx.params.cuid}" not found`);
      visibleProjectByCuid(ctx, run.projectCuid);
      const { page, size } = pageParams(ctx);
      const search = typeof ctx.query.search === "string" ? ctx.query.search.toLowerCase() : "";
      const type = ctx.query.type;
      const klass = ctx.query.class;
      const list = columnsOf(run)
        .reverse()
        .filter((c) => !search || (c.name ?? "").toLowerCase().includes(search))
        .filter((c) => type === undefined || c.type === type)
        .filter((c) => klass === undefined || c.class === klass);
      const body: Schemas["ColumnPage"] = paginate(list, page, size);
      return json(body);
    },
  },
];
