/**
 * Server-side semantics of `POST …/runs/shows`: filters (ANDed; pinned runs always kept),
 * nested groups and sorts with the fallback order `pin DESC, pinnedAt DESC, createdAt DESC`.
 *
 * @module
 */

import { HttpError } from "./http.ts";
import { dataOf, type RunRecord } from "./store.ts";

/**
 * A filter, group or sort item as sent by clients.
 *
 * @example A filter
 * ```ts
 * import type { RunQueryItem } from "./run_filter.ts";
 * const f: RunQueryItem = { key: "state", type: "STABLE", op: "EQ", value: ["FINISHED"] };
 * ```
 */
export interface RunQueryItem {
  /** Field, config name or metric key. */
  key: string;
  /** `STABLE`, `CONFIG` or `SCALAR`. */
  type: string;
  /** Filter operator. */
  op?: string;
  /** Filter values. */
  value?: unknown[];
  /** Sort order. */
  order?: string;
}

type Field = string | number | boolean | null | undefined | string[];

const DATE_KEYS = new Set(["createdAt", "updatedAt", "finishedAt", "pinnedAt"]);
const ARRAY_OPS = new Set(["EQ", "NEQ", "IN", "NOT IN", "CONTAIN"]);

function configValue(v: unknown): Field {
  if (v && typeof v === "object" && !Array.isArray(v) && "value" in v) {
    return configValue((v as { value: unknown }).value);
  }
  if (v === null || v === undefined) return v as null | undefined;
  if (typeof v === "string" || typeof v === "number" || typeof v === "boolean") return v;
  if (Array.isArray(v)) return v.map((x) => String(x));
  return JSON.stringify(v);
}

/**
 * The value of `item` for `run` (arrays for `labels` and `colors`).
 *
 * @example Config value of a run
 * ```ts ignore
 * const lr = fieldOf(run, { key: "lr", type: "CONFIG" });
 * ```
 */
export function fieldOf(run: RunRecord, item: RunQueryItem): Field {
  if (item.type === "CONFIG") return configValue(run.profile.config[item.key]);
  if (item.type === "SCALAR") {
    const s = dataOf(run).metrics.series(item.key);
    if (!s || s.count === 0) return undefined;
    return s.value(s.stepAt(s.count - 1));
  }
  switch (item.key) {
    case "labels":
      return run.labels.map((l) => l.name);
    case "colors":
      return [...run.colors];
    case "state":
    case "name":
    case "description":
    case "cluster":
    case "job":
    case "createdAt":
    case "updatedAt":
    case "finishedAt":
    case "pinnedAt":
    case "show":
    case "pin":
    case "baseline":
      return run[item.key];
    default:
      throw new HttpError(400, `Invalid filter key "${item.key}" for type STABLE`);
  }
}

/** Parses a filter date; values without a zone are UTC+8. */
function parseDate(v: unknown): number {
  const s = String(v).trim();
  if (/^\d{4}-\d{2}-\d{2}$/.test(s)) return Date.parse(`${s}T00:00:00+08:00`);
  if (/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(s)) {
    return Date.parse(`${s.replace(" ", "T")}+08:00`);
  }
  if (/^\d{10}$/.test(s)) return Number(s) * 1000;
  if (/^\d{13}$/.test(s)) return Number(s);
  return Date.parse(s);
}

function asNumber(v: unknown): number | undefined {
  if (typeof v === "number") return v;
  if (typeof v === "string" && v.trim() !== "" && Number.isFinite(Number(v))) return Number(v);
  if (typeof v === "string" && /^(NaN|INF|-INF)$/.test(v)) {
    return v === "NaN" ? NaN : v === "INF" ? Infinity : -Infinity;
  }
  return undefined;
}

function text(v: unknown): string {
  if (v === null || v === undefined) return "";
  if (typeof v === "boolean") return v ? "true" : "false";
  return String(v);
}

function compare(a: Field, b: unknown, key: string, type: string): number {
  if (type === "STABLE" && DATE_KEYS.has(key)) {
    const x = a === null || a === undefined ? NaN : Date.parse(String(a));
    const y = parseDate(b);
    if (Number.isNaN(x) || Number.isNaN(y)) return NaN;
    return x - y;
  }
  const x = asNumber(a);
  const y = asNumber(b);
  if (x !== undefined && y !== undefined) return x === y ? 0 : x < y ? -1 : x > y ? 1 : NaN;
  const sa = text(a);
  const sb = text(b);
  return sa === sb ? 0 : sa < sb ? -1 : 1;
}

function equal(a: Field, b: unknown, key: string, type: string): boolean {
  if (typeof a === "boolean") return text(a) === text(b).toLowerCase();
  if ((a === null || a === undefined) && type === "STABLE") return text(b) === "";
  return compare(a, b, key, type) === 0;
}

/**
 * Whether `run` passes the filter `item`.
 *
 * @example Test one filter
 * ```ts ignore
 * matches(run, { key: "state", type: "STABLE", op: "EQ", value: ["FINISHED"] });
 * ```
 */
export function matches(run: RunRecord, item: RunQueryItem): boolean {
  const op = item.op ?? "EQ";
  const values = item.value && item.value.length > 0 ? item.value.map((v) => v ?? "") : [""];
  const v0 = values[0];
  const a = fieldOf(run, item);
  if (Array.isArray(a)) {
    if (!ARRAY_OPS.has(op)) {
      throw new HttpError(400, `Invalid filter op "${op}" for array field "${item.key}"`);
    }
    const has = (v: unknown): boolean => a.includes(text(v));
    switch (op) {
      case "EQ":
        return has(v0);
      case "NEQ":
        return !has(v0);
      case "IN":
        return values.some(has);
      case "NOT IN":
        return !values.some(has);
      default:
        return a.some((x) => x.toLowerCase().includes(text(v0).toLowerCase()));
    }
  }
  if (a === undefined && item.type !== "STABLE") return op === "NEQ" || op === "NOT IN";
  switch (op) {
    case "EQ":
      return equal(a, v0, item.key, item.type);
    case "NEQ":
      return !equal(a, v0, item.key, item.type);
    case "IN":
      return values.some((v) => equal(a, v, item.key, item.type));
    case "NOT IN":
      return !values.some((v) => equal(a, v, item.key, item.type));
    case "CONTAIN":
      return text(a).toLowerCase().includes(text(v0).toLowerCase());
    case "GTE":
      return compare(a, v0, item.key, item.type) >= 0;
    case "LTE":
      return compare(a, v0, item.key, item.type) <= 0;
    default:
      throw new HttpError(400, `Invalid filter op "${op}"`);
  }
}

function sortValue(a: Field, b: Field): number {
  const missingA = a === null || a === undefined;
  const missingB = b === null || b === undefined;
  if (missingA || missingB) return Number(missingA) - Number(missingB);
  const x = Array.isArray(a) ? [...a].sort().join(", ") : a;
  const y = Array.isArray(b) ? [...b].sort().join(", ") : b;
  if (typeof x === "number" && typeof y === "number") {
    return x === y ? 0 : x < y || (Number.isNaN(x) && !Number.isNaN(y)) ? -1 : 1;
  }
  const sx = text(x);
  const sy = text(y);
  return sx === sy ? 0 : sx < sy ? -1 : 1;
}

/**
 * Group label of `run` for a group item (arrays sorted and joined with `", "`).
 *
 * @example Label group
 * ```ts ignore
 * groupKey(run, { key: "labels", type: "STABLE" }); // e.g. "best, resnet50"
 * ```
 */
export function groupKey(run: RunRecord, item: RunQueryItem): string {
  const v = fieldOf(run, item);
  if (Array.isArray(v)) return [...v].sort().join(", ");
  if (typeof v === "number") {
    return Number.isNaN(v) ? "NaN" : v === Infinity ? "INF" : v === -Infinity ? "-INF" : String(v);
  }
  return text(v);
}

/**
 * A grouped result: group label → runs or nested groups.
 *
 * @example Nested groups
 * ```ts
 * import type { Grouped } from "./run_filter.ts";
 * const g: Grouped<string> = { "sweep-a": { train: ["run-1"] } };
 * ```
 */
export interface Grouped<T> {
  [label: string]: T[] | Grouped<T>;
}

/**
 * Applies filters, sorts and groups.
 *
 * @param runs candidate runs
 * @param query filters, groups and sorts as sent by the client
 * @param serialize turns a run into its JSON form
 * @returns an array, or nested objects of arrays when groups are given
 *
 * @example Finished runs, newest first
 * ```ts ignore
 * const out = queryRuns(runs, { filters: [{ key: "state", type: "STABLE", op: "EQ", value: ["FINISHED"] }], groups: [], sorts: [] }, (r) => r.cuid);
 * ```
 */
export function queryRuns<T>(
  runs: readonly RunRecord[],
  query: { filters: RunQueryItem[]; groups: RunQueryItem[]; sorts: RunQueryItem[] },
  serialize: (run: RunRecord) => T,
): T[] | Grouped<T> {
  const kept = runs.filter((r) => r.pin || query.filters.every((f) => matches(r, f)));
  kept.sort((a, b) => {
    for (const s of query.sorts) {
      const c = sortValue(fieldOf(a, s), fieldOf(b, s));
      if (c !== 0) return s.order === "DESC" ? -c : c;
    }
    return Number(b.pin) - Number(a.pin) ||
      (b.pinnedAt ?? "").localeCompare(a.pinnedAt ?? "") ||
      b.createdAt.localeCompare(a.createdAt);
  });
  // Wire doc §3.1.4: sorts (each carries an order) flatten the grouping into one sorted list.
  if (query.groups.length === 0 || query.sorts.length > 0) return kept.map(serialize);
  const root: Grouped<T> = {};
  for (const run of kept) {
    let node = root;
    query.groups.forEach((g, depth) => {
      const label = groupKey(run, g);
      if (depth === query.groups.length - 1) {
        const list = (node[label] ??= []) as T[];
        list.push(serialize(run));
      } else {
        node = (node[label] ??= {}) as Grouped<T>;
      }
    });
  }
  return root;
}
