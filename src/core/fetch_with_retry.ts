/**
 * The retry loop under every request: per-attempt timeout, caller cancellation, bounded retries
 * with backoff and `Retry-After`, and one immediate re-send after a renewed session.
 *
 * @module
 */

import { addDeadline, clearDeadline, type Deadline } from "./_deadlines.ts";
import {
  AbortError,
  ConnectionError,
  type RequestRoute,
  SwanLabError,
  TimeoutError,
} from "./errors.ts";
import { isRetryableStatus, parseRetryAfterMs, retryDelayMs, type RetryPolicy } from "./retry.ts";

/** What one call of {@linkcode fetchWithRetry} needs. */
export interface FetchWithRetryOptions {
  /** Delays and limits. */
  policy: RetryPolicy;
  /** Timeout of each attempt in milliseconds. */
  timeoutMs: number;
  /**
   * `"total"`: the timeout also covers reading the body (API calls); `"headers"`: it stops once
   * the headers arrived (downloads, which watch the body themselves).
   */
  timeoutScope: "total" | "headers";
  /**
   * With the `"total"` scope: receives the function that ends the returned response's timeout,
   * for a caller that reads the body itself and calls it afterwards (no per-chunk overhead).
   * Without it, the body is wrapped so that the timeout ends when the body is consumed.
   */
  releaseTimeout?: (release: () => void) => void;
  /** Whether a failed attempt may be repeated without risk of doing something twice. */
  retrySafe: boolean;
  /** The HTTP method, for messages. */
  method: string;
  /** The request path or redacted URL, for messages and logs. */
  label: string;
  /** Where the request goes, named by its connection and timeout errors. */
  route?: RequestRoute | undefined;
  /**
   * Sends one attempt, with fresh credentials, bound to `signal` (the attempt's timeout and the
   * caller's abort), and returns its response.
   */
  send: (signal: AbortSignal) => Promise<Response>;
  /**
   * Called with each response; returns `true` to send again at once without counting a retry
   * (used once after the server rejected a session that has been renewed since).
   */
  resendNow?: (response: Response) => boolean;
  /** Aborts the call. */
  signal?: AbortSignal | undefined;
  /** Receives one line per retry (already free of secrets). */
  debug?: ((line: string) => void) | undefined;
  /** Waits between attempts; injectable for tests. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Jitter source; injectable for tests. */
  random?: () => number;
}

/**
 * A failure raised by `makeRequest` that must end the call at once, not be retried: the
 * wrapped `error` is thrown as is.
 *
 * @example
 * ```ts
 * import { FinalError } from "./fetch_with_retry.ts";
 *
 * const final = new FinalError(new Error("login failed"));
 * console.log((final.error as Error).message); // "login failed"
 * ```
 */
export class FinalError extends Error {
  /** The failure to report. */
  readonly error: unknown;

  /**
   * Wraps a failure that must not be retried.
   *
   * @param error The failure to report.
   */
  constructor(error: unknown) {
    super("final failure", { cause: error });
    this.name = "FinalError";
    this.error = error;
  }
}

/**
 * Waits, unless the signal aborts first.
 *
 * @param ms Milliseconds to wait.
 * @param signal Stops the wait early with the signal's reason.
 *
 * @example
 * ```ts
 * import { abortableSleep } from "./fetch_with_retry.ts";
 *
 * await abortableSleep(1);
 * ```
 */
export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

async function discard(response: Response): Promise<void> {
  try {
    await response.body?.cancel();
  } catch {
    // The body is unwanted; a failure to cancel it changes nothing.
  }
}

/**
 * Sends a request, retrying connection errors, timeouts, 408, 429 and 5xx when `retrySafe`,
 * up to `policy.maxRetries` times.
 *
 * @param options The request and how to retry it.
 * @returns The last response (its status may still be an error; the caller maps it).
 * @throws {AbortError} When the caller's signal aborts.
 * @throws {TimeoutError} When the last attempt timed out.
 * @throws {ConnectionError} When the last attempt failed without a response.
 *
 * @example
 * ```ts ignore
 * import { fetchWithRetry } from "./fetch_with_retry.ts";
 * import { DEFAULT_RETRY_POLICY } from "./retry.ts";
 *
 * const response = await fetchWithRetry({
 *   policy: DEFAULT_RETRY_POLICY, timeoutMs: 10_000, timeoutScope: "total",
 *   retrySafe: true, method: "GET", label: "/api/user/profile",
 *   send: (signal) => fetch("http://127.0.0.1:8000/api/user/profile", { signal }),
 * });
 * ```
 */
export async function fetchWithRetry(options: FetchWithRetryOptions): Promise<Response> {
  const sleep = options.sleep ?? abortableSleep;
  const random = options.random ?? Math.random;
  const maxRetries = options.retrySafe ? options.policy.maxRetries : 0;
  const { method, label } = options;
  for (let retry = 0;; retry++) {
    if (options.signal?.aborted) {
      throw new AbortError(method, label, { cause: options.signal.reason });
    }
    const timeout = new AbortController();
    const timer = addDeadline(
      options.timeoutMs,
      () => timeout.abort(new TimeoutError(method, label, options.timeoutMs, options.route)),
    );
    // A dependent signal only when there are two to follow (one per request otherwise costs
    // listeners and an allocation per attempt for nothing).
    const signal = options.signal
      ? AbortSignal.any([timeout.signal, options.signal])
      : timeout.signal;
    let response: Response;
    let failure: ConnectionError;
    try {
      response = await options.send(signal);
      if (options.timeoutScope === "headers") clearDeadline(timer);
      const keep = (kept: Response): Response => {
        if (options.timeoutScope === "headers") return kept;
        if (options.releaseTimeout) {
          options.releaseTimeout(() => clearDeadline(timer));
          return kept;
        }
        return clearWhenConsumed(timer, kept);
      };
      if (options.resendNow?.(response)) {
        clearDeadline(timer);
        await discard(response);
        retry--;
        continue;
      }
      if (!isRetryableStatus(response.status) || retry >= maxRetries) return keep(response);
      const delay = retryDelayMs(
        retry + 1,
        parseRetryAfterMs(response.headers, Date.now()),
        options.policy,
        random,
      );
      if (delay === undefined) return keep(response);
      clearDeadline(timer);
      await discard(response);
      options.debug?.(
        `retry #${retry + 1} ${method} ${label} because status=${response.status} (waiting ${
          Math.round(delay)
        } ms)`,
      );
      await waitOrAbort(sleep, delay, options.signal, method, label);
      continue;
    } catch (error) {
      clearDeadline(timer);
      if (error instanceof FinalError) throw error.error;
      if (error instanceof AbortError) throw error;
      // A typed failure of our own (e.g. the login behind the request was rejected) is final.
      if (error instanceof SwanLabError && !(error instanceof ConnectionError)) throw error;
      if (options.signal?.aborted) {
        throw new AbortError(method, label, { cause: options.signal.reason });
      }
      failure = timeout.signal.aborted
        ? new TimeoutError(method, label, options.timeoutMs, options.route)
        : error instanceof ConnectionError
        ? error
        : new ConnectionError(method, label, { cause: error, ...options.route });
    }
    if (retry >= maxRetries) throw failure;
    const delay = retryDelayMs(retry + 1, undefined, options.policy, random) ?? 0;
    options.debug?.(
      `retry #${retry + 1} ${method} ${label} because error=${failure.name} (waiting ${
        Math.round(delay)
      } ms)`,
    );
    await waitOrAbort(sleep, delay, options.signal, method, label);
  }
}

// For "total" timeouts the timer must outlive the headers: the caller reads the body later.
// The body is re-wrapped so that the timer is cleared as soon as it is consumed, fails or is
// cancelled, and no timer outlives its request.
function clearWhenConsumed(timer: Deadline, response: Response): Response {
  if (response.body === null) {
    clearDeadline(timer);
    return response;
  }
  const reader = response.body.getReader();
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done, value } = await reader.read();
        if (done) {
          clearDeadline(timer);
          controller.close();
        } else {
          controller.enqueue(value);
        }
      } catch (error) {
        clearDeadline(timer);
        controller.error(error);
      }
    },
    cancel(reason) {
      clearDeadline(timer);
      return reader.cancel(reason);
    },
  });
  return new Response(body, {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
  });
}

async function waitOrAbort(
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>,
  ms: number,
  signal: AbortSignal | undefined,
  method: string,
  label: string,
): Promise<void> {
  try {
    await sleep(ms, signal);
  } catch (error) {
    throw new AbortError(method, label, { cause: error });
  }
}
