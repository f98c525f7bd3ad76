/**
 * Cursor paging of metric keys and availability maps, shared by the scalar and media groups.
 *
 * @module
 */

import { HttpError, json } from "../http.ts";
import type { RouteContext } from "../route.ts";
import type { RunRecord } from "../store.ts";
import { houseRun, type Schemas } from "./_common.ts";

function decodeCursor(cursor: string): number {
  if (cursor === "") return 0;
  let text = "";
  try {
    text = atob(cursor);
  } catch {
    text = "";
  }
  const m = /^offset:(\d+)$/.exec(text);
  if (!m) {
    throw new HttpError(400, `Invalid request body field "cursor": unknown cursor "${cursor}"`);
  }
  return Number(m[1]);
}

/**
 * Answers a keys request: union of keys of the referenced runs, `limit` per page.
 *
 * @example Scalar keys
 * ```ts ignore
 * const res = keysResponse(ctx, (run) => run.metrics.keys);
 * ```
 */
export function keysResponse(
  ctx: RouteContext,
  keysOf: (run: RunRecord) => readonly string[],
): Response {
  const body = ctx.body as Schemas["MetricKeysRequest"];
  const all: string[] = [];
  const seen = new Set<string>();
  for (const ref of body.experiments) {
    for (const key of keysOf(houseRun(ctx, ref))) {
      if (!seen.has(key)) {
        seen.add(key);
        all.push(key);
      }
    }
  }
  const start = decodeCursor(body.cursor);
  const keys = all.slice(start, start + body.limit);
  const end = start + keys.length;
  const hasMore = end < all.length;
  const out: Schemas["MetricKeysResponse"] = {
    keys,
    hasMore,
    nextCursor: hasMore ? btoa(`offset:${end}`) : "",
  };
  return json(out);
}

/**
 * Answers an availability request: for each key, the ids of the runs that have it.
 *
 * @example Media availability
 * ```ts ignore
 * const res = availabilityResponse(ctx, (run, key) => run.media.keys.includes(key));
 * ```
 */
export function availabilityResponse(
  ctx: RouteContext,
  has: (run: RunRecord, key: string) => boolean,
): Response {
  const body = ctx.body as Schemas["AvailabilityRequest"];
  const runs = body.experiments.map((ref) => ({ id: ref.experimentId, run: houseRun(ctx, ref) }));
  const out: Schemas["AvailabilityResponse"] = {};
  for (const key of body.keys) {
    out[key] = runs.filter((r) => has(r.run, key)).map((r) => r.id);
  }
  return json(out);
}
