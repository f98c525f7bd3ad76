/**
 * Request validation against the OpenAPI document (`generated/spec.ts`) with Ajv (JSON Schema
 * 2020-12).
 *
 * Path and query parameters are coerced from strings (`True`/`False` and `true`/`false` both
 * accepted for the Python-style boolean enums); unknown query parameters are rejected; JSON
 * bodies are validated as sent (no coercion). Validators are compiled lazily, once per
 * operation.
 *
 * @module
 */

import { Ajv2020, type ErrorObject, type ValidateFunction } from "ajv/dist/2020.js";

/** JSON object as parsed from the spec. */
type Json = Record<string, unknown>;

/**
 * Validated and coerced request parts.
 *
 * @example Use the result
 * ```ts
 * import type { ValidatedRequest } from "./validate.ts";
 * function page(v: ValidatedRequest): number {
 *   return typeof v.query.page === "number" ? v.query.page : 1;
 * }
 * ```
 */
export interface ValidatedRequest {
  /** Path parameters (decoded). */
  params: Record<string, string>;
  /** Query parameters after coercion (numbers, booleans). */
  query: Record<string, unknown>;
  /** The JSON body (or `undefined` when the operation has none). */
  body: unknown;
}

/**
 * A request that does not match the spec; `message` names the offending field.
 *
 * @example Catch it
 * ```ts
 * import { RequestValidationError } from "./validate.ts";
 * const err = new RequestValidationError('Invalid query parameter "size": must be one of 10, 20');
 * err instanceof TypeError; // true
 * ```
 */
export class RequestValidationError extends TypeError {
  /** Creates the error. */
  constructor(message: string) {
    super(message);
    this.name = "RequestValidationError";
  }
}

interface CompiledOperation {
  params: ValidateFunction | undefined;
  query: ValidateFunction | undefined;
  queryNames: Set<string>;
  /** Query parameters whose schema is the string enum `["True", "False"]`. */
  pythonBooleans: Set<string>;
  body: ValidateFunction | undefined;
  bodyRequired: boolean;
}

const SPEC_ID = "swanlab-spec";

function isObject(v: unknown): v is Json {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Rewrites document-relative `$ref`s (`#/components/...`) to the registered spec id. */
function rebase(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(rebase);
  if (!isObject(schema)) return schema;
  const out: Json = {};
  for (const [k, v] of Object.entries(schema)) {
    out[k] = k === "$ref" && typeof v === "string" && v.startsWith("#/") ? SPEC_ID + v : rebase(v);
  }
  return out;
}

function resolve(spec: Json, value: unknown): unknown {
  let cur = value;
  for (let hops = 0; hops < 16 && isObject(cur) && typeof cur.$ref === "string"; hops++) {
    const ref = cur.$ref;
    if (!ref.startsWith("#/")) break;
    let node: unknown = spec;
    for (const part of ref.slice(2).split("/")) node = isObject(node) ? node[part] : undefined;
    cur = node;
  }
  return cur;
}

function describe(error: ErrorObject, where: string): string {
  let path = error.instancePath;
  if (error.keyword === "required") {
    path += "/" + String((error.params as { missingProperty?: unknown }).missingProperty);
  } else if (error.keyword === "additionalProperties") {
    const extra = String((error.params as { additionalProperty?: unknown }).additionalProperty);
    return `Invalid ${where}: unknown field "${(path + "/" + extra).replace(/^\//, "")}"`;
  }
  let message = error.message ?? "is invalid";
  if (error.keyword === "enum") {
    const allowed = (error.params as { allowedValues?: unknown[] }).allowedValues ?? [];
    message = `must be one of ${allowed.map((a) => JSON.stringify(a)).join(", ")}`;
  }
  const field = path.replace(/^\//, "");
  return field ? `Invalid ${where} "${field}": ${message}` : `Invalid ${where}: ${message}`;
}

function pickError(errors: ErrorObject[] | null | undefined): ErrorObject | undefined {
  if (!errors || errors.length === 0) return undefined;
  // Prefer the most specific (deepest) error; oneOf/if wrappers come last.
  return [...errors].sort((a, b) =>
    b.instancePath.length - a.instancePath.length ||
    Number(a.keyword === "oneOf" || a.keyword === "if") -
      Number(b.keyword === "oneOf" || b.keyword === "if")
  )[0];
}

/**
 * Validates requests of each `operationId` against the OpenAPI document.
 *
 * @example Validate a query
 * ```ts ignore
 * import { spec } from "../../generated/spec.ts";
 * import { RequestValidator } from "./validate.ts";
 * const v = new RequestValidator(spec);
 * v.validate("listRuns", { username: "alice", project: "p" }, new URLSearchParams("page=1&size=20"), undefined);
 * ```
 */
export class RequestValidator {
  #spec: Json;
  #coercing: Ajv2020;
  #strict: Ajv2020;
  #operations = new Map<string, { path: string; method: string; op: Json }>();
  #compiled = new Map<string, CompiledOperation>();

  /**
   * Indexes the operations of `spec` (compilation happens on first use of each operation).
   *
   * @param spec the parsed OpenAPI 3.1 document
   */
  constructor(spec: unknown) {
    if (!isObject(spec) || !isObject(spec.paths)) {
      throw new TypeError("Cannot create validator: the spec has no paths");
    }
    this.#spec = spec;
    const base = { $id: SPEC_ID, components: rebase(spec.components) };
    const common = { strict: false, allErrors: false, validateFormats: false } as const;
    this.#coercing = new Ajv2020({ ...common, coerceTypes: true, useDefaults: true });
    this.#strict = new Ajv2020({ ...common, coerceTypes: false });
    this.#coercing.addSchema(base);
    this.#strict.addSchema(base);
    for (const [path, item] of Object.entries(spec.paths)) {
      if (!isObject(item)) continue;
      for (const method of ["get", "post", "put", "patch", "delete"]) {
        const op = item[method];
        if (isObject(op) && typeof op.operationId === "string") {
          this.#operations.set(op.operationId, { path, method, op });
        }
      }
    }
  }

  /** Whether the spec defines `operationId`. */
  has(operationId: string): boolean {
    return this.#operations.has(operationId);
  }

  #compile(operationId: string): CompiledOperation {
    const cached = this.#compiled.get(operationId);
    if (cached) return cached;
    const entry = this.#operations.get(operationId);
    if (!entry) throw new RangeError(`Cannot validate operation "${operationId}": not in the spec`);
    const pathItem = (this.#spec.paths as Json)[entry.path] as Json;
    const rawParams = [
      ...(Array.isArray(pathItem.parameters) ? pathItem.parameters : []),
      ...(Array.isArray(entry.op.parameters) ? entry.op.parameters : []),
    ];
    const pathProps: Json = {};
    const pathRequired: string[] = [];
    const queryProps: Json = {};
    const queryRequired: string[] = [];
    const pythonBooleans = new Set<string>();
    for (const raw of rawParams) {
      const p = resolve(this.#spec, raw);
      if (!isObject(p) || typeof p.name !== "string") continue;
      const schema = rebase(p.schema ?? {});
      if (p.in === "path") {
        pathProps[p.name] = schema;
        pathRequired.push(p.name);
      } else if (p.in === "query") {
        queryProps[p.name] = schema;
        if (p.required === true) queryRequired.push(p.name);
        const resolved = resolve(this.#spec, p.schema);
        if (
          isObject(resolved) && Array.isArray(resolved.enum) && resolved.enum.includes("True") &&
          resolved.enum.includes("False")
        ) pythonBooleans.add(p.name);
      }
    }
    const objectSchema = (props: Json, required: string[], closed: boolean): Json => ({
      type: "object",
      properties: props,
      required,
      additionalProperties: !closed,
    });
    const body = resolve(this.#spec, entry.op.requestBody);
    let bodySchema: unknown;
    let bodyRequired = false;
    if (isObject(body) && isObject(body.content)) {
      const media = body.content["application/json"];
      if (isObject(media) && media.schema !== undefined) bodySchema = rebase(media.schema);
      bodyRequired = body.required === true;
    }
    const compiled: CompiledOperation = {
      params: Object.keys(pathProps).length
        ? this.#coercing.compile(objectSchema(pathProps, pathRequired, false))
        : undefined,
      query: this.#coercing.compile(objectSchema(queryProps, queryRequired, true)),
      queryNames: new Set(Object.keys(queryProps)),
      pythonBooleans,
      body: bodySchema === undefined ? undefined : this.#strict.compile(bodySchema as Json),
      bodyRequired,
    };
    this.#compiled.set(operationId, compiled);
    return compiled;
  }

  /**
   * Validates one request and returns its coerced parts.
   *
   * @param operationId the operation the request was routed to
   * @param params decoded path parameters
   * @param search the query string parameters
   * @param body the parsed JSON body (`undefined` when there was none)
   * @returns coerced params, query and body
   * @throws {RequestValidationError} naming the first offending field
   */
  validate(
    operationId: string,
    params: Record<string, string>,
    search: URLSearchParams,
    body: unknown,
  ): ValidatedRequest {
    const op = this.#compile(operationId);
    const coercedParams: Record<string, unknown> = { ...params };
    if (op.params && !op.params(coercedParams)) {
      const err = pickError(op.params.errors);
      throw new RequestValidationError(err ? describe(err, "path parameter") : "Invalid path");
    }
    const query: Record<string, unknown> = {};
    for (const [name, value] of search) {
      if (!op.queryNames.has(name)) {
        throw new RequestValidationError(`Invalid query: unknown parameter "${name}"`);
      }
      query[name] = op.pythonBooleans.has(name) && /^(true|false)$/i.test(value)
        ? value[0]!.toUpperCase() + value.slice(1).toLowerCase()
        : value;
    }
    if (op.query && !op.query(query)) {
      const err = pickError(op.query.errors);
      throw new RequestValidationError(
        err
          ? describe(err, "query parameter").replace(
            /^Invalid query parameter: /,
            "Invalid query: ",
          )
          : "Invalid query",
      );
    }
    if (op.body) {
      if (body === undefined) {
        if (op.bodyRequired) {
          throw new RequestValidationError("Invalid request body: a JSON body is required");
        }
      } else if (!op.body(body)) {
        const err = pickError(op.body.errors);
        throw new RequestValidationError(
          err ? describe(err, "request body field") : "Invalid request body",
        );
      }
    }
    const outParams: Record<string, string> = {};
    for (const [k, v] of Object.entries(coercedParams)) outParams[k] = String(v);
    return { params: outParams, query, body };
  }
}
