/**
 * Validates response bodies against the spec (`generated/spec.ts`, from `openapi/swanlab.yaml`)
 * with Ajv (JSON Schema 2020-12) and lists what drifted: the strict, opt-in layer of the drift
 * policy (`validateResponses` / `SWANLAB_VALIDATE`). Its findings are {@linkcode Drift} records
 * with the field names of the always-on policy (`drift.ts`), so one reporter de-duplicates both.
 *
 * Load it with {@linkcode loadResponseValidator} (a dynamic import): Ajv and the spec constant
 * are only loaded when validation is on, so a client's cold start does not pay for them. The
 * local server has its own request validator (`src/server/validate.ts`); the client does not
 * import server code, so that client and server cannot agree by sharing a bug.
 *
 * @module
 */

import { Ajv2020, type ErrorObject, type ValidateFunction } from "ajv/dist/2020.js";
import { spec } from "../../generated/spec.ts";
import { type Drift, fieldName, isEssential, responseSchema } from "./drift.ts";

type Json = Record<string, unknown>;

const SPEC_ID = "https://swanlab-ts.invalid/openapi/swanlab.json";
const METHODS = ["get", "put", "post", "delete", "patch"] as const;
// Formats as the doc comment of generated/spec.ts asks: RFC 3339 date-times that are real
// instants, and absolute URIs (no ajv-formats dependency for two formats).
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;

interface Operation {
  id: string;
  method: string;
  template: string;
  segments: string[];
  literals: number;
  pointer: string;
  responses: Json;
}

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function escapeToken(token: string): string {
  return token.replaceAll("~", "~0").replaceAll("/", "~1");
}

function unescapeToken(token: string): string {
  return token.replaceAll("~1", "/").replaceAll("~0", "~");
}

/**
 * Checks response bodies of the SwanLab API against the spec.
 *
 * @example Validate a body
 * ```ts
 * import { loadResponseValidator } from "./response_validator.ts";
 *
 * const validator = await loadResponseValidator();
 * const drifts = validator.validate("GET", "/api/user/profile", 200, { bio: 3 });
 * console.log(drifts[0]?.field); // "bio"
 * ```
 */
export class ResponseValidator {
  #ajv: Ajv2020;
  #doc: Json;
  #operations: Operation[] = [];
  #byId = new Map<string, Operation>();
  #compiled = new Map<string, ValidateFunction | null>();

  /**
   * Indexes the operations of an OpenAPI 3.1 document (schemas compile on first use).
   *
   * @param document The parsed OpenAPI document.
   */
  constructor(document: unknown = spec) {
    if (!isObject(document) || !isObject(document.paths)) {
      throw new TypeError("Cannot create response validator: the spec has no paths");
    }
    this.#doc = structuredClone(document);
    this.#ajv = new Ajv2020({ strict: false, allErrors: true, allowUnionTypes: true });
    this.#ajv.addFormat(
      "date-time",
      (s: string) => DATE_TIME.test(s) && !Number.isNaN(Date.parse(s)),
    );
    this.#ajv.addFormat(
      "uri",
      (s: string) => /^[a-z][a-z0-9+.-]*:\S*$/i.test(s) && URL.canParse(s),
    );
    this.#ajv.addSchema({ ...this.#doc, $id: SPEC_ID });
    for (const [template, item] of Object.entries(this.#doc.paths as Json)) {
      if (!isObject(item)) continue;
      for (const method of METHODS) {
        const op = item[method];
        if (!isObject(op) || typeof op.operationId !== "string" || !isObject(op.responses)) {
          continue;
        }
        const segments = template.split("/").slice(1);
        const operation: Operation = {
          id: op.operationId,
          method: method.toUpperCase(),
          template,
          segments,
          literals: segments.filter((s) => !s.startsWith("{")).length,
          pointer: `#/paths/${escapeToken(template)}/${method}`,
          responses: op.responses,
        };
        this.#operations.push(operation);
        this.#byId.set(operation.id, operation);
      }
    }
    this.#operations.sort((a, b) => b.literals - a.literals);
  }

  /**
   * The operation a request addresses.
   *
   * @param method The HTTP method.
   * @param pathname The URL path, with or without the leading `/api`.
   * @returns The `operationId`, or `undefined` when the spec has no such operation.
   */
  operationOf(method: string, pathname: string): string | undefined {
    return this.#match(method, pathname)?.id;
  }

  #match(method: string, pathname: string): Operation | undefined {
    const relative = pathname === "/api" || pathname.startsWith("/api/")
      ? pathname.slice(4)
      : pathname;
    const segments = relative.split("/").slice(1);
    const upper = method.toUpperCase();
    return this.#operations.find((op) =>
      op.method === upper && op.segments.length === segments.length &&
      op.segments.every((s, i) => s.startsWith("{") ? segments[i] !== "" : s === segments[i])
    );
  }

  /**
   * Validates one response body.
   *
   * @param method The request's method.
   * @param pathname The request's URL path (`/api/...`).
   * @param status The response status.
   * @param body The decoded JSON body (`undefined` when empty).
   * @param redact Removes secrets from a value before it is shortened for `got` (so that a cut
   *   cannot leave part of a secret that the redactor no longer recognises).
   * @returns Every drifted field; empty when the body matches, or when the spec declares no body
   *   for this operation and status.
   */
  validate(
    method: string,
    pathname: string,
    status: number,
    body: unknown,
    redact: (text: string) => string = (text) => text,
  ): Drift[] {
    const op = this.#match(method, pathname);
    return op === undefined ? [] : this.#validate(op, status, body, redact);
  }

  /**
   * Validates one response body of a named operation.
   *
   * @param operationId The spec's `operationId`.
   * @param status The response status.
   * @param body The decoded JSON body.
   * @returns Every drifted field.
   * @throws {RangeError} When the spec has no such operation.
   */
  validateOperation(operationId: string, status: number, body: unknown): Drift[] {
    const op = this.#byId.get(operationId);
    if (op === undefined) {
      throw new RangeError(`Cannot validate operation "${operationId}": not in the spec`);
    }
    return this.#validate(op, status, body, (text) => text);
  }

  #validate(
    op: Operation,
    status: number,
    body: unknown,
    redact: (text: string) => string,
  ): Drift[] {
    const validate = this.#validator(op, status);
    if (validate === null) return [];
    const endpoint = `${op.method} ${op.template}`;
    if (body === undefined) {
      return [{
        operation: op.id,
        endpoint,
        field: fieldName([]),
        expected: "a JSON body",
        got: "empty",
        essential: true,
      }];
    }
    if (validate(body)) return [];
    // Essential as the always-on policy judges it: a wrong type or a missing field on a path
    // that is required all the way from the body (enums and formats never fail a call).
    const schema = responseSchema(op.method, op.template, status)?.schema;
    return toDrifts(validate.errors ?? [], body, redact).map(({ segments, keyword, ...d }) => ({
      operation: op.id,
      endpoint,
      field: fieldName(segments),
      ...d,
      essential: BREAKING.has(keyword) && isEssential(schema, body, segments),
    }));
  }

  #validator(op: Operation, status: number): ValidateFunction | null {
    const code = String(status);
    const key = code in op.responses
      ? code
      : `${code[0]}XX` in op.responses
      ? `${code[0]}XX`
      : status >= 400 && "default" in op.responses
      ? "default"
      : undefined;
    if (key === undefined) return null;
    const cacheKey = `${op.id} ${key}`;
    const cached = this.#compiled.get(cacheKey);
    if (cached !== undefined) return cached;
    let pointer = `${op.pointer}/responses/${escapeToken(key)}`;
    let response: unknown = op.responses[key];
    for (
      let hops = 0;
      hops < 8 && isObject(response) && typeof response.$ref === "string";
      hops++
    ) {
      pointer = response.$ref;
      response = this.#at(pointer);
    }
    let validate: ValidateFunction | null = null;
    const content = isObject(response) ? response.content : undefined;
    if (isObject(content) && isObject(content["application/json"])) {
      const media = content["application/json"];
      if (media.schema !== undefined) {
        const fragment = `${pointer}/content/${escapeToken("application/json")}/schema`
          .slice(1).split("/").map(encodeURIComponent).join("/");
        validate = this.#ajv.getSchema(`${SPEC_ID}#${fragment}`) ?? null;
      }
    }
    this.#compiled.set(cacheKey, validate);
    return validate;
  }

  #at(pointer: string): unknown {
    if (!pointer.startsWith("#/")) return undefined;
    let node: unknown = this.#doc;
    for (const raw of pointer.slice(2).split("/")) {
      const token = unescapeToken(raw);
      node = isObject(node) ? node[token] : Array.isArray(node) ? node[Number(token)] : undefined;
    }
    return node;
  }
}

let shared: ResponseValidator | undefined;

/**
 * The process-wide response validator over the spec, created on first use.
 *
 * @returns The validator.
 *
 * @example Load it only when needed
 * ```ts
 * const { loadResponseValidator } = await import("./response_validator.ts");
 * const validator = await loadResponseValidator();
 * console.log(validator.operationOf("GET", "/api/user/profile")); // "getUserProfile"
 * ```
 */
export function loadResponseValidator(): Promise<ResponseValidator> {
  shared ??= new ResponseValidator(spec);
  return Promise.resolve(shared);
}

// The Ajv keywords whose failure the always-on policy cannot work around on an essential path.
const BREAKING = new Set(["type", "required", "oneOf", "anyOf"]);

interface Finding {
  segments: (string | number)[];
  keyword: string;
  expected: string;
  got: string;
}

// A JSON pointer into the body as keys and indices (an index where the body has a list), the
// form `fieldName()` spells.
function segmentsOf(body: unknown, pointer: string): (string | number)[] {
  if (pointer === "") return [];
  const segments: (string | number)[] = [];
  let node: unknown = body;
  for (const raw of pointer.slice(1).split("/")) {
    const token = unescapeToken(raw);
    if (Array.isArray(node)) {
      segments.push(Number(token));
      node = node[Number(token)];
    } else {
      segments.push(token);
      node = isObject(node) ? node[token] : undefined;
    }
  }
  return segments;
}

// Ajv errors (allErrors) -> one drift per field. Errors of `oneOf`/`anyOf` wrappers are dropped
// when a more specific error explains the same field.
function toDrifts(
  errors: readonly ErrorObject[],
  body: unknown,
  redact: (text: string) => string,
): Finding[] {
  const out = new Map<string, Finding>();
  const specific = errors.filter((e) => !["oneOf", "anyOf", "if", "not"].includes(e.keyword));
  const chosen = errors.filter((e) =>
    !["oneOf", "anyOf", "if", "not"].includes(e.keyword) ||
    !specific.some((s) => s.instancePath.startsWith(e.instancePath))
  );
  for (const error of chosen) {
    let path = error.instancePath;
    let expected: string;
    let got: string;
    const params = error.params as Record<string, unknown>;
    if (error.keyword === "required") {
      path += `/${escapeToken(String(params.missingProperty))}`;
      expected = "present (required)";
      got = "missing";
    } else {
      expected = expectation(error);
      got = describeValue(valueAt(body, path), redact);
    }
    const key = `${path} ${expected}`;
    if (!out.has(key)) {
      out.set(key, { segments: segmentsOf(body, path), keyword: error.keyword, expected, got });
    }
  }
  return [...out.values()];
}

function expectation(error: ErrorObject): string {
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case "type": {
      const type = params.type;
      return Array.isArray(type) ? type.join(" or ") : String(type);
    }
    case "enum":
      return `one of ${
        (Array.isArray(params.allowedValues) ? params.allowedValues : [])
          .map((v) => JSON.stringify(v)).join(", ")
      }`;
    case "const":
      return JSON.stringify(params.allowedValue);
    case "format":
      return `${String(params.format)} format`;
    case "oneOf":
    case "anyOf":
      return "one of the allowed shapes";
    default:
      return (error.message ?? error.keyword).replace(/^must /, "");
  }
}

function valueAt(body: unknown, pointer: string): unknown {
  if (pointer === "") return body;
  let node: unknown = body;
  for (const raw of pointer.slice(1).split("/")) {
    const token = unescapeToken(raw);
    node = Array.isArray(node) ? node[Number(token)] : isObject(node) ? node[token] : undefined;
  }
  return node;
}

function describeValue(value: unknown, redact: (text: string) => string): string {
  if (value === undefined) return "missing";
  if (value === null) return "null";
  if (Array.isArray(value)) return `array (${value.length} items)`;
  if (typeof value === "object") return "object";
  if (typeof value === "string") {
    const safe = redact(value);
    const short = safe.length > 40 ? `${safe.slice(0, 40)}…` : safe;
    return `string ${JSON.stringify(short)}`;
  }
  return `${typeof value} ${String(value)}`;
}
