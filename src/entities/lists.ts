/**
 * The list classes: {@linkcode Projects}, {@linkcode Runs}, {@linkcode Columns} and
 * {@linkcode Workspaces}. Each is an async iterable of entities with `total`, `toArray()` and a
 * Python-compatible `json()`; constructing one sends nothing.
 *
 * @module
 */

import { ApiError, AuthenticationError, ResponseError } from "../core/errors.ts";
import { mapLimited } from "../core/map_limited.ts";
import { checkRequestOptions } from "../core/option_checks.ts";
import type { RequestOptions } from "../core/request_options.ts";
import { type PageInfo, Pager, type PageResult, type ToArrayOptions } from "../core/paging.ts";
import type { Limiter } from "../core/limiter.ts";
import { type Context, expectRecord, isRecord, type JsonRecord, Lazy, str } from "./_lazy.ts";
import { lazyIterator } from "./_lazy_iterator.ts";
import type { Column, ColumnJson } from "./column.ts";
import { newColumnFromRecord } from "./column.ts";
import type { Project, ProjectJson } from "./project.ts";
import { newProject } from "./project.ts";
import type { Run, RunJson, RunRecord } from "./run.ts";
import { newRun, RunCore, runCore } from "./run.ts";
import type { Workspace } from "./workspace.ts";
import type { ScanMetricsQuery } from "../metrics/scan_metrics.ts";
import { RunsMetricsScan, type RunsScanOptions } from "./runs_metrics_scan.ts";
import { RunsTable, type RunsTableOptions } from "./runs_table.ts";
import { newWorkspace } from "./workspace.ts";
import type { Active, RunFilter, RunGroup, RunSort } from "./validation.ts";

/**
 * The base of every list: an async iterable of entities with page information. Iterating fetches
 * the pages (again on each iteration); reading `total` fetches the first page once and keeps it
 * for the next iteration.
 *
 * @example Iterate, count and collect
 * ```ts
 * import { Api } from "@swanlab-ts/api";
 *
 * const runs = new Api().runsGet("my-team/my-project", { size: 20, all: true });
 * console.log(await runs.total);
 * for await (const run of runs) console.log(await run.name);
 * const firstFive = await runs.toArray({ limit: 5 });
 * ```
 */
export abstract class EntityList<T> implements AsyncIterable<T> {
  /** The first page requested. */
  readonly page: number;
  /** The page size requested. */
  readonly size: number;
  /** Whether every page from `page` on is fetched. */
  readonly all: boolean;
  #ctx: Context;
  #pager: Lazy<Pager<T>>;

  /**
   * Creates a list; nothing is fetched until it is iterated or `total` is read.
   *
   * @param ctx The client context.
   * @param fetchPage Fetches one page.
   * @param paging The checked page, size and `all` flag.
   * @param options The per-call options of every page request; its signal also stops the
   *   iteration between items.
   * @throws {ValidationError} When `options` are invalid (checked here, at call time).
   */
  protected constructor(
    ctx: Context,
    fetchPage: (page: number, size: number) => Promise<PageResult<T>>,
    paging: { page: number; size: number; all: boolean },
    options: RequestOptions = {},
  ) {
    const signal = checkRequestOptions(options).signal;
    this.page = paging.page;
    this.size = paging.size;
    this.all = paging.all;
    this.#ctx = ctx;
    this.#pager = new Lazy(async () => {
      const limiter: Limiter = await ctx.limiter();
      return new Pager(fetchPage, paging, limiter, signal);
    });
  }

  /** The total number of items the server reports (fetches the first page once). */
  get total(): Promise<number> {
    return this.#pager.get().then((pager) => pager.total);
  }

  /** The number of pages the server reports (fetches the first page once). */
  get pages(): Promise<number> {
    return this.#pager.get().then((pager) => pager.pages);
  }

  /**
   * Iterates the items in order, fetching pages as needed (`all` fetches every page from `page`
   * on, several at a time under the client's concurrency limit).
   *
   * @returns An async iterator over the items.
   */
  [Symbol.asyncIterator](): AsyncIterator<T> {
    return lazyIterator(() => this.#pager.get().then((pager) => pager[Symbol.asyncIterator]()));
  }

  /**
   * Collects the items into an array.
   *
   * @param options `limit` stops after that many items (no further page is fetched).
   * @returns The items.
   * @throws {ValidationError} When `limit` is not an integer ≥ 0.
   */
  async toArray(options: ToArrayOptions = {}): Promise<T[]> {
    const pager = await this.#pager.get();
    return await pager.toArray(options);
  }

  /**
   * The page information with every item serialized, several at a time.
   *
   * @param serialize Turns an item into its JSON form.
   * @returns `{ page, size, total, pages, list }`.
   */
  protected async collectPageInfo<J>(
    serialize: (item: T) => Promise<J>,
  ): Promise<PageInfo<J>> {
    const pager = await this.#pager.get();
    const total = await pager.total;
    const pages = await pager.pages;
    const items = await pager.toArray();
    const list = await mapLimited(items, await this.#ctx.limiter(), serialize);
    return { page: this.page, size: this.size, total, pages, list };
  }
}

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/**
 * Reads a paged body `{ list, total, pages }`: all three are essential (drift policy, checked
 * against the spec by the transport already; checked here again for bodies of other origins),
 * and every element must be an object. Nothing is defaulted: a missing `pages` is not 1.
 *
 * @internal
 */
export function readPage(
  body: unknown,
  label: string,
): { list: JsonRecord[]; total: number; pages: number } {
  const page = expectRecord(body, label);
  const list = page["list"];
  if (!Array.isArray(list)) {
    throw new ResponseError(`Cannot use response of ${label}: "list" expected array`);
  }
  for (let i = 0; i < list.length; i++) {
    if (!isRecord(list[i])) {
      throw new ResponseError(`Cannot use response of ${label}: "list[${i}]" expected object`);
    }
  }
  const count = (field: "total" | "pages"): number => {
    const value = page[field];
    if (typeof value !== "number" || !Number.isInteger(value) || value < 0) {
      throw new ResponseError(`Cannot use response of ${label}: "${field}" expected integer`);
    }
    return value;
  };
  return { list: list as JsonRecord[], total: count("total"), pages: count("pages") };
}

/**
 * Flattens a filter response (§3.1.4): an array is a list of runs; an object holds groups whose
 * values are arrays of runs or nested groups (a `null` group is empty). Group labels are
 * dropped. Anything else fails naming the element: a list never loses one silently.
 */
export function flattenRuns(body: unknown, label = "run list"): RunRecord[] {
  const runs: RunRecord[] = [];
  const visit = (value: unknown, depth: number, at: string): void => {
    if (depth > 64) {
      throw new ResponseError(`Cannot use response of ${label}: groups nested too deep at ${at}`);
    }
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) runs.push(runRecordAt(value, i, label, at));
    } else if (isRecord(value)) {
      for (const [name, inner] of Object.entries(value)) {
        visit(inner, depth + 1, at === "" ? name : `${at}.${name}`);
      }
    } else if (value !== null || depth === 0) {
      throw new ResponseError(`Cannot use response of ${label}: "${at}" expected array or object`);
    }
  };
  visit(body, 0, "");
  return runs;
}

/**
 * Element `i` of a list of runs, which must be an object with a non-empty `cuid` (a run without
 * one cannot be addressed), or a failure naming it: a list never loses an element silently (drift
 * policy). `at` is the list's path in the body (`""` for the body itself).
 */
function runRecordAt(list: readonly unknown[], i: number, label: string, at: string): RunRecord {
  const item = list[i];
  if (!isRecord(item) || typeof item["cuid"] !== "string" || item["cuid"] === "") {
    throw new ResponseError(
      `Cannot use response of ${label}: "${at}[${i}].cuid" expected a non-empty string`,
    );
  }
  return item as RunRecord;
}

// ---------------------------------------------------------------------------------------------
// Projects
// ---------------------------------------------------------------------------------------------

let constructProjects: (
  ctx: Context,
  username: () => Promise<string>,
  query: { sort?: string; search?: string; detail: boolean },
  paging: { page: number; size: number; all: boolean },
  options: RequestOptions,
) => Projects;

/**
 * The projects of a workspace, as returned by `api.projects()` and `workspace.projects()`.
 *
 * Each project is filled from the list response and needs no further request. With
 * `detail: true` (the default) the server sends every field; with `detail: false` it sends a
 * minimal record and the other fields keep their defaults (`count: {}`, `labels: []`), as in the
 * Python SDK; load `api.project(path)` for the full record.
 *
 * @example List every project of a workspace
 * ```ts
 * import { Api } from "@swanlab-ts/api";
 *
 * const api = new Api();
 * for await (const project of api.projects("my-team", { sort: "name", all: true })) {
 *   console.log(await project.name, await project.path);
 * }
 * ```
 */
export class Projects extends EntityList<Project> {
  static {
    constructProjects = (ctx, username, query, paging, options) =>
      new Projects(ctx, username, query, paging, options);
  }

  private constructor(
    ctx: Context,
    username: () => Promise<string>,
    query: { sort?: string; search?: string; detail: boolean },
    paging: { page: number; size: number; all: boolean },
    options: RequestOptions,
  ) {
    super(
      ctx,
      async (page, size) => {
        const name = await username();
        const body = await ctx.call(
          (api) =>
            api.GET("/project/{username}", {
              params: {
                path: { username: name },
                query: {
                  page,
                  size: size as 10,
                  detail: query.detail ? "True" : "False",
                  ...(query.search !== undefined ? { search: query.search } : {}),
                  ...(query.sort !== undefined ? { sort: query.sort as "name" } : {}),
                },
              },
            }),
          options,
        );
        const { list, total, pages } = readPage(body, `GET /api/project/${name}`);
        const items: Project[] = [];
        for (const [i, item] of list.entries()) {
          const path = projectPathOf(item, name);
          if (path === undefined) {
            // A list never loses an element silently (drift policy).
            throw new ResponseError(
              `Cannot use response of GET /api/project/${name}: "list[${i}]" has neither path nor name`,
            );
          }
          // As in the Python SDK, a listed project is what the list says: with `detail: false`
          // the fields the server left out keep their defaults instead of costing a request each.
          items.push(newProject(ctx, path, item, true));
        }
        return { items, total, pages };
      },
      paging,
      options,
    );
  }

  /**
   * The page information with every project's JSON, as the Python SDK's `Projects.json()`.
   *
   * @returns `{ page, size, total, pages, list }`.
   * @throws {ApiError} (or a subclass) and {@linkcode ConnectionError} for failed requests.
   */
  json(): Promise<PageInfo<ProjectJson>> {
    return this.collectPageInfo((project) => project.json());
  }
}

/** The username and project name of a list item: its `path`, else its `name` in `username`. */
function projectPathOf(
  item: JsonRecord,
  username: string,
): { username: string; project: string } | undefined {
  const path = str(item["path"]);
  const parts = path.split("/");
  if (parts.length === 2 && parts[0] && parts[1]) {
    return { username: parts[0], project: parts[1] };
  }
  const name = str(item["name"]);
  return name === "" ? undefined : { username, project: name };
}

/** @internal Creates a project list. */
export function newProjects(
  ctx: Context,
  username: () => Promise<string>,
  query: { sort?: string; search?: string; detail: boolean },
  paging: { page: number; size: number; all: boolean },
  options: RequestOptions = {},
): Projects {
  return constructProjects(ctx, username, query, paging, options);
}

// ---------------------------------------------------------------------------------------------
// Runs
// ---------------------------------------------------------------------------------------------

/** How a run list is fetched. */
type RunsMode =
  | { kind: "paged" }
  | {
    kind: "filter";
    filters: Active<RunFilter>[];
    groups: Active<RunGroup>[];
    sorts: Active<RunSort>[];
  };

let constructRuns: (
  ctx: Context,
  username: string,
  project: string,
  projectCuid: Lazy<string>,
  mode: RunsMode,
  paging: { page: number; size: number; all: boolean },
  options: RequestOptions,
) => Runs;

/**
 * The runs of a project: paged (`api.runsGet()`, `project.runsGet()`) or filtered
 * (`api.runs()`, `project.runs()`).
 *
 * Each run is pre-filled from the list response: the fields the list returned need no further
 * request; reading another field loads the run once by cuid. Filtered lists are fetched in one
 * request; grouped responses are flattened (group labels dropped, non-object items skipped).
 *
 * @example Finished runs whose name contains "v2"
 * ```ts
 * import { Api } from "@swanlab-ts/api";
 *
 * const api = new Api();
 * const runs = api.runs("my-team/my-project", {
 *   filters: [
 *     { key: "state", type: "STABLE", op: "EQ", value: ["FINISHED"] },
 *     { key: "name", type: "STABLE", op: "CONTAIN", value: ["v2"] },
 *   ],
 * });
 * for await (const run of runs) console.log(await run.name);
 * ```
 */
export class Runs extends EntityList<Run> {
  static {
    constructRuns = (ctx, username, project, projectCuid, mode, paging, options) =>
      new Runs(ctx, username, project, projectCuid, mode, paging, options);
  }

  #filter: boolean;
  #ctx: Context;

  private constructor(
    ctx: Context,
    username: string,
    project: string,
    projectCuid: Lazy<string>,
    mode: RunsMode,
    paging: { page: number; size: number; all: boolean },
    options: RequestOptions,
  ) {
    const toRun = (record: RunRecord): Run => {
      const core = new RunCore(ctx, { username, project, run: record.cuid }, {
        record,
        projectCuid,
      });
      return newRun(core);
    };
    super(
      ctx,
      async (page, size) => {
        if (mode.kind === "filter") {
          const body = await ctx.call(
            (api) =>
              api.POST("/project/{username}/{project}/runs/shows", {
                params: { path: { username, project } },
                body: { filters: mode.filters, groups: mode.groups, sorts: mode.sorts },
              }),
            options,
          );
          const records = flattenRuns(body);
          return { items: records.map(toRun), total: records.length, pages: 0 };
        }
        const body = await ctx.call(
          (api) =>
            api.GET("/project/{username}/{project}/runs", {
              params: { path: { username, project }, query: { page, size: size as 10 } },
            }),
          options,
        );
        const label = `GET /api/project/${username}/${project}/runs`;
        const { list, total, pages } = readPage(body, label);
        // One pass over the page (a paged list is flat: not flattenRuns' walk for grouped
        // bodies, and no second array).
        const items: Run[] = new Array(list.length);
        for (let i = 0; i < list.length; i++) items[i] = toRun(runRecordAt(list, i, label, "list"));
        return { items, total, pages };
      },
      paging,
      options,
    );
    this.#filter = mode.kind === "filter";
    this.#ctx = ctx;
  }

  /**
   * One flat row per run: `path`, `run_id`, `name`, `state`, `group`, `job_type`,
   * `created_at`, `finished_at`, the `config.*` values (nested keys flattened with dots) and,
   * per summary key, `summary.<key>.value|step|min|max|avg`. Iterate the result for rows as
   * they come (in this list's order), or `collect()` it into a `Table` with the union
   * of the columns. Runs are fetched several at a time under the client's limiter, and their
   * summaries with one request per 50 runs.
   *
   * @param options `config` and `summary`: `true` for all, `false` for none, or the keys
   * (default: every config key, no summary).
   * @param requestOptions Per-call signal, timeout and retries of every request.
   * @returns The table (nothing is sent until it is iterated or collected).
   * @throws {ValidationError} For invalid options (at call time).
   *
   * @example Rank finished runs by their best validation accuracy
   * ```ts
   * import { Api } from "@swanlab-ts/api";
   *
   * const api = new Api();
   * const runs = api.runs("my-team/my-sweep", {
   *   filters: [{ key: "state", type: "STABLE", op: "EQ", value: ["FINISHED"] }],
   * });
   * const table = await runs.table({ config: ["lr"], summary: ["val/acc"] }).collect();
   * console.log(table.columns);
   * ```
   */
  table(options: RunsTableOptions = {}, requestOptions: RequestOptions = {}): RunsTable {
    return new RunsTable(this, () => this.#ctx.limiter(), options, requestOptions);
  }

  /**
   * Every point of `keys` of every run of this list, as long-format rows
   * `{ run, key, step, value, timestamp }` (see {@linkcode RunsMetricsScan}): several runs in
   * flight under the client's limiter, rows run by run in this list's order, constant memory.
   * A run that lacks a key is skipped for that key; a failure on any run is an error.
   *
   * @param keys The metric keys (non-empty, non-blank; duplicates are removed).
   * @param query `rangeQuery`, applied to every run.
   * @param options Per-call signal, timeouts, retries, clock, warnings and `runConcurrency`.
   * @returns The scan (requests start when it is iterated).
   * @throws {ValidationError} For invalid keys, range query or options (at call time).
   *
   * @example The last 100 points of two keys of every run
   * ```ts
   * import { Api } from "@swanlab-ts/api";
   *
   * const api = new Api();
   * const scan = api.runsGet("my-team/my-sweep", { all: true })
   *   .scanMetrics(["train/loss", "val/acc"], { rangeQuery: { tail: 100 } });
   * for await (const row of scan) console.log(row.run, row.key, row.step, row.value);
   * ```
   */
  scanMetrics(
    keys: readonly string[],
    query: ScanMetricsQuery = {},
    options: RunsScanOptions = {},
  ): RunsMetricsScan {
    return new RunsMetricsScan(this, () => this.#ctx.limiter(), keys, query, options);
  }

  /**
   * The page information with every run's JSON, as the Python SDK's `Experiments.json()`.
   * Filtered lists report `{ page: 1, size: n, total: n, pages: 0 }` as the SDK does.
   *
   * Every run's JSON is a consistent snapshot of its full record: runs whose list record lacks
   * fields are loaded (several at a time).
   *
   * @returns `{ page, size, total, pages, list }`.
   * @throws {ApiError} (or a subclass) and {@linkcode ConnectionError} for failed requests.
   */
  async json(): Promise<PageInfo<RunJson>> {
    const info = await this.collectPageInfo(async (run) => {
      try {
        return await run.json();
      } catch (error) {
        // One run whose detail cannot be loaded does not fail the listing (drift policy): that
        // run is returned with what its list record says, and the failure is reported.
        const core = runCore(run);
        if (
          !(error instanceof ApiError || error instanceof ResponseError) ||
          error instanceof AuthenticationError || !core.useListRecord()
        ) throw error;
        (await this.#ctx.transport()).reportDrift({
          operation: "getRun",
          endpoint: "GET /project/{username}/{project}/runs/{run}",
          field: `(run ${core.run})`,
          expected: "its full record",
          got: error.message,
          essential: false,
        });
        return await run.json();
      }
    });
    if (!this.#filter) return info;
    return { page: 1, size: info.list.length, total: info.list.length, pages: 0, list: info.list };
  }
}

/** @internal Creates a run list. */
export function newRuns(
  ctx: Context,
  username: string,
  project: string,
  projectCuid: Lazy<string>,
  mode: RunsMode,
  paging: { page: number; size: number; all: boolean },
  options: RequestOptions = {},
): Runs {
  return constructRuns(ctx, username, project, projectCuid, mode, paging, options);
}

// ---------------------------------------------------------------------------------------------
// Columns
// ---------------------------------------------------------------------------------------------

let constructColumns: (
  ctx: Context,
  run: RunCore,
  query: { search?: string; columnClass?: string; columnType?: string },
  paging: { page: number; size: number; all: boolean },
  options: RequestOptions,
) => Columns;

/**
 * The metric columns of a run (`api.columns()`, `run.columns()`). Consider `series()`, which
 * lists metric keys from the metric store itself.
 *
 * @example Every FLOAT column of a run
 * ```ts
 * import { Api } from "@swanlab-ts/api";
 *
 * const api = new Api();
 * const columns = api.columns("my-team/my-project/abc123", { all: true, columnType: "FLOAT" });
 * console.log(await columns.total);
 * for await (const column of columns) console.log(await column.name);
 * ```
 */
export class Columns extends EntityList<Column> {
  static {
    constructColumns = (ctx, run, query, paging, options) =>
      new Columns(ctx, run, query, paging, options);
  }

  private constructor(
    ctx: Context,
    run: RunCore,
    query: { search?: string; columnClass?: string; columnType?: string },
    paging: { page: number; size: number; all: boolean },
    options: RequestOptions,
  ) {
    super(
      ctx,
      async (page, size) => {
        const cuid = await run.cuid(options);
        const body = await ctx.call(
          (api) =>
            api.GET("/experiment/{cuid}/column", {
              params: {
                path: { cuid },
                query: {
                  page,
                  size: size as 10,
                  ...(query.search !== undefined ? { search: query.search } : {}),
                  ...(query.columnType !== undefined ? { type: query.columnType as "FLOAT" } : {}),
                  ...(query.columnClass !== undefined
                    ? { class: query.columnClass as "CUSTOM" }
                    : {}),
                },
              },
            }),
          options,
        );
        const { list, total, pages } = readPage(body, `GET /api/experiment/${cuid}/column`);
        const items: Column[] = [];
        for (const [i, item] of list.entries()) {
          if (typeof item["key"] !== "string") {
            // A list never loses an element silently (drift policy).
            throw new ResponseError(
              `Cannot use response of GET /api/experiment/${cuid}/column: "list[${i}].key" expected string`,
            );
          }
          items.push(newColumnFromRecord(run, item));
        }
        return { items, total, pages };
      },
      paging,
      options,
    );
  }

  /**
   * The page information with every column's JSON, as the Python SDK's `Columns.json()`.
   *
   * @returns `{ page, size, total, pages, list }`.
   * @throws {ApiError} (or a subclass) and {@linkcode ConnectionError} for failed requests.
   */
  json(): Promise<PageInfo<ColumnJson>> {
    return this.collectPageInfo((column) => column.json());
  }
}

/** @internal Creates a column list. */
export function newColumns(
  ctx: Context,
  run: RunCore,
  query: { search?: string; columnClass?: string; columnType?: string },
  paging: { page: number; size: number; all: boolean },
  options: RequestOptions = {},
): Columns {
  return constructColumns(ctx, run, query, paging, options);
}

// ---------------------------------------------------------------------------------------------
// Workspaces
// ---------------------------------------------------------------------------------------------

/** The JSON form of {@linkcode Workspaces}: only the username, as the Python SDK. */
export interface WorkspacesJson {
  /** The user whose workspaces are listed. */
  username: string;
}

let constructWorkspaces: (
  ctx: Context,
  username: () => Promise<string>,
  options: RequestOptions,
) => Workspaces;

/**
 * The workspaces of a user (`api.workspaces()`): the personal one and every team. Not paged: one
 * request returns them all.
 *
 * `json()` returns only `{ username }`, as the Python SDK does; iterate (or call `toArray()`) to
 * get the workspaces, and `workspace.json()` for each one's data.
 *
 * @example Print every workspace
 * ```ts
 * import { Api } from "@swanlab-ts/api";
 *
 * for await (const ws of new Api().workspaces()) console.log(await ws.name);
 * ```
 */
export class Workspaces extends EntityList<Workspace> {
  static {
    constructWorkspaces = (ctx, username, options) => new Workspaces(ctx, username, options);
  }

  #username: () => Promise<string>;

  private constructor(ctx: Context, username: () => Promise<string>, options: RequestOptions) {
    super(
      ctx,
      async () => {
        const name = await username();
        const body = await ctx.call(
          (api) => api.GET("/user/{username}/groups", { params: { path: { username: name } } }),
          options,
        );
        if (!Array.isArray(body)) {
          throw new ResponseError(
            `Cannot use response of GET /api/user/${name}/groups: expected an array`,
          );
        }
        const items: Workspace[] = [];
        for (const [i, item] of (body as unknown[]).entries()) {
          if (!isRecord(item) || typeof item["username"] !== "string" || item["username"] === "") {
            // A list never loses an element silently (drift policy; the SDK crashes here).
            throw new ResponseError(
              `Cannot use response of GET /api/user/${name}/groups: "[${i}].username" expected a non-empty string`,
            );
          }
          items.push(newWorkspace(ctx, item["username"], item));
        }
        return { items, total: items.length, pages: 1 };
      },
      { page: 1, size: 100, all: false },
      options,
    );
    this.#username = username;
  }

  /**
   * `{ username }` — the user whose workspaces these are, as the Python SDK's
   * `Workspaces.json()`. Iterate to get the workspaces themselves.
   *
   * @returns The username (the logged-in user's when none was given).
   */
  async json(): Promise<WorkspacesJson> {
    return { username: await this.#username() };
  }
}

/** @internal Creates a workspace list. */
export function newWorkspaces(
  ctx: Context,
  username: () => Promise<string>,
  options: RequestOptions = {},
): Workspaces {
  return constructWorkspaces(ctx, username, options);
}
