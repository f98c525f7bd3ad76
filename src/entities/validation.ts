/**
 * Input validation for swanlab-ts: paths, names, enums, paging, run filters and timestamps.
 *
 * Every check runs before any request is sent and throws a {@linkcode ValidationError} whose
 * `field` names the rejected parameter (`"path"`, `"filters[1].op"`, `"size"`, …). The rules follow
 * the Python SDK (`swanlab/api/utils.py`, `swanlab/api/typings/common.py`), tightened where the SDK
 * lets a value change the request target: path segments may not be `.`/`..` or contain control
 * characters, and each segment must be a valid username, project name or run id.
 *
 * Validators take `unknown` (input often comes from JSON files or the command line) and return the
 * value narrowed to its type, so they double as parsers.
 *
 * @example Parse a run path
 * ```ts
 * import { parseRunPath } from "./validation.ts";
 *
 * const { username, project, run } = parseRunPath("alice/mnist/abc123");
 * console.log(username, project, run); // "alice" "mnist" "abc123"
 * ```
 *
 * @module
 */

import { ResponseError, ValidationError } from "../core/errors.ts";
import { padTimestampMs } from "../metrics/range_query.ts";

// `padTimestampMs` lives in src/metrics (the layer below) so that RangeQuery normalization can use
// it without importing from src/entities; it is re-exported here with the other timestamp rules.
export { padTimestampMs };

// ---------------------------------------------------------------------------------------------
// Message helpers (private)
// ---------------------------------------------------------------------------------------------

const MAX_QUOTED_LENGTH = 100;

/** Quotes a primitive for an error message; long strings are shortened, control chars escaped. */
function quote(value: string | number | boolean | bigint): string {
  if (typeof value !== "string") return String(value);
  const shown = value.length > MAX_QUOTED_LENGTH ? `${value.slice(0, MAX_QUOTED_LENGTH)}…` : value;
  return JSON.stringify(shown);
}

/** Names the kind of a value for "got …" clauses. */
function kindOf(value: unknown): string {
  if (value === null) return "null";
  if (value === undefined) return "undefined";
  if (Array.isArray(value)) return "an array";
  const type = typeof value;
  return type === "object" ? "an object" : `a ${type}`;
}

/** `Cannot parse <field> <value>: <expected>` for primitives, `…: <expected>, got <kind>` else. */
function parseFailure(field: string, value: unknown, expected: string): string {
  const type = typeof value;
  if (type === "string" || type === "number" || type === "boolean" || type === "bigint") {
    return `Cannot parse ${field} ${
      quote(value as string | number | boolean | bigint)
    }: ${expected}`;
  }
  return `Cannot parse ${field}: ${expected}, got ${kindOf(value)}`;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

// ---------------------------------------------------------------------------------------------
// Names and paths
// ---------------------------------------------------------------------------------------------

/** The longest project name the server accepts (§4.14.1). */
const PROJECT_NAME_MAX_LENGTH = 100;
/** The longest run id (per the SDK's former docs, [hist] in §4.14.1). */
const RUN_ID_MAX_LENGTH = 512;
/** Our own limit for usernames; the SDK checks none, SwanLab usernames are far shorter. */
const USERNAME_MAX_LENGTH = 100;

const PROJECT_NAME_PATTERN = /^[0-9A-Za-z\-_.+]+$/;
const USERNAME_PATTERN = /^[0-9A-Za-z\-_.]+$/;
const RUN_ID_FORBIDDEN = '<>:"/\\|?*#%';

/** True for C0 controls, DEL and C1 controls. */
function isControl(code: number): boolean {
  return code <= 0x1f || (code >= 0x7f && code <= 0x9f);
}

function firstControl(text: string): number {
  for (let i = 0; i < text.length; i++) {
    if (isControl(text.charCodeAt(i))) return i;
  }
  return -1;
}

/**
 * The rules every name shares (a name becomes a URL path segment): not empty, not too long, no
 * outer whitespace, not a dot segment (URL normalization would remove it), no control characters.
 * Returns the reason a name is rejected, or `undefined`.
 */
function commonNameProblem(name: string, maxLength: number): string | undefined {
  if (name.length === 0) return "is empty";
  if (name.length > maxLength) return `is longer than ${maxLength} characters`;
  if (name.trim() !== name) return "has leading or trailing whitespace";
  if (name === "." || name === "..") return 'is a dot segment ("." or "..")';
  const control = firstControl(name);
  if (control !== -1) {
    const code = name.charCodeAt(control).toString(16).toUpperCase().padStart(4, "0");
    return `contains a control character (U+${code})`;
  }
  return undefined;
}

function firstOutside(name: string, pattern: RegExp): string {
  for (const char of name) {
    if (!pattern.test(char)) return char;
  }
  return "";
}

/**
 * Usernames (workspace ids): our rule, as the SDK checks nothing. ASCII letters, digits, `-`,
 * `_` and `.`, 1 to 100 characters, not `.` or `..`. This admits every username SwanLab issues
 * and keeps `?`, `#`, `%`, `/` and spaces out of request paths.
 */
function usernameProblem(name: string): string | undefined {
  const common = commonNameProblem(name, USERNAME_MAX_LENGTH);
  if (common !== undefined) return common;
  if (!USERNAME_PATTERN.test(name)) {
    return `contains ${quote(firstOutside(name, USERNAME_PATTERN))} (allowed: 0-9 a-z A-Z - _ .)`;
  }
  return undefined;
}

/**
 * Project names (§4.14.1): 1 to 100 characters from `0-9 a-z A-Z - _ . +`. We also reject `.`
 * and `..`, which the character set allows but which no URL can address.
 */
function projectNameProblem(name: string): string | undefined {
  const common = commonNameProblem(name, PROJECT_NAME_MAX_LENGTH);
  if (common !== undefined) return common;
  if (!PROJECT_NAME_PATTERN.test(name)) {
    return `contains ${
      quote(firstOutside(name, PROJECT_NAME_PATTERN))
    } (allowed: 0-9 a-z A-Z - _ . +)`;
  }
  return undefined;
}

/**
 * Run ids (slug or cuid; §4.14.1 [hist]): 1 to 512 characters, none of `<>:"/\|?*#%`, no control
 * characters; we also reject outer whitespace and `.`/`..`. Other characters (spaces inside,
 * non-ASCII letters) are allowed: the transport percent-encodes them.
 */
function runIdProblem(name: string): string | undefined {
  const common = commonNameProblem(name, RUN_ID_MAX_LENGTH);
  if (common !== undefined) return common;
  for (const char of name) {
    if (RUN_ID_FORBIDDEN.includes(char)) {
      return `contains ${quote(char)} (not allowed: < > : " / \\ | ? * # %)`;
    }
  }
  return undefined;
}

function checkName(
  field: string,
  label: string,
  value: unknown,
  problem: (name: string) => string | undefined,
): string {
  if (typeof value !== "string") {
    throw new ValidationError(field, parseFailure(field, value, `expected a ${label} string`));
  }
  const reason = problem(value);
  if (reason !== undefined) {
    throw new ValidationError(field, `Cannot parse ${label} ${quote(value)}: value ${reason}`);
  }
  return value;
}

/**
 * Checks a username (a workspace id).
 *
 * The SDK checks nothing here; our rule is ASCII letters, digits, `-`, `_` and `.`, 1 to 100
 * characters, and not `.` or `..`.
 *
 * @param name The username.
 * @param field The parameter name reported on failure.
 * @returns The username, unchanged.
 * @throws {ValidationError} If `name` is not a string or breaks a rule.
 *
 * @example Check a username
 * ```ts
 * import { validateUsername } from "./validation.ts";
 *
 * console.log(validateUsername("my-team")); // "my-team"
 * ```
 */
export function validateUsername(name: unknown, field = "username"): string {
  return checkName(field, "username", name, usernameProblem);
}

/**
 * Checks a project name: 1 to 100 characters, only `0-9 a-z A-Z - _ . +`, and not `.` or `..`.
 *
 * @param name The project name.
 * @param field The parameter name reported on failure.
 * @returns The name, unchanged.
 * @throws {ValidationError} If `name` is not a string or breaks a rule.
 *
 * @example Reject a name with a space
 * ```ts
 * import { validateProjectName } from "./validation.ts";
 * import { ValidationError } from "../core/errors.ts";
 *
 * validateProjectName("mnist-v2"); // ok
 * try {
 *   validateProjectName("my project");
 * } catch (error) {
 *   console.log(error instanceof ValidationError); // true
 * }
 * ```
 */
export function validateProjectName(name: unknown, field = "name"): string {
  return checkName(field, "project name", name, projectNameProblem);
}

/**
 * Checks a run id (slug or cuid): 1 to 512 characters, none of `<>:"/\|?*#%`, no control
 * characters, no leading or trailing whitespace, and not `.` or `..`.
 *
 * @param id The run id.
 * @param field The parameter name reported on failure.
 * @returns The id, unchanged.
 * @throws {ValidationError} If `id` is not a string or breaks a rule.
 *
 * @example Check a run id
 * ```ts
 * import { validateRunId } from "./validation.ts";
 *
 * console.log(validateRunId("abc123")); // "abc123"
 * ```
 */
export function validateRunId(id: unknown, field = "run"): string {
  return checkName(field, "run id", id, runIdProblem);
}

/** A parsed workspace path (`username`). */
export interface WorkspacePath {
  /** The workspace's username. */
  username: string;
}

/** A parsed project path (`username/project`). */
export interface ProjectPath {
  /** The workspace's username. */
  username: string;
  /** The project name. */
  project: string;
}

/** A parsed run path (`username/project/run`). */
export interface RunPath {
  /** The workspace's username. */
  username: string;
  /** The project name. */
  project: string;
  /** The run id: normally the slug, a cuid works too. */
  run: string;
}

interface SegmentRule {
  label: string;
  problem: (segment: string) => string | undefined;
}

const USERNAME_RULE: SegmentRule = { label: "username", problem: usernameProblem };
const PROJECT_RULE: SegmentRule = { label: "project name", problem: projectNameProblem };
const RUN_RULE: SegmentRule = { label: "run id", problem: runIdProblem };

function splitPath(
  path: unknown,
  field: string,
  shape: string,
  rules: readonly SegmentRule[],
): string[] {
  if (typeof path !== "string") {
    throw new ValidationError(field, parseFailure(field, path, `expected a string (${shape})`));
  }
  const failure = (reason: string) =>
    new ValidationError(field, `Cannot parse ${field} ${quote(path)}: ${reason}`);
  if (path.trim() !== path) throw failure("path has leading or trailing whitespace");
  const segments = path.split("/");
  if (segments.length !== rules.length) {
    const noun = rules.length === 1 ? "segment" : "segments";
    throw failure(`expected ${rules.length} ${noun} (${shape}), got ${segments.length}`);
  }
  for (let i = 0; i < rules.length; i++) {
    const rule = rules[i] as SegmentRule;
    const segment = segments[i] as string;
    const reason = rule.problem(segment);
    if (reason !== undefined) throw failure(`${rule.label} ${quote(segment)} ${reason}`);
  }
  return segments;
}

/**
 * Parses a workspace path: one segment, the username.
 *
 * @param path The path, e.g. `"my-team"`.
 * @param field The parameter name reported on failure.
 * @returns The username.
 * @throws {ValidationError} If `path` is not a string, has a `/`, or the username is invalid.
 *
 * @example Parse a workspace path
 * ```ts
 * import { parseWorkspacePath } from "./validation.ts";
 *
 * console.log(parseWorkspacePath("my-team").username); // "my-team"
 * ```
 */
export function parseWorkspacePath(path: unknown, field = "path"): WorkspacePath {
  const [username] = splitPath(path, field, "username", [USERNAME_RULE]) as [string];
  return { username };
}

/**
 * Parses a project path `username/project`.
 *
 * The whole path and each segment may not have outer whitespace; the username and project name
 * must pass {@linkcode validateUsername} and {@linkcode validateProjectName}.
 *
 * @param path The path, e.g. `"my-team/my-project"`.
 * @param field The parameter name reported on failure.
 * @returns The username and project name.
 * @throws {ValidationError} If `path` is not a string, has the wrong number of segments, or a
 * segment is invalid.
 *
 * @example Parse a project path
 * ```ts
 * import { parseProjectPath } from "./validation.ts";
 *
 * const { username, project } = parseProjectPath("my-team/my-project");
 * console.log(username, project); // "my-team" "my-project"
 * ```
 */
export function parseProjectPath(path: unknown, field = "path"): ProjectPath {
  const [username, project] = splitPath(path, field, "username/project", [
    USERNAME_RULE,
    PROJECT_RULE,
  ]) as [string, string];
  return { username, project };
}

/**
 * Parses a run path `username/project/run`.
 *
 * The whole path and each segment may not have outer whitespace; the segments must pass
 * {@linkcode validateUsername}, {@linkcode validateProjectName} and {@linkcode validateRunId}.
 *
 * @param path The path, e.g. `"my-team/my-project/abc123"`.
 * @param field The parameter name reported on failure.
 * @returns The username, project name and run id.
 * @throws {ValidationError} If `path` is not a string, has the wrong number of segments, or a
 * segment is invalid.
 *
 * @example Reject a project path where a run path is expected
 * ```ts
 * import { parseRunPath } from "./validation.ts";
 * import { ValidationError } from "../core/errors.ts";
 *
 * try {
 *   parseRunPath("a/b");
 * } catch (error) {
 *   if (error instanceof ValidationError) console.log(error.field, error.message);
 *   // "path" 'Cannot parse path "a/b": expected 3 segments (username/project/run), got 2'
 * }
 * ```
 */
export function parseRunPath(path: unknown, field = "path"): RunPath {
  const [username, project, run] = splitPath(path, field, "username/project/run", [
    USERNAME_RULE,
    PROJECT_RULE,
    RUN_RULE,
  ]) as [string, string, string];
  return { username, project, run };
}

// ---------------------------------------------------------------------------------------------
// Enums
// ---------------------------------------------------------------------------------------------

/**
 * Run states.
 *
 * @example
 * ```ts
 * import { RUN_STATES, type RunState } from "./validation.ts";
 *
 * const state: RunState = RUN_STATES[1]; // "FINISHED"
 * ```
 */
export const RUN_STATES = ["RUNNING", "FINISHED", "CRASHED", "ABORTED", "OFFLINE"] as const;
/** A run state, one of {@linkcode RUN_STATES}. */
export type RunState = typeof RUN_STATES[number];

/**
 * Project visibilities.
 *
 * @example
 * ```ts
 * import { VISIBILITIES, type Visibility } from "./validation.ts";
 *
 * const visibility: Visibility = VISIBILITIES[1]; // "PRIVATE"
 * ```
 */
export const VISIBILITIES = ["PUBLIC", "PRIVATE"] as const;
/** A project visibility, one of {@linkcode VISIBILITIES}. */
export type Visibility = typeof VISIBILITIES[number];

/**
 * Workspace types: a team or a person.
 *
 * @example
 * ```ts
 * import { WORKSPACE_TYPES, type WorkspaceType } from "./validation.ts";
 *
 * const type: WorkspaceType = WORKSPACE_TYPES[0]; // "TEAM"
 * ```
 */
export const WORKSPACE_TYPES = ["TEAM", "PERSON"] as const;
/** A workspace type, one of {@linkcode WORKSPACE_TYPES}. */
export type WorkspaceType = typeof WORKSPACE_TYPES[number];

/**
 * Workspace roles of the logged-in user.
 *
 * @example
 * ```ts
 * import { ROLES, type Role } from "./validation.ts";
 *
 * const role: Role = ROLES[3]; // "OWNER"
 * ```
 */
export const ROLES = ["VISITOR", "VIEWER", "MEMBER", "OWNER"] as const;
/** A workspace role, one of {@linkcode ROLES}. */
export type Role = typeof ROLES[number];

/**
 * Column classes: logged by the user or by SwanLab itself.
 *
 * @example
 * ```ts
 * import { COLUMN_CLASSES, type ColumnClass } from "./validation.ts";
 *
 * const columnClass: ColumnClass = COLUMN_CLASSES[0]; // "CUSTOM"
 * ```
 */
export const COLUMN_CLASSES = ["CUSTOM", "SYSTEM"] as const;
/** A column class, one of {@linkcode COLUMN_CLASSES}. */
export type ColumnClass = typeof COLUMN_CLASSES[number];

/**
 * Metric key classes (for series): the same values as {@linkcode COLUMN_CLASSES}.
 *
 * @example
 * ```ts
 * import { METRIC_CLASSES, type MetricClass } from "./validation.ts";
 *
 * const metricClass: MetricClass = METRIC_CLASSES[1]; // "SYSTEM"
 * ```
 */
export const METRIC_CLASSES = ["CUSTOM", "SYSTEM"] as const;
/** A metric key class, one of {@linkcode METRIC_CLASSES}. */
export type MetricClass = typeof METRIC_CLASSES[number];

/**
 * Column data types; the first three are scalar ({@linkcode SCALAR_COLUMN_TYPES}).
 *
 * @example
 * ```ts
 * import { COLUMN_TYPES, type ColumnType } from "./validation.ts";
 *
 * const type: ColumnType = COLUMN_TYPES[3]; // "IMAGE"
 * ```
 */
export const COLUMN_TYPES = [
  "FLOAT",
  "BOOLEAN",
  "STRING",
  "IMAGE",
  "AUDIO",
  "VIDEO",
  "OBJECT3D",
  "MOLECULE",
  "ECHARTS",
  "TABLE",
  "TEXT",
] as const;
/** A column data type, one of {@linkcode COLUMN_TYPES}. */
export type ColumnType = typeof COLUMN_TYPES[number];

/**
 * The column data types whose metrics are scalar; every other column type is media.
 *
 * @example Tell scalar columns from media columns
 * ```ts
 * import { SCALAR_COLUMN_TYPES, type ColumnType } from "./validation.ts";
 *
 * const type: ColumnType = "IMAGE";
 * const scalar = (SCALAR_COLUMN_TYPES as readonly string[]).includes(type);
 * console.log(scalar); // false
 * ```
 */
export const SCALAR_COLUMN_TYPES = ["FLOAT", "BOOLEAN", "STRING"] as const;

/**
 * Metric key types (`LOG` is internal to the SDK and not accepted from callers).
 *
 * @example
 * ```ts
 * import { METRIC_TYPES, type MetricType } from "./validation.ts";
 *
 * const type: MetricType = METRIC_TYPES[0]; // "SCALAR"
 * ```
 */
export const METRIC_TYPES = ["SCALAR", "MEDIA"] as const;
/** A metric key type, one of {@linkcode METRIC_TYPES}. */
export type MetricType = typeof METRIC_TYPES[number];

/**
 * Log levels (case-sensitive; the CLI upper-cases its option).
 *
 * @example
 * ```ts
 * import { LOG_LEVELS, type LogLevel } from "./validation.ts";
 *
 * const level: LogLevel = LOG_LEVELS[1]; // "INFO"
 * ```
 */
export const LOG_LEVELS = ["DEBUG", "INFO", "WARN", "ERROR"] as const;
/** A log level, one of {@linkcode LOG_LEVELS}. */
export type LogLevel = typeof LOG_LEVELS[number];

/**
 * The `type` of a run filter, group or sort: a built-in field, a config parameter or a scalar
 * metric.
 *
 * @example
 * ```ts
 * import { FILTER_TYPES, type FilterType } from "./validation.ts";
 *
 * const type: FilterType = FILTER_TYPES[1]; // "CONFIG"
 * ```
 */
export const FILTER_TYPES = ["STABLE", "CONFIG", "SCALAR"] as const;
/** A filter, group or sort type, one of {@linkcode FILTER_TYPES}. */
export type FilterType = typeof FILTER_TYPES[number];

/**
 * Run filter operators. Note `"NOT IN"` is spelled with a space.
 *
 * @example
 * ```ts
 * import { FILTER_OPS, type FilterOp } from "./validation.ts";
 *
 * const op: FilterOp = FILTER_OPS[5]; // "NOT IN"
 * ```
 */
export const FILTER_OPS = ["EQ", "NEQ", "GTE", "LTE", "IN", "NOT IN", "CONTAIN"] as const;
/** A run filter operator, one of {@linkcode FILTER_OPS}. */
export type FilterOp = typeof FILTER_OPS[number];

/**
 * The 14 built-in run fields a `STABLE` filter, group or sort may name as its `key`.
 *
 * @example
 * ```ts
 * import { STABLE_KEYS, type StableKey } from "./validation.ts";
 *
 * const key: StableKey = STABLE_KEYS[0]; // "state"
 * ```
 */
export const STABLE_KEYS = [
  "state",
  "name",
  "description",
  "show",
  "pin",
  "baseline",
  "colors",
  "cluster",
  "job",
  "createdAt",
  "updatedAt",
  "finishedAt",
  "pinnedAt",
  "labels",
] as const;
/** A built-in run field, one of {@linkcode STABLE_KEYS}. */
export type StableKey = typeof STABLE_KEYS[number];

/**
 * Sort orders for run sorts.
 *
 * @example
 * ```ts
 * import { SORT_ORDERS, type SortOrder } from "./validation.ts";
 *
 * const order: SortOrder = SORT_ORDERS[1]; // "DESC"
 * ```
 */
export const SORT_ORDERS = ["ASC", "DESC"] as const;
/** A sort order, one of {@linkcode SORT_ORDERS}. */
export type SortOrder = typeof SORT_ORDERS[number];

/**
 * Project list orders: by creation time, by name, or by last update (the server's default when
 * no sort is sent).
 *
 * @example
 * ```ts
 * import { PROJECT_SORTS, type ProjectSort } from "./validation.ts";
 *
 * const sort: ProjectSort = PROJECT_SORTS[1]; // "name"
 * ```
 */
export const PROJECT_SORTS = ["create", "name", "update"] as const;
/** A project list order, one of {@linkcode PROJECT_SORTS}. */
export type ProjectSort = typeof PROJECT_SORTS[number];

/**
 * The page sizes the server accepts.
 *
 * @example
 * ```ts
 * import { PAGE_SIZES, type PageSize } from "./validation.ts";
 *
 * const size: PageSize = PAGE_SIZES[7]; // 100
 * ```
 */
export const PAGE_SIZES = [10, 12, 15, 20, 24, 27, 50, 100] as const;
/** A page size, one of {@linkcode PAGE_SIZES}. */
export type PageSize = typeof PAGE_SIZES[number];

/**
 * Project states accepted by the self-hosted project listing.
 *
 * @example
 * ```ts
 * import { SELF_HOSTED_PROJECT_STATES, type SelfHostedProjectState } from "./validation.ts";
 *
 * const state: SelfHostedProjectState = SELF_HOSTED_PROJECT_STATES[0]; // "RUNNING"
 * ```
 */
export const SELF_HOSTED_PROJECT_STATES = ["RUNNING", "FINISHED"] as const;
/** A self-hosted project state, one of {@linkcode SELF_HOSTED_PROJECT_STATES}. */
export type SelfHostedProjectState = typeof SELF_HOSTED_PROJECT_STATES[number];

/**
 * Checks that a value is one of an enum's members (compared with `===`, so case-sensitive).
 *
 * @typeParam T The member type, inferred from `allowed`.
 * @param field The parameter name reported on failure.
 * @param value The value to check.
 * @param allowed The enum's members, e.g. {@linkcode VISIBILITIES}.
 * @returns The value, narrowed to the member type.
 * @throws {ValidationError} If `value` is not a member.
 *
 * @example Check a visibility
 * ```ts
 * import { validateEnum, VISIBILITIES, type Visibility } from "./validation.ts";
 *
 * const visibility: Visibility = validateEnum("visibility", "PRIVATE", VISIBILITIES);
 * console.log(visibility); // "PRIVATE"
 * ```
 *
 * @example Case matters
 * ```ts
 * import { LOG_LEVELS, validateEnum } from "./validation.ts";
 *
 * try {
 *   validateEnum("level", "info", LOG_LEVELS);
 * } catch (error) {
 *   console.log((error as Error).message);
 *   // 'Cannot parse level "info": expected one of "DEBUG", "INFO", "WARN", "ERROR"'
 * }
 * ```
 */
export function validateEnum<const T extends string | number>(
  field: string,
  value: unknown,
  allowed: readonly T[],
): T {
  if ((allowed as readonly unknown[]).includes(value)) return value as T;
  const expected = `expected one of ${allowed.map((member) => quote(member)).join(", ")}`;
  throw new ValidationError(field, parseFailure(field, value, expected));
}

// ---------------------------------------------------------------------------------------------
// Numbers and paging
// ---------------------------------------------------------------------------------------------

/**
 * Checks that a value is an integer ≥ 1 (a safe integer, no numeric strings).
 *
 * @param field The parameter name reported on failure.
 * @param value The value to check.
 * @returns The value as a number.
 * @throws {ValidationError} If `value` is not a positive integer.
 *
 * @example Check a sample size
 * ```ts
 * import { validatePositiveInt } from "./validation.ts";
 *
 * console.log(validatePositiveInt("sample", 500)); // 500
 * ```
 */
export function validatePositiveInt(field: string, value: unknown): number {
  if (typeof value === "number" && Number.isSafeInteger(value) && value >= 1) return value;
  throw new ValidationError(field, parseFailure(field, value, "expected an integer >= 1"));
}

/**
 * Checks that a value is an integer ≥ 0 (a safe integer, no numeric strings).
 *
 * @param field The parameter name reported on failure.
 * @param value The value to check.
 * @returns The value as a number.
 * @throws {ValidationError} If `value` is not a non-negative integer.
 *
 * @example Check a log export start line
 * ```ts
 * import { validateNonNegativeInt } from "./validation.ts";
 *
 * console.log(validateNonNegativeInt("start", 0)); // 0
 * ```
 */
export function validateNonNegativeInt(field: string, value: unknown): number {
  if (typeof value === "number" && Number.isSafeInteger(value) && value >= 0) return value;
  throw new ValidationError(field, parseFailure(field, value, "expected an integer >= 0"));
}

/**
 * Checks that a value is a string with at least one non-whitespace character (column keys,
 * metric keys, self-hosted usernames and passwords).
 *
 * @param field The parameter name reported on failure.
 * @param value The value to check.
 * @returns The string, unchanged (not trimmed).
 * @throws {ValidationError} If `value` is not a string or is blank.
 *
 * @example Check a column key
 * ```ts
 * import { validateNonBlank } from "./validation.ts";
 *
 * console.log(validateNonBlank("key", "loss")); // "loss"
 * ```
 */
export function validateNonBlank(field: string, value: unknown): string {
  if (typeof value === "string" && value.trim() !== "") return value;
  throw new ValidationError(field, parseFailure(field, value, "expected a non-blank string"));
}

/**
 * Checks a list of metric keys: a non-empty array of non-blank strings. Duplicates are removed,
 * keeping the first occurrence, as the SDK does.
 *
 * @param keys The keys.
 * @param field The parameter name reported on failure; items are reported as `field[i]`.
 * @returns The de-duplicated keys, in order.
 * @throws {ValidationError} If `keys` is not a non-empty array or an item is blank.
 *
 * @example De-duplicate keys
 * ```ts
 * import { validateMetricKeys } from "./validation.ts";
 *
 * console.log(validateMetricKeys(["loss", "acc", "loss"])); // ["loss", "acc"]
 * ```
 */
export function validateMetricKeys(keys: unknown, field = "keys"): string[] {
  if (!Array.isArray(keys) || keys.length === 0) {
    throw new ValidationError(field, parseFailure(field, keys, "expected a non-empty array"));
  }
  const seen = new Set<string>();
  keys.forEach((key, i) => seen.add(validateNonBlank(`${field}[${i}]`, key)));
  return [...seen];
}

/** A page request, as accepted by {@linkcode validatePaging}. */
export interface PagingInput {
  /** The first page to request, starting at 1. */
  page: unknown;
  /** Items per page, one of {@linkcode PAGE_SIZES}. */
  size: unknown;
}

/** A checked page request. */
export interface Paging {
  /** The first page to request, an integer ≥ 1. */
  page: number;
  /** Items per page. */
  size: PageSize;
}

/**
 * Checks a page request: `page` an integer ≥ 1, `size` one of {@linkcode PAGE_SIZES}.
 *
 * @param input The page and size.
 * @returns The checked page and size.
 * @throws {ValidationError} With field `"page"` or `"size"`.
 *
 * @example Reject a page size the server does not offer
 * ```ts
 * import { validatePaging } from "./validation.ts";
 *
 * console.log(validatePaging({ page: 1, size: 20 })); // { page: 1, size: 20 }
 * try {
 *   validatePaging({ page: 1, size: 30 });
 * } catch (error) {
 *   console.log((error as Error).message);
 *   // "Cannot parse size 30: expected one of 10, 12, 15, 20, 24, 27, 50, 100"
 * }
 * ```
 */
export function validatePaging(input: PagingInput): Paging {
  const page = validatePositiveInt("page", input.page);
  const size = validateEnum("size", input.size, PAGE_SIZES);
  return { page, size };
}

// ---------------------------------------------------------------------------------------------
// Run filters, groups and sorts
// ---------------------------------------------------------------------------------------------

/**
 * A run filter for `POST …/runs/shows`. Extra fields are passed to the server unchanged.
 *
 * @example Finished runs
 * ```ts
 * import type { RunFilter } from "./validation.ts";
 *
 * const filter: RunFilter = { key: "state", type: "STABLE", op: "EQ", value: ["FINISHED"] };
 * ```
 */
export interface RunFilter {
  /** The field: a {@linkcode StableKey} when `type` is `"STABLE"`, else a config or metric name. */
  key: string;
  /** What `key` names. */
  type: FilterType;
  /** The comparison. */
  op: FilterOp;
  /** The operands; the server's own docs use strings, e.g. `["0.01"]`. */
  value: unknown[];
  /** Extra fields, passed through. */
  [extra: string]: unknown;
}

/**
 * A run grouping for `POST …/runs/shows`. Extra fields are passed through.
 *
 * @example Group by a config parameter
 * ```ts
 * import type { RunGroup } from "./validation.ts";
 *
 * const group: RunGroup = { key: "lr", type: "CONFIG" };
 * ```
 */
export interface RunGroup {
  /** The field: a {@linkcode StableKey} when `type` is `"STABLE"`. */
  key: string;
  /** What `key` names. */
  type: FilterType;
  /** Extra fields, passed through. */
  [extra: string]: unknown;
}

/**
 * A run sort for `POST …/runs/shows`. Extra fields are passed through.
 *
 * @example Newest first
 * ```ts
 * import type { RunSort } from "./validation.ts";
 *
 * const sort: RunSort = { key: "createdAt", type: "STABLE", order: "DESC" };
 * ```
 */
export interface RunSort {
  /** The field: a {@linkcode StableKey} when `type` is `"STABLE"`. */
  key: string;
  /** What `key` names. */
  type: FilterType;
  /** The direction. */
  order: SortOrder;
  /** Extra fields, passed through. */
  [extra: string]: unknown;
}

/**
 * An item as sent on the wire: the caller's item with `active: true` (always, overriding any
 * caller value).
 *
 * @example
 * ```ts
 * import type { RunFilter, Active } from "./validation.ts";
 *
 * const wire: Active<RunFilter> = {
 *   key: "name", type: "STABLE", op: "CONTAIN", value: ["v2"], active: true,
 * };
 * ```
 */
export type Active<T> = T & { active: true };

function checkItemBase(field: string, item: unknown, shape: string): Record<string, unknown> {
  if (!isPlainObject(item)) {
    throw new ValidationError(field, parseFailure(field, item, `expected an object with ${shape}`));
  }
  const key = item["key"];
  if (typeof key !== "string" || key.length === 0) {
    throw new ValidationError(
      `${field}.key`,
      parseFailure(`${field}.key`, key, "expected a non-empty string"),
    );
  }
  const type = validateEnum(`${field}.type`, item["type"], FILTER_TYPES);
  if (type === "STABLE" && !(STABLE_KEYS as readonly string[]).includes(key)) {
    const expected = `expected a STABLE key, one of ${STABLE_KEYS.map(quote).join(", ")}`;
    throw new ValidationError(`${field}.key`, parseFailure(`${field}.key`, key, expected));
  }
  return item;
}

function checkList(field: string, items: unknown): unknown[] {
  if (!Array.isArray(items)) {
    throw new ValidationError(field, parseFailure(field, items, "expected an array"));
  }
  return items;
}

/**
 * Checks run filters and returns them as sent: each item is copied with `active: true`.
 *
 * Each item must be an object with a non-empty string `key`, a `type` from
 * {@linkcode FILTER_TYPES} (with `key` from {@linkcode STABLE_KEYS} when `type` is `"STABLE"`), an
 * `op` from {@linkcode FILTER_OPS} and an array `value` (element types are not checked). Unlike the
 * SDK's `Api.runs()`, a non-array `filters` is an error, not silently ignored.
 *
 * @param filters The filters.
 * @param field The parameter name; items are reported as `field[i]`, e.g. `"filters[1].op"`.
 * @returns New wire items; the caller's objects are not changed.
 * @throws {ValidationError} Naming the first bad field.
 *
 * @example Add the active flag
 * ```ts
 * import { validateFilters } from "./validation.ts";
 *
 * const wire = validateFilters([
 *   { key: "state", type: "STABLE", op: "EQ", value: ["FINISHED"] },
 * ]);
 * console.log(wire[0]?.active); // true
 * ```
 */
export function validateFilters(filters: unknown, field = "filters"): Active<RunFilter>[] {
  return checkList(field, filters).map((item, i) => {
    const at = `${field}[${i}]`;
    const checked = checkItemBase(at, item, "key, type, op and value");
    validateEnum(`${at}.op`, checked["op"], FILTER_OPS);
    const value = checked["value"];
    if (!Array.isArray(value)) {
      throw new ValidationError(
        `${at}.value`,
        parseFailure(`${at}.value`, value, "expected an array"),
      );
    }
    return { ...checked, active: true } as Active<RunFilter>;
  });
}

/**
 * Checks run groupings and returns them as sent: each item is copied with `active: true`.
 *
 * Each item needs a non-empty string `key` and a `type` from {@linkcode FILTER_TYPES} (with `key`
 * from {@linkcode STABLE_KEYS} when `type` is `"STABLE"`).
 *
 * @param groups The groupings.
 * @param field The parameter name; items are reported as `field[i]`.
 * @returns New wire items.
 * @throws {ValidationError} Naming the first bad field.
 *
 * @example Group by job
 * ```ts
 * import { validateGroups } from "./validation.ts";
 *
 * console.log(validateGroups([{ key: "job", type: "STABLE" }]));
 * // [{ key: "job", type: "STABLE", active: true }]
 * ```
 */
export function validateGroups(groups: unknown, field = "groups"): Active<RunGroup>[] {
  return checkList(field, groups).map((item, i) => {
    const checked = checkItemBase(`${field}[${i}]`, item, "key and type");
    return { ...checked, active: true } as Active<RunGroup>;
  });
}

/**
 * Checks run sorts and returns them as sent: each item is copied with `active: true`.
 *
 * Each item needs a non-empty string `key`, a `type` from {@linkcode FILTER_TYPES} (with `key` from
 * {@linkcode STABLE_KEYS} when `type` is `"STABLE"`) and an `order` from {@linkcode SORT_ORDERS}.
 *
 * @param sorts The sorts.
 * @param field The parameter name; items are reported as `field[i]`.
 * @returns New wire items.
 * @throws {ValidationError} Naming the first bad field.
 *
 * @example Sort by a metric
 * ```ts
 * import { validateSorts } from "./validation.ts";
 *
 * const wire = validateSorts([{ key: "loss", type: "SCALAR", order: "ASC" }]);
 * console.log(wire[0]?.order); // "ASC"
 * ```
 */
export function validateSorts(sorts: unknown, field = "sorts"): Active<RunSort>[] {
  return checkList(field, sorts).map((item, i) => {
    const at = `${field}[${i}]`;
    const checked = checkItemBase(at, item, "key, type and order");
    validateEnum(`${at}.order`, checked["order"], SORT_ORDERS);
    return { ...checked, active: true } as Active<RunSort>;
  });
}

// ---------------------------------------------------------------------------------------------
// Timestamps
// ---------------------------------------------------------------------------------------------

/** The smallest accepted `createdAt`: 2001-09-09T01:46:40Z, the first 10-digit second. */
const MIN_SECONDS = 1_000_000_000;
/** The largest accepted `createdAt`: 2286-11-20T17:46:39Z, the last 10-digit second. */
const MAX_SECONDS = 9_999_999_999;

const ISO_PATTERN =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2})(?::(\d{2})(?::(\d{2})(?:[.,]\d+)?)?)?([Zz]|([+-])(\d{2})(?::?(\d{2}))?)?)?$/;

/** Seconds since the epoch for an ISO-8601 date or date-time, or `undefined` if not one. */
function isoToSeconds(text: string): number | undefined {
  const utc = utcDateTimeSeconds(text);
  if (utc !== null) return utc;
  const match = ISO_PATTERN.exec(text);
  if (match === null) return undefined;
  const [, y, mo, d, h = "0", mi = "0", s = "0", , sign, oh = "0", om = "0"] = match;
  const offsetHours = Number(oh), offsetMinutes = Number(om);
  if (offsetHours > 23 || offsetMinutes > 59) return undefined;
  const offset = (offsetHours * 60 + offsetMinutes) * 60 * (sign === "-" ? -1 : 1);
  const seconds = secondsOf(Number(y), Number(mo), Number(d), Number(h), Number(mi), Number(s));
  return seconds === undefined ? undefined : seconds - offset;
}

/**
 * The form servers send, `YYYY-MM-DDTHH:MM:SS[.fraction]Z`, read without a regular expression
 * (it is parsed on every House call of a run: a tenth of the time of the match): its seconds,
 * `undefined` for an impossible date, `null` when the text has another form.
 */
function utcDateTimeSeconds(text: string): number | undefined | null {
  const end = text.length - 1;
  if (
    end < 19 || text.charCodeAt(end) !== 90 /* Z */ || text[4] !== "-" || text[7] !== "-" ||
    text[10] !== "T" || text[13] !== ":" || text[16] !== ":" ||
    (end > 19 && (text[19] !== "." || end === 20 || !allDigits(text, 20, end)))
  ) {
    return null;
  }
  const year = digitsAt(text, 0, 4), month = digitsAt(text, 5, 7), day = digitsAt(text, 8, 10);
  const hour = digitsAt(text, 11, 13), minute = digitsAt(text, 14, 16);
  const second = digitsAt(text, 17, 19);
  if ((year | month | day | hour | minute | second) < 0) return null;
  return secondsOf(year, month, day, hour, minute, second);
}

/** The digits of `text` from `start` to `end` (exclusive) as a number; -1 if one is not a digit. */
function digitsAt(text: string, start: number, end: number): number {
  let value = 0;
  for (let i = start; i < end; i++) {
    const digit = text.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return -1;
    value = value * 10 + digit;
  }
  return value;
}

/** Whether `text` holds only digits from `start` to `end` (exclusive). */
function allDigits(text: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const code = text.charCodeAt(i);
    if (code < 48 || code > 57) return false;
  }
  return true;
}

/** Seconds since the epoch of a UTC date and time, or `undefined` for an impossible one. */
function secondsOf(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
): number | undefined {
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  // `Date.UTC` (a tenth of the time of a `Date` set field by field) reads the years 0-99 as
  // 1900-1999: those are computed 400 years on, a whole number of days (146,097) that is then
  // taken off again.
  const early = year < 100;
  const ms = Date.UTC(early ? year + 400 : year, month - 1, day, hour, minute, second) -
    (early ? GREGORIAN_CYCLE_MS : 0);
  // Fractional seconds are dropped, like Python's int(datetime.timestamp()) for positive times.
  return ms / 1000;
}

/** The length of the Gregorian calendar's 400-year cycle, in milliseconds. */
const GREGORIAN_CYCLE_MS = 146_097 * 86_400_000;

/** The number of days of a month (1-12) of a year of the Gregorian calendar. */
function daysInMonth(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/**
 * Parses a run's `createdAt` (server data) into 10-digit Unix seconds, as the SDK's
 * `parse_timestamp_s` does for every House call.
 *
 * Accepted: positive integers and digit strings (values above 9 999 999 999 are divided by 1000,
 * rounding down, until they fit, so milliseconds, microseconds and nanoseconds become seconds), and
 * ISO-8601 strings: a date (`2024-08-01`), or a date and time with `T` or a space, optional
 * fractional seconds, and `Z`, `±HH:MM`, `±HHMM`, `±HH` or no offset (= UTC). The result must lie
 * in [1 000 000 000, 9 999 999 999].
 *
 * @param value The raw `createdAt` value.
 * @param field The field name used in the message.
 * @returns Unix seconds.
 * @throws {ResponseError} If the value is missing, not a timestamp, or out of range (it is server
 * data, so this is a bad response, not bad input).
 *
 * @example Parse the forms a server sends
 * ```ts
 * import { parseCreatedAtSeconds } from "./validation.ts";
 *
 * console.log(parseCreatedAtSeconds("2024-08-01T00:00:00.000Z")); // 1722470400
 * console.log(parseCreatedAtSeconds(1722470400000)); // 1722470400
 * console.log(parseCreatedAtSeconds("2024-08-01T08:00:00+08:00")); // 1722470400
 * ```
 */
export function parseCreatedAtSeconds(value: unknown, field = "createdAt"): number {
  let seconds: number | undefined;
  if (typeof value === "number") {
    if (Number.isInteger(value) && value > 0) {
      seconds = value;
      while (seconds > MAX_SECONDS) seconds = Math.floor(seconds / 1000);
    }
  } else if (typeof value === "string") {
    const text = value.trim();
    if (/^\d+$/.test(text)) {
      let big = BigInt(text);
      while (big > BigInt(MAX_SECONDS)) big /= 1000n;
      seconds = Number(big);
    } else {
      seconds = isoToSeconds(text);
      if (seconds !== undefined) seconds = Math.floor(seconds);
    }
  }
  if (seconds === undefined) {
    throw new ResponseError(
      parseFailure(field, value, "expected a Unix timestamp or an ISO-8601 date"),
    );
  }
  if (seconds < MIN_SECONDS || seconds > MAX_SECONDS) {
    throw new ResponseError(
      parseFailure(
        field,
        value,
        `expected a time between 2001-09-09 and 2286-11-20 (10-digit Unix seconds), got ${seconds}`,
      ),
    );
  }
  return seconds;
}
