/**
 * Response drift: a difference between what a server answered and what `openapi/swanlab.yaml`
 * says it answers. Found by the run-time validation of `SWANLAB_VALIDATE` /
 * `ClientOptions.validateResponses` and by `swanlab-ts doctor`.
 *
 * This module is small on purpose (no validator, no Ajv): the error class and the formatting are
 * needed by every client, the validator only when validation is on.
 *
 * @module
 */

import { ResponseError } from "./errors.ts";
import { terminalText } from "./terminal_text.ts";

/**
 * One field of one response that does not match the spec.
 *
 * @example A drifted run state
 * ```ts
 * import type { ResponseDrift } from "./response_drift.ts";
 *
 * const drift: ResponseDrift = {
 *   operation: "getRun",
 *   endpoint: "GET /project/{username}/{project}/runs/{run}",
 *   path: "/state",
 *   expected: "string",
 *   got: "null",
 * };
 * ```
 */
export interface ResponseDrift {
  /** The spec's `operationId`, e.g. `getRun`. */
  operation: string;
  /** The method and path template, relative to `{apiHost}/api`. */
  endpoint: string;
  /** JSON pointer of the field in the response body (`""` for the whole body). */
  path: string;
  /** What the spec expects there, e.g. `string`, `present (required)`. */
  expected: string;
  /** What the server sent, e.g. `null`, `missing`, `number 3`. */
  got: string;
}

/** How responses are checked against the spec: not at all, with a warning, or with an error. */
export type ValidationMode = "off" | "warn" | "error";

/**
 * The validation modes, in the spelling of `SWANLAB_VALIDATE` and `validateResponses`.
 *
 * @example
 * ```ts
 * import { VALIDATION_MODES } from "./response_drift.ts";
 *
 * VALIDATION_MODES.includes("warn"); // true
 * ```
 */
export const VALIDATION_MODES: readonly ValidationMode[] = ["off", "warn", "error"];

/**
 * A response that does not match the spec while validation is `error`
 * (`SWANLAB_VALIDATE=error` or `validateResponses: "error"`).
 *
 * @example Report what drifted
 * ```ts
 * import { ResponseDriftError } from "./response_drift.ts";
 *
 * const error = new ResponseDriftError("GET", "/api/user/profile", [
 *   { operation: "getUserProfile", endpoint: "GET /user/profile", path: "/bio", expected: "string or null", got: "number 3" },
 * ]);
 * console.log(error.drifts.length); // 1
 * ```
 */
export class ResponseDriftError extends ResponseError {
  /** Every drifted field of the response. */
  readonly drifts: readonly ResponseDrift[];

  /**
   * Creates the error.
   *
   * @param method The request's method.
   * @param path The request's URL path.
   * @param drifts The drifted fields (at least one).
   */
  constructor(method: string, path: string, drifts: readonly ResponseDrift[]) {
    const shown = drifts.slice(0, 3).map(describeDrift).join("; ");
    const more = drifts.length > 3 ? `; and ${drifts.length - 3} more` : "";
    super(
      `Response of ${method} ${path} does not match the spec (${
        drifts[0]?.operation ?? "unknown operation"
      }): ${shown}${more}`,
    );
    this.name = "ResponseDriftError";
    this.drifts = drifts;
  }
}

/**
 * One drift as a line of text, with control, escape, bidi and zero-width characters made
 * visible (`\u001b`), so that a server's text cannot act on a terminal.
 *
 * @param drift The drift.
 * @returns `field: expected X, got Y`.
 *
 * @example
 * ```ts
 * import { describeDrift } from "./response_drift.ts";
 *
 * describeDrift({ operation: "getRun", endpoint: "GET /x", path: "/state", expected: "string", got: "null" });
 * // "/state: expected string, got null"
 * ```
 */
export function describeDrift(drift: ResponseDrift): string {
  return terminalText(`${drift.path || "(body)"}: expected ${drift.expected}, got ${drift.got}`);
}

/**
 * Reads a validation mode: `off`, `warn` or `error` (case-insensitive; `0`/`false`/empty mean
 * off, `1`/`true` mean warn).
 *
 * @param value The value of `SWANLAB_VALIDATE` or of the option.
 * @returns The mode, or `undefined` when the value is not a mode.
 *
 * @example
 * ```ts
 * import { parseValidationMode } from "./response_drift.ts";
 *
 * parseValidationMode("WARN"); // "warn"
 * parseValidationMode("maybe"); // undefined
 * ```
 */
export function parseValidationMode(value: string): ValidationMode | undefined {
  const text = value.trim().toLowerCase();
  if (text === "" || text === "0" || text === "false" || text === "no") return "off";
  if (text === "1" || text === "true" || text === "yes") return "warn";
  return (VALIDATION_MODES as readonly string[]).includes(text)
    ? text as ValidationMode
    : undefined;
}
