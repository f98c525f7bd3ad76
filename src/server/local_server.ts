/**
 * The handle returned by `startServer`.
 *
 * @module
 */

import type { RecordedRequest } from "./app.ts";
import type { DatasetInfo, SeedUser } from "./dataset.ts";
import type { FaultOptions, ResponseHook } from "./faults.ts";

/**
 * A running local SwanLab-compatible server (API origin plus storage origin).
 *
 * @example Log in with the demo key
 * ```ts
 * import { startServer } from "./start_server.ts";
 * const server = await startServer();
 * const res = await fetch(`${server.host}/api/login/api_key`, {
 *   method: "POST",
 *   headers: { authorization: server.apiKey },
 * });
 * const { sid } = await res.json();
 * await server.close();
 * ```
 */
export interface LocalServer {
  /** API host, e.g. `http://127.0.0.1:54321`; the API lives under `host + "/api"`. */
  readonly host: string;
  /** Origin of presigned storage URLs (a different port), e.g. `http://127.0.0.1:54322`. */
  readonly storageOrigin: string;
  /** The demo API key (user `alice`, root, OWNER of `vision-lab`; for `data`: the mirrored user). */
  readonly apiKey: string;
  /** Seeded users: `alice` (root), `bob` (MEMBER of `vision-lab`), `carol` (no team). */
  readonly users: readonly SeedUser[];
  /** Every request received by both origins, oldest first (live view). */
  readonly requests: readonly RecordedRequest[];
  /** Facts about the seeded data set (reading it throws for a server of a mirror, `data`). */
  readonly dataset: DatasetInfo;
  /** Forgets the recorded requests. */
  clearRequests(): void;
  /** Replaces the injected faults (and reseeds the fault generator). */
  setFaults(faults: FaultOptions): void;
  /**
   * Sets (or with `undefined` removes) the hook that may replace any API response: a test
   * facility for a server that drifted from the spec, or for a failure of one operation only.
   */
  setResponseHook(hook: ResponseHook | undefined): void;
  /** Stops both listeners. */
  close(): Promise<void>;
}
