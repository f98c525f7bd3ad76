/**
 * Console logs: `GET /house/metrics/log` (shards of `size` lines, `epoch` = shard index, `level`
 * is a minimum) and `POST /house/metrics/log/export` (a `.log` object on storage).
 *
 * @module
 */

import { json } from "../http.ts";
import { LOG_LEVELS } from "../log_source.ts";
import type { Route } from "../route.ts";
import { isoMs } from "../time.ts";
import { houseRun, type Schemas, visibleProjectByCuid } from "./_common.ts";

/**
 * Routes of the logs group.
 *
 * @example List the routes
 * ```ts
 * import { logRoutes } from "./logs.ts";
 * const paths = logRoutes.map((r) => `${r.method} ${r.path}`);
 * ```
 */
export const logRoutes: readonly Route[] = [
  {
    method: "GET",
    path: "/house/metrics/log",
    operationId: "getLogs",
    auth: true,
    handler: (ctx): Response => {
      const q = ctx.query as {
        projectId: string;
        experimentId: string;
        size: number;
        epoch?: number;
        level: Schemas["LogLevel"];
        rootProId?: string;
        rootExpId?: string;
      };
      visibleProjectByCuid(ctx, q.projectId);
      const run = houseRun(ctx, {
        experimentId: q.experimentId,
        ...(q.rootProId ? { rootProId: q.rootProId } : {}),
        ...(q.rootExpId ? { rootExpId: q.rootExpId } : {}),
      }, q.projectId);
      const minLevel = LOG_LEVELS.indexOf(q.level);
      const indices = run.logs.indicesAtLeast(minLevel);
      const epoch = q.epoch ?? 0;
      const start = epoch * q.size;
      const logs: Schemas["LogEntry"][] = [];
      for (let j = start; j < Math.min(indices.length, start + q.size); j++) {
        const line = run.logs.line(indices[j]!);
        logs.push({
          epoch,
          level: line.level,
          message: line.message,
          tag: line.tag,
          timestamp: isoMs(line.timestampMs),
        });
      }
      const out: Schemas["LogsResponse"] = { logs, count: indices.length };
      return json(out);
    },
  },
  {
    method: "POST",
    path: "/house/metrics/log/export",
    operationId: "exportLogs",
    auth: true,
    handler: (ctx): Response => {
      const body = ctx.body as Schemas["LogExportRequest"];
      visibleProjectByCuid(ctx, body.projectId);
      const run = houseRun(ctx, body);
      const out: Schemas["CosKeyResponse"] = {
        cosKey: ctx.store.addExport(
          { kind: "log", logs: run.logs, start: body.start, rows: body.rows },
          "log",
        ),
      };
      return json(out);
    },
  },
];
