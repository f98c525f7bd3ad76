/**
 * Private: the JSON types of the drift policy as bits, shared by its interpreted checks
 * (`drift.ts`), its schema preparation (`_compiled_schema.ts`) and the checks generated from the
 * spec (`scripts/_response_checkers.ts`). A schema's types are one mask; `number` always comes
 * with `integer`.
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

/**
 * The bit of a value's JSON type (0 for what JSON cannot carry: it matches no type).
 *
 * @param value A decoded JSON value.
 * @returns One of the bits above, or 0.
 */
export function typeBit(value: unknown): number {
  switch (typeof value) {
    case "string":
      return STRING_BIT;
    case "number":
      return Number.isInteger(value) ? INTEGER_BIT : NUMBER_BIT;
    case "boolean":
      return BOOLEAN_BIT;
    case "object":
      return value === null ? NULL_BIT : Array.isArray(value) ? ARRAY_BIT : OBJECT_BIT;
    default:
      return 0;
  }
}

/**
 * The mask of a schema's `type` names: `number` admits integers too (JSON Schema's rule).
 *
 * @param types The type names.
 * @returns Their bits, combined.
 */
export function typeMaskOf(types: readonly string[]): number {
  let mask = 0;
  for (const type of types) {
    if (type === "null") mask |= NULL_BIT;
    else if (type === "boolean") mask |= BOOLEAN_BIT;
    else if (type === "string") mask |= STRING_BIT;
    else if (type === "object") mask |= OBJECT_BIT;
    else if (type === "array") mask |= ARRAY_BIT;
    else if (type === "integer") mask |= INTEGER_BIT;
    else if (type === "number") mask |= NUMBER_BIT | INTEGER_BIT;
  }
  return mask;
}
