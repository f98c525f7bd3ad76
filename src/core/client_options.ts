/**
 * The options of a client ({@linkcode https://jsr.io/@swanlab-ts/api | Api}).
 *
 * @module
 */

import type { ValidationMode } from "./response_drift.ts";
import type { DriftHandler } from "./drift.ts";
import type { Env } from "./runtime.ts";

/**
 * How a client finds its server, authenticates and sends requests. Every field is optional.
 *
 * @example Point a client at a self-hosted server
 * ```ts
 * import type { ClientOptions } from "./client_options.ts";
 *
 * const options: ClientOptions = { host: "https://swanlab.example.com", apiKey: "KEY", timeoutMs: 30_000 };
 * ```
 */
export interface ClientOptions {
  /**
   * The API key. Precedence: this option, then the in-process `login()` session, then
   * `SWANLAB_API_KEY`, then the SwanLab `.netrc`. A key stored for one host is never sent to
   * another.
   */
  apiKey?: string;
  /**
   * The API host (`https://api.swanlab.cn` or a self-hosted address; the scheme defaults to https).
   * @default the login session's host, else `SWANLAB_API_HOST`, else the `.netrc` host, else `https://api.swanlab.cn`
   */
  host?: string;
  /**
   * The web host used to build browser URLs.
   * @default derived from the API host (the API host itself for self-hosted servers)
   */
  webHost?: string;
  /**
   * Timeout of each attempt of an API request, in milliseconds.
   * @default 60000
   */
  timeoutMs?: number;
  /**
   * Retries after a connection error, 408, 429 or 5xx. Requests that create or delete are only
   * retried when a call opts in with `retryUnsafe` (starting an export is retried like a read).
   * @default 5
   */
  maxRetries?: number;
  /**
   * The first backoff delay in milliseconds (doubling up to 8 s, with jitter).
   * @default 500
   */
  initialRetryDelayMs?: number;
  /**
   * How many requests one client runs at once for batches, pages and multi-run work.
   * @default 4
   */
  concurrency?: number;
  /**
   * Log in again when the session has less than this left, in milliseconds (at most half of the
   * session's lifetime is used, so short sessions do not cause a login per request).
   * @default 604800000 (7 days)
   */
  refreshMarginMs?: number;
  /**
   * The `fetch` used for every request (API and downloads). A custom `fetch` is used as given:
   * the proxy variables (`HTTPS_PROXY`, `HTTP_PROXY`, `NO_PROXY`) are then its own business.
   * @default globalThis.fetch, routed through the proxy of `HTTPS_PROXY`/`HTTP_PROXY` unless `NO_PROXY` exempts the host
   */
  fetch?: typeof globalThis.fetch;
  /**
   * The environment to read credentials and `SWANLAB_DEBUG` from.
   * @default the process environment
   */
  env?: Env;
  /**
   * The working directory, for the project-level `./.swanlab/.netrc`.
   * @default the process's working directory
   */
  cwd?: string;
  /**
   * Receives debug lines (secrets redacted). Set `SWANLAB_DEBUG=1` to log to stderr.
   * @default none, or `console.error` when `SWANLAB_DEBUG` is true
   */
  debug?: (line: string) => void;
  /**
   * The strict mode of the drift policy: check every response body in full against the spec
   * (`openapi/swanlab.yaml`, with Ajv: types, required fields, enums, formats and every other
   * constraint). `"warn"` reports each finding through `onDrift` (once per operation and field,
   * together with the always-on policy's reports) and carries on as the policy allows;
   * `"error"` throws a `ResponseDriftError` listing the drifts. The validator (Ajv and the spec)
   * is loaded only when this is on.
   * @default `SWANLAB_VALIDATE` (`off`, `warn` or `error`), else `"off"`
   */
  validateResponses?: ValidationMode;
  /**
   * Receives each difference between a response and the API spec, once per operation and field
   * (list indices folded), with secrets redacted. Without strict mode these are the drifts the
   * client worked around (an optional field missing, `null` or of the wrong type: the call
   * succeeds with `null` there; essential fields fail the call with a `ResponseError` naming the
   * field instead). With `validateResponses: "warn"`, every finding of the full check comes here
   * too, essential ones marked `essential: true`. See "Server drift" in the README.
   * @default one `[swanlab-ts] warning: …` line on stderr per drift, control characters escaped
   */
  onDrift?: DriftHandler;
}
