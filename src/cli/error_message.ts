/**
 * The text of any thrown value, for the CLI's messages.
 *
 * @module
 */

/**
 * The message of an error (its `message`, or the value as text).
 *
 * @param error The error.
 * @returns The message.
 *
 * @example Message of any thrown value
 * ```ts
 * import { errorMessage } from "./error_message.ts";
 *
 * errorMessage(new Error("boom")); // "boom"
 * ```
 */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}
