/**
 * The strict layer of the drift policy: the modes of `SWANLAB_VALIDATE` /
 * `ClientOptions.validateResponses` and the error thrown in `error` mode. Its findings are
 * {@linkcode Drift} records, like those of the always-on policy (`drift.ts`).
 *
 * This module is small on purpose (no validator, no Ajv): the error class is needed by every
 * client, the validator only when validation is on.
 *
 * @module
 */

import { describeField, type Drift } from "./drift.ts";
import { ResponseError } from "./errors.ts";

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
 * const error = new ResponseDriftError("GET", "/api/user/profile", [{
 *   operation: "getUserProfile",
 *   endpoint: "GET /user/profile",
 *   field: "bio",
 *   expected: "string or null",
 *   got: "number 3",
 *   essential: false,
 * }]);
 * console.log(error.drifts.length); // 1
 * ```
 */
export class ResponseDriftError extends ResponseError {
  /** Every drifted field of the response. */
  readonly drifts: readonly Drift[];

  /**
   * Creates the error.
   *
   * @param method The request's method.
   * @param path The request's URL path.
   * @param drifts The drifted fields (at least one).
   */
  constructor(method: string, path: string, drifts: readonly Drift[]) {
    const shown = drifts.slice(0, 3).map(describeField).join("; ");
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
