/**
 * `startServer`: seed the data set, bind the API and storage origins, return the handle.
 *
 * @module
 */

import { createApp, describeRequest, type RecordedRequest } from "./app.ts";
import { seededSource } from "./dataset.ts";
import { FaultInjector } from "./faults.ts";
import { listen, type Listener } from "./listen.ts";
import { mirrorSource } from "./mirror_source.ts";
import type { LocalServer } from "./local_server.ts";
import type { AppEnv } from "./route.ts";
import type { ServerOptions } from "./server_options.ts";
import { UrlSigner } from "./signing.ts";
import { createStorageApp } from "./storage.ts";
import { Store } from "./store.ts";

const DAY_MS = 86_400_000;
const MAX_BODY_BYTES = 1_048_576;

function intOption(name: string, value: number | undefined, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < min) {
    throw new RangeError(
      `Cannot start server: option "${name}" must be an integer >= ${min}, got ${value}`,
    );
  }
  return value;
}

function urlHost(hostname: string): string {
  if (hostname === "0.0.0.0" || hostname === "") return "127.0.0.1";
  if (hostname === "::") return "[::1]";
  return hostname.includes(":") ? `[${hostname}]` : hostname;
}

/**
 * Starts a local SwanLab-compatible server with a seeded, deterministic data set.
 *
 * Two listeners are bound: the API (`host`, everything under `/api`) and a storage origin
 * serving presigned URLs on another port. Both listen on `127.0.0.1` ephemeral ports by default.
 *
 * @param options sizes, seed, ports, lifetimes and faults
 * @returns the running server; call `close()` when done
 * @throws {RangeError} when an option is out of range
 * @throws {MirrorDataError} when `data` is not a mirror this server can read (missing, damaged,
 * or of another format version)
 *
 * @example Start, use, stop
 * ```ts
 * import { startServer } from "./start_server.ts";
 * const server = await startServer({ runs: 4, steps: 100 });
 * console.log(server.host, server.apiKey);
 * await server.close();
 * ```
 */
export async function startServer(options: ServerOptions = {}): Promise<LocalServer> {
  const seed = intOption("seed", options.seed, 42, Number.MIN_SAFE_INTEGER);
  const runs = intOption("runs", options.runs, 24, 1);
  const steps = intOption("steps", options.steps, 1000, 1);
  const extraKeys = intOption("extraKeys", options.extraKeys, 0, 0);
  const logLines = intOption("logLines", options.logLines, 2500, 0);
  const sessionTtlMs = intOption("sessionTtlMs", options.sessionTtlMs, 30 * DAY_MS, 1);
  const presignTtlMs = intOption("presignTtlMs", options.presignTtlMs, 3_600_000, 1);
  const exportCacheBytes = intOption("exportCacheBytes", options.exportCacheBytes, 0, 0);
  const maxRecorded = intOption("maxRecordedRequests", options.maxRecordedRequests, 20_000, 0);
  const maxBodyBytes = intOption("maxBodyBytes", options.maxBodyBytes, MAX_BODY_BYTES, 1);
  const port = intOption("port", options.port, 0, 0);
  const storagePort = intOption("storagePort", options.storagePort, 0, 0);
  const hostname = options.hostname ?? "127.0.0.1";

  const store = new Store();
  if (options.data !== undefined && (typeof options.data !== "string" || options.data === "")) {
    throw new RangeError(`Cannot start server: option "data" must be a mirror directory path`);
  }
  const source = options.data !== undefined
    ? mirrorSource(options.data)
    : seededSource({ seed, runs, steps, extraKeys, logLines });
  const { info, users, readOnly } = await source.load(store);
  store.readOnly = readOnly;
  const faults = new FaultInjector(options.faults);
  const secret = Array.from(
    crypto.getRandomValues(new Uint8Array(32)),
    (b) => b.toString(16).padStart(2, "0"),
  ).join("");
  const signer = new UrlSigner(secret, "");
  const requests: RecordedRequest[] = [];
  const record = (r: RecordedRequest): void => {
    if (maxRecorded === 0) return;
    requests.push(r);
    if (requests.length > maxRecorded + 1000) requests.splice(0, requests.length - maxRecorded);
  };
  const env: AppEnv = { signer, faults, sessionTtlMs, presignTtlMs, maxBodyBytes };
  const app = createApp(store, { env, record });
  const storageApp = createStorageApp(store, signer, faults, { exportCacheBytes });
  const storageHandler = (request: Request): Promise<Response> => {
    record(describeRequest("storage", request, new URL(request.url)));
    return storageApp(request);
  };

  const listeners: Listener[] = [];
  try {
    listeners.push(await listen(app, { hostname, port, maxBodyBytes }));
    listeners.push(await listen(storageHandler, { hostname, port: storagePort }));
  } catch (err) {
    await Promise.all(listeners.map((l) => l.close()));
    throw err;
  }
  const [api, storage] = listeners as [Listener, Listener];
  const host = `http://${urlHost(hostname)}:${api.port}`;
  const storageOrigin = `http://${urlHost(hostname)}:${storage.port}`;
  signer.origin = storageOrigin;
  let closing: Promise<void> | undefined;

  return {
    host,
    storageOrigin,
    apiKey: users[0]!.apiKey,
    users,
    requests,
    get dataset() {
      return info;
    },
    clearRequests: (): void => {
      requests.length = 0;
    },
    setFaults: (f): void => {
      faults.set(f);
      if ((f.resetRate ?? 0) > 0) api.closeIdle();
    },
    setResponseHook: (hook): void => {
      faults.hook = hook;
    },
    close: (): Promise<void> => {
      closing ??= Promise.all([api.close(), storage.close()]).then(() => {});
      return closing;
    },
  };
}
