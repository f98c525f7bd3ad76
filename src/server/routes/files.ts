/**
 * `POST /files/presigned/get`: presigned URLs of exported files (CSV and log exports).
 *
 * @module
 */

import { HttpError, json } from "../http.ts";
import type { Route } from "../route.ts";
import type { Schemas } from "./_common.ts";

/**
 * Routes of the files group.
 *
 * @example List the routes
 * ```ts
 * import { fileRoutes } from "./files.ts";
 * const paths = fileRoutes.map((r) => `${r.method} ${r.path}`);
 * ```
 */
export const fileRoutes: readonly Route[] = [
  {
    method: "POST",
    path: "/files/presigned/get",
    operationId: "presignFiles",
    auth: true,
    handler: (ctx): Response => {
      const body = ctx.body as Schemas["PresignFilesRequest"];
      for (const path of body.paths) {
        if (!ctx.store.exports.has(path)) throw new HttpError(404, `File "${path}" not found`);
      }
      const out: Schemas["PresignedUrls"] = {
        urls: body.paths.map((path) => ctx.env.signer.sign(path, ctx.env.presignTtlMs)),
      };
      return json(out);
    },
  },
];
