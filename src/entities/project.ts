/**
 * {@linkcode Project}: a collection of runs in a workspace, and the deletion plans of projects
 * and runs.
 *
 * @module
 */

import { ResponseError, ValidationError } from "../core/errors.ts";
import { mapLimited } from "../core/map_limited.ts";
import type { RequestOptions } from "../core/request_options.ts";
import {
  arr,
  checkBoolean,
  checkObject,
  checkOptionalString,
  clone,
  type Context,
  deepFreeze,
  expectRecord,
  isRecord,
  type JsonRecord,
  Lazy,
  obj,
  sortKeys,
  str,
} from "./_lazy.ts";
import { newRuns, type Runs } from "./lists.ts";
import {
  type RunFilter,
  type RunGroup,
  type RunSort,
  validateEnum,
  validateFilters,
  validateGroups,
  validatePaging,
  validateProjectName,
  validateRunId,
  validateSorts,
  VISIBILITIES,
  type Visibility,
} from "./validation.ts";

/**
 * A label of a project.
 *
 * @example A label
 * ```ts
 * import type { ProjectLabel } from "./project.ts";
 *
 * const label: ProjectLabel = { name: "baseline", colors: ["#528d59"], cuid: "clabel1" };
 * ```
 */
export interface ProjectLabel {
  /** The label text. */
  name?: string;
  /** Its colors (CSS colors). */
  colors?: string[];
  /** The label id. */
  cuid?: string;
}

/**
 * The counters of a project (`{}` when the server sent none).
 *
 * @example Counters of a project
 * ```ts
 * import type { ProjectCount } from "./project.ts";
 *
 * const count: ProjectCount = { experiments: 24, contributors: 2, collaborators: 2, clones: 1 };
 * ```
 */
export interface ProjectCount {
  /** Number of runs. */
  experiments?: number;
  /** Number of users who logged runs. */
  contributors?: number;
  /** Number of collaborators. */
  collaborators?: number;
  /** Number of clones. */
  clones?: number;
}

/**
 * A project's data, as returned by {@linkcode Project.load}: frozen, for synchronous use.
 *
 * @example Read a project synchronously
 * ```ts
 * import { Api } from "@swanlab-ts/api";
 *
 * const api = new Api();
 * const { projectId, visibility } = await api.project("my-team/my-project").load();
 * ```
 */
export interface ProjectSnapshot {
  /** The project's cuid (`""` when absent). */
  readonly projectId: string;
  /** The project name. */
  readonly name: string;
  /** `username/project-name`. */
  readonly path: string;
  /** The description (`""` when absent). */
  readonly description: string;
  /** The labels (`[]` when absent). */
  readonly labels: readonly ProjectLabel[];
  /** Creation time, ISO 8601 UTC (`""` when absent). */
  readonly createdAt: string;
  /** Last update time, ISO 8601 UTC (`""` when absent). */
  readonly updatedAt: string;
  /** The project's web page: `{webHost}/@{path}`. */
  readonly url: string;
  /** `"PUBLIC"` or `"PRIVATE"` (`"PRIVATE"` when absent). */
  readonly visibility: Visibility;
  /** Counters: runs, contributors, collaborators, clones (`{}` when absent). */
  readonly count: Readonly<ProjectCount>;
}

/**
 * The JSON form of a project: the Python SDK's `Project.json()` keys, in its order.
 *
 * @example A private project
 * ```ts
 * import type { ProjectJson } from "./project.ts";
 *
 * const json: ProjectJson = {
 *   count: {}, created_at: "", description: "", labels: [], name: "proj", path: "alice/proj",
 *   project_id: "cproj1", updated_at: "", url: "https://swanlab.cn/@alice/proj", visibility: "PRIVATE",
 * };
 * ```
 */
export interface ProjectJson {
  /** Counters. */
  count: ProjectCount;
  /** Creation time. */
  created_at: string;
  /** Description. */
  description: string;
  /** Labels. */
  labels: ProjectLabel[];
  /** Name. */
  name: string;
  /** `username/project-name`. */
  path: string;
  /** The project's cuid. */
  project_id: string;
  /** Last update time. */
  updated_at: string;
  /** Web page. */
  url: string;
  /** Visibility. */
  visibility: Visibility;
}

/**
 * Options of {@linkcode Project.runs} (filter mode). All rules are ANDed; pinned runs always
 * match (server behaviour).
 *
 * @example Finished runs, grouped by job, newest first
 * ```ts
 * import type { ProjectRunsOptions } from "./project.ts";
 *
 * const options: ProjectRunsOptions = {
 *   filters: [{ key: "state", type: "STABLE", op: "EQ", value: ["FINISHED"] }],
 *   groups: [{ key: "job", type: "STABLE" }],
 *   sorts: [{ key: "createdAt", type: "STABLE", order: "DESC" }],
 * };
 * ```
 */
export interface ProjectRunsOptions {
  /** Filter rules, each `{ key, type, op, value }`. @default [] */
  filters?: RunFilter[];
  /** Grouping levels, each `{ key, type }` (the groups are flattened in the result). @default [] */
  groups?: RunGroup[];
  /** Sort levels, each `{ key, type, order }`. @default [] */
  sorts?: RunSort[];
}

/**
 * Options of paged run lists (`project.runsGet()`, `api.runsGet()`).
 *
 * @example Every page, 100 runs each
 * ```ts
 * import type { RunsGetOptions } from "./project.ts";
 *
 * const options: RunsGetOptions = { page: 1, size: 100, all: true };
 * ```
 */
export interface RunsGetOptions {
  /**
   * The first page (1-based).
   * @default 1
   */
  page?: number;
  /**
   * Items per page: 10, 12, 15, 20, 24, 27, 50 or 100.
   * @default 100
   */
  size?: number;
  /**
   * Fetch every page from `page` on.
   * @default false
   */
  all?: boolean;
}

/**
 * Options of the delete methods.
 *
 * @example Really delete
 * ```ts
 * import type { DeleteOptions } from "./project.ts";
 *
 * const options: DeleteOptions = { commit: true };
 * ```
 */
export interface DeleteOptions {
  /**
   * Actually delete. When `false`, nothing is deleted and the plan lists what would be.
   * @default false
   */
  commit?: boolean;
}

/**
 * One item of a {@linkcode DeletePlan}.
 *
 * @example A run to delete
 * ```ts
 * import type { DeleteItem } from "./project.ts";
 *
 * const item: DeleteItem = { id: "crun1", name: "exp-1", path: "alice/proj/abc123" };
 * ```
 */
export interface DeleteItem {
  /** The cuid of the project or run. */
  readonly id: string;
  /** Its name. */
  readonly name: string;
  /** Its path: `username/project` or `username/project/run-slug`. */
  readonly path: string;
}

/**
 * What a delete did (`committed: true`) or would do (`committed: false`, a dry run that sends
 * no delete request).
 *
 * @example Dry run, then delete
 * ```ts
 * import { Api } from "@swanlab-ts/api";
 *
 * const api = new Api();
 * const project = api.project("my-team/my-project");
 * const plan = await project.delete();
 * console.log(plan.committed, plan.items); // false [{ id, name, path }]
 * await project.delete({ commit: true });
 * ```
 */
export interface DeletePlan {
  /** Whether the items were deleted. */
  readonly committed: boolean;
  /** The items deleted, or that would be deleted. */
  readonly items: readonly DeleteItem[];
}

/** What `createProject()` takes: the workspace username (optional) and the new project. */
interface CreateProjectInput {
  name: string;
  visibility?: Visibility;
  description?: string;
}

type ProjectRecord = JsonRecord;

let construct: (
  ctx: Context,
  path: { username: string; project: string },
  record: ProjectRecord | undefined,
  complete: boolean,
) => Project;

/**
 * A project: the runs of one research task in a workspace, with a name, description, labels and
 * visibility.
 *
 * Get one with `api.project("username/project")`; constructing it sends nothing. `name`, `path`
 * and `url` are known from the path; the first read of another property loads
 * `GET /project/{username}/{project}` and caches it (concurrent reads share the request; a failed
 * load throws and is retried by the next read). Projects from a list are pre-filled.
 *
 * @example Read a project and its runs
 * ```ts
 * import { Api } from "@swanlab-ts/api";
 *
 * const project = new Api().project("my-team/my-project");
 * console.log(await project.json());
 * for await (const run of project.runsGet({ all: true })) console.log(await run.name);
 * ```
 */
export class Project {
  static {
    construct = (ctx, path, record, complete) => new Project(ctx, path, record, complete);
  }

  #ctx: Context;
  #username: string;
  #name: string;
  #prefill: ProjectRecord | undefined;
  #record: Lazy<ProjectRecord>;
  #cuid: Lazy<string>;

  private constructor(
    ctx: Context,
    path: { username: string; project: string },
    record: ProjectRecord | undefined,
    complete: boolean,
  ) {
    this.#ctx = ctx;
    this.#username = path.username;
    this.#name = path.project;
    this.#record = new Lazy((options) => fetchProject(ctx, path.username, path.project, options));
    if (record !== undefined && complete) this.#record.set(record);
    else this.#prefill = record;
    this.#cuid = new Lazy(async (options) => {
      const known = str(this.#current()?.["cuid"]);
      if (known !== "") return known;
      const cuid = str((await this.#record.get(options))["cuid"]);
      if (cuid === "") {
        throw new ResponseError(
          `Cannot use response of GET /api/project/${this.path}: the project has no cuid`,
        );
      }
      return cuid;
    });
  }

  /** `username/project-name` (known without a request). */
  get path(): string {
    return `${this.#username}/${this.#name}`;
  }

  /** The project name (known without a request). */
  get name(): Promise<string> {
    return Promise.resolve(this.#name);
  }

  /** The project's cuid. */
  get projectId(): Promise<string> {
    return this.#cuid.get();
  }

  /** The description (`""` when absent). */
  get description(): Promise<string> {
    return this.#field("description").then((v) => str(v));
  }

  /** The labels (`[]` when absent). */
  get labels(): Promise<ProjectLabel[]> {
    return this.#field("projectLabels").then((v) => labelsOf(v));
  }

  /** Creation time, ISO 8601 UTC (`""` when absent). */
  get createdAt(): Promise<string> {
    return this.#field("createdAt").then((v) => str(v));
  }

  /** Last update time, ISO 8601 UTC (`""` when absent). */
  get updatedAt(): Promise<string> {
    return this.#field("updatedAt").then((v) => str(v));
  }

  /** The project's web page, `{webHost}/@{username}/{project}` (no request). */
  get url(): Promise<string> {
    return this.#ctx.webHost().then((web) => `${web}/@${this.path}`);
  }

  /** `"PUBLIC"` or `"PRIVATE"` (`"PRIVATE"` when absent). */
  get visibility(): Promise<Visibility> {
    return this.#field("visibility").then((v) => visibilityOf(v));
  }

  /** Counters: runs (`experiments`), contributors, collaborators, clones (`{}` when absent). */
  get count(): Promise<ProjectCount> {
    return this.#field("_count").then((v) => obj(v) as ProjectCount);
  }

  /**
   * Loads the project (once; pre-filled list items with details need no request) and returns a
   * frozen snapshot of its data.
   *
   * @param options Per-call signal, timeout and retries (used by the first load only).
   * @returns The snapshot.
   * @throws {NotFoundError} When the project does not exist or is private to others.
   * @throws {ApiError} (or a subclass) and {@linkcode ConnectionError} for failed requests.
   *
   * @example Read the cuid and counters
   * ```ts
   * import { Api } from "@swanlab-ts/api";
   *
   * const api = new Api();
   * const { projectId, count } = await api.project("my-team/my-project").load();
   * ```
   */
  async load(options: RequestOptions = {}): Promise<ProjectSnapshot> {
    const record = await this.#record.get(options);
    const web = await this.#ctx.webHost();
    return deepFreeze({
      projectId: str(record["cuid"]),
      name: this.#name,
      path: this.path,
      description: str(record["description"]),
      labels: labelsOf(record["projectLabels"]),
      createdAt: str(record["createdAt"]),
      updatedAt: str(record["updatedAt"]),
      url: `${web}/@${this.path}`,
      visibility: visibilityOf(record["visibility"]),
      count: obj(record["_count"]) as ProjectCount,
    });
  }

  /**
   * The Python SDK's `Project.json()`: `{ count, created_at, description, labels, name, path,
   * project_id, updated_at, url, visibility }`.
   *
   * @param options Per-call signal, timeout and retries.
   * @returns A new JSON object.
   * @throws {NotFoundError} When the project does not exist or is private to others.
   * @throws {ApiError} (or a subclass) and {@linkcode ConnectionError} for failed requests.
   *
   * @example Print a project
   * ```ts
   * import { Api } from "@swanlab-ts/api";
   *
   * const api = new Api();
   * console.log(await api.project("my-team/my-project").json());
   * ```
   */
  async json(options: RequestOptions = {}): Promise<ProjectJson> {
    const s = await this.load(options);
    return sortKeys({
      count: { ...s.count },
      created_at: s.createdAt,
      description: s.description,
      labels: clone(s.labels) as ProjectLabel[],
      name: s.name,
      path: s.path,
      project_id: s.projectId,
      updated_at: s.updatedAt,
      url: s.url,
      visibility: s.visibility,
    });
  }

  /**
   * The runs matching filter rules (`POST …/runs/shows`), in one request. Without rules, every
   * run. Grouped answers are flattened.
   *
   * @param options Filters, groups and sorts.
   * @param requestOptions Per-call signal, timeout and retries, applied to every page request.
   * @returns The run list (nothing is fetched until it is iterated).
   * @throws {ValidationError} When a rule is invalid (before any request), naming the field,
   * e.g. `"filters[0].op"`.
   *
   * @example Finished runs
   * ```ts
   * import { Api } from "@swanlab-ts/api";
   *
   * const api = new Api();
   * const project = api.project("my-team/my-project");
   * const runs = project.runs({
   *   filters: [{ key: "state", type: "STABLE", op: "EQ", value: ["FINISHED"] }],
   * });
   * console.log(await runs.json());
   * ```
   */
  runs(options: ProjectRunsOptions = {}, requestOptions: RequestOptions = {}): Runs {
    return filterRuns(this.#ctx, this.#username, this.#name, this.#cuid, options, requestOptions);
  }

  /**
   * The runs of this project, page by page (`GET …/runs`; minimal records, no filtering).
   *
   * @param options Page, size and `all`.
   * @param requestOptions Per-call signal, timeout and retries, applied to every page request.
   * @returns The run list (nothing is fetched until it is iterated).
   * @throws {ValidationError} When `page` or `size` is invalid (before any request).
   *
   * @example The first 100 runs
   * ```ts
   * import { Api } from "@swanlab-ts/api";
   *
   * const api = new Api();
   * const project = api.project("my-team/my-project");
   * const runs = project.runsGet({ page: 1, size: 100 });
   * console.log(await runs.json());
   * ```
   */
  runsGet(options: RunsGetOptions = {}, requestOptions: RequestOptions = {}): Runs {
    return pagedRuns(this.#ctx, this.#username, this.#name, this.#cuid, options, requestOptions);
  }

  /**
   * Deletes this project and all its runs, or with `commit: false` (the default) only says what
   * would be deleted. The project is loaded first: a failed load throws and nothing is deleted.
   * The delete is not retried unless `options.retryUnsafe`.
   *
   * @param deleteOptions `commit: true` to delete.
   * @param options Per-call signal, timeout and retries.
   * @returns The plan: `{ committed, items: [{ id, name, path }] }`.
   * @throws {NotFoundError} When the project does not exist or is private to others.
   * @throws {PermissionDeniedError} When the user may not delete it.
   * @throws {ApiError} (or a subclass) and {@linkcode ConnectionError} for failed requests.
   *
   * @example Dry run (sends no delete request)
   * ```ts
   * import { Api } from "@swanlab-ts/api";
   *
   * const api = new Api();
   * const plan = await api.project("my-team/my-project").delete();
   * console.log(plan.items[0]?.name);
   * ```
   */
  async delete(
    deleteOptions: DeleteOptions = {},
    options: RequestOptions = {},
  ): Promise<DeletePlan> {
    const commit = checkBoolean("commit", deleteOptions.commit, false);
    const snapshot = await this.load(options);
    const items = [{ id: snapshot.projectId, name: snapshot.name, path: snapshot.path }];
    if (commit) {
      await this.#ctx.call(
        (api) =>
          api.DELETE("/project/{username}/{project}", {
            params: { path: { username: this.#username, project: this.#name } },
          }),
        options,
      );
    }
    return deepFreeze({ committed: commit, items });
  }

  /**
   * Deletes runs of this project (`POST …/runs/del`), or with `commit: false` (the default) only
   * says what would be deleted.
   *
   * Every id (slug or cuid) is looked up first, several at a time. Unlike the Python SDK, an
   * unknown id rejects the whole call with {@linkcode NotFoundError} before anything is deleted.
   * The delete is not retried unless `options.retryUnsafe`.
   *
   * @param ids Run slugs or cuids.
   * @param deleteOptions `commit: true` to delete.
   * @param options Per-call signal, timeout and retries.
   * @returns The plan: `{ committed, items: [{ id, name, path }] }` (one item per distinct run).
   * @throws {ValidationError} When `ids` is not an array of run ids (before any request).
   * @throws {NotFoundError} When a run does not exist (nothing is deleted).
   * @throws {ApiError} (or a subclass) and {@linkcode ConnectionError} for failed requests.
   *
   * @example Delete two runs
   * ```ts
   * import { Api } from "@swanlab-ts/api";
   *
   * const api = new Api();
   * const project = api.project("my-team/my-project");
   * const plan = await project.deleteRuns(["run_id_1", "run_id_2"], { commit: true });
   * console.log(plan.items.length); // 2
   * ```
   */
  async deleteRuns(
    ids: readonly string[],
    deleteOptions: DeleteOptions = {},
    options: RequestOptions = {},
  ): Promise<DeletePlan> {
    if (!Array.isArray(ids)) {
      throw new ValidationError("ids", "Cannot parse ids: expected an array of run ids");
    }
    ids.forEach((id, i) => validateRunId(id, `ids[${i}]`));
    const commit = checkBoolean("commit", deleteOptions.commit, false);
    const limiter = await this.#ctx.limiter();
    const records = await mapLimited(
      ids,
      limiter,
      (id) => fetchRunRecord(this.#ctx, this.#username, this.#name, id, options),
    );
    const seen = new Set<string>();
    const items: DeleteItem[] = [];
    for (const record of records) {
      const cuid = str(record["cuid"]);
      if (cuid === "" || seen.has(cuid)) continue;
      seen.add(cuid);
      items.push({
        id: cuid,
        name: str(record["name"]),
        path: `${this.path}/${str(record["slug"]) || cuid}`,
      });
    }
    if (commit && items.length > 0) {
      await this.#ctx.call(
        (api) =>
          api.POST("/project/{username}/{project}/runs/del", {
            params: { path: { username: this.#username, project: this.#name } },
            body: { cuids: items.map((item) => item.id) },
          }),
        options,
      );
    }
    return deepFreeze({ committed: commit, items });
  }

  #current(): ProjectRecord | undefined {
    return this.#record.peek() ?? this.#prefill;
  }

  async #field(key: string): Promise<unknown> {
    const loaded = this.#record.peek();
    if (loaded !== undefined) return loaded[key];
    if (this.#prefill !== undefined && this.#prefill[key] !== undefined) return this.#prefill[key];
    return (await this.#record.get())[key];
  }
}

function labelsOf(value: unknown): ProjectLabel[] {
  return clone(arr<ProjectLabel>(value).filter(isRecord)) as ProjectLabel[];
}

function visibilityOf(value: unknown): Visibility {
  return (str(value) || "PRIVATE") as Visibility;
}

async function fetchProject(
  ctx: Context,
  username: string,
  project: string,
  options: RequestOptions,
): Promise<ProjectRecord> {
  const body = await ctx.call(
    (api) =>
      api.GET("/project/{username}/{project}", {
        params: { path: { username, project } },
      }),
    options,
  );
  return expectRecord(body, `GET /api/project/${username}/${project}`);
}

/** @internal Fetches one run record by slug or cuid. */
export async function fetchRunRecord(
  ctx: Context,
  username: string,
  project: string,
  run: string,
  options: RequestOptions = {},
): Promise<JsonRecord> {
  const body = await ctx.call(
    (api) =>
      api.GET("/project/{username}/{project}/runs/{run}", {
        params: { path: { username, project, run } },
      }),
    options,
  );
  return expectRecord(body, `GET /api/project/${username}/${project}/runs/${run}`);
}

/** @internal Creates a project entity (pre-filled when `record` is given). */
export function newProject(
  ctx: Context,
  path: { username: string; project: string },
  record?: ProjectRecord,
  complete = false,
): Project {
  return construct(ctx, path, record, complete);
}

/** @internal A lazily loaded project cuid (`GET /project/{username}/{project}`). */
export function projectCuidLoader(ctx: Context, username: string, project: string): Lazy<string> {
  return new Lazy(async (options) => {
    const cuid = str((await fetchProject(ctx, username, project, options))["cuid"]);
    if (cuid === "") {
      throw new ResponseError(
        `Cannot use response of GET /api/project/${username}/${project}: the project has no cuid`,
      );
    }
    return cuid;
  });
}

/** @internal Checks filter-mode options and creates the run list. */
export function filterRuns(
  ctx: Context,
  username: string,
  project: string,
  projectCuid: Lazy<string>,
  options: ProjectRunsOptions,
  requestOptions: RequestOptions = {},
): Runs {
  checkObject("options", options);
  const filters = validateFilters(options.filters ?? [], "filters");
  const groups = validateGroups(options.groups ?? [], "groups");
  const sorts = validateSorts(options.sorts ?? [], "sorts");
  return newRuns(
    ctx,
    username,
    project,
    projectCuid,
    {
      kind: "filter",
      filters,
      groups,
      sorts,
    },
    { page: 1, size: 100, all: false },
    requestOptions,
  );
}

/** @internal Checks paging options and creates the paged run list. */
export function pagedRuns(
  ctx: Context,
  username: string,
  project: string,
  projectCuid: Lazy<string>,
  options: RunsGetOptions,
  requestOptions: RequestOptions = {},
): Runs {
  checkObject("options", options);
  const { page, size } = validatePaging({ page: options.page ?? 1, size: options.size ?? 100 });
  const all = checkBoolean("all", options.all, false);
  return newRuns(
    ctx,
    username,
    project,
    projectCuid,
    { kind: "paged" },
    { page, size, all },
    requestOptions,
  );
}

/**
 * @internal Checks a new project (before any request) and returns the function that creates it
 * in a workspace.
 */
export function createProjectIn(
  ctx: Context,
  input: CreateProjectInput,
): (username: string, options: RequestOptions) => Promise<Project> {
  checkObject("project", input);
  const name = validateProjectName(input.name, "name");
  const visibility = validateEnum("visibility", input.visibility ?? "PRIVATE", VISIBILITIES);
  const description = checkOptionalString("description", input.description);
  return async (username, options) => {
    const body = await ctx.call(
      (api) =>
        api.POST("/project", {
          body: {
            name,
            visibility,
            username,
            ...(description !== undefined ? { description } : {}),
          },
        }),
      options,
    );
    const record = expectRecord(body, "POST /api/project");
    const parts = str(record["path"]).split("/");
    const path = parts.length === 2 && parts[0] && parts[1]
      ? { username: parts[0], project: parts[1] }
      : { username, project: name };
    return newProject(ctx, path, record, true);
  };
}
