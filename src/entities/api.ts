/**
 * {@linkcode Api}: the entry point of the SwanLab query API.
 *
 * @module
 */

import type { ClientOptions } from "../core/client_options.ts";
import type { RequestOptions } from "../core/request_options.ts";
import type { DownloadOptions } from "../core/transport.ts";
import { downloadMedia } from "../metrics/medias.ts";
import { checkObject, Context, Lazy } from "./_lazy.ts";
import type { Column } from "./column.ts";
import type { Columns, Projects, Runs, Workspaces } from "./lists.ts";
import { newWorkspaces } from "./lists.ts";
import {
  createProjectIn,
  filterRuns,
  newProject,
  pagedRuns,
  type Project,
  projectCuidLoader,
  type ProjectRunsOptions,
  type RunsGetOptions,
} from "./project.ts";
import {
  type ColumnOptions,
  type ColumnsOptions,
  findColumn,
  listColumns,
  newRun,
  type Run,
  RunCore,
} from "./run.ts";
import { newSeries, type Series, type SeriesOptions } from "./series.ts";
import { newSelfHosted, type SelfHosted } from "./self_hosted.ts";
import { newUser, type User } from "./user.ts";
import {
  parseProjectPath,
  parseRunPath,
  parseWorkspacePath,
  validateUsername,
  type Visibility,
} from "./validation.ts";
import { listProjects, newWorkspace, type ProjectsOptions, type Workspace } from "./workspace.ts";

/**
 * What `api.createProject()` creates.
 *
 * @example A private project in a team workspace
 * ```ts
 * import type { CreateProjectOptions } from "./api.ts";
 *
 * const project: CreateProjectOptions = {
 *   username: "my-team",
 *   name: "new-project",
 *   visibility: "PRIVATE",
 *   description: "Project description",
 * };
 * ```
 */
export interface CreateProjectOptions {
  /**
   * The workspace that will own the project.
   * @default the logged-in user
   */
  username?: string;
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

/**
 * Options of `api.runs()` (filter mode): the same rules as `project.runs()`.
 *
 * @example Finished runs
 * ```ts
 * import type { RunsOptions } from "./api.ts";
 *
 * const options: RunsOptions = {
 *   filters: [{ key: "state", type: "STABLE", op: "EQ", value: ["FINISHED"] }],
 * };
 * ```
 */
export type RunsOptions = ProjectRunsOptions;

/**
 * The entry point of the SwanLab query API: get workspaces, projects, runs, columns, series, the
 * logged-in user and self-hosted administration from here.
 *
 * Constructing an `Api` is synchronous and sends nothing. Credentials are resolved and the
 * client logs in (once) on the first request; a missing API key then surfaces as
 * {@linkcode CredentialsError}. Credential precedence: `apiKey`/`host` options, then `login()`,
 * then `SWANLAB_API_KEY`/`SWANLAB_API_HOST`, then the SwanLab `.netrc`.
 *
 * Paths: a workspace is `username`, a project `username/project-name`, a run
 * `username/project-name/run-id`. Invalid paths and options throw {@linkcode ValidationError}
 * before any request.
 *
 * @example Explicit credentials
 * ```ts
 * import { Api } from "@swanlab-ts/api";
 *
 * const api = new Api({ apiKey: "your-api-key", host: "https://your-server.com" });
 * const run = api.run("my-team/my-project/abc123");
 * console.log(await run.json());
 * ```
 *
 * @example Credentials from the environment or `.netrc`
 * ```ts
 * import { Api } from "@swanlab-ts/api";
 *
 * const api = new Api();
 * console.log(await api.username);
 * ```
 */
export class Api {
  #ctx: Context;

  /**
   * Creates a client. Sends nothing and reads no credentials until the first request.
   *
   * @param options Credentials, hosts, timeouts, retries, concurrency and `fetch`.
   */
  constructor(options: ClientOptions = {}) {
    checkObject("options", options);
    this.#ctx = new Context(options);
  }

  /** The logged-in user's username (logs in on first use). */
  get username(): Promise<string> {
    return this.#ctx.username();
  }

  /**
   * The Python SDK's `Api.json()`: always `{}`.
   *
   * @returns `{}`.
   *
   * @example Always an empty object
   * ```ts
   * import { Api } from "./api.ts";
   *
   * console.log(new Api().json()); // {}
   * ```
   */
  json(): Record<string, never> {
    return {};
  }

  /**
   * One workspace (loaded on first use).
   *
   * @param username The workspace username; the logged-in user when omitted.
   * @returns The workspace.
   * @throws {ValidationError} For an invalid username.
   *
   * @example Read a team workspace
   * ```ts
   * import { Api } from "@swanlab-ts/api";
   *
   * const api = new Api();
   * const ws = api.workspace("my-team");
   * const data = await ws.json();
   * console.log(data.name, data.username, data.workspace_type);
   * ```
   */
  workspace(username?: string): Workspace {
    const name = username === undefined ? undefined : validateUsername(username, "username");
    return newWorkspace(this.#ctx, name);
  }

  /**
   * The workspaces of a user: the personal one and every team (one request on first use).
   *
   * @param username The user; the logged-in user when omitted.
   * @param options Per-call signal, timeout and retries, applied to every page request.
   * @returns The workspace list; its `json()` is only `{ username }` (as in the Python SDK).
   * @throws {ValidationError} For an invalid username.
   *
   * @example Print every workspace of a user
   * ```ts
   * import { Api } from "@swanlab-ts/api";
   *
   * const api = new Api();
   * for await (const ws of api.workspaces("my-team")) console.log(await ws.name);
   * ```
   */
  workspaces(username?: string, options: RequestOptions = {}): Workspaces {
    const name = username === undefined ? undefined : validateUsername(username, "username");
    const lazy = name === undefined ? new Lazy(() => this.#ctx.username()) : Lazy.of(name);
    return newWorkspaces(this.#ctx, () => lazy.get(), options);
  }

  /**
   * One project (loaded on first use).
   *
   * @param path `username/project-name`.
   * @returns The project.
   * @throws {ValidationError} For an invalid path.
   *
   * @example Read a project
   * ```ts
   * import { Api } from "@swanlab-ts/api";
   *
   * const api = new Api();
   * const project = api.project("my-team/my-project");
   * console.log(await project.json());
   * ```
   */
  project(path: string): Project {
    return newProject(this.#ctx, parseProjectPath(path, "path"));
  }

  /**
   * The projects of a workspace.
   *
   * @param path The workspace username.
   * @param options `sort`, `search`, `detail` (default true), `page` (1), `size` (100), `all`.
   * @param requestOptions Per-call signal, timeout and retries, applied to every page request.
   * @returns The project list (nothing is fetched until it is iterated).
   * @throws {ValidationError} For an invalid path or option (before any request).
   *
   * @example Search a workspace's projects by name
   * ```ts
   * import { Api } from "@swanlab-ts/api";
   *
   * const api = new Api();
   * for await (const p of api.projects("my-team", { sort: "name", search: "image" })) {
   *   console.log(await p.name, p.path);
   * }
   * ```
   */
  projects(
    path: string,
    options: ProjectsOptions = {},
    requestOptions: RequestOptions = {},
  ): Projects {
    const { username } = parseWorkspacePath(path, "path");
    return listProjects(this.#ctx, () => Promise.resolve(username), options, requestOptions);
  }

  /**
   * Creates a project (`POST /project`; not retried unless `options.retryUnsafe`, so a lost
   * answer cannot create it twice).
   *
   * @param project `username` (default: the logged-in user), `name`, `visibility` (default
   * `"PRIVATE"`), `description`.
   * @param options Per-call signal, timeout and retries.
   * @returns The new project, pre-filled from the response.
   * @throws {ValidationError} For an invalid name, username or visibility (before any request).
   * @throws {ConflictError} When the project exists.
   * @throws {ApiError} (or a subclass) and {@linkcode ConnectionError} for failed requests.
   *
   * @example Create a private project with a description
   * ```ts
   * import { Api } from "@swanlab-ts/api";
   *
   * const api = new Api();
   * const project = await api.createProject({
   *   username: "my-team",
   *   name: "new-project",
   *   visibility: "PRIVATE",
   *   description: "Project description",
   * });
   * ```
   */
  async createProject(
    project: CreateProjectOptions,
    options: RequestOptions = {},
  ): Promise<Project> {
    checkObject("project", project);
    const username = project.username === undefined
      ? undefined
      : validateUsername(project.username, "username");
    const create = createProjectIn(this.#ctx, {
      name: project.name,
      ...(project.visibility !== undefined ? { visibility: project.visibility } : {}),
      ...(project.description !== undefined ? { description: project.description } : {}),
    });
    return await create(username ?? await this.#ctx.username(), options);
  }

  /**
   * One run (loaded on first use).
   *
   * @param path `username/project-name/run-id` (the run id shown in web URLs, or the cuid).
   * @returns The run.
   * @throws {ValidationError} For an invalid path.
   *
   * @example Read a run
   * ```ts
   * import { Api } from "@swanlab-ts/api";
   *
   * const api = new Api();
   * const data = await api.run("my-team/my-project/abc123").json();
   * ```
   */
  run(path: string): Run {
    return newRun(new RunCore(this.#ctx, parseRunPath(path, "path")));
  }

  /**
   * The runs of a project matching filter rules (`POST …/runs/shows`, one request).
   *
   * @param path `username/project-name`.
   * @param options `filters` (and `groups`, `sorts`, as `project.runs()`).
   * @param requestOptions Per-call signal, timeout and retries, applied to every page request.
   * @returns The run list (nothing is fetched until it is iterated).
   * @throws {ValidationError} For an invalid path or rule (before any request), naming the
   * field, e.g. `"filters[1].op"`.
   *
   * @example Finished runs whose name contains "v2"
   * ```ts
   * import { Api } from "@swanlab-ts/api";
   *
   * const api = new Api();
   * const run = api.run("my-team/my-project/abc123");
   * for await (const run of api.runs("my-team/my-project", {
   *   filters: [
   *     { key: "state", type: "STABLE", op: "EQ", value: ["FINISHED"] },
   *     { key: "name", type: "STABLE", op: "CONTAIN", value: ["v2"] },
   *   ],
   * })) {
   *   console.log(await run.name);
   * }
   * ```
   */
  runs(path: string, options: RunsOptions = {}, requestOptions: RequestOptions = {}): Runs {
    const { username, project } = parseProjectPath(path, "path");
    return filterRuns(
      this.#ctx,
      username,
      project,
      projectCuidLoader(this.#ctx, username, project),
      options,
      requestOptions,
    );
  }

  /**
   * The runs of a project, page by page (`GET …/runs`; minimal records, no filtering).
   *
   * @param path `username/project-name`.
   * @param options `page` (1), `size` (100), `all` (false).
   * @param requestOptions Per-call signal, timeout and retries, applied to every page request.
   * @returns The run list (nothing is fetched until it is iterated).
   * @throws {ValidationError} For an invalid path, page or size (before any request).
   *
   * @example Every run, 100 per page
   * ```ts
   * import { Api } from "@swanlab-ts/api";
   *
   * const api = new Api();
   * const run = api.run("my-team/my-project/abc123");
   * for await (const run of api.runsGet("my-team/my-project", { page: 1, size: 100, all: true })) {
   *   console.log(await run.name, await run.state);
   * }
   * ```
   */
  runsGet(path: string, options: RunsGetOptions = {}, requestOptions: RequestOptions = {}): Runs {
    const { username, project } = parseProjectPath(path, "path");
    return pagedRuns(
      this.#ctx,
      username,
      project,
      projectCuidLoader(this.#ctx, username, project),
      options,
      requestOptions,
    );
  }

  /**
   * One metric column of a run: the first whose name contains `key` (case-insensitive; an exact
   * key match wins). Loaded on first use. See also {@linkcode Api.series}.
   *
   * @param path `username/project-name/run-id`.
   * @param key The search keyword (normally the metric key).
   * @param options `columnClass` (default `"CUSTOM"`), `columnType` (validated, not sent).
   * @returns The column.
   * @throws {ValidationError} For an invalid path, key, class or type (before any request).
   *
   * @example Read the data of a metric column
   * ```ts
   * import { Api } from "@swanlab-ts/api";
   *
   * const api = new Api();
   * const col = api.column("my-team/my-project/abc123", "loss", { columnType: "FLOAT" });
   * const data = await col.metric({ sample: 500 });
   * ```
   */
  column(path: string, key: string, options: ColumnOptions = {}): Column {
    const core = new RunCore(this.#ctx, parseRunPath(path, "path"));
    return findColumn(core, key, options, null);
  }

  /**
   * The metric columns of a run. See also {@linkcode Api.series}, which reads keys from the
   * metric store itself.
   *
   * @param path `username/project-name/run-id`.
   * @param options `page` (1), `size` (100), `search`, `columnClass` (default `"CUSTOM"`; `null`
   * sends none), `columnType`, `all`.
   * @param requestOptions Per-call signal, timeout and retries, applied to every page request.
   * @returns The column list (nothing is fetched until it is iterated).
   * @throws {ValidationError} For an invalid path or option (before any request).
   *
   * @example Count and print the FLOAT columns of a run
   * ```ts
   * import { Api } from "@swanlab-ts/api";
   *
   * const api = new Api();
   * const cols = api.columns("my-team/my-project/abc123", { all: true, columnType: "FLOAT" });
   * console.log(await cols.total);
   * for await (const col of cols) console.log(await col.name);
   * ```
   */
  columns(
    path: string,
    options: ColumnsOptions = {},
    requestOptions: RequestOptions = {},
  ): Columns {
    const core = new RunCore(this.#ctx, parseRunPath(path, "path"));
    return listColumns(core, options, "CUSTOM", requestOptions);
  }

  /**
   * The metric keys of a run, read from the metric store (fetched on first use).
   *
   * @param path `username/project-name/run-id`.
   * @param options `metricType` (`"SCALAR"`), `metricClass` (`"CUSTOM"`), `search` (`""`).
   * @returns The series.
   * @throws {ValidationError} For an invalid path, type or class (before any request).
   *
   * @example The media keys of a run
   * ```ts
   * import { Api } from "@swanlab-ts/api";
   *
   * const api = new Api();
   * const series = api.series("my-team/my-project/abc123", { metricType: "MEDIA" });
   * console.log(await series.keys);
   * ```
   */
  series(path: string, options: SeriesOptions = {}): Series {
    const core = new RunCore(this.#ctx, parseRunPath(path, "path"));
    return newSeries(core, options);
  }

  /**
   * The logged-in user.
   *
   * @returns The user (its profile is loaded on first use).
   *
   * @example Read the logged-in user
   * ```ts
   * import { Api } from "@swanlab-ts/api";
   *
   * const api = new Api();
   * const data = await api.user().json();
   * ```
   */
  user(): User {
    return newUser(this.#ctx);
  }

  /**
   * Administration of a self-hosted deployment.
   *
   * @returns The self-hosted entry point (its information is loaded on first use).
   *
   * @example Read the license information
   * ```ts
   * import { Api } from "@swanlab-ts/api";
   *
   * const api = new Api();
   * const sh = api.selfHosted();
   * const data = await sh.json();
   * console.log(data.enabled, data.plan, data.seats);
   * ```
   */
  selfHosted(): SelfHosted {
    return newSelfHosted(this.#ctx);
  }

  /**
   * Downloads a presigned URL (a media file or an export on object storage) the way the client
   * sends everything else: through its `fetch` and proxy settings, with its timeout and retries,
   * but with no credential at all (no key, no session cookie) and no redirect followed.
   *
   * @param url A presigned URL, e.g. a media item's `url` or an export's `url`.
   * @param options Per-call signal, timeouts (`idleTimeoutMs` for a stalled body) and retries.
   * @returns The response, with an OK status; read its body once.
   * @throws {ValidationError} When `url` is not an http(s) URL.
   * @throws {ApiError} (or a subclass) when storage answers an error (403 for an expired URL).
   * @throws {ConnectionError} When storage cannot be reached.
   *
   * @example Save the first image of a run
   * ```ts
   * import { Api } from "@swanlab-ts/api";
   *
   * const api = new Api();
   * const media = await api.run("vision-lab/resnet-sweep/mtg02pg5").medias(["samples/image"], { step: 249 });
   * const url = media.list[0]?.metrics[0]?.items[0]?.url;
   * if (url) {
   *   const response = await api.download(url);
   *   console.log((await response.arrayBuffer()).byteLength);
   * }
   * ```
   */
  async download(url: string, options: DownloadOptions = {}): Promise<Response> {
    return await downloadMedia(await this.#ctx.transport(), url, options);
  }
}
