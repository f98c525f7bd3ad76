/**
 * Private: the JSON types of the drift policy as bits, shared by its interpreted checks
 * (`drift.ts`) and the checks generated from the spec (`scripts/_response_checkers.ts`). A schema's types are one mask;
 * `number` always comes with `integer`.
 *
 * @module
 */

/** `null`. */
export const NULL_BIT = 1;
/** `boolean`. */
export const BOOLEAN_BIT = 2;
/** `string`. */
export const STRING_BIT = 4;
/** `object` (not an array, not `null`). */
export const OBJECT_BIT = 8;
/** `array`. */
export const ARRAY_BIT = 16;
/** `integer`. */
export const INTEGER_BIT = 32;
/** `number`. */
export const NUMBER_BIT = 64;
/** No `type` in the schema: every JSON type. */
export const ANY_TYPE = -1;
