/**
 * The response schemas of the spec, as plain data for tests that check the drift policy against
 * their own reading of the spec (`tests/core/drift_fast_path_test.ts`,
 * `tests/reliability/drift_mutation_test.ts`): the schema shape, `$ref` resolution and the JSON
 * type of a value, written from the OpenAPI rules and not from the code under test.
 *
 * @module
 */

import { spec } from "../generated/spec.ts";

/** The parts of an OpenAPI schema object the drift policy reads. */
export interface Schema {
  $ref?: string;
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  oneOf?: Schema[];
  anyOf?: Schema[];
  allOf?: Schema[];
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean | Schema;
  items?: Schema;
  "x-partial"?: boolean;
}

/** The spec's named schemas (`components.schemas`). */
const SCHEMAS: Record<string, Schema> =
  (spec as unknown as { components: { schemas: Record<string, Schema> } }).components.schemas;

/** Follows `$ref`s to the schema they name. */
export function resolve(schema: Schema): Schema {
  let s = schema;
  while (s.$ref !== undefined) s = SCHEMAS[s.$ref.split("/").pop()!]!;
  return s;
}

/** The JSON Schema type of a value: `integer` for whole numbers, `number` for the others. */
export function jsonType(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  return typeof value;
}
