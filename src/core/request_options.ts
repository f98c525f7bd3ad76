/**
 * Per-call options, accepted as the last parameter of every method that sends requests.
 *
 * @module
 */

/**
 * Options for one call.
 *
 * @example Cancel a slow call
 * ```ts
 * import type { RequestOptions } from "./request_options.ts";
 *
 * const controller = new AbortController();
 * const options: RequestOptions = { signal: controller.signal, timeoutMs: 5_000, maxRetries: 1 };
 * controller.abort();
 * ```
 */
export interface RequestOptions {
  /** Aborts the call (and its retries) when signalled. */
  signal?: AbortSignal;
  /**
   * Timeout of each attempt in milliseconds.
   * @default the client's `timeoutMs`
   */
  timeoutMs?: number;
  /**
   * Retries for this call.
   * @default the client's `maxRetries`
   */
  maxRetries?: number;
  /**
   * Retry requests that change state (create, delete) too. They are not retried by
   * default because a lost response may hide a success, and a retry would repeat it.
   * @default false
   */
  retryUnsafe?: boolean;
}
