/**
 * Private: the spec's response schemas prepared once for the drift policy. The policy's walk
 * (`drift.ts`) reads them on every response it has to fix; `scripts/gen.ts` reads the same
 * preparation to generate the policy's fast path (`generated/response_checkers.ts`), so that both
 * judge a schema by one reading of it.
 *
 * @module
 */

import { ANY_TYPE, typeMaskOf } from "./_json_type_bits.ts";

/** The subset of JSON Schema the spec's response schemas use. */
export interface Schema {
  readonly $ref?: string;
  readonly type?: string | readonly string[];
  readonly enum?: readonly unknown[];
  readonly const?: unknown;
  readonly oneOf?: readonly Schema[];
  readonly anyOf?: readonly Schema[];
  readonly allOf?: readonly Schema[];
  readonly properties?: Readonly<Record<string, Schema>>;
  readonly required?: readonly string[];
  readonly additionalProperties?: boolean | Schema;
  readonly items?: Schema;
  readonly "x-partial"?: boolean;
}

/**
 * A schema prepared once (responses are walked on every call: sampled metrics carry tens of
 * thousands of points, so nothing is recomputed per value).
 */
export interface Compiled {
  /** The allowed JSON types (`undefined`: any). */
  readonly types: ReadonlySet<string> | undefined;
  /** {@linkcode types} as a bit mask of `_json_type_bits.ts` bits (`ANY_TYPE`: any). */
  readonly typeMask: number;
  /** `enum` (or `const`) values. */
  readonly allowed: readonly unknown[] | undefined;
  /** {@linkcode allowed} as a set (same SameValueZero equality as `includes`). */
  readonly allowedSet: ReadonlySet<unknown> | undefined;
  /** `oneOf` (or `anyOf`): the first whose type matches a value decides. */
  alternatives: Compiled[] | undefined;
  /** `allOf`. */
  parts: Compiled[] | undefined;
  readonly properties: [name: string, schema: Compiled, required: boolean][];
  /** {@linkcode properties} as parallel arrays, indexed by {@linkcode propertyIndex}. */
  readonly propertySchemas: Compiled[];
  readonly propertyRequired: boolean[];
  /** A property's index by name: the fast path walks a record's own keys, not the spec's. */
  readonly propertyIndex: Map<string, number>;
  /** How many of {@linkcode properties} are required. */
  requiredCount: number;
  /**
   * Whether the schema checks nothing beyond the value's type and `enum`: a check of such a
   * property is inline instead of recursing.
   */
  leaf: boolean;
  /** Required names that have no schema of their own. */
  readonly requiredOnly: string[];
  additional: Compiled | undefined;
  items: Compiled | undefined;
  /** `x-partial`: a list item may leave optional properties out without a report. */
  readonly partial: boolean;
  /** What the schema expects, as drift reports name it (`string | null`). */
  expected: string;
}

/**
 * Compiles the schemas of one spec, each once: a schema reached again (by `$ref` or as the same
 * object) is the same {@linkcode Compiled}, so recursive schemas terminate.
 */
export class SchemaCompiler {
  readonly #components: Readonly<Record<string, Schema>>;
  readonly #compiled = new Map<Schema, Compiled>();

  /**
   * @param components The spec's component schemas, which `$ref`s name.
   */
  constructor(components: Readonly<Record<string, Schema>>) {
    this.#components = components;
  }

  /**
   * The prepared form of a schema (a `$ref` is resolved; an unknown one checks nothing).
   *
   * @param schema The schema.
   * @returns Its compiled form.
   */
  compile(schema: Schema): Compiled {
    // Known by the schema as written (a `$ref` too), so that a response's schema is one map read.
    const direct = this.#compiled.get(schema);
    if (direct !== undefined) return direct;
    const s = this.#resolve(schema);
    const known = this.#compiled.get(s);
    if (known !== undefined) {
      this.#compiled.set(schema, known);
      return known;
    }
    const types = s.type === undefined ? undefined : typeof s.type === "string" ? [s.type] : s.type;
    const required = new Set(s.required ?? []);
    const allowed = s.enum ?? (s.const === undefined ? undefined : [s.const]);
    const result: Compiled = {
      types: types === undefined ? undefined : new Set(types),
      typeMask: types === undefined ? ANY_TYPE : typeMaskOf(types),
      allowed,
      allowedSet: allowed === undefined ? undefined : new Set(allowed),
      alternatives: undefined,
      parts: undefined,
      properties: [],
      propertySchemas: [],
      propertyRequired: [],
      propertyIndex: new Map(),
      requiredCount: 0,
      leaf: false,
      requiredOnly: [...required].filter((name) => s.properties?.[name] === undefined),
      additional: undefined,
      items: undefined,
      partial: s["x-partial"] === true,
      // Known before the children, which may refer back to this schema (grouped runs).
      expected: types !== undefined ? types.join(" | ") : "any",
    };
    this.#compiled.set(s, result); // before the children: schemas may be recursive
    this.#compiled.set(schema, result);
    const compile = (child: Schema) => this.compile(child);
    const alternatives = s.oneOf ?? s.anyOf;
    if (alternatives !== undefined) result.alternatives = alternatives.map(compile);
    if (s.allOf !== undefined) result.parts = s.allOf.map(compile);
    for (const [name, property] of Object.entries(s.properties ?? {})) {
      const child = this.compile(property);
      result.properties.push([name, child, required.has(name)]);
      result.propertyIndex.set(name, result.propertySchemas.length);
      result.propertySchemas.push(child);
      result.propertyRequired.push(required.has(name));
      if (required.has(name)) result.requiredCount++;
    }
    if (typeof s.additionalProperties === "object") {
      result.additional = this.compile(s.additionalProperties);
    }
    if (s.items !== undefined) result.items = this.compile(s.items);
    if (result.alternatives !== undefined) {
      result.expected = result.alternatives.map((a) => a.expected).join(" | ");
    }
    result.leaf = result.alternatives === undefined && result.parts === undefined &&
      result.properties.length === 0 && result.requiredOnly.length === 0 &&
      result.additional === undefined && result.items === undefined;
    return result;
  }

  #resolve(schema: Schema): Schema {
    let current = schema;
    for (let depth = 0; current.$ref !== undefined && depth < 32; depth++) {
      const name = current.$ref.split("/").pop() ?? "";
      const target = Object.hasOwn(this.#components, name) ? this.#components[name] : undefined;
      if (target === undefined) return {};
      current = target;
    }
    return current;
  }
}
