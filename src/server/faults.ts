/**
 * Seeded, reproducible fault injection: 5xx errors, 429 rate limits, latency, connection
 * resets and truncated storage downloads.
 *
 * @module
 */

import { Prng } from "./prng.ts";
import type { ResponseMutation } from "./response_mutation.ts";

/**
 * Faults to inject. Rates are probabilities in `[0, 1]` drawn from a PRNG seeded with `seed`,
 * so the same seed and the same request sequence give the same faults.
 *
 * @example Make one request in five fail
 * ```ts
 * import type { FaultOptions } from "./faults.ts";
 * const faults: FaultOptions = { seed: 7, errorRate: 0.2 };
 * ```
 */
export interface FaultOptions {
  /**
   * Seed of the fault PRNG.
   * @default 1
   */
  seed?: number;
  /**
   * Fraction of API requests answered 500, 502 or 503.
   * @default 0
   */
  errorRate?: number;
  /**
   * Fraction of API requests answered 429 with a `Retry-After` header.
   * @default 0
   */
  rateLimitRate?: number;
  /**
   * `Retry-After` value of injected 429s, in seconds (0 allowed).
   * @default 1
   */
  retryAfterSeconds?: number;
  /**
   * Delay added before answering every request of either origin, in milliseconds.
   * @default 0
   */
  latencyMs?: number;
  /**
   * Fraction of API requests whose connection is dropped before any response byte.
   * @default 0
   */
  resetRate?: number;
  /**
   * Fraction of storage downloads cut mid-body (the declared length is never reached).
   * @default 0
   */
  truncateRate?: number;
  /**
   * Whether `POST /api/login/api_key` is subject to faults.
   * @default true
   */
  faultLogin?: boolean;
  /**
   * Test facility: changes to the JSON success responses of chosen operations (a field deleted,
   * `null`, or another value), to test clients against a server that drifted from the spec.
   * @default [] (none)
   */
  mutateResponses?: readonly ResponseMutation[];
}

/**
 * What to do with one request.
 *
 * @example Check a decision
 * ```ts
 * import type { FaultDecision } from "./faults.ts";
 * const d: FaultDecision = { kind: "none", latencyMs: 0 };
 * ```
 */
export type FaultDecision =
  | { kind: "none"; latencyMs: number }
  | { kind: "reset"; latencyMs: number }
  | { kind: "error"; latencyMs: number; status: 500 | 502 | 503 }
  | { kind: "rateLimit"; latencyMs: number; retryAfterSeconds: number }
  | { kind: "truncate"; latencyMs: number };

/**
 * A test facility: sees every API response (after its handler, before its `traceid`) with the
 * operation that produced it, and returns the response to send instead — the same one, a
 * mutated copy (a field deleted, `null` or of another type, to test how a client copes with a
 * server that drifted from the spec), or another status (a 503 for one operation only).
 * Login answers pass through it too (operation `loginWithApiKey`); storage downloads do not.
 *
 * @example Drop `total` from every run list, fail one export start
 * ```ts
 * import type { ResponseHook } from "./faults.ts";
 *
 * let failed = false;
 * const hook: ResponseHook = async (operationId, response) => {
 *   if (operationId === "exportScalarCsv" && !failed) {
 *     failed = true;
 *     return new Response("{}", { status: 503 });
 *   }
 *   if (operationId !== "listRuns") return response;
 *   const body = await response.json();
 *   delete body.total;
 *   return Response.json(body, { status: response.status });
 * };
 * ```
 */
export type ResponseHook = (
  operationId: string,
  response: Response,
) => Response | Promise<Response>;

const resets = new WeakSet<Response>();

/**
 * A response standing for "drop the connection": listeners close the socket without sending
 * anything (runtimes that cannot do that send headers and then abort the body).
 *
 * @example Return a reset
 * ```ts
 * import { isResetResponse, resetResponse } from "./faults.ts";
 * isResetResponse(resetResponse()); // true
 * ```
 */
export function resetResponse(): Response {
  const body = new ReadableStream<Uint8Array>({
    pull(controller): void {
      controller.error(new Error("Injected connection reset"));
    },
  });
  const res = new Response(body, { status: 500 });
  resets.add(res);
  return res;
}

/**
 * Whether `res` was made by {@link resetResponse}.
 *
 * @example Check
 * ```ts
 * import { isResetResponse } from "./faults.ts";
 * isResetResponse(new Response("ok")); // false
 * ```
 */
export function isResetResponse(res: Response): boolean {
  return resets.has(res);
}

function rate(v: number | undefined): number {
  return typeof v === "number" && Number.isFinite(v) ? Math.min(1, Math.max(0, v)) : 0;
}

/**
 * Draws fault decisions from the configured options.
 *
 * @example Decide for an API request
 * ```ts
 * import { FaultInjector } from "./faults.ts";
 * const f = new FaultInjector({ seed: 1, errorRate: 1 });
 * f.decide("api").kind; // "error"
 * ```
 */
export class FaultInjector {
  #options: FaultOptions = {};
  #rng = new Prng(1);
  /** The response hook of the server's tests, if one is set (see {@linkcode ResponseHook}). */
  hook: ResponseHook | undefined;

  /** @param options initial faults */
  constructor(options?: FaultOptions) {
    this.set(options ?? {});
  }

  /** Replaces the fault options and reseeds the generator. */
  set(options: FaultOptions): void {
    this.#options = { ...options };
    this.#rng = new Prng(options.seed ?? 1);
  }

  /** The current options. */
  get options(): Readonly<FaultOptions> {
    return this.#options;
  }

  /**
   * Decides the fault of one request.
   *
   * @param target `"api"`, `"login"` or `"storage"`
   */
  decide(target: "api" | "login" | "storage"): FaultDecision {
    const o = this.#options;
    const latencyMs = Math.max(0, o.latencyMs ?? 0);
    if (target === "login" && o.faultLogin === false) return { kind: "none", latencyMs };
    if (target === "storage") {
      const t = rate(o.truncateRate);
      if (t > 0 && this.#rng.next() < t) return { kind: "truncate", latencyMs };
      return { kind: "none", latencyMs };
    }
    const reset = rate(o.resetRate);
    const error = rate(o.errorRate);
    const limit = rate(o.rateLimitRate);
    if (reset + error + limit <= 0) return { kind: "none", latencyMs };
    const r = this.#rng.next();
    if (r < reset) return { kind: "reset", latencyMs };
    if (r < reset + error) {
      const statuses = [500, 502, 503] as const;
      return { kind: "error", latencyMs, status: statuses[this.#rng.int(3)]! };
    }
    if (r < reset + error + limit) {
      return {
        kind: "rateLimit",
        latencyMs,
        retryAfterSeconds: Math.max(0, Math.floor(o.retryAfterSeconds ?? 1)),
      };
    }
    return { kind: "none", latencyMs };
  }
}
