/**
 * The presigned URL of an exported object (`POST /files/presigned/get`, wire reference §3.1.7):
 * the second step of scalar CSV and log exports.
 *
 * Kept apart from `scan_metrics.ts`: a log export needs it without the CSV reader.
 *
 * @module
 */

import { ResponseError } from "../core/errors.ts";
import type { RequestOptions } from "../core/request_options.ts";
import type { Transport } from "../core/transport.ts";

/**
 * A presigned download URL.
 *
 * @example
 * ```ts
 * import type { ExportUrl } from "./presign_export.ts";
 *
 * const exported: ExportUrl = { url: "https://bucket.example.org/exports/x.csv?X-Signature=abc" };
 * ```
 */
export interface ExportUrl {
  /** The URL; it expires, and must be downloaded without SwanLab credentials. */
  url: string;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Presigns one exported object (`POST /files/presigned/get`, the second step of scalar CSV and
 * log exports).
 *
 * @param transport The client's transport.
 * @param cosKey The storage key the export answered.
 * @param options Per-call signal, timeout and retries.
 * @returns The presigned URL.
 * @throws {ResponseError} Naming `urls` when the answer has no URL.
 * @throws {ApiError} (or a subclass) and {@linkcode ConnectionError} for failed requests.
 *
 * @example
 * ```ts ignore
 * import { presignExport } from "./presign_export.ts";
 *
 * const url = await presignExport(transport, "exports/x.csv");
 * ```
 */
export async function presignExport(
  transport: Transport,
  cosKey: string,
  options: RequestOptions = {},
): Promise<string> {
  const body = await transport.call(
    (api) => api.POST("/files/presigned/get", { body: { paths: [cosKey] } }),
    options,
  );
  // `urls` is optional in the spec (media items are usable without), but an export is nothing
  // without its URL: essential for this call (drift policy).
  const urls: unknown = isRecord(body) ? body["urls"] : undefined;
  const url: unknown = Array.isArray(urls) ? urls[0] : undefined;
  if (typeof url !== "string" || url === "") {
    const [field, got] = Array.isArray(urls)
      ? ["urls[0]", url === undefined ? "missing" : JSON.stringify(url)]
      : ["urls", urls === undefined ? "missing" : urls === null ? "null" : typeof urls];
    throw new ResponseError(
      `Cannot use response of presignFiles: "${field}" expected a URL, got ${got}`,
    );
  }
  return url;
}
