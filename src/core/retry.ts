/**
 * The retry policy: which failures are retried and how long to wait. Pure functions, no I/O.
 *
 * @module
 */

/** How failed requests are retried. */
export interface RetryPolicy {
  /**
   * Retries after the first attempt; `0` disables retries.
   * @default 5
   */
  maxRetries: number;
  /**
   * The first backoff delay in milliseconds; each later one doubles it.
   * @default 500
   */
  initialDelayMs: number;
  /**
   * The longest backoff delay in milliseconds.
   * @default 8000
   */
  maxDelayMs: number;
  /**
   * The longest `Retry-After` honoured, in milliseconds; a server asking for more makes the
   * request fail at once with the server's answer instead of stalling the caller.
   * @default 60000
   */
  maxRetryAfterMs: number;
}

/** The default {@linkcode RetryPolicy}: 6 attempts, 0.5 s → 8 s backoff, `Retry-After` ≤ 60 s. */
export const DEFAULT_RETRY_POLICY: Readonly<RetryPolicy> = Object.freeze({
  maxRetries: 5,
  initialDelayMs: 500,
  maxDelayMs: 8000,
  maxRetryAfterMs: 60_000,
});

/**
 * Whether an HTTP status is worth another attempt: 408 (request timeout), 429 (rate limited)
 * and every 5xx (server failure).
 *
 * @param status The HTTP status.
 * @returns `true` when the request may succeed later.
 *
 * @example
 * ```ts
 * import { isRetryableStatus } from "./retry.ts";
 *
 * isRetryableStatus(503); // true
 * isRetryableStatus(404); // false
 * ```
 */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/**
 * Parses a `Retry-After` (seconds or HTTP date) or `retry-after-ms` header into milliseconds.
 *
 * @param headers The response headers.
 * @param nowMs The current time, for HTTP dates.
 * @returns The wait in milliseconds, or `undefined` when absent or unparsable.
 *
 * @example
 * ```ts
 * import { parseRetryAfterMs } from "./retry.ts";
 *
 * parseRetryAfterMs(new Headers({ "retry-after": "2" }), 0); // 2000
 * ```
 */
export function parseRetryAfterMs(headers: Headers, nowMs: number): number | undefined {
  const ms = headers.get("retry-after-ms");
  if (ms !== null && ms.trim() !== "") {
    const value = Number(ms);
    if (Number.isFinite(value) && value >= 0) return value;
  }
  const header = headers.get("retry-after");
  if (header === null || header.trim() === "") return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return seconds >= 0 ? seconds * 1000 : undefined;
  const date = Date.parse(header);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - nowMs);
}

/**
 * The wait before retry number `retry` (1 for the first retry): the server's `Retry-After` when
 * given, else exponential backoff with up to 25 % jitter subtracted.
 *
 * @param retry The retry number, starting at 1.
 * @param retryAfterMs The server's requested wait, if any.
 * @param policy The policy's delays.
 * @param random A source of numbers in [0, 1), injectable for tests.
 * @returns Milliseconds to wait, or `undefined` when the server asked for more than
 *   `maxRetryAfterMs` (the caller should give up).
 *
 * @example Backoff doubles up to the cap
 * ```ts
 * import { DEFAULT_RETRY_POLICY, retryDelayMs } from "./retry.ts";
 *
 * retryDelayMs(1, undefined, DEFAULT_RETRY_POLICY, () => 0); // 500
 * retryDelayMs(3, undefined, DEFAULT_RETRY_POLICY, () => 0); // 2000
 * retryDelayMs(2, 1500, DEFAULT_RETRY_POLICY, () => 0); // 1500
 * ```
 */
export function retryDelayMs(
  retry: number,
  retryAfterMs: number | undefined,
  policy: Pick<RetryPolicy, "initialDelayMs" | "maxDelayMs" | "maxRetryAfterMs">,
  random: () => number = Math.random,
): number | undefined {
  if (retryAfterMs !== undefined) {
    return retryAfterMs <= policy.maxRetryAfterMs ? retryAfterMs : undefined;
  }
  const backoff = Math.min(policy.initialDelayMs * 2 ** (retry - 1), policy.maxDelayMs);
  return backoff * (1 - 0.25 * random());
}
