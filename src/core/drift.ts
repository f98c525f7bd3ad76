/**
 * The drift policy: what happens when a server's answer differs from `openapi/swanlab.yaml`.
 *
 * Written once, from the spec, and applied in one place (every JSON success body passes through
 * {@linkcode decodeResponse} in the transport before any parser sees it):
 *
 * - **Essential** fields are those the spec marks `required` (and the body itself). One that is
 *   missing, `null` where the spec does not allow it, or of the wrong type fails the call with a
 *   {@linkcode ResponseError} naming the operation and the field, e.g.
 *   `Cannot use response of listRuns: "list[3].cuid" expected string, got null`. A list element
 *   whose essential field is broken fails the call the same way, naming the element: a list
 *   never loses an element silently.
 * - **Optional** fields are all the others. One that is missing is left out, one that is `null`
 *   where the spec does not allow it stays `null`, one of the wrong type becomes `null`; each is
 *   reported once per client, operation and field as a {@linkcode Drift} (to
 *   `ClientOptions.onDrift`, else one line on stderr), and the call succeeds. Parsers turn an
 *   absent or `null` optional value into `null` in their results, never into an invented value.
 * - A value outside the spec's `enum` is kept and reported (a new run state is still a state).
 *
 * The opt-in strict layer (`validateResponses` / `SWANLAB_VALIDATE`, `response_validator.ts`:
 * a full JSON Schema check, formats and enums included) reports through the same
 * {@linkcode DriftReporter}, with the same {@linkcode Drift} records and field names, so a field
 * both layers see is reported once.
 *
 * @module
 */

// The response side of the spec only (success schemas, no descriptions): every client loads it.
import { responseSpec } from "../../generated/response_spec.ts";
// Its fast path, generated from the same schemas (one function per schema's shape, no data walk).
import { responseCheckers } from "../../generated/response_checkers.ts";
import { type Compiled, type Schema, SchemaCompiler } from "./_compiled_schema.ts";
import { ANY_TYPE, typeBit } from "./_json_type_bits.ts";
import { ResponseError } from "./errors.ts";
import { terminalText } from "./terminal_text.ts";

/**
 * One difference between a response and the spec.
 *
 * @example
 * ```ts
 * import type { Drift } from "./drift.ts";
 *
 * const drift: Drift = {
 *   operation: "getSelfHostedInfo",
 *   endpoint: "GET /self_hosted/info",
 *   field: "plan",
 *   expected: "string",
 *   got: "null",
 *   essential: false,
 * };
 * ```
 */
export interface Drift {
  /** The spec's `operationId`, e.g. `"listRuns"`. */
  readonly operation: string;
  /**
   * The method and path template, relative to `{apiHost}/api`, e.g.
   * `"GET /project/{username}/{project}/runs"`.
   */
  readonly endpoint: string;
  /**
   * The field's path in the body, e.g. `"list[3].name"` (`"(body)"` for the body itself): object
   * keys joined by dots, list indices in brackets.
   */
  readonly field: string;
  /** What the spec says, e.g. `"string"`, `"integer | null"`, `"one of RUNNING, FINISHED"`. */
  readonly expected: string;
  /**
   * What arrived: `"missing"`, `"null"`, or the JSON type or value that arrived (the strict layer
   * adds the value, e.g. `"number 42"`).
   */
  readonly got: string;
  /**
   * Whether the field is essential: the call fails with a `ResponseError` for it. Only the strict
   * layer's reports (`validateResponses: "warn"`) and a `ResponseDriftError`'s list carry
   * essential drifts; the always-on policy reports only what it worked around.
   */
  readonly essential: boolean;
}

/** Receives each drift, once per client, operation and field. */
export type DriftHandler = (drift: Drift) => void;

/**
 * The one-line description of a drift, as written to stderr by default (and by the CLI after
 * `warning: `). Parts of a drift come from the server (an enum value, a run id, an error
 * message): control, bidi and zero-width characters are shown escaped, so that the line cannot
 * drive a terminal.
 *
 * @param drift The drift.
 * @returns E.g. `Response drift in listRuns (GET /project/{username}/{project}/runs): "list[0].name" expected string, got null`.
 *
 * @example
 * ```ts
 * import { formatDrift } from "./drift.ts";
 *
 * formatDrift({
 *   operation: "getLogs",
 *   endpoint: "GET /house/metrics/log",
 *   field: "count",
 *   expected: "integer",
 *   got: "string",
 *   essential: false,
 * });
 * // 'Response drift in getLogs (GET /house/metrics/log): "count" expected integer, got string'
 * ```
 */
export function formatDrift(drift: Drift): string {
  return terminalText(
    `Response drift in ${drift.operation} (${drift.endpoint}): ${describeField(drift)}`,
  );
}

/**
 * The field part of a drift's description, terminal-safe: `"field" expected X, got Y`.
 *
 * @param drift The drift.
 * @returns E.g. `"count" expected integer, got string`.
 *
 * @example
 * ```ts
 * import { describeField } from "./drift.ts";
 *
 * describeField({ operation: "getRun", endpoint: "GET /x", field: "state", expected: "string", got: "null", essential: false });
 * // '"state" expected string, got null'
 * ```
 */
export function describeField(drift: Drift): string {
  return terminalText(`"${drift.field}" expected ${drift.expected}, got ${drift.got}`);
}

/**
 * Reports each drift once per operation and field (list indices are folded, so a field missing
 * from every run of a listing is one report). Both layers, the always-on policy and the strict
 * `validateResponses` check, report through the one reporter of a client.
 *
 * @example Collect drifts in a test
 * ```ts
 * import { DriftReporter, type Drift } from "./drift.ts";
 *
 * const seen: Drift[] = [];
 * const reporter = new DriftReporter((drift) => seen.push(drift));
 * const drift = {
 *   operation: "getLogs",
 *   endpoint: "GET /house/metrics/log",
 *   field: "count",
 *   expected: "integer",
 *   got: "string",
 *   essential: false,
 * };
 * reporter.report(drift);
 * reporter.report(drift);
 * console.log(seen.length); // 1
 * ```
 */
export class DriftReporter {
  #handler: DriftHandler;
  #redact: (text: string) => string;
  #seen = new Set<string>();

  /**
   * Creates a reporter.
   *
   * @param handler Receives the drifts; by default one `[swanlab-ts] warning: …` line on stderr
   *   each ({@linkcode formatDrift}).
   * @param redact Removes secrets from the text of a drift before the handler sees it.
   */
  constructor(handler?: DriftHandler, redact: (text: string) => string = (text) => text) {
    this.#handler = handler ??
      ((drift) => console.warn(`[swanlab-ts] warning: ${formatDrift(drift)}`));
    this.#redact = redact;
  }

  /**
   * Reports a drift unless the same operation and field was reported before.
   *
   * @param drift The drift.
   */
  report(drift: Drift): void {
    const key = `${drift.operation}\u0000${drift.field.replace(/\[\d+\]/g, "[]")}`;
    if (this.#seen.has(key)) return;
    this.#seen.add(key);
    this.#handler(this.redacted(drift));
  }

  /**
   * A drift with secrets removed from its texts (as the handler receives it).
   *
   * @param drift The drift.
   * @returns The drift, redacted.
   */
  redacted(drift: Drift): Drift {
    const r = this.#redact;
    return {
      ...drift,
      field: r(drift.field),
      expected: r(drift.expected),
      got: r(drift.got),
    };
  }
}

// ---------------------------------------------------------------------------------------------
// The spec walk
// ---------------------------------------------------------------------------------------------

interface Operation {
  readonly operationId: string;
  readonly responses: Readonly<
    Record<string, { readonly content?: Record<string, { readonly schema?: Schema }> }>
  >;
}

/** The spec's schemas, each compiled on first use (only a body that needs fixing asks). */
const compiler = new SchemaCompiler(
  (responseSpec as unknown as { components: { schemas: Record<string, Schema> } }).components
    .schemas,
);
const compile = (schema: Schema): Compiled => compiler.compile(schema);
const PATHS =
  (responseSpec as unknown as { paths: Record<string, Record<string, Operation>> }).paths;

function typeOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  return typeof value;
}

function hasType(types: ReadonlySet<string>, value: unknown): boolean {
  const actual = typeOf(value);
  return types.has(actual) || (actual === "integer" && types.has("number"));
}

/** Whether a value has the schema's JSON type (the shallow check used to pick a `oneOf`). */
function matchesShallow(c: Compiled, value: unknown): boolean {
  const alternatives = c.alternatives;
  if (alternatives !== undefined) {
    for (const alternative of alternatives) if (matchesShallow(alternative, value)) return true;
    return false;
  }
  // `hasType` and `includes`, on the precomputed mask and set.
  if (c.typeMask !== ANY_TYPE && (c.typeMask & typeBit(value)) === 0) return false;
  if (c.allowedSet !== undefined && (typeof value !== "object" || value === null)) {
    return c.allowedSet.has(value);
  }
  return true;
}

function gotOf(value: unknown): string {
  if (value === undefined) return "missing";
  return typeOf(value);
}

/**
 * Whether a value conforms to the schema with nothing to report or fix (no paths, no
 * exceptions): what a generated checker answers for a whole body, asked by the walk for the
 * parts of a body that needs fixing. Only a value for which this is false is walked in detail.
 */
function conforms(c: Compiled, value: unknown): boolean {
  if (c.alternatives !== undefined) {
    for (const alternative of c.alternatives) {
      if (matchesShallow(alternative, value)) return conforms(alternative, value);
    }
    return false;
  }
  // `matchesShallow` for a schema without alternatives, on precomputed masks and sets.
  if (c.typeMask !== ANY_TYPE && (c.typeMask & typeBit(value)) === 0) return false;
  if (typeof value !== "object" || value === null) {
    return c.allowedSet === undefined || c.allowedSet.has(value);
  }
  if (c.parts !== undefined) {
    for (const part of c.parts) if (!conforms(part, value)) return false;
  }
  if (Array.isArray(value)) {
    const items = c.items;
    if (items === undefined) return true;
    for (let i = 0; i < value.length; i++) if (!conforms(items, value[i])) return false;
    return true;
  }
  // The record's own keys are walked (list records carry a few of the spec's many fields);
  // the counts then tell whether a required (or, unless partial, any) property is absent.
  const record = value as Record<string, unknown>;
  const index = c.propertyIndex;
  const schemas = c.propertySchemas;
  const extra = c.additional;
  let present = 0;
  let requiredPresent = 0;
  for (const name in record) {
    const inner = record[name];
    const i = index.get(name);
    if (i === undefined) {
      if (extra !== undefined && !conforms(extra, inner)) return false;
      continue;
    }
    if (inner === undefined) continue; // absent, as in the walk
    present++;
    if (c.propertyRequired[i]) requiredPresent++;
    const property = schemas[i]!;
    if (property.leaf) {
      // `conforms` of a schema that checks only the type and `enum`, inline.
      if (property.typeMask !== ANY_TYPE && (property.typeMask & typeBit(inner)) === 0) {
        return false;
      }
      if (
        property.allowedSet !== undefined && (typeof inner !== "object" || inner === null) &&
        !property.allowedSet.has(inner)
      ) return false;
    } else if (!conforms(property, inner)) return false;
  }
  if (requiredPresent < c.requiredCount) return false;
  if (!c.partial && present < schemas.length) return false;
  for (const name of c.requiredOnly) if (!(name in record)) return false;
  return true;
}

/** A field's path, built into a string only when a drift or failure names it. */
interface Path {
  readonly parent: Path | undefined;
  readonly segment: string | number;
}

function pathName(path: Path | undefined): string {
  const segments: (string | number)[] = [];
  for (let at: Path | undefined = path; at !== undefined; at = at.parent) {
    segments.push(at.segment);
  }
  return fieldName(segments.reverse());
}

/**
 * The one spelling of a field's location in a body, used by every drift report: object keys
 * joined by dots, list indices in brackets, `(body)` for the body itself.
 *
 * @param segments The keys and indices from the body down to the field.
 * @returns E.g. `list[3].name`.
 *
 * @example
 * ```ts
 * import { fieldName } from "./drift.ts";
 *
 * fieldName(["list", 3, "name"]); // "list[3].name"
 * fieldName([]); // "(body)"
 * ```
 */
export function fieldName(segments: readonly (string | number)[]): string {
  if (segments.length === 0) return "(body)";
  let name = "";
  for (const segment of segments) {
    name += typeof segment === "number" ? `[${segment}]` : name === "" ? segment : `.${segment}`;
  }
  return name;
}

/**
 * Whether the policy treats a field as essential (a broken value there fails the call): it is
 * required at every level from the body down (list elements and map values count as their
 * container). Used to mark the strict layer's findings.
 *
 * @param schema The body's schema (from {@linkcode responseSchema}).
 * @param body The body as it arrived.
 * @param segments The keys and indices from the body down to the field.
 * @returns Whether the field is essential; `false` for a field the spec does not describe.
 *
 * @example
 * ```ts
 * import { isEssential, responseSchema } from "./drift.ts";
 *
 * const found = responseSchema("GET", "/house/metrics/log", 200)!;
 * isEssential(found.schema, { logs: [], count: 1 }, ["count"]); // false
 * isEssential(found.schema, { logs: [], count: 1 }, ["logs"]); // true
 * ```
 */
export function isEssential(
  schema: unknown,
  body: unknown,
  segments: readonly (string | number)[],
): boolean {
  if (typeof schema !== "object" || schema === null) return false;
  let c: Compiled | undefined = compile(schema as Schema);
  let value = body;
  for (const segment of segments) {
    if (c === undefined) return false;
    if (c.alternatives !== undefined) {
      c = c.alternatives.find((a) => matchesShallow(a, value)) ?? c;
    }
    const next: Compiled | undefined | false = Array.isArray(value)
      ? c.items
      : propertyOf(c, String(segment));
    if (next === false) return false;
    c = next;
    value = typeof value === "object" && value !== null
      ? (value as Record<string | number, unknown>)[segment]
      : undefined;
  }
  return true;
}

// The schema of an object's property (`undefined`: required but undescribed), or `false` when
// the property is optional or not described at all.
function propertyOf(c: Compiled, name: string): Compiled | undefined | false {
  for (const [known, schema, required] of c.properties) {
    if (known === name) return required ? schema : false;
  }
  if (c.requiredOnly.includes(name)) return undefined;
  for (const part of c.parts ?? []) {
    const found = propertyOf(part, name);
    if (found !== false) return found;
  }
  return c.additional ?? false;
}

/** An essential value that is broken: fails the nearest optional ancestor, else the call. */
class Broken {
  constructor(readonly field: string, readonly expected: string, readonly got: string) {}
}

/**
 * Walks one response against its schema, fixing optional drift in place and reporting it.
 *
 * A broken value is judged against its parent: if the spec requires it there, the parent is
 * broken too, up to the nearest optional ancestor, which becomes `null` (reported with the
 * innermost field); if there is none, the call fails. List elements and map values are as
 * essential as their list or map.
 */
class Walk {
  constructor(
    readonly operation: string,
    readonly endpoint: string,
    readonly reporter: DriftReporter | undefined,
  ) {}

  drift(path: Path | undefined, expected: string, got: string): void {
    this.reporter?.report({
      operation: this.operation,
      endpoint: this.endpoint,
      field: pathName(path),
      expected,
      got,
      essential: false,
    });
  }

  /** Checks an optional value: returns it, or `null` (reported) when it is broken. */
  optional(c: Compiled, value: unknown, parent: Path | undefined, segment: string): unknown {
    try {
      return this.check(c, value, parent, segment);
    } catch (error) {
      if (!(error instanceof Broken)) throw error;
      this.reporter?.report({
        operation: this.operation,
        endpoint: this.endpoint,
        field: error.field,
        expected: error.expected,
        got: error.got,
        essential: false,
      });
      return null;
    }
  }

  /**
   * Checks a value that is essential to its parent (at `parent` + `segment`, the body itself
   * without a segment): returns it, or throws {@linkcode Broken}. The path object is only built
   * for containers and for reports.
   */
  check(
    c: Compiled,
    value: unknown,
    parent: Path | undefined,
    segment: string | number | undefined,
  ): unknown {
    if (conforms(c, value)) return value;
    let chosen = c;
    if (c.alternatives !== undefined) {
      chosen = c.alternatives.find((a) => matchesShallow(a, value)) ?? c;
    }
    if (chosen === c && !matchesShallow(c, value)) {
      const path = segment === undefined ? parent : { parent, segment };
      // A value outside an enum (or const) of the right type is kept and reported.
      if (c.allowed !== undefined && (c.types === undefined || hasType(c.types, value))) {
        this.drift(path, `one of ${c.allowed.join(", ")}`, JSON.stringify(value));
        return value;
      }
      throw new Broken(pathName(path), c.expected, gotOf(value));
    }
    if (chosen !== c) return this.check(chosen, value, parent, segment);
    if (typeof value !== "object" || value === null) return value;
    const path = segment === undefined ? parent : { parent, segment };
    if (c.parts !== undefined) {
      for (const part of c.parts) this.check(part, value, path, undefined);
    }
    if (Array.isArray(value)) {
      const items = c.items;
      if (items !== undefined) {
        for (let i = 0; i < value.length; i++) value[i] = this.check(items, value[i], path, i);
      }
    } else {
      this.#object(c, value as Record<string, unknown>, path);
    }
    return value;
  }

  #object(c: Compiled, record: Record<string, unknown>, path: Path | undefined): void {
    for (const [name, property, required] of c.properties) {
      const inner = record[name];
      if (inner === undefined) {
        if (required) {
          throw new Broken(pathName({ parent: path, segment: name }), property.expected, "missing");
        }
        // Records the spec marks partial (list items) may leave optional fields out.
        if (!c.partial) this.drift({ parent: path, segment: name }, property.expected, "missing");
        continue;
      }
      record[name] = required
        ? this.check(property, inner, path, name)
        : this.optional(property, inner, path, name);
    }
    for (const name of c.requiredOnly) {
      if (!(name in record)) {
        throw new Broken(pathName({ parent: path, segment: name }), "a value", "missing");
      }
    }
    const extra = c.additional;
    if (extra !== undefined) {
      for (const name of Object.keys(record)) {
        if (c.propertyIndex.has(name)) continue;
        record[name] = this.check(extra, record[name], path, name);
      }
    }
  }
}

/**
 * The `operationId` and success schema of a request, looked up in the spec by method and path
 * template (`/project/{username}`, as passed to the typed client).
 *
 * @param method The HTTP method.
 * @param template The path template, relative to `/api`.
 * @param status The success status.
 * @returns The operation, its endpoint (`GET /house/metrics/log`) and its body schema, or
 *   `undefined` when the spec has no such operation.
 *
 * @example
 * ```ts
 * import { responseSchema } from "./drift.ts";
 *
 * responseSchema("GET", "/house/metrics/log", 200)?.operation; // "getLogs"
 * ```
 */
export function responseSchema(
  method: string,
  template: string,
  status: number,
): ResponseSchema | undefined {
  // Looked up once per operation and status (every response asks), from then on three map
  // reads (no key string is built per response).
  let byMethod = foundSchemas.get(template);
  if (byMethod === undefined) {
    byMethod = new Map();
    foundSchemas.set(template, byMethod);
  }
  let byStatus = byMethod.get(method);
  if (byStatus === undefined) {
    byStatus = new Map();
    byMethod.set(method, byStatus);
  }
  const known = byStatus.get(status);
  if (known !== undefined) return known;
  if (!Object.hasOwn(PATHS, template)) return undefined;
  const operation = PATHS[template]?.[method.toLowerCase()];
  if (operation === undefined) return undefined;
  const key = Object.hasOwn(operation.responses, String(status)) ? String(status) : "200";
  const schema = operation.responses[key]?.content?.["application/json"]?.schema;
  const found: ResponseSchema = {
    operation: operation.operationId,
    endpoint: `${method.toUpperCase()} ${template}`,
    schema,
    conforms: schema === undefined
      ? undefined
      : responseCheckers[template]?.[method.toLowerCase()]?.[key],
  };
  byStatus.set(status, found);
  return found;
}

/** {@linkcode responseSchema}'s answers by template, method and status (spec operations only). */
const foundSchemas = new Map<string, Map<string, Map<number, ResponseSchema>>>();

/**
 * An operation's success body schema, as found by {@linkcode responseSchema}.
 *
 * @example
 * ```ts
 * import type { ResponseSchema } from "./drift.ts";
 *
 * const found: ResponseSchema = {
 *   operation: "getLogs",
 *   endpoint: "GET /house/metrics/log",
 *   schema: undefined,
 *   conforms: undefined,
 * };
 * ```
 */
export interface ResponseSchema {
  /** The spec's `operationId`. */
  readonly operation: string;
  /** The method and path template, e.g. `GET /house/metrics/log`. */
  readonly endpoint: string;
  /** The JSON body's schema; `undefined` when the spec declares none. */
  readonly schema: unknown;
  /**
   * The schema's generated check (`generated/response_checkers.ts`): whether a body has nothing
   * to report or fix. `undefined` when there is no schema, or none was generated for it (then
   * the schema is walked as data).
   */
  readonly conforms: ((body: unknown) => boolean) | undefined;
}

/**
 * Applies the drift policy to one decoded success body (in place): essential drift throws,
 * optional drift is reported and, for a wrong type, replaced by `null`.
 *
 * @param found The operation, endpoint and body schema (from {@linkcode responseSchema}); no
 *   schema means no check.
 * @param body The decoded JSON body.
 * @param reporter Receives optional drift.
 * @returns The body, with optional values of the wrong type set to `null`.
 * @throws {ResponseError} Naming the operation and field, for essential drift.
 *
 * @example
 * ```ts
 * import { decodeResponse, DriftReporter, responseSchema } from "./drift.ts";
 *
 * const found = responseSchema("GET", "/house/metrics/log", 200)!;
 * const reporter = new DriftReporter(() => {});
 * decodeResponse(found, { logs: [], count: "7" }, reporter);
 * // { logs: [], count: null }: the lines are intact, the count drifted
 * ```
 */
export function decodeResponse(
  found: ResponseSchema,
  body: unknown,
  reporter: DriftReporter | undefined,
): unknown {
  const { operation, schema } = found;
  if (typeof schema !== "object" || schema === null) return body;
  // The fast path: a body with nothing to report or fix is returned as it is, by the code
  // generated for its schema (the schema itself is compiled only for a body that needs fixing).
  if (found.conforms !== undefined && found.conforms(body)) return body;
  const c = compile(schema as Schema);
  if (found.conforms === undefined && conforms(c, body)) return body;
  try {
    return new Walk(operation, found.endpoint, reporter).check(c, body, undefined, undefined);
  } catch (error) {
    if (!(error instanceof Broken)) throw error;
    throw new ResponseError(
      `Cannot use response of ${operation}: "${error.field}" expected ${error.expected}, got ${error.got}`,
    );
  }
}
