/**
 * Assertions shared by the validation tests.
 *
 * @module
 */

import assert from "node:assert/strict";
import { ValidationError } from "../../src/core/errors.ts";

/** Asserts that `fn` throws a ValidationError for `field`, optionally matching the message. */
export function throwsValidation(
  fn: () => unknown,
  field: string,
  message?: string | RegExp,
): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof ValidationError, `expected a ValidationError, got ${error}`);
    assert.equal(error.field, field);
    if (typeof message === "string") assert.equal(error.message, message);
    else if (message) assert.match(error.message, message);
    return true;
  });
}

/** What `fn` throws, or undefined when it returns. */
export function caught(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return undefined;
}
