/**
 * {@linkcode Workspace}: a user's personal space or a team, the owner of projects.
 *
 * @module
 */

import type { RequestOptions } from "../core/request_options.ts";
import {
  checkBoolean,
  checkOptionalString,
  type Context,
  deepFreeze,
  expectRecord,
  isRecord,
  type JsonRecord,
  Lazy,
  sortKeys,
  str,
} from "./_lazy.ts";
import { newProjects, type Projects } from "./lists.ts";
import { createProjectIn, type Project } from "./project.ts";
import {
  PROJECT_SORTS,
  type ProjectSort,
  type Role,
  validateEnum,
  validatePaging,
  type Visibility,
  type WorkspaceType,
} from "./validation.ts";

/**
 * The public profile of a workspace (only these fields are kept; any may be `null` or absent).
 *
 * @example A team profile
 * ```ts
 * import type { WorkspaceProfile } from "./workspace.ts";
 *
 * const profile: WorkspaceProfile = { bio: "Image models", email: "lab@example.org" };
 * ```
 */
export interface WorkspaceProfile {
  /** Short biography. */
  bio?: string | null;
  /** Web page. */
  url?: string | null;
  /** Institution or company. */
  institution?: string | null;
  /** School. */
  school?: string | null;
  /** Public e-mail address. */
  email?: string | null;
  /** Location. */
  location?: string | null;
}

/**
 * A workspace's data, as returned by {@linkcode Workspace.load}: frozen, for synchronous use.
 *
 * @example Read a workspace synchronously
 * ```ts
 * import { Api } from "@swanlab-ts/api";
 *
 * const api = new Api();
 * const snapshot = await api.workspace("my-team").load();
 * console.log(snapshot.workspaceType); // "TEAM"
 * ```
 */
export interface WorkspaceSnapshot {
  /** The unique username of the workspace. */
  readonly username: string;
  /** The display name (`""` when absent). */
  readonly name: string;
  /** `"PERSON"` or `"TEAM"` (`"PERSON"` when absent). */
  readonly workspaceType: WorkspaceType;
  /** The logged-in user's role: `"OWNER"`, `"MEMBER"`, `"VIEWER"`, `"VISITOR"` (`""` when absent). */
  readonly role: Role | "";
  /** The public profile (`{}` when absent). */
  readonly profile: Readonly<WorkspaceProfile>;
  /** The description (`""` when absent). */
  readonly comment: string;
}

/**
 * The JSON form of a workspace: the Python SDK's `Workspace.json()` keys, in its order.
 *
 * @example A personal workspace
 * ```ts
 * import type { WorkspaceJson } from "./workspace.ts";
 *
 * const json: WorkspaceJson = {
 *   comment: "", name: "Alice", profile: {}, role: "OWNER", username: "alice", workspace_type: "PERSON",
 * };
 * ```
 */
export interface WorkspaceJson {
  /** The description. */
  comment: string;
  /** The display name. */
  name: string;
  /** The public profile. */
  profile: WorkspaceProfile;
  /** The logged-in user's role. */
  role: Role | "";
  /** The username. */
  username: string;
  /** `"PERSON"` or `"TEAM"`. */
  workspace_type: WorkspaceType;
}

/**
 * Options of {@linkcode Workspace.projects} (and `api.projects()`).
 *
 * @example Every project matching "v1", newest first
 * ```ts
 * import type { ProjectsOptions } from "./workspace.ts";
 *
 * const options: ProjectsOptions = { sort: "create", search: "v1", size: 20, all: true };
 * ```
 */
export interface ProjectsOptions {
  /**
   * `"create"` (creation time), `"name"` or `"update"`.
   * @default the server's order: most recently updated first
   */
  sort?: ProjectSort;
  /** Case-insensitive substring of the project name. */
  search?: string;
  /**
   * Ask for labels and counts too.
   * @default true
   */
  detail?: boolean;
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
 * What {@linkcode Workspace.createProject} creates.
 *
 * @example A public project with a description
 * ```ts
 * import type { NewProject } from "./workspace.ts";
 *
 * const project: NewProject = { name: "my_project", visibility: "PUBLIC", description: "Baselines" };
 * ```
 */
export interface NewProject {
  /** The project name: 1 to 100 characters of `0-9 a-z A-Z - _ . +`. */
  name: string;
  /**
   * `"PUBLIC"` or `"PRIVATE"`.
   * @default "PRIVATE"
   */
  visibility?: Visibility;
  /** The description (omitted from the request when not given). */
  description?: string;
}

type WorkspaceRecord = JsonRecord;

const PROFILE_FIELDS = ["bio", "url", "institution", "school", "email", "location"] as const;

function profileOf(value: unknown): WorkspaceProfile {
  const profile: WorkspaceProfile = {};
  if (!isRecord(value)) return profile;
  for (const field of PROFILE_FIELDS) {
    const item = value[field];
    if (typeof item === "string" || item === null) profile[field] = item;
  }
  return profile;
}

let construct: (ctx: Context, username: string | undefined, record?: JsonRecord) => Workspace;

/**
 * A workspace: a user's personal space (`PERSON`) or an organization (`TEAM`).
 *
 * Get one with `api.workspace(username?)`; constructing it sends nothing. The first property
 * read loads `GET /group/{username}` and caches it (concurrent reads share the request; a failed
 * load throws and is retried by the next read).
 *
 * @example Read a workspace
 * ```ts
 * import { Api } from "@swanlab-ts/api";
 *
 * const ws = new Api().workspace("my-team");
 * const data = await ws.json();
 * console.log(data.name, data.username, data.workspace_type);
 * ```
 */
export class Workspace {
  static {
    construct = (ctx, username, record) => new Workspace(ctx, username, record);
  }

  #ctx: Context;
  #username: Lazy<string>;
  #record: Lazy<WorkspaceRecord>;

  private constructor(ctx: Context, username: string | undefined, record?: JsonRecord) {
    this.#ctx = ctx;
    this.#username = username === undefined ? new Lazy(() => ctx.username()) : Lazy.of(username);
    this.#record = new Lazy(async (options) => {
      const name = await this.#username.get(options);
      const body = await ctx.call(
        (api) => api.GET("/group/{username}", { params: { path: { username: name } } }),
        options,
      );
      return expectRecord(body, `GET /api/group/${name}`);
    });
    if (record !== undefined) this.#record.set(record);
  }

  /** The workspace's username (the logged-in user's when none was given; no request beyond login). */
  get username(): Promise<string> {
    return this.#username.get();
  }

  /** The display name (`""` when absent). */
  get name(): Promise<string> {
    return this.load().then((s) => s.name);
  }

  /** `"PERSON"` or `"TEAM"`. */
  get workspaceType(): Promise<WorkspaceType> {
    return this.load().then((s) => s.workspaceType);
  }

  /** The logged-in user's role in the workspace (`""` when the server did not say). */
  get role(): Promise<Role | ""> {
    return this.load().then((s) => s.role);
  }

  /** The public profile: `bio`, `url`, `institution`, `school`, `email`, `location`. */
  get profile(): Promise<WorkspaceProfile> {
    return this.load().then((s) => ({ ...s.profile }));
  }

  /** The description (`""` when absent). */
  get comment(): Promise<string> {
    return this.load().then((s) => s.comment);
  }

  /**
   * Loads the workspace (once) and returns a frozen snapshot of its data.
   *
   * @param options Per-call signal, timeout and retries (used by the first load only).
   * @returns The snapshot.
   * @throws {NotFoundError} When the workspace does not exist.
   * @throws {ApiError} (or a subclass) and {@linkcode ConnectionError} for failed requests.
   *
   * @example Read the name and type
   * ```ts
   * import { Api } from "@swanlab-ts/api";
   *
   * const api = new Api();
   * const { name, workspaceType } = await api.workspace().load();
   * ```
   */
  async load(options: RequestOptions = {}): Promise<WorkspaceSnapshot> {
    const record = await this.#record.get(options);
    const username = str(record["username"]) || await this.#username.get(options);
    const type = str(record["type"]);
    return deepFreeze({
      username,
      name: str(record["name"]),
      workspaceType: (type || "PERSON") as WorkspaceType,
      role: str(record["role"]) as Role | "",
      profile: profileOf(record["profile"]),
      comment: str(record["comment"]),
    });
  }

  /**
   * The Python SDK's `Workspace.json()`: `{ comment, name, profile, role, username,
   * workspace_type }`.
   *
   * @param options Per-call signal, timeout and retries.
   * @returns A new JSON object.
   * @throws {ApiError} (or a subclass) and {@linkcode ConnectionError} for failed requests.
   *
   * @example Print the workspace type
   * ```ts
   * import { Api } from "@swanlab-ts/api";
   *
   * const api = new Api();
   * console.log((await api.workspace("my-team").json()).workspace_type); // "TEAM"
   * ```
   */
  async json(options: RequestOptions = {}): Promise<WorkspaceJson> {
    const s = await this.load(options);
    return sortKeys({
      comment: s.comment,
      name: s.name,
      profile: { ...s.profile },
      role: s.role,
      username: s.username,
      workspace_type: s.workspaceType,
    });
  }

  /**
   * The projects of this workspace.
   *
   * @param options Sort, search, detail and paging.
   * @param requestOptions Per-call signal, timeout and retries, applied to every page request.
   * @returns The project list (nothing is fetched until it is iterated).
   * @throws {ValidationError} When `sort`, `page` or `size` is invalid (before any request).
   *
   * @example Projects created most recently whose name contains "v1"
   * ```ts
   * import { Api } from "@swanlab-ts/api";
   *
   * const api = new Api();
   * const projects = api.workspace("my-team").projects({ sort: "create", search: "v1" });
   * console.log(await projects.json());
   * ```
   */
  projects(options: ProjectsOptions = {}, requestOptions: RequestOptions = {}): Projects {
    return listProjects(this.#ctx, () => this.#username.get(), options, requestOptions);
  }

  /**
   * Creates a project in this workspace (`POST /project`; not retried unless
   * `options.retryUnsafe`).
   *
   * @param project The name, visibility and description.
   * @param options Per-call signal, timeout and retries.
   * @returns The new project, pre-filled from the response.
   * @throws {ValidationError} When the name or visibility is invalid (before any request).
   * @throws {ConflictError} When the project exists.
   * @throws {ApiError} (or a subclass) and {@linkcode ConnectionError} for failed requests.
   *
   * @example Create a public project in a team
   * ```ts
   * import { Api } from "@swanlab-ts/api";
   *
   * const api = new Api();
   * const project = await api.workspace("my-team").createProject({ name: "my_project", visibility: "PUBLIC" });
   * ```
   */
  async createProject(project: NewProject, options: RequestOptions = {}): Promise<Project> {
    const create = createProjectIn(this.#ctx, project);
    return await create(await this.#username.get(), options);
  }
}

/** @internal Creates a workspace entity (a list item when `record` is given). */
export function newWorkspace(
  ctx: Context,
  username: string | undefined,
  record?: JsonRecord,
): Workspace {
  return construct(ctx, username, record);
}

/** @internal Checks project-list options and creates the list. */
export function listProjects(
  ctx: Context,
  username: () => Promise<string>,
  options: ProjectsOptions,
  requestOptions: RequestOptions = {},
): Projects {
  const { page, size } = validatePaging({ page: options.page ?? 1, size: options.size ?? 100 });
  const sort = options.sort === undefined || options.sort === null
    ? undefined
    : validateEnum("sort", options.sort, PROJECT_SORTS);
  const search = checkOptionalString("search", options.search);
  const detail = checkBoolean("detail", options.detail, true);
  const all = checkBoolean("all", options.all, false);
  return newProjects(
    ctx,
    username,
    {
      ...(sort !== undefined ? { sort } : {}),
      ...(search !== undefined ? { search } : {}),
      detail,
    },
    { page, size, all },
    requestOptions,
  );
}
