/**
 * `RangeQuery`: which points of a full-resolution metric export to keep.
 *
 * {@linkcode normalizeRangeQuery} checks a caller's query (wire reference §4.14.3) and
 * {@linkcode createRangeFilter} applies it point by point in constant memory (§4.6.4, "Filtering
 * with a RangeQuery").
 *
 * @example Keep the last 100 points between steps 1000 and 5000
 * ```ts
 * import { createRangeFilter, normalizeRangeQuery } from "./range_query.ts";
 *
 * const query = normalizeRangeQuery({ start: 1000, end: 5000, tail: 100 });
 * const filter = createRangeFilter(query, Date.now());
 * for (let step = 0; step < 10_000; step++) {
 *   if (filter.accept({ step }) === "stop") break;
 * }
 * console.log(filter.finish().length); // 100
 * ```
 *
 * @module
 */

import { ValidationError } from "../core/errors.ts";

/**
 * The axes a {@linkcode RangeQuery} can filter on.
 *
 * @example
 * ```ts
 * import { RANGE_TYPES, type RangeType } from "./range_query.ts";
 *
 * const type: RangeType = RANGE_TYPES[1]; // "timestamp"
 * ```
 */
export const RANGE_TYPES = ["step", "timestamp"] as const;
/** A range axis, one of {@linkcode RANGE_TYPES}. */
export type RangeType = typeof RANGE_TYPES[number];

/**
 * Which points of a metric to return. Range filtering comes first (`start`/`end` on the `type`
 * axis, or `last`), then truncation (`head` or `tail`).
 *
 * Rules: `start` and `end` are integers ≥ 0 with `start ≤ end`; `last` > 0 cannot be combined
 * with `start` or `end`; `head` > 0 and `tail` > 0 cannot be combined. Numeric strings (`"100"`) and
 * integral floats (`200.0`) are accepted, like the SDK's pydantic model.
 *
 * @example By step range, first 50 points
 * ```ts
 * import type { RangeQuery } from "./range_query.ts";
 *
 * const query: RangeQuery = { type: "step", start: 0, end: 500, head: 50 };
 * ```
 *
 * @example The last five minutes
 * ```ts
 * import type { RangeQuery } from "./range_query.ts";
 *
 * const query: RangeQuery = { last: 300_000 };
 * ```
 */
export interface RangeQuery {
  /**
   * The axis `start` and `end` apply to.
   *
   * @default {"step"}
   */
  type?: RangeType;
  /**
   * Lower bound, inclusive; `null` means from the beginning. A step, or for `type: "timestamp"` a
   * Unix timestamp: values below 10¹² are padded to milliseconds (see
   * {@linkcode padTimestampMs}).
   */
  start?: number | null;
  /** Upper bound, inclusive; `null` means to the end. Same units as `start`. */
  end?: number | null;
  /** Only points whose timestamp is within this many milliseconds before now. */
  last?: number | null;
  /** Keep only the first this many matching points. */
  head?: number | null;
  /** Keep only the last this many matching points. */
  tail?: number | null;
}

/**
 * A checked {@linkcode RangeQuery}: every field present (`null` when unset), integers only,
 * timestamp bounds padded to milliseconds. Frozen.
 *
 * @example
 * ```ts
 * import { normalizeRangeQuery, type NormalizedRangeQuery } from "./range_query.ts";
 *
 * const query: NormalizedRangeQuery = normalizeRangeQuery({ tail: "30" });
 * console.log(query);
 * // { type: "step", start: null, end: null, last: null, head: null, tail: 30 }
 * ```
 */
export interface NormalizedRangeQuery {
  /** The axis `start` and `end` apply to. */
  readonly type: RangeType;
  /** Lower bound, inclusive (steps, or milliseconds for `type: "timestamp"`). */
  readonly start: number | null;
  /** Upper bound, inclusive. */
  readonly end: number | null;
  /** Window before now, in milliseconds. */
  readonly last: number | null;
  /** Keep the first this many matching points. */
  readonly head: number | null;
  /** Keep the last this many matching points. */
  readonly tail: number | null;
}

const RANGE_KEYS: readonly string[] = ["type", "start", "end", "last", "head", "tail"];

/** Quotes a primitive for an error message. */
function quote(value: unknown): string {
  if (typeof value === "string") {
    return JSON.stringify(value.length > 100 ? `${value.slice(0, 100)}…` : value);
  }
  return String(value);
}

function kindOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  const type = typeof value;
  return type === "object" ? "an object" : `a ${type}`;
}

function failure(field: string, value: unknown, expected: string): ValidationError {
  const type = typeof value;
  const shown = type === "string" || type === "number" || type === "bigint";
  return new ValidationError(
    field,
    shown
      ? `Cannot parse ${field} ${quote(value)}: ${expected}`
      : `Cannot parse ${field}: ${expected}, got ${kindOf(value)}`,
  );
}

/** Numeric strings accepted as integers, pydantic-style: sign, digits, optional `.0…`. */
const INTEGER_STRING = /^[+-]?\d+(?:\.0*)?$/;

/**
 * Lax integer coercion (pydantic's lax mode): integral numbers and numeric strings pass, anything
 * else (fractions, booleans, NaN, text) is rejected. `null`/`undefined` mean unset.
 */
function laxInteger(field: string, value: unknown): number | null {
  if (value === null || value === undefined) return null;
  let number: number | undefined;
  if (typeof value === "number") number = value;
  else if (typeof value === "string" && INTEGER_STRING.test(value.trim())) {
    number = Number(value.trim());
  }
  if (number === undefined || !Number.isInteger(number)) {
    throw failure(field, value, "expected an integer");
  }
  if (!Number.isSafeInteger(number)) {
    throw failure(field, value, `expected an integer of at most ${Number.MAX_SAFE_INTEGER}`);
  }
  return number === 0 ? 0 : number; // no -0
}

/**
 * Pads a Unix timestamp to milliseconds, as the SDK's `parse_timestamp_ms` does: a value > 0 is
 * multiplied by 10 until it is ≥ 10¹² (13 digits). So 10-digit seconds become milliseconds, but
 * note that `17` becomes `1 700 000 000 000`. Zero and negative values, and values that already
 * have 13 or more digits, are returned unchanged, so padding is idempotent.
 *
 * Accepts integers and integer strings (trimmed, optional sign). Fractions are rejected. (JavaScript
 * cannot tell `200.0` from `200`, so unlike Python an integral float passes.)
 *
 * @param value The timestamp.
 * @param field The parameter name reported on failure.
 * @returns The padded timestamp.
 * @throws {ValidationError} If `value` is not an integer or an integer string.
 *
 * @example Pad seconds to milliseconds
 * ```ts
 * import { padTimestampMs } from "./range_query.ts";
 *
 * console.log(padTimestampMs(1715769600)); // 1715769600000
 * console.log(padTimestampMs("1715769600000")); // 1715769600000
 * console.log(padTimestampMs(17)); // 1700000000000
 * ```
 */
export function padTimestampMs(value: number | string, field = "timestamp"): number {
  let number: number | undefined;
  if (typeof value === "number") number = value;
  else if (typeof value === "string" && /^[+-]?\d+$/.test(value.trim())) number = Number(value);
  if (number === undefined || !Number.isInteger(number)) {
    throw failure(field, value, "expected an integer timestamp");
  }
  while (number > 0 && number < 1e12) number *= 10;
  return number;
}

/**
 * Checks a range query and returns its normalized, frozen form.
 *
 * Rules (wire reference §4.14.3): `type` is `"step"` (default) or `"timestamp"`; `start`/`end`
 * are integers ≥ 0 and `start ≤ end`; `last`, `head` and `tail` are integers > 0; `last` cannot be
 * combined with `start` or `end`, nor `head` with `tail`. Numeric strings and integral floats are
 * accepted. `null` and `undefined` mean unset.
 *
 * Two deliberate differences from the SDK:
 * - unknown keys are rejected (the SDK ignores them, so `{ begin: 5 }` silently meant "no
 *   filter");
 * - for `type: "timestamp"`, `start` and `end` are always padded with {@linkcode padTimestampMs}
 *   (the SDK pads only plain dicts passed to `run.metrics()`, and mutates them; `RangeQuery`
 *   objects and the CLI are not padded there). Padding happens before the `start ≤ end` check, as
 *   in the SDK.
 *
 * The caller's object is never changed.
 *
 * @param input The query: a {@linkcode RangeQuery} or any object from JSON or the command line.
 * @param field The parameter name; fields are reported as `field.start` etc.
 * @returns The normalized query.
 * @throws {ValidationError} Naming the offending field, e.g. `"rangeQuery.begin"`.
 *
 * @example Normalize a timestamp range given in seconds
 * ```ts
 * import { normalizeRangeQuery } from "./range_query.ts";
 *
 * const query = normalizeRangeQuery({ type: "timestamp", start: 1715769600, end: "1715773200" });
 * console.log(query.start, query.end); // 1715769600000 1715773200000
 * ```
 *
 * @example Unknown keys are errors
 * ```ts
 * import { normalizeRangeQuery } from "./range_query.ts";
 * import { ValidationError } from "../core/errors.ts";
 *
 * try {
 *   normalizeRangeQuery({ begin: 5 });
 * } catch (error) {
 *   if (error instanceof ValidationError) console.log(error.field); // "rangeQuery.begin"
 * }
 * ```
 */
export function normalizeRangeQuery(
  input: RangeQuery | Record<string, unknown>,
  field = "rangeQuery",
): NormalizedRangeQuery {
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    throw failure(field, input, "expected an object");
  }
  const raw = input as Record<string, unknown>;
  for (const key of Object.keys(raw)) {
    if (!RANGE_KEYS.includes(key)) {
      throw new ValidationError(
        `${field}.${key}`,
        `Cannot parse ${field}: unknown key ${quote(key)} (expected ${RANGE_KEYS.join(", ")})`,
      );
    }
  }

  const rawType = raw["type"];
  let type: RangeType = "step";
  if (rawType !== undefined && rawType !== null) {
    if (rawType !== "step" && rawType !== "timestamp") {
      throw failure(`${field}.type`, rawType, 'expected "step" or "timestamp"');
    }
    type = rawType;
  }

  const bound = (key: "start" | "end"): number | null => {
    let value = laxInteger(`${field}.${key}`, raw[key]);
    if (value !== null && type === "timestamp") value = padTimestampMs(value, `${field}.${key}`);
    if (value !== null && value < 0) {
      throw failure(`${field}.${key}`, raw[key], "expected an integer >= 0");
    }
    return value;
  };
  const positive = (key: "last" | "head" | "tail"): number | null => {
    const value = laxInteger(`${field}.${key}`, raw[key]);
    if (value !== null && value <= 0) {
      throw failure(`${field}.${key}`, raw[key], "expected an integer > 0");
    }
    return value;
  };

  const start = bound("start");
  const end = bound("end");
  const last = positive("last");
  const head = positive("head");
  const tail = positive("tail");

  if (start !== null && end !== null && start > end) {
    const padded = type === "timestamp" ? " after padding to milliseconds" : "";
    throw new ValidationError(
      `${field}.end`,
      `Cannot parse ${field}: start ${start} is greater than end ${end}${padded}`,
    );
  }
  if (last !== null && (start !== null || end !== null)) {
    throw new ValidationError(
      `${field}.last`,
      `Cannot parse ${field}: "last" cannot be combined with "start" or "end"`,
    );
  }
  if (head !== null && tail !== null) {
    throw new ValidationError(
      `${field}.tail`,
      `Cannot parse ${field}: "head" cannot be combined with "tail"`,
    );
  }
  return Object.freeze({ type, start, end, last, head, tail });
}

/**
 * What to do with a point offered to a {@linkcode RangeFilter}:
 * - `"keep"`: it matches. Emit it now, unless the filter is {@linkcode RangeFilter.buffering}
 *   (then it is held for {@linkcode RangeFilter.finish}).
 * - `"skip"`: it does not match; go on.
 * - `"stop"`: it does not match and no later point of this key can: stop reading this key.
 *
 * @example
 * ```ts
 * import type { RangeDecision } from "./range_query.ts";
 *
 * const decision: RangeDecision = "keep";
 * ```
 */
export type RangeDecision = "keep" | "skip" | "stop";

/**
 * The least a point needs for range filtering.
 *
 * @example
 * ```ts
 * import type { RangePoint } from "./range_query.ts";
 *
 * const point: RangePoint = { step: 3, timestamp: 1722470401000 };
 * ```
 */
export interface RangePoint {
  /** The step (CSV rows come ordered by step). */
  readonly step: number;
  /** Milliseconds since the epoch; missing or `NaN` means unknown. */
  readonly timestamp?: number | undefined;
}

/**
 * A per-key, stateful filter over a stream of points ordered by step, created by
 * {@linkcode createRangeFilter}. It holds at most `tail` points, and nothing without `tail`.
 *
 * @example Filter a key's points
 * ```ts
 * import { createRangeFilter, normalizeRangeQuery, type RangePoint } from "./range_query.ts";
 *
 * const filter = createRangeFilter(normalizeRangeQuery({ start: 2, head: 2 }), Date.now());
 * const out: RangePoint[] = [];
 * for (const point of [{ step: 1 }, { step: 2 }, { step: 3 }, { step: 4 }]) {
 *   const decision = filter.accept(point);
 *   if (decision === "stop") break;
 *   if (decision === "keep" && !filter.buffering) out.push(point);
 * }
 * out.push(...filter.finish());
 * console.log(out.map((p) => p.step)); // [2, 3]
 * ```
 */
export interface RangeFilter<P extends RangePoint = RangePoint> {
  /**
   * Offers the next point.
   *
   * @param point The point; points must come in file (step) order.
   * @returns Whether the point is kept, skipped, or ends this key.
   */
  accept(point: P): RangeDecision;
  /**
   * Returns the points held back in `tail` mode, oldest first (at most `tail` of them). Without
   * `tail`, returns an empty array: kept points were already emitted by the caller.
   *
   * @returns The held points.
   */
  finish(): P[];
  /** True when the query has `tail`: kept points are held and returned by `finish()`. */
  readonly buffering: boolean;
  /**
   * True once no later point can be kept (the step passed `end`, or `head` points were kept);
   * a multi-key reader may stop once every key's filter is done.
   */
  readonly done: boolean;
  /** How many points matched so far (including ones a `tail` buffer has since dropped). */
  readonly matched: number;
  /** How many points were dropped for lacking a timestamp (`last` and `timestamp` modes). */
  readonly missingTimestamps: number;
}

const MODE_STEP = 0;
const MODE_TIMESTAMP = 1;
const MODE_LAST = 2;

class RangeFilterImpl<P extends RangePoint> implements RangeFilter<P> {
  readonly #mode: number;
  readonly #start: number | null;
  readonly #end: number | null;
  readonly #cutoff: number;
  readonly #head: number | null;
  readonly #tail: number | null;
  readonly #ring: P[] = [];
  #ringNext = 0;
  #matched = 0;
  #missing = 0;
  #done = false;

  constructor(query: NormalizedRangeQuery, nowMs: number) {
    this.#mode = query.last !== null
      ? MODE_LAST
      : query.type === "timestamp"
      ? MODE_TIMESTAMP
      : MODE_STEP;
    this.#start = query.start;
    this.#end = query.end;
    this.#cutoff = query.last !== null ? nowMs - query.last : 0;
    this.#head = query.head;
    this.#tail = query.tail;
  }

  get buffering(): boolean {
    return this.#tail !== null;
  }

  get done(): boolean {
    return this.#done;
  }

  get matched(): number {
    return this.#matched;
  }

  get missingTimestamps(): number {
    return this.#missing;
  }

  accept(point: P): RangeDecision {
    if (this.#done) return "stop";
    if (this.#mode === MODE_STEP) {
      if (this.#end !== null && point.step > this.#end) {
        this.#done = true;
        return "stop";
      }
      if (this.#start !== null && point.step < this.#start) return "skip";
    } else {
      const timestamp = point.timestamp;
      if (timestamp === undefined || Number.isNaN(timestamp)) {
        this.#missing++;
        return "skip";
      }
      if (this.#mode === MODE_LAST) {
        if (timestamp < this.#cutoff) return "skip";
      } else {
        if (this.#start !== null && timestamp < this.#start) return "skip";
        if (this.#end !== null && timestamp > this.#end) return "skip";
      }
    }
    this.#matched++;
    if (this.#tail !== null) {
      if (this.#ring.length < this.#tail) {
        this.#ring.push(point);
      } else {
        this.#ring[this.#ringNext] = point;
        this.#ringNext = (this.#ringNext + 1) % this.#tail;
      }
    } else if (this.#head !== null && this.#matched >= this.#head) {
      this.#done = true;
    }
    return "keep";
  }

  finish(): P[] {
    if (this.#ringNext === 0) return this.#ring.slice();
    return this.#ring.slice(this.#ringNext).concat(this.#ring.slice(0, this.#ringNext));
  }
}

/**
 * Creates the per-key filter for a normalized query, following the SDK's CSV filtering
 * (wire reference §4.6.4):
 *
 * | Query | Rule |
 * |---|---|
 * | `last` | keep `timestamp ≥ nowMs − last`; points without timestamp are dropped (counted) |
 * | `type: "timestamp"` | keep `start ≤ timestamp ≤ end` (bounds optional); no timestamp → dropped |
 * | `type: "step"` | keep `step ≥ start`; the first point with `step > end` answers `"stop"` |
 * | then `head` | keep the first `head` matches, then `"stop"` |
 * | or `tail` | keep the last `tail` matches in a ring buffer, returned by `finish()` |
 *
 * @typeParam P The point type; points are returned as given.
 * @param query A query from {@linkcode normalizeRangeQuery}.
 * @param nowMs The current time in milliseconds (for `last`), e.g. `Date.now()`.
 * @returns A fresh filter; use one per metric key.
 *
 * @example The last 30 seconds
 * ```ts
 * import { createRangeFilter, normalizeRangeQuery } from "./range_query.ts";
 *
 * const now = 1_722_470_460_000;
 * const filter = createRangeFilter(normalizeRangeQuery({ last: 30_000 }), now);
 * console.log(filter.accept({ step: 1, timestamp: now - 60_000 })); // "skip"
 * console.log(filter.accept({ step: 2, timestamp: now - 10_000 })); // "keep"
 * ```
 */
export function createRangeFilter<P extends RangePoint = RangePoint>(
  query: NormalizedRangeQuery,
  nowMs: number,
): RangeFilter<P> {
  return new RangeFilterImpl<P>(query, nowMs);
}
