/**
 * The drift policy's fast path (the checkers of `generated/response_checkers.ts`, written by
 * `scripts/_response_checkers.ts`) against a reference written here from the spec: for random
 * mutations of real bodies, a body the reference finds conforming is returned untouched with no
 * drift, and any other body is reported, fixed or rejected. A fast path that passed a broken body
 * would fail the second half. Every generated checker also answers as the reference does on
 * mutations of bodies built from its schema.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { decodeResponse, type Drift, DriftReporter, responseSchema } from "../../src/core/drift.ts";
import { responseCheckers } from "../../generated/response_checkers.ts";
import { spec } from "../../generated/spec.ts";
import { jsonType, resolve, type Schema } from "../_spec_schemas.ts";

function typeMatches(s: Schema, value: unknown): boolean {
  if (s.type === undefined) return true;
  const types = typeof s.type === "string" ? [s.type] : s.type;
  const actual = jsonType(value);
  return types.includes(actual) || (actual === "integer" && types.includes("number"));
}

/** The type (and, for a primitive, the enum) of a value: how an alternative is chosen. */
function shallow(schema: Schema, value: unknown): boolean {
  const s = resolve(schema);
  const alternatives = s.oneOf ?? s.anyOf;
  if (alternatives !== undefined) return alternatives.some((a) => shallow(a, value));
  if (!typeMatches(s, value)) return false;
  const allowed = s.enum ?? (s.const === undefined ? undefined : [s.const]);
  if (allowed !== undefined && (typeof value !== "object" || value === null)) {
    return allowed.includes(value);
  }
  return true;
}

/** Whether the policy has nothing to report or fix in `value`. */
function conforming(schema: Schema, value: unknown): boolean {
  const s = resolve(schema);
  const alternatives = s.oneOf ?? s.anyOf;
  if (alternatives !== undefined) {
    const chosen = alternatives.find((a) => shallow(a, value));
    return chosen !== undefined && conforming(chosen, value);
  }
  if (!shallow(s, value)) return false;
  if (typeof value !== "object" || value === null) return true;
  if (s.allOf !== undefined && !s.allOf.every((part) => conforming(part, value))) return false;
  if (Array.isArray(value)) {
    return s.items === undefined || value.every((v) => conforming(s.items!, v));
  }
  const record = value as Record<string, unknown>;
  const properties = s.properties ?? {};
  for (const [name, inner] of Object.entries(record)) {
    if (Object.hasOwn(properties, name)) {
      if (inner !== undefined && !conforming(properties[name]!, inner)) return false;
    } else if (typeof s.additionalProperties === "object") {
      if (!conforming(s.additionalProperties, inner)) return false;
    }
  }
  for (const name of s.required ?? []) {
    if (Object.hasOwn(properties, name) ? record[name] === undefined : !(name in record)) {
      return false;
    }
  }
  if (s["x-partial"] !== true) {
    for (const name of Object.keys(properties)) if (record[name] === undefined) return false;
  }
  return true;
}

const RUN = {
  cuid: "c1",
  slug: "abc",
  name: "run-1",
  state: "FINISHED",
  createdAt: "2025-01-01T00:00:00.000Z",
  finishedAt: null,
  description: "d",
  type: "CHAPTER",
  labels: [{ name: "l", colors: ["#528d59", "#587ad2"] }],
  show: true,
  pin: false,
  pinnedAt: null,
  baseline: false,
  colors: ["#528d59", "#ffffff"],
  cluster: "g",
  job: "train",
  user: { name: "Alice", username: "alice" },
  profile: { config: { lr: 0.1, model: { depth: 50 } }, metadata: {}, requirements: "", conda: "" },
  updatedAt: "2025-01-01T00:00:00.000Z",
  project_id: "p1",
};
const ITEM = {
  step: 99,
  value: 0.23,
  minMax: [0.2, 2.3],
  min: { step: 98, value: 0.2 },
  max: { step: 0, value: 2.3 },
  avg: 0.6,
  median: "NaN",
  stdDev: 0.5,
};
const CASES: [method: string, template: string, body: unknown][] = [
  ["GET", "/project/{username}/{project}/runs", {
    list: [RUN, { cuid: "c2", name: "r2" }, { cuid: "c3", state: "RUNNING", labels: [] }],
    total: 3,
    pages: 1,
    size: 10,
  }],
  ["GET", "/project/{username}/{project}/runs/{run}", RUN],
  ["POST", "/house/metrics/summaries", {
    c1: { loss: ITEM, acc: { ...ITEM, value: "INF" } },
    c2: null,
  }],
  ["POST", "/project/{username}/{project}/runs/shows", { a: [RUN], b: { c: [{ cuid: "c9" }] } }],
];

type Path = (string | number)[];

function paths(value: unknown, at: Path = []): Path[] {
  const out: Path[] = [at];
  if (Array.isArray(value)) value.forEach((v, i) => out.push(...paths(v, [...at, i])));
  else if (typeof value === "object" && value !== null) {
    for (const [k, v] of Object.entries(value)) out.push(...paths(v, [...at, k]));
  }
  return out;
}

const REPLACEMENTS: unknown[] = [null, "x", "", 7, 1.5, true, {}, [], [1], { cuid: 5 }, "NaN"];

function mutate(body: unknown, path: Path, kind: number): unknown {
  if (path.length === 0) return REPLACEMENTS[kind % REPLACEMENTS.length];
  const copy = structuredClone(body);
  let parent = copy as Record<string | number, unknown>;
  for (const segment of path.slice(0, -1)) parent = parent[segment] as typeof parent;
  const last = path.at(-1)!;
  if (kind === REPLACEMENTS.length && !Array.isArray(parent)) delete parent[last];
  else if (kind === REPLACEMENTS.length + 1 && !Array.isArray(parent)) parent["extra"] = 1;
  else parent[last] = REPLACEMENTS[kind % REPLACEMENTS.length];
  return copy;
}

/** The mutations of a body: up to three replacements or removals anywhere in it. */
const mutationsOf = (body: unknown) =>
  fc.array(fc.tuple(fc.nat(paths(body).length - 1), fc.nat(REPLACEMENTS.length + 1)), {
    maxLength: 3,
  });

function applyMutations(body: unknown, mutations: [number, number][]): unknown {
  let mutated: unknown = structuredClone(body);
  for (const [p, kind] of mutations) {
    const at = paths(mutated);
    mutated = mutate(mutated, at[p % at.length]!, kind);
  }
  return mutated;
}

/**
 * A body the schema accepts, built from the reference's reading of it: every property (with
 * `full` false, a partial record's required ones only), each alternative in turn by `choice`, two list items,
 * one extra key where extra keys have a schema. Recursion stops at depth 4 with an empty list or
 * record where the schema allows one.
 */
function sample(schema: Schema, full: boolean, choice: number, depth = 0): unknown {
  const s = resolve(schema);
  const alternatives = s.oneOf ?? s.anyOf;
  if (alternatives !== undefined) {
    return sample(alternatives[choice % alternatives.length]!, full, choice, depth + 1);
  }
  if (s.enum !== undefined) return s.enum[choice % s.enum.length];
  if (s.const !== undefined) return s.const;
  const types = s.type === undefined ? ["object"] : typeof s.type === "string" ? [s.type] : s.type;
  const type = types.find((t) => t !== "null") ?? "null";
  switch (type) {
    case "null":
      return null;
    case "boolean":
      return true;
    case "string":
      return "s";
    case "integer":
      return 3;
    case "number":
      return 1.5;
    case "array":
      return s.items === undefined || depth > 4
        ? []
        : [sample(s.items, full, choice, depth + 1), sample(s.items, full, choice + 1, depth + 1)];
  }
  const record: Record<string, unknown> = {};
  for (const part of s.allOf ?? []) {
    Object.assign(record, sample(part, full, choice, depth + 1) as Record<string, unknown>);
  }
  const required = new Set(s.required ?? []);
  for (const [name, property] of Object.entries(s.properties ?? {})) {
    // Only a partial record (a list item) may leave optional properties out without a report.
    if (full || required.has(name) || s["x-partial"] !== true) {
      record[name] = sample(property, full, choice, depth + 1);
    }
  }
  if (typeof s.additionalProperties === "object" && depth <= 4) {
    record["extra"] = sample(s.additionalProperties, full, choice, depth + 1);
  }
  return record;
}

type Operations = Record<string, { responses: Record<string, { content?: unknown }> }>;
const SPEC_PATHS = (spec as unknown as { paths: Record<string, Operations> }).paths;

/** Every success JSON schema of the spec: template, method, status and schema. */
function successSchemas(): [string, string, string, Schema][] {
  const out: [string, string, string, Schema][] = [];
  for (const [template, operations] of Object.entries(SPEC_PATHS)) {
    for (const [method, operation] of Object.entries(operations)) {
      if (typeof operation !== "object" || operation === null || !("responses" in operation)) {
        continue;
      }
      for (const [status, response] of Object.entries(operation.responses)) {
        const content = response.content as
          | Record<string, { schema?: Schema }>
          | undefined;
        const schema = content?.["application/json"]?.schema;
        if (/^2\d\d$/.test(status) && schema !== undefined) {
          out.push([template, method, status, schema]);
        }
      }
    }
  }
  return out;
}

describe("generated response checkers (generated/response_checkers.ts)", () => {
  const schemas = successSchemas();

  it("exist for exactly the spec's success JSON schemas", () => {
    const generated = Object.entries(responseCheckers).flatMap(([template, methods]) =>
      Object.entries(methods).flatMap(([method, statuses]) =>
        Object.keys(statuses).map((status) => `${method.toUpperCase()} ${template} ${status}`)
      )
    ).sort();
    const expected = schemas.map(([t, m, s]) => `${m.toUpperCase()} ${t} ${s}`).sort();
    assert.ok(expected.length > 25, `the spec has ${expected.length} success JSON schemas`);
    assert.deepEqual(generated, expected);
  });

  for (const [template, method, status, schema] of schemas) {
    it(`answers as the spec for ${method.toUpperCase()} ${template} ${status}`, () => {
      const check = responseCheckers[template]![method]![status]!;
      const bodies = [0, 1, 2].flatMap((choice) => [
        sample(schema, true, choice),
        sample(schema, false, choice),
      ]);
      for (const body of bodies) {
        assert.equal(conforming(schema, body), true, `the sample ${JSON.stringify(body)}`);
        assert.equal(check(body), true, `the sample ${JSON.stringify(body)}`);
        // Every single replacement or removal, everywhere in the body.
        for (const path of paths(body)) {
          for (let kind = 0; kind < REPLACEMENTS.length + 2; kind++) {
            const mutated = mutate(body, path, kind);
            assert.equal(check(mutated), conforming(schema, mutated), JSON.stringify(mutated));
          }
        }
      }
      fc.assert(
        fc.property(
          fc.constantFrom(...bodies).chain((body) =>
            fc.tuple(fc.constant(body), mutationsOf(body))
          ),
          ([body, mutations]) => {
            const mutated = applyMutations(body, mutations);
            assert.equal(check(mutated), conforming(schema, mutated), JSON.stringify(mutated));
          },
        ),
        { numRuns: 200 },
      );
    });
  }
});

describe("drift policy fast path (decodeResponse)", () => {
  for (const [method, template, body] of CASES) {
    it(`agrees with the spec on mutated ${method} ${template} bodies`, () => {
      const found = responseSchema(method, template, 200)!;
      const schema = found.schema as Schema;
      const all = paths(body);
      fc.assert(
        fc.property(
          fc.array(
            fc.tuple(fc.nat(all.length - 1), fc.nat(REPLACEMENTS.length + 1)),
            { maxLength: 3 },
          ),
          (mutations) => {
            let mutated: unknown = structuredClone(body);
            for (const [p, kind] of mutations) {
              const at = paths(mutated);
              mutated = mutate(mutated, at[p % at.length]!, kind);
            }
            const before = structuredClone(mutated);
            const expected = conforming(schema, mutated);
            const drifts: Drift[] = [];
            let value: unknown;
            let failed = false;
            try {
              value = decodeResponse(found, mutated, new DriftReporter((d) => drifts.push(d)));
            } catch {
              failed = true;
            }
            if (expected) {
              assert.equal(failed, false, "a conforming body must not fail");
              assert.deepEqual(drifts, [], "a conforming body must not report drift");
              assert.deepEqual(value, before);
            } else {
              const changed = !failed && !isDeepStrictEqual(value, before);
              assert.ok(
                failed || drifts.length > 0 || changed,
                `a nonconforming body must be reported: ${JSON.stringify(before)}`,
              );
            }
          },
        ),
        { numRuns: 300 },
      );
    });
  }
});

function isDeepStrictEqual(a: unknown, b: unknown): boolean {
  try {
    assert.deepStrictEqual(a, b);
    return true;
  } catch {
    return false;
  }
}
