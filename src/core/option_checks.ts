/**
 * The checks shared by client options and per-call options: one rule per field, so that a value
 * rejected in `new Api({ timeoutMs })` is rejected the same way in `run.metrics(keys, q,
 * { timeoutMs })`, before any request and before it can reach `setTimeout` or
 * `addEventListener`.
 *
 * @module
 */

import { ValidationError } from "./errors.ts";
import type { RequestOptions } from "./request_options.ts";

// setTimeout stores delays as 32-bit signed integers: anything larger fires at once.
const MAX_TIMER_MS = 2_147_483_647;

function describe(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint") {
    return String(value);
  }
  if (value === null) return "null";
  return Array.isArray(value) ? "(an array)" : `(${typeof value})`;
}

/**
 * A timeout in milliseconds: a finite number > 0 that a timer can hold (≤ 2^31 − 1).
 *
 * @param field The option's name, for the error.
 * @param value The value to check.
 * @returns The value.
 * @throws {ValidationError} Naming `field` otherwise.
 *
 * @example
 * ```ts
 * import { checkTimeoutMs } from "./option_checks.ts";
 *
 * checkTimeoutMs("timeoutMs", 5_000); // 5000
 * ```
 */
export function checkTimeoutMs(field: string, value: unknown): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0 || value > MAX_TIMER_MS) {
    throw new ValidationError(
      field,
      `Cannot use ${field} ${describe(value)}: expected a number > 0 and <= ${MAX_TIMER_MS}`,
    );
  }
  return value;
}

/**
 * A delay or margin in milliseconds: a finite number ≥ 0.
 *
 * @param field The option's name, for the error.
 * @param value The value to check.
 * @returns The value.
 * @throws {ValidationError} Naming `field` otherwise.
 *
 * @example
 * ```ts
 * import { checkNonNegativeMs } from "./option_checks.ts";
 *
 * checkNonNegativeMs("initialRetryDelayMs", 0); // 0
 * ```
 */
export function checkNonNegativeMs(field: string, value: unknown): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    throw new ValidationError(
      field,
      `Cannot use ${field} ${describe(value)}: expected a number >= 0`,
    );
  }
  return value;
}

/**
 * A count such as `maxRetries`: an integer ≥ 0.
 *
 * @param field The option's name, for the error.
 * @param value The value to check.
 * @returns The value.
 * @throws {ValidationError} Naming `field` otherwise.
 *
 * @example
 * ```ts
 * import { checkRetries } from "./option_checks.ts";
 *
 * checkRetries("maxRetries", 3); // 3
 * ```
 */
export function checkRetries(field: string, value: unknown): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0) {
    throw new ValidationError(
      field,
      `Cannot use ${field} ${describe(value)}: expected an integer >= 0`,
    );
  }
  return value;
}

/**
 * Checks per-call options exactly like the client options they override: an object (or
 * absent) whose `signal` is an `AbortSignal`, `timeoutMs` (and `idleTimeoutMs`) a timeout,
 * `maxRetries` an integer ≥ 0 and `retryUnsafe` a boolean. Other keys (the query options some
 * methods add) are left to their methods.
 *
 * @param options The per-call options.
 * @returns The options, typed.
 * @throws {ValidationError} Naming the field, e.g. `"signal"` for `{ signal: {} }`.
 *
 * @example
 * ```ts
 * import { checkRequestOptions } from "./option_checks.ts";
 *
 * checkRequestOptions({ timeoutMs: 1_000 }); // ok
 * try {
 *   checkRequestOptions({ timeoutMs: Number.NaN });
 * } catch (error) {
 *   console.log((error as { field: string }).field); // "timeoutMs"
 * }
 * ```
 */
export function checkRequestOptions<T extends RequestOptions>(options: T | undefined): T {
  if (options === undefined) return {} as T;
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    throw new ValidationError(
      "options",
      `Cannot use options ${describe(options)}: expected an object`,
    );
  }
  const record = options as Record<string, unknown>;
  const signal = record["signal"];
  if (signal !== undefined && !(signal instanceof AbortSignal)) {
    throw new ValidationError(
      "signal",
      `Cannot use signal ${describe(signal)}: expected an AbortSignal`,
    );
  }
  if (record["timeoutMs"] !== undefined) checkTimeoutMs("timeoutMs", record["timeoutMs"]);
  if (record["idleTimeoutMs"] !== undefined) {
    checkTimeoutMs("idleTimeoutMs", record["idleTimeoutMs"]);
  }
  if (record["maxRetries"] !== undefined) checkRetries("maxRetries", record["maxRetries"]);
  const unsafe = record["retryUnsafe"];
  if (unsafe !== undefined && typeof unsafe !== "boolean") {
    throw new ValidationError(
      "retryUnsafe",
      `Cannot use retryUnsafe ${describe(unsafe)}: expected true or false`,
    );
  }
  return options;
}
