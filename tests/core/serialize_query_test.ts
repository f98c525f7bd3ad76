/**
 * Query strings as the Python SDK sends them (`null`/`undefined` left out, booleans as
 * `True`/`False`, form encoding), whether built directly or through `URLSearchParams`.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { serializeQuery } from "../../src/core/transport.ts";

/** The reference: every parameter through `URLSearchParams`, as form encoding defines it. */
function reference(query: Record<string, unknown>): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value === undefined || value === null) continue;
    params.append(name, typeof value === "boolean" ? (value ? "True" : "False") : String(value));
  }
  return params.toString();
}

describe("serializeQuery", () => {
  it("writes the SDK's forms", () => {
    assert.equal(serializeQuery({}), "");
    assert.equal(serializeQuery({ page: 2, size: 100 }), "page=2&size=100");
    assert.equal(serializeQuery({ a: undefined, b: null, c: 0 }), "c=0");
    assert.equal(serializeQuery({ detail: true, all: false }), "detail=True&all=False");
    assert.equal(
      serializeQuery({ search: "a b", key: "loss/train" }),
      "search=a+b&key=loss%2Ftrain",
    );
    assert.equal(serializeQuery({ x: 1e21, y: -0.5, z: NaN }), "x=1e%2B21&y=-0.5&z=NaN");
    assert.equal(serializeQuery({ "a&b": "c=d", "ü": "✓" }), reference({ "a&b": "c=d", "ü": "✓" }));
  });

  it("equals form encoding of every parameter for any names and values", () => {
    const value = fc.oneof(
      fc.string(),
      fc.string({ unit: "grapheme" }),
      fc.constantFrom("page", "a.b_c-d*", "1e+21", " ", "%20", "+"),
      fc.double(),
      fc.integer(),
      fc.boolean(),
      fc.constant(null),
      fc.constant(undefined),
    );
    fc.assert(
      fc.property(
        fc.dictionary(fc.oneof(fc.string(), fc.constantFrom("page", "size")), value),
        (query) => {
          assert.equal(serializeQuery(query), reference(query));
        },
      ),
      { numRuns: 2000 },
    );
  });
});
