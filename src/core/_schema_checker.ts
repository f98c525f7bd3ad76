/**
 * Private: the drift policy's fast path (`conforms` in `drift.ts`) compiled into a JavaScript
 * function per response schema.
 *
 * Every JSON body is checked against the spec before it is used, and most bodies are lists of
 * records (10,000 runs are 10,000 records). Walking the schema as data costs a map lookup and a
 * keyed property read per field, and stays slow until the engine has optimized the walk;
 * generated code reads each field by name (`v["cuid"]`) and tests its type inline, and is fast
 * from the first record. The generated function answers exactly what `conforms` answers (tests
 * run both on the same bodies): whether the value has nothing to report or fix. Anything it
 * does not specialize (`allOf`, nested `oneOf` shapes, property names that objects inherit) is
 * handed to `conforms` itself, as is everything when the runtime forbids code generation.
 *
 * @module
 */

import {
  ANY_TYPE,
  ARRAY_BIT,
  BOOLEAN_BIT,
  INTEGER_BIT,
  NULL_BIT,
  NUMBER_BIT,
  OBJECT_BIT,
  STRING_BIT,
} from "./_json_type_bits.ts";

/** The fields of a compiled schema (drift.ts) that the checker reads. */
export interface CheckerSchema {
  readonly typeMask: number;
  readonly allowedSet: ReadonlySet<unknown> | undefined;
  readonly alternatives: readonly CheckerSchema[] | undefined;
  readonly parts: readonly CheckerSchema[] | undefined;
  readonly properties:
    readonly (readonly [name: string, schema: CheckerSchema, required: boolean])[];
  readonly propertyIndex: ReadonlyMap<string, number>;
  readonly requiredOnly: readonly string[];
  readonly additional: CheckerSchema | undefined;
  readonly items: CheckerSchema | undefined;
  readonly partial: boolean;
  readonly leaf: boolean;
}

/** The interpreted checks, for what the generated code hands back. */
export interface CheckerFallbacks<S extends CheckerSchema> {
  /** `conforms(schema, value)`. */
  conforms(schema: S, value: unknown): boolean;
  /** `matchesShallow(schema, value)`. */
  matchesShallow(schema: S, value: unknown): boolean;
}

/**
 * Builds the checker of a schema: a function equal to `conforms(schema, value)`.
 *
 * @param root The compiled schema.
 * @param fallbacks The interpreted checks.
 * @returns The checker.
 */
export function buildChecker<S extends CheckerSchema>(
  root: S,
  fallbacks: CheckerFallbacks<S>,
): (value: unknown) => boolean {
  const schemas: CheckerSchema[] = [];
  const sets: ReadonlySet<unknown>[] = [];
  const names = new Map<CheckerSchema, string>();
  const functions: string[] = [];

  const schemaRef = (c: CheckerSchema): string => {
    schemas.push(c);
    return `C[${schemas.length - 1}]`;
  };
  const setRef = (set: ReadonlySet<unknown>): string => {
    sets.push(set);
    return `S[${sets.length - 1}]`;
  };

  // An expression: whether `x` has one of the mask's JSON types (`typeBit(x) & mask`).
  const typeTest = (mask: number, x: string): string => {
    const tests: string[] = [];
    if (mask & NULL_BIT) tests.push(`${x} === null`);
    if (mask & BOOLEAN_BIT) tests.push(`typeof ${x} === "boolean"`);
    if (mask & STRING_BIT) tests.push(`typeof ${x} === "string"`);
    if (mask & NUMBER_BIT) tests.push(`typeof ${x} === "number"`);
    else if (mask & INTEGER_BIT) tests.push(`Number.isInteger(${x})`);
    if (mask & OBJECT_BIT) {
      tests.push(`(typeof ${x} === "object" && ${x} !== null && !Array.isArray(${x}))`);
    }
    if (mask & ARRAY_BIT) tests.push(`Array.isArray(${x})`);
    return tests.length === 0 ? "false" : tests.join(" || ");
  };

  // Whether a value that passed the mask's type test may be an object or an array.
  const mayBeContainer = (mask: number): boolean =>
    mask === ANY_TYPE || (mask & (OBJECT_BIT | ARRAY_BIT)) !== 0;

  // Statements that return false unless `x` passes `conforms(c, x)` (inline for a leaf).
  const check = (c: CheckerSchema, x: string): string => {
    if (!c.leaf) return `if (!${functionOf(c)}(${x})) return false;`;
    let out = c.typeMask === ANY_TYPE ? "" : `if (!(${typeTest(c.typeMask, x)})) return false;`;
    if (c.allowedSet !== undefined) {
      // The enum applies to primitives only (the type test already ruled out containers when
      // the type has none).
      const primitive = mayBeContainer(c.typeMask)
        ? `(typeof ${x} !== "object" || ${x} === null) && `
        : "";
      out += ` if (${primitive}!${setRef(c.allowedSet)}.has(${x})) return false;`;
    }
    return out;
  };

  // An expression: `matchesShallow(c, x)`.
  const shallow = (c: CheckerSchema, x: string): string => {
    if (c.alternatives !== undefined) return `M(${schemaRef(c)}, ${x})`;
    const type = c.typeMask === ANY_TYPE ? "true" : `(${typeTest(c.typeMask, x)})`;
    if (c.allowedSet === undefined) return type;
    return `${type} && ((typeof ${x} === "object" && ${x} !== null) || ${
      setRef(c.allowedSet)
    }.has(${x}))`;
  };

  const functionOf = (c: CheckerSchema): string => {
    const known = names.get(c);
    if (known !== undefined) return known;
    const name = `f${names.size}`;
    names.set(c, name); // before the body: schemas may be recursive
    functions.push(`function ${name}(v) { ${body(c)} }`);
    return name;
  };

  const body = (c: CheckerSchema): string => {
    if (c.parts !== undefined || c.properties.some(([name]) => name in Object.prototype)) {
      return `return F(${schemaRef(c)}, v);`;
    }
    if (c.alternatives !== undefined) {
      // The first alternative whose type matches decides, as in `conforms`.
      return c.alternatives.map((a) =>
        `if (${shallow(a, "v")}) { ${a.leaf ? "return true;" : `return ${functionOf(a)}(v);`} }`
      ).join(" ") + " return false;";
    }
    // Only the branches the type leaves possible are written (a record's function, called once
    // per record of a list, runs its first thousands of calls unoptimized: every statement
    // counts there).
    const mask = c.typeMask;
    let out = mask === ANY_TYPE ? "" : `if (!(${typeTest(mask, "v")})) return false; `;
    if (mask === ANY_TYPE || (mask & ~(OBJECT_BIT | ARRAY_BIT)) !== 0) {
      out += `if (typeof v !== "object" || v === null) return ${
        c.allowedSet === undefined ? "true" : `${setRef(c.allowedSet)}.has(v)`
      }; `;
    }
    const mayBeArray = mask === ANY_TYPE || (mask & ARRAY_BIT) !== 0;
    const mayBeObject = mask === ANY_TYPE || (mask & OBJECT_BIT) !== 0;
    if (mayBeArray) {
      if (mayBeObject) out += "if (Array.isArray(v)) { ";
      if (c.items !== undefined) {
        out += `for (let i = 0; i < v.length; i++) { const x = v[i]; ${check(c.items, "x")} } `;
      }
      out += "return true; ";
      if (!mayBeObject) return out;
      out += "} ";
    }
    if (!mayBeObject) return out + "return true;";
    // Present properties are counted only where an absent one must fail the check.
    const counted = !c.partial && c.properties.length > 0;
    if (c.properties.length > 0) out += counted ? "let p = 0; let x; " : "let x; ";
    for (const [name, property, required] of c.properties) {
      out += `x = v[${JSON.stringify(name)}]; if (x !== undefined) { ${counted ? "p++; " : ""}${
        check(property, "x")
      } }${required ? " else return false;" : ""} `;
    }
    if (counted) out += `if (p < ${c.properties.length}) return false; `;
    for (const name of c.requiredOnly) out += `if (!(${JSON.stringify(name)} in v)) return false; `;
    if (c.additional !== undefined) {
      const known = c.properties.length === 0 ? "" : `${setRef(new Set(c.propertyIndex.keys()))}`;
      out += `for (const k in v) { ${
        known === "" ? "" : `if (${known}.has(k)) continue; `
      }const x = v[k]; ${check(c.additional, "x")} } `;
    }
    return out + "return true;";
  };

  const entry = functionOf(root);
  try {
    const make = new Function(
      "C",
      "S",
      "F",
      "M",
      `"use strict"; ${functions.join("\n")} return ${entry};`,
    ) as (
      c: CheckerSchema[],
      s: ReadonlySet<unknown>[],
      f: (schema: S, value: unknown) => boolean,
      m: (schema: S, value: unknown) => boolean,
    ) => (value: unknown) => boolean;
    return make(schemas, sets, fallbacks.conforms, fallbacks.matchesShallow);
  } catch {
    // Code generation forbidden (a content security policy): the interpreted walk.
    return (value) => fallbacks.conforms(root, value);
  }
}
