import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";

import { ValidationError } from "../../src/core/errors.ts";
import {
  createRangeFilter,
  type NormalizedRangeQuery,
  normalizeRangeQuery,
  type RangePoint,
} from "../../src/metrics/range_query.ts";
import { caught, throwsValidation } from "../_helpers/assertions.ts";

const RUNS = 3000;

const EMPTY: NormalizedRangeQuery = {
  type: "step",
  start: null,
  end: null,
  last: null,
  head: null,
  tail: null,
};

describe("normalizeRangeQuery()", () => {
  it("fills every field, defaulting type to step", () => {
    assert.deepEqual(normalizeRangeQuery({}), EMPTY);
    assert.deepEqual(normalizeRangeQuery({ type: "step", start: 100, end: 500 }), {
      ...EMPTY,
      start: 100,
      end: 500,
    });
  });

  it("treats null and undefined as unset", () => {
    assert.deepEqual(normalizeRangeQuery({ start: null, end: undefined, type: null }), EMPTY);
  });

  it("accepts numeric strings and integral floats like pydantic's lax mode", () => {
    assert.deepEqual(normalizeRangeQuery({ start: "100", end: 200.0, tail: " 30 " }), {
      ...EMPTY,
      start: 100,
      end: 200,
      tail: 30,
    });
    assert.equal(normalizeRangeQuery({ head: "5.0" }).head, 5);
  });

  it("rejects fractions, text, booleans and unsafe integers", () => {
    throwsValidation(
      () => normalizeRangeQuery({ start: 1.5 }),
      "rangeQuery.start",
      "Cannot parse rangeQuery.start 1.5: expected an integer",
    );
    throwsValidation(() => normalizeRangeQuery({ end: "1.5" }), "rangeQuery.end");
    throwsValidation(() => normalizeRangeQuery({ head: "ten" }), "rangeQuery.head");
    throwsValidation(
      () => normalizeRangeQuery({ tail: true }),
      "rangeQuery.tail",
      /got a boolean$/,
    );
    throwsValidation(() => normalizeRangeQuery({ last: 2 ** 60 }), "rangeQuery.last");
    throwsValidation(() => normalizeRangeQuery({ start: NaN }), "rangeQuery.start");
  });

  it("requires start and end >= 0 and start <= end", () => {
    throwsValidation(
      () => normalizeRangeQuery({ start: -1 }),
      "rangeQuery.start",
      /expected an integer >= 0/,
    );
    throwsValidation(() => normalizeRangeQuery({ end: "-3" }), "rangeQuery.end");
    throwsValidation(
      () => normalizeRangeQuery({ start: 5, end: 3 }),
      "rangeQuery.end",
      "Cannot parse rangeQuery: start 5 is greater than end 3",
    );
    assert.deepEqual(normalizeRangeQuery({ start: 0, end: 0 }), { ...EMPTY, start: 0, end: 0 });
  });

  it("requires last, head and tail > 0", () => {
    for (const key of ["last", "head", "tail"]) {
      throwsValidation(
        () => normalizeRangeQuery({ [key]: 0 }),
        `rangeQuery.${key}`,
        /expected an integer > 0/,
      );
    }
  });

  it("rejects last combined with start or end", () => {
    throwsValidation(
      () => normalizeRangeQuery({ last: 300_000, start: 1 }),
      "rangeQuery.last",
      'Cannot parse rangeQuery: "last" cannot be combined with "start" or "end"',
    );
    throwsValidation(() => normalizeRangeQuery({ last: 300_000, end: 1 }), "rangeQuery.last");
  });

  it("rejects head combined with tail but allows either with a range", () => {
    throwsValidation(
      () => normalizeRangeQuery({ head: 1, tail: 1 }),
      "rangeQuery.tail",
      'Cannot parse rangeQuery: "head" cannot be combined with "tail"',
    );
    assert.equal(normalizeRangeQuery({ start: 0, end: 500, head: 50 }).head, 50);
    assert.equal(normalizeRangeQuery({ last: 300_000, tail: 50 }).tail, 50);
  });

  it("rejects unknown keys instead of ignoring them", () => {
    throwsValidation(
      () => normalizeRangeQuery({ begin: 5 }),
      "rangeQuery.begin",
      'Cannot parse rangeQuery: unknown key "begin" (expected type, start, end, last, head, tail)',
    );
    throwsValidation(() => normalizeRangeQuery({ Start: 5 }, "range"), "range.Start");
  });

  it("rejects a bad type and non-object input", () => {
    throwsValidation(
      () => normalizeRangeQuery({ type: "time" }),
      "rangeQuery.type",
      'Cannot parse rangeQuery.type "time": expected "step" or "timestamp"',
    );
    throwsValidation(
      () => normalizeRangeQuery(null as unknown as Record<string, unknown>),
      "rangeQuery",
    );
    throwsValidation(
      () => normalizeRangeQuery([] as unknown as Record<string, unknown>),
      "rangeQuery",
      /got an array/,
    );
  });

  it("pads timestamp bounds to milliseconds for every input form", () => {
    assert.deepEqual(
      normalizeRangeQuery({ type: "timestamp", start: 1715769600, end: "1715773200" }),
      { ...EMPTY, type: "timestamp", start: 1715769600000, end: 1715773200000 },
    );
    assert.equal(normalizeRangeQuery({ type: "timestamp", start: 17 }).start, 1_700_000_000_000);
    assert.equal(
      normalizeRangeQuery({ type: "timestamp", end: 1715773200000 }).end,
      1715773200000,
    );
    assert.equal(normalizeRangeQuery({ type: "timestamp", start: 0 }).start, 0);
  });

  it("does not pad step bounds or last", () => {
    assert.equal(normalizeRangeQuery({ start: 17 }).start, 17);
    assert.equal(normalizeRangeQuery({ type: "timestamp", last: 17 }).last, 17);
  });

  it("checks start <= end after padding, as the SDK does", () => {
    // 99 pads to 9.9e12 but 100 pads to 1e12.
    throwsValidation(
      () => normalizeRangeQuery({ type: "timestamp", start: 99, end: 100 }),
      "rangeQuery.end",
      /after padding to milliseconds/,
    );
  });

  it("never changes the caller's object and returns a frozen one", () => {
    const input = { type: "timestamp" as const, start: 1715769600, end: 1715773200 };
    const result = normalizeRangeQuery(input);
    assert.deepEqual(input, { type: "timestamp", start: 1715769600, end: 1715773200 });
    assert.ok(Object.isFrozen(result));
  });

  // Each field gets a random value from a mix of valid and invalid kinds; the reference model
  // below restates §4.14.3 and predicts the exact outcome (the value, or the field reported).
  const intField = fc.oneof(
    { weight: 6, arbitrary: fc.constant(undefined) },
    { weight: 2, arbitrary: fc.constant(null) },
    { weight: 4, arbitrary: fc.integer({ min: -2, max: 50 }) },
    { weight: 2, arbitrary: fc.integer({ min: 0, max: 20_000_000_000_000 }) },
    { weight: 2, arbitrary: fc.integer({ min: -2, max: 50 }).map(String) },
    { weight: 1, arbitrary: fc.integer({ min: 0, max: 2000 }).map((n) => `${n}.0`) },
    { weight: 1, arbitrary: fc.constantFrom(1.5, -0.5, "2.5", "x", "", true) },
  );
  const queryArb = fc.record(
    {
      type: fc.constantFrom(undefined, undefined, "step", "timestamp", "timestamp", "bad"),
      start: intField,
      end: intField,
      last: intField,
      head: intField,
      tail: intField,
      extra: fc.oneof({ weight: 9, arbitrary: fc.constant(undefined) }, {
        weight: 1,
        arbitrary: fc.constantFrom("begin", "Start", "__proto__"),
      }),
    },
    { requiredKeys: [] },
  );

  type Outcome = { ok: NormalizedRangeQuery } | { field: string };

  function referenceInteger(value: unknown): number | null | "bad" {
    if (value === undefined || value === null) return null;
    if (typeof value === "number") return Number.isSafeInteger(value) ? value : "bad";
    if (typeof value === "string" && /^[+-]?\d+(\.0*)?$/.test(value.trim())) {
      return Number(value.trim());
    }
    return "bad";
  }

  const KNOWN = ["type", "start", "end", "last", "head", "tail"];

  function reference(raw: Record<string, unknown>): Outcome {
    const unknown = Object.keys(raw).find((key) => !KNOWN.includes(key));
    if (unknown !== undefined) return { field: `rangeQuery.${unknown}` };
    const type = raw["type"] ?? "step";
    if (type !== "step" && type !== "timestamp") return { field: "rangeQuery.type" };
    const result: Record<string, number | null> = {};
    for (const key of ["start", "end", "last", "head", "tail"]) {
      let value = referenceInteger(raw[key]);
      if (value === "bad") return { field: `rangeQuery.${key}` };
      const isBound = key === "start" || key === "end";
      if (value !== null && type === "timestamp" && isBound) {
        while (value > 0 && value < 1e12) value *= 10;
      }
      if (value !== null && (isBound ? value < 0 : value <= 0)) {
        return { field: `rangeQuery.${key}` };
      }
      result[key] = value === 0 ? 0 : value;
    }
    const start = result["start"] ?? null, end = result["end"] ?? null;
    const last = result["last"] ?? null, head = result["head"] ?? null;
    const tail = result["tail"] ?? null;
    if (start !== null && end !== null && start > end) return { field: "rangeQuery.end" };
    if (last !== null && (start !== null || end !== null)) return { field: "rangeQuery.last" };
    if (head !== null && tail !== null) return { field: "rangeQuery.tail" };
    return { ok: { type, start, end, last, head, tail } };
  }

  /** Turns a generated record into the input object: `extra` names an unknown key to add. */
  function toInput(generated: Record<string, unknown>): Record<string, unknown> {
    const { extra, ...input } = generated;
    if (typeof extra === "string") {
      // defineProperty, so "__proto__" becomes an own key as it does in JSON.parse output.
      Object.defineProperty(input, extra, {
        value: 5,
        enumerable: true,
        configurable: true,
        writable: true,
      });
    }
    return input;
  }

  it("matches the reference rules on random combinations", () => {
    fc.assert(
      fc.property(queryArb, (generated) => {
        const input = toInput(generated);
        const copy = structuredClone(input);
        const expected = reference(input);
        const error = caught(() => normalizeRangeQuery(input));
        if ("ok" in expected) {
          assert.equal(error, undefined, `unexpected ${error}`);
          assert.deepEqual(normalizeRangeQuery(input), expected.ok);
        } else {
          assert.ok(error instanceof ValidationError, `expected an error for ${expected.field}`);
          assert.equal(error.field, expected.field);
        }
        assert.deepEqual(input, copy, "input unchanged");
      }),
      { numRuns: RUNS },
    );
  });

  it("is idempotent on its own output", () => {
    fc.assert(
      fc.property(queryArb, (generated) => {
        const input = toInput(generated);
        if (caught(() => normalizeRangeQuery(input)) !== undefined) return;
        const once = normalizeRangeQuery(input);
        assert.deepEqual(normalizeRangeQuery(once), once);
      }),
      { numRuns: RUNS },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// createRangeFilter()
// ---------------------------------------------------------------------------------------------

interface Point extends RangePoint {
  readonly step: number;
  readonly timestamp?: number;
}

/** Drives a filter the way a streaming scanner does. */
function run(query: NormalizedRangeQuery, points: readonly Point[], nowMs: number): Point[] {
  const filter = createRangeFilter<Point>(query, nowMs);
  const out: Point[] = [];
  for (const point of points) {
    const decision = filter.accept(point);
    if (decision === "stop") break;
    if (decision === "keep" && !filter.buffering) out.push(point);
  }
  out.push(...filter.finish());
  return out;
}

const steps = (points: readonly Point[]) => points.map((p) => p.step);
const range = (from: number, to: number): Point[] =>
  Array.from({ length: to - from + 1 }, (_, i) => ({ step: from + i, timestamp: 1000 + from + i }));

describe("createRangeFilter()", () => {
  it("keeps every point for an empty query", () => {
    assert.deepEqual(steps(run(EMPTY, range(1, 5), 0)), [1, 2, 3, 4, 5]);
  });

  it("keeps steps in [start, end] and stops at the first step past end", () => {
    const filter = createRangeFilter(normalizeRangeQuery({ start: 2, end: 3 }), 0);
    assert.equal(filter.accept({ step: 1 }), "skip");
    assert.equal(filter.accept({ step: 2 }), "keep");
    assert.equal(filter.accept({ step: 3 }), "keep");
    assert.equal(filter.done, false);
    assert.equal(filter.accept({ step: 4 }), "stop");
    assert.equal(filter.done, true);
    assert.equal(filter.accept({ step: 2 }), "stop", "stays stopped");
  });

  it("keeps the first head matches, then reports done", () => {
    const filter = createRangeFilter(normalizeRangeQuery({ start: 3, head: 2 }), 0);
    assert.deepEqual(range(1, 6).map((p) => filter.accept(p)), [
      "skip",
      "skip",
      "keep",
      "keep",
      "stop",
      "stop",
    ]);
    assert.equal(filter.matched, 2);
  });

  it("holds the last tail matches in order and returns them from finish()", () => {
    const filter = createRangeFilter<Point>(normalizeRangeQuery({ end: 8, tail: 3 }), 0);
    assert.equal(filter.buffering, true);
    for (const point of range(1, 10)) if (filter.accept(point) === "stop") break;
    assert.deepEqual(steps(filter.finish()), [6, 7, 8]);
    assert.equal(filter.matched, 8);
  });

  it("returns fewer than tail points when fewer matched", () => {
    assert.deepEqual(steps(run(normalizeRangeQuery({ tail: 10 }), range(1, 4), 0)), [1, 2, 3, 4]);
  });

  it("filters on inclusive timestamp bounds without stopping early", () => {
    const query = normalizeRangeQuery({
      type: "timestamp",
      start: 1_700_000_000_010,
      end: 1_700_000_000_020,
    });
    const points: Point[] = [
      { step: 1, timestamp: 1_700_000_000_030 },
      { step: 2, timestamp: 1_700_000_000_010 },
      { step: 3 },
      { step: 4, timestamp: 1_700_000_000_020 },
      { step: 5, timestamp: 1_700_000_000_021 },
      { step: 6, timestamp: 1_700_000_000_015 },
    ];
    const filter = createRangeFilter<Point>(query, 0);
    assert.deepEqual(points.map((p) => filter.accept(p)), [
      "skip",
      "keep",
      "skip",
      "keep",
      "skip",
      "keep",
    ]);
    assert.equal(filter.missingTimestamps, 1);
  });

  it("keeps points within last milliseconds of now, inclusive, and drops ones without timestamp", () => {
    const now = 1_722_470_460_000;
    const filter = createRangeFilter<Point>(normalizeRangeQuery({ last: 30_000 }), now);
    assert.equal(filter.accept({ step: 1, timestamp: now - 30_001 }), "skip");
    assert.equal(filter.accept({ step: 2, timestamp: now - 30_000 }), "keep");
    assert.equal(filter.accept({ step: 3 }), "skip");
    assert.equal(filter.accept({ step: 4, timestamp: NaN }), "skip");
    assert.equal(filter.missingTimestamps, 2);
  });

  it("ignores start and end semantics of type when last is set", () => {
    const now = 10_000;
    const query = normalizeRangeQuery({ type: "timestamp", last: 100 });
    assert.deepEqual(
      steps(run(query, [{ step: 1, timestamp: 9_899 }, { step: 2, timestamp: 9_950 }], now)),
      [2],
    );
  });

  // Reference: cut the sequence at the first step past end (step mode only), filter, then
  // truncate with head or tail.
  function reference(
    query: NormalizedRangeQuery,
    points: readonly Point[],
    nowMs: number,
  ): Point[] {
    let sequence = points;
    if (query.last === null && query.type === "step" && query.end !== null) {
      const cut = points.findIndex((p) => p.step > query.end!);
      if (cut !== -1) sequence = points.slice(0, cut);
    }
    const hasTimestamp = (p: Point) => p.timestamp !== undefined && !Number.isNaN(p.timestamp);
    const matched = sequence.filter((p) => {
      if (query.last !== null) return hasTimestamp(p) && p.timestamp! >= nowMs - query.last;
      if (query.type === "timestamp") {
        return hasTimestamp(p) && (query.start === null || p.timestamp! >= query.start) &&
          (query.end === null || p.timestamp! <= query.end);
      }
      return query.start === null || p.step >= query.start;
    });
    if (query.head !== null) return matched.slice(0, query.head);
    if (query.tail !== null) return matched.slice(Math.max(0, matched.length - query.tail));
    return matched;
  }

  const BASE = 1_700_000_000_000;
  const NOW = BASE + 100;
  const maybe = (arb: fc.Arbitrary<number>) => fc.option(arb, { nil: null });
  const validQuery = fc.record({
    type: fc.constantFrom("step", "timestamp"),
    window: fc.oneof(
      fc.record({ last: fc.integer({ min: 1, max: 120 }) }),
      fc.record({
        lo: maybe(fc.integer({ min: 0, max: 100 })),
        hi: maybe(fc.integer({ min: 0, max: 100 })),
      }),
    ),
    cut: fc.oneof(
      fc.constant({}),
      fc.record({ head: fc.integer({ min: 1, max: 30 }) }),
      fc.record({ tail: fc.integer({ min: 1, max: 30 }) }),
    ),
  }).map(({ type, window, cut }) => {
    const input: Record<string, unknown> = { type, ...cut };
    if ("last" in window) input["last"] = window.last;
    else {
      const [lo, hi] = window.lo !== null && window.hi !== null && window.lo > window.hi
        ? [window.hi, window.lo]
        : [window.lo, window.hi];
      const offset = type === "timestamp" ? BASE : 0;
      input["start"] = lo === null ? null : lo + offset;
      input["end"] = hi === null ? null : hi + offset;
    }
    return normalizeRangeQuery(input);
  });
  const pointsArb = fc.array(
    fc.record(
      {
        step: fc.integer({ min: 0, max: 100 }),
        timestamp: fc.integer({ min: BASE - 20, max: BASE + 120 }),
      },
      { requiredKeys: ["step"] },
    ),
    { maxLength: 60 },
  );

  it("equals filter-then-truncate on random step sequences", () => {
    fc.assert(
      fc.property(validQuery, pointsArb, (query, points) => {
        assert.deepEqual(run(query, points, NOW), reference(query, points, NOW));
      }),
      { numRuns: RUNS },
    );
  });

  it("equals filter-then-truncate on sorted step sequences, as the CSV delivers them", () => {
    const sorted = pointsArb.map((points) => {
      const unique = [...new Map(points.map((p) => [p.step, p])).values()];
      return unique.sort((a, b) => a.step - b.step);
    });
    fc.assert(
      fc.property(validQuery, sorted, (query, points) => {
        const out = run(query, points, NOW);
        assert.deepEqual(out, reference(query, points, NOW));
        if (query.tail !== null) assert.ok(out.length <= query.tail);
        if (query.head !== null) assert.ok(out.length <= query.head);
      }),
      { numRuns: RUNS },
    );
  });
});
