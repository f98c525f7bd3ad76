/**
 * Media metrics: keys, availability, media at one step, media at every step, and presigned
 * URLs of media objects (`/resources/presigned/get`).
 *
 * @module
 */

import { HttpError, json } from "../http.ts";
import type { Route } from "../route.ts";
import { dataOf } from "../store.ts";
import { houseRun, type Schemas, visibleProjectByCuid } from "./_common.ts";
import { availabilityResponse, keysResponse } from "./_keys.ts";

/** The media step closest to `wanted` (ties go to the lower step). */
function nearestStep(steps: readonly number[], wanted: number): number | null {
  let best: number | null = null;
  for (const s of steps) {
    if (best === null || Math.abs(s - wanted) < Math.abs(best - wanted)) best = s;
  }
  return best;
}

/**
 * Routes of the media group.
 *
 * @example List the routes
 * ```ts
 * import { mediaRoutes } from "./media.ts";
 * const paths = mediaRoutes.map((r) => `${r.method} ${r.path}`);
 * ```
 */
export const mediaRoutes: readonly Route[] = [
  {
    method: "POST",
    path: "/house/metrics/media/keys",
    operationId: "listMediaKeys",
    auth: true,
    handler: (ctx): Response => keysResponse(ctx, (run) => run.media.keys),
  },
  {
    method: "POST",
    path: "/house/metrics/media/availability",
    operationId: "getMediaAvailability",
    auth: true,
    handler: (ctx): Response =>
      availabilityResponse(ctx, (run, key) => run.media.keys.includes(key)),
  },
  {
    method: "POST",
    path: "/house/metrics/media",
    operationId: "getMediaAtStep",
    auth: true,
    handler: (ctx): Response => {
      const body = ctx.body as Schemas["MediaStepRequest"];
      visibleProjectByCuid(ctx, body.projectId);
      const runs = body.columns.map((col) => ({ col, run: houseRun(ctx, col, body.projectId) }));
      const steps = [
        ...new Set(
          runs.flatMap(({ col, run }) => run.media.steps(col.key)),
        ),
      ].sort((a, b) => a - b);
      const step = steps.length === 0
        ? null
        : body.step === undefined
        ? steps[steps.length - 1]!
        : nearestStep(steps, body.step);
      const out: Schemas["MediaStepResponse"] = {
        steps,
        step,
        metrics: step === null ? null : runs.map(({ col, run }) => run.media.entry(col.key, step)),
      };
      return json(out);
    },
  },
  {
    method: "POST",
    path: "/house/metrics/f_media",
    operationId: "getMediaAllSteps",
    auth: true,
    handler: (ctx): Response => {
      const body = ctx.body as Schemas["MediaAllRequest"];
      visibleProjectByCuid(ctx, body.projectId);
      const out: Schemas["MediaAllResponse"] = body.columns.map((col) => {
        const run = houseRun(ctx, col, body.projectId);
        if (!run.media.keys.includes(col.key)) return null;
        return {
          key: col.key,
          metrics: run.media.steps(col.key).map((step) => {
            const e = run.media.entry(col.key, step)!;
            return { index: step, data: e.data, more: e.more ?? null };
          }),
        };
      });
      return json(out);
    },
  },
  {
    method: "POST",
    path: "/resources/presigned/get",
    operationId: "presignResources",
    auth: true,
    handler: (ctx): Response => {
      const body = ctx.body as Schemas["PresignResourcesRequest"];
      const [projectCuid, runCuid] = body.prefix.split("/") as [string, string];
      const project = visibleProjectByCuid(ctx, projectCuid);
      const run = ctx.store.runByCuid(runCuid);
      if (!run || run.projectCuid !== project.cuid) {
        throw new HttpError(404, `Experiment "${runCuid}" not found in project "${projectCuid}"`);
      }
      for (const path of body.paths) {
        if (!dataOf(run).media.object(path)) {
          throw new HttpError(404, `Resource "${body.prefix}/${path}" not found`);
        }
      }
      const out: Schemas["PresignedUrls"] = {
        urls: body.paths.map((path) =>
          ctx.env.signer.sign(`${body.prefix}/${path}`, ctx.env.presignTtlMs)
        ),
      };
      return json(out);
    },
  },
];
