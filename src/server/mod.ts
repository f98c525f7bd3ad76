/**
 * A local SwanLab-compatible server for tests, demos and benchmarks (like stripe-mock or moto):
 * the query API under `/api` with a seeded, deterministic data set, a second origin serving
 * presigned storage URLs, request recording and reproducible fault injection. Compatible with
 * the official Python SDK (`swanlab.Api(host=server.host, api_key=server.apiKey)`) and with
 * swanlab-ts.
 *
 * Metrics are computed by formula, never stored, so runs of 10^7 steps cost no memory; CSV
 * exports stream with backpressure.
 *
 * @example Start a server and log in
 * ```ts
 * import { startServer } from "@swanlab-ts/api/testing";
 *
 * const server = await startServer({ steps: 500 });
 * const res = await fetch(`${server.host}/api/login/api_key`, {
 *   method: "POST",
 *   headers: { authorization: server.apiKey },
 * });
 * const { sid } = await res.json();
 * const runs = await fetch(`${server.host}/api/project/vision-lab/resnet-sweep/runs?page=1&size=20`, {
 *   headers: { cookie: `sid=${sid}` },
 * });
 * console.log((await runs.json()).total); // 24
 * await server.close();
 * ```
 *
 * @module
 */

// Starting the server.
export { startServer } from "./start_server.ts";
// The server handle and what it exposes.
export type { LocalServer } from "./local_server.ts";
export type { RecordedRequest } from "./app.ts";
export type {
  DatasetInfo,
  DatasetProject,
  DatasetRun,
  DatasetWorkspace,
  SeedUser,
} from "./dataset.ts";
export type { RoleName } from "./store.ts";
// Options.
export type { ServerOptions } from "./server_options.ts";
export type { FaultOptions, ResponseHook } from "./faults.ts";
export type { ResponseMutation } from "./response_mutation.ts";
// Serving a mirror directory.
export { MirrorDataError } from "./mirror_source.ts";
