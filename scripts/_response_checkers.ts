/**
 * The source of `generated/response_checkers.ts`: the drift policy's fast path, one TypeScript
 * function per response schema of the spec, written by `scripts/gen.ts`.
 *
 * Every JSON body the client receives is checked against the spec before it is used, and most
 * bodies are lists of records (10,000 runs are 10,000 records). Walking the schema as data costs a
 * map lookup and a keyed property read per field; generated code reads each field by name
 * (`o["cuid"]`) and tests its type inline. Generated here, at build time, it is loaded like any
 * module (and kept in the runtime's code cache) instead of being built and compiled by every
 * process on its first response, and the client needs no runtime code generation.
 *
 * A generated function answers what `conforms` in `src/core/drift.ts` answers for the same
 * {@linkcode Compiled} schema: whether a value has nothing to report or fix
 * (`tests/core/drift_fast_path_test.ts` checks every one against its own reading of the spec).
 *
 * @example
 * ```ts ignore
 * import { responseCheckersModule } from "./_response_checkers.ts";
 *
 * const source = responseCheckersModule(responseSide(spec), "openapi/swanlab.yaml");
 * ```
 *
 * @module
 */

import { type Compiled, type Schema, SchemaCompiler } from "../src/core/_compiled_schema.ts";
import {
  ANY_TYPE,
  ARRAY_BIT,
  BOOLEAN_BIT,
  INTEGER_BIT,
  NULL_BIT,
  NUMBER_BIT,
  OBJECT_BIT,
  STRING_BIT,
} from "../src/core/_json_type_bits.ts";

/** The response side of a spec, as `scripts/gen.ts` writes it to `generated/response_spec.ts`. */
export interface ResponseSide {
  readonly paths: Readonly<
    Record<
      string,
      Readonly<
        Record<string, {
          readonly responses: Readonly<
            Record<string, { readonly content?: Record<string, { readonly schema?: Schema }> }>
          >;
        }>
      >
    >
  >;
  readonly components: { readonly schemas: Readonly<Record<string, Schema>> };
}

/**
 * The functions of a set of schemas, written as they are reached; a schema reached twice (a
 * shared component, a recursive one) is one function, and so are schemas of the same shape.
 */
class CheckerWriter {
  readonly #names = new Map<Compiled, string>();
  /** Each function's statements, by name. */
  readonly #functions = new Map<string, string[]>();
  readonly #constants: string[] = [];
  /** The name of each set constant by its values' JSON (one constant per distinct enum). */
  readonly #sets = new Map<string, string>();

  /** The name of the function that checks `c` (written on first use). */
  functionOf(c: Compiled): string {
    const known = this.#names.get(c);
    if (known !== undefined) return known;
    const name = `f${this.#names.size}`;
    this.#names.set(c, name); // before the body: schemas may be recursive
    this.#functions.set(name, this.#body(c));
    return name;
  }

  /**
   * The module's constants (sets), then its functions, after merging the functions of schemas
   * of the same shape (the names {@linkcode functionOf} gives change: ask again afterwards).
   */
  source(): string {
    this.#merge();
    const functions = [...this.#functions].map(([name, lines]) =>
      `function ${name}(v: unknown): boolean {\n${lines.map((l) => `  ${l}\n`).join("")}}`
    );
    return [...this.#constants, "", ...functions].join("\n");
  }

  // Functions with the same statements (every list of strings, every page of a list of the same
  // items) become one; repeated until none are the same, since merging the functions a function
  // calls can make it the same as another.
  #merge(): void {
    for (;;) {
      const byStatements = new Map<string, string>();
      const merged = new Map<string, string>();
      for (const [name, lines] of this.#functions) {
        const statements = lines.join("\n");
        const same = byStatements.get(statements);
        if (same === undefined) byStatements.set(statements, name);
        else merged.set(name, same);
      }
      if (merged.size === 0) return;
      for (const name of merged.keys()) this.#functions.delete(name);
      const rename = (line: string) =>
        line.replace(/\bf\d+(?=\()/g, (name) => merged.get(name) ?? name);
      for (const [name, lines] of this.#functions) this.#functions.set(name, lines.map(rename));
      for (const [c, name] of this.#names) this.#names.set(c, merged.get(name) ?? name);
    }
  }

  #set(values: Iterable<unknown>): string {
    const json = JSON.stringify([...values]);
    let name = this.#sets.get(json);
    if (name === undefined) {
      name = `S${this.#sets.size}`;
      this.#sets.set(json, name);
      this.#constants.push(`const ${name}: ReadonlySet<unknown> = new Set(${json});`);
    }
    return name;
  }

  // The statements of `conforms(c, v)`, in its order: alternatives, type, primitive values
  // (and `enum`), `allOf` parts, then array items or object properties.
  #body(c: Compiled): string[] {
    if (c.alternatives !== undefined) {
      // The first alternative whose type matches decides, as in `conforms`.
      return [
        ...c.alternatives.map((a) =>
          `if (${this.#shallow(a, "v")}) return ${a.leaf ? "true" : `${this.functionOf(a)}(v)`};`
        ),
        "return false;",
      ];
    }
    // Only the branches the type leaves possible are written (a record's function, called once
    // per record of a list, runs its first thousands of calls unoptimized: every statement
    // counts there).
    const out: string[] = [];
    const mask = c.typeMask;
    if (mask !== ANY_TYPE) out.push(`if (!(${typeTest(mask, "v")})) return false;`);
    if (mask === ANY_TYPE || (mask & ~(OBJECT_BIT | ARRAY_BIT)) !== 0) {
      out.push(
        `if (typeof v !== "object" || v === null) return ${
          c.allowedSet === undefined ? "true" : `${this.#set(c.allowedSet)}.has(v)`
        };`,
      );
    }
    for (const part of c.parts ?? []) out.push(`if (!${this.functionOf(part)}(v)) return false;`);
    const mayBeArray = mask === ANY_TYPE || (mask & ARRAY_BIT) !== 0;
    const mayBeObject = mask === ANY_TYPE || (mask & OBJECT_BIT) !== 0;
    if (mayBeArray) {
      const items = c.items === undefined ? [] : [
        "for (let i = 0; i < v.length; i++) {",
        "  const x: unknown = v[i];",
        ...this.#check(c.items, "x").map((l) => `  ${l}`),
        "}",
      ];
      if (!mayBeObject) return [...out, ...items, "return true;"];
      out.push("if (Array.isArray(v)) {", ...items.map((l) => `  ${l}`), "  return true;", "}");
    }
    if (!mayBeObject) return [...out, "return true;"];
    if (c.properties.length === 0 && c.requiredOnly.length === 0 && c.additional === undefined) {
      return [...out, "return true;"];
    }
    out.push("const o = v as Record<string, unknown>;");
    // Present properties are counted only where an absent one must fail the check.
    const counted = !c.partial && c.properties.length > 0;
    if (counted) out.push("let p = 0;");
    if (c.properties.length > 0) out.push("let x: unknown;");
    for (const [name, property, required] of c.properties) {
      const key = JSON.stringify(name);
      // A name that objects inherit (`constructor`) counts only as the record's own property,
      // as in `conforms`, which walks the record's own keys.
      out.push(
        name in Object.prototype
          ? `x = Object.hasOwn(o, ${key}) ? o[${key}] : undefined;`
          : `x = o[${key}];`,
      );
      out.push(
        "if (x !== undefined) {",
        ...(counted ? ["  p++;"] : []),
        ...this.#check(property, "x").map((l) => `  ${l}`),
        required ? "} else return false;" : "}",
      );
    }
    if (counted) out.push(`if (p < ${c.properties.length}) return false;`);
    for (const name of c.requiredOnly) {
      out.push(`if (!(${JSON.stringify(name)} in o)) return false;`);
    }
    if (c.additional !== undefined) {
      const known = c.properties.length === 0 ? undefined : this.#set(c.propertyIndex.keys());
      out.push(
        "for (const k in o) {",
        ...(known === undefined ? [] : [`  if (${known}.has(k)) continue;`]),
        "  const y = o[k];",
        ...this.#check(c.additional, "y").map((l) => `  ${l}`),
        "}",
      );
    }
    return [...out, "return true;"];
  }

  // Statements that return false unless `x` passes `conforms(c, x)` (inline for a leaf).
  #check(c: Compiled, x: string): string[] {
    if (!c.leaf) return [`if (!${this.functionOf(c)}(${x})) return false;`];
    const out: string[] = [];
    if (c.typeMask !== ANY_TYPE) out.push(`if (!(${typeTest(c.typeMask, x)})) return false;`);
    if (c.allowedSet !== undefined) {
      // The enum applies to primitives only (the type test already ruled out containers when
      // the type has none).
      const primitive = mayBeContainer(c.typeMask)
        ? `(typeof ${x} !== "object" || ${x} === null) && `
        : "";
      out.push(`if (${primitive}!${this.#set(c.allowedSet)}.has(${x})) return false;`);
    }
    return out;
  }

  // An expression: `matchesShallow(c, x)`, the type (and a primitive's enum) that picks an
  // alternative.
  #shallow(c: Compiled, x: string): string {
    if (c.alternatives !== undefined) {
      const tests = c.alternatives.map((a) => this.#shallow(a, x));
      return tests.length === 0 ? "false" : `(${tests.join(" || ")})`;
    }
    const type = c.typeMask === ANY_TYPE ? "true" : `(${typeTest(c.typeMask, x)})`;
    if (c.allowedSet === undefined) return type;
    return `${type} && ((typeof ${x} === "object" && ${x} !== null) || ${
      this.#set(c.allowedSet)
    }.has(${x}))`;
  }
}

// An expression: whether `x` has one of the mask's JSON types.
function typeTest(mask: number, x: string): string {
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
}

// Whether a value that passed the mask's type test may be an object or an array.
function mayBeContainer(mask: number): boolean {
  return mask === ANY_TYPE || (mask & (OBJECT_BIT | ARRAY_BIT)) !== 0;
}

/**
 * Writes the checkers of every success JSON schema of a spec's response side.
 *
 * @param side The response side (`responseSide()` of `scripts/gen.ts`).
 * @param specPath The spec's path, named in the module's documentation.
 * @returns The module source, without the generated-file header line.
 */
export function responseCheckersModule(side: ResponseSide, specPath: string): string {
  const compiler = new SchemaCompiler(side.components.schemas);
  const writer = new CheckerWriter();
  const checked: [template: string, method: string, status: string, schema: Compiled][] = [];
  for (const [template, operations] of Object.entries(side.paths)) {
    for (const [method, operation] of Object.entries(operations)) {
      for (const [status, response] of Object.entries(operation.responses)) {
        const schema = response.content?.["application/json"]?.schema;
        if (schema === undefined) continue;
        const c = compiler.compile(schema);
        writer.functionOf(c);
        checked.push([template, method, status, c]);
      }
    }
  }
  const functions = writer.source();
  const table: string[] = [];
  for (const [template, operations] of Object.entries(side.paths)) {
    const methods: string[] = [];
    for (const method of Object.keys(operations)) {
      const statuses = checked
        .filter(([t, m]) => t === template && m === method)
        .map(([, , status, c]) => `${JSON.stringify(status)}: ${writer.functionOf(c)}`);
      if (statuses.length > 0) {
        methods.push(`${JSON.stringify(method)}: { ${statuses.join(", ")} }`);
      }
    }
    if (methods.length > 0) table.push(`  ${JSON.stringify(template)}: { ${methods.join(", ")} },`);
  }
  return `
/**
 * The drift policy's fast path for the SwanLab query API spec (\`${specPath}\`):
 * for each success JSON schema of an operation, a function that tells whether a body has nothing
 * to report or fix (the same answer as the policy's walk of the schema in \`src/core/drift.ts\`).
 * Written by \`scripts/_response_checkers.ts\` from the schemas of \`response_spec.ts\`.
 *
 * @example Check a body
 * \`\`\`ts
 * import { responseCheckers } from "./response_checkers.ts";
 *
 * const conforms = responseCheckers["/house/metrics/log"]!["get"]!["200"]!;
 * console.log(conforms({ logs: [], count: 0 })); // true
 * \`\`\`
 *
 * @module
 */

${functions}

/** By path template, lowercase method and status: the check of that response's JSON body. */
export const responseCheckers: Readonly<
  Record<string, Readonly<Record<string, Readonly<Record<string, (body: unknown) => boolean>>>>>
> = {
${table.join("\n")}
};
`;
}
