/**
 * {@linkcode SelfHosted}: license information and user, project and workspace administration of
 * a self-hosted SwanLab deployment (root user only).
 *
 * @module
 */

import { ApiResponse } from "../core/api_response.ts";
import { PermissionDeniedError, SwanLabError, ValidationError } from "../core/errors.ts";
import type { PageInfo } from "../core/paging.ts";
import type { RequestOptions } from "../core/request_options.ts";
import {
  checkBoolean,
  checkOptionalString,
  clone,
  type Context,
  deepFreeze,
  expectRecord,
  isRecord,
  type JsonRecord,
  Lazy,
  optional,
  sortKeys,
} from "./_lazy.ts";
import { EntityList, readPage } from "./lists.ts";
import {
  PROJECT_SORTS,
  type ProjectSort,
  SELF_HOSTED_PROJECT_STATES,
  type SelfHostedProjectState,
  validateEnum,
  validateNonBlank,
  validatePaging,
  WORKSPACE_TYPES,
  type WorkspaceType,
} from "./validation.ts";

/**
 * The license of the self-hosted deployment has expired (or the server did not say it has not),
 * so administration calls are refused before any request.
 *
 * @example Tell an expired license apart
 * ```ts
 * import { Api, LicenseExpiredError } from "@swanlab-ts/api";
 *
 * try {
 *   await new Api().selfHosted().getUsers().toArray();
 * } catch (error) {
 *   if (error instanceof LicenseExpiredError) console.error("renew the license");
 * }
 * ```
 */
export class LicenseExpiredError extends SwanLabError {
  /**
   * Creates the error.
   *
   * @param message What was refused.
   */
  constructor(message = "SwanLab self-hosted instance has expired") {
    super(message);
    this.name = "LicenseExpiredError";
  }
}

/**
 * An administration call was refused because the logged-in user is not the root user (checked
 * with `GET /self_hosted/info` before the call). A {@linkcode PermissionDeniedError}.
 *
 * @example Tell a missing root permission apart
 * ```ts
 * import { Api, PermissionDeniedError, RootRequiredError } from "@swanlab-ts/api";
 *
 * const result = await new Api().selfHosted().getUsageSummary();
 * if (result.error instanceof RootRequiredError) console.error("log in as root");
 * // RootRequiredError is a PermissionDeniedError (status 403).
 * console.log(result.error instanceof PermissionDeniedError);
 * ```
 */
export class RootRequiredError extends PermissionDeniedError {
  /**
   * Creates the error for the refused request.
   *
   * @param method The HTTP method that was not sent.
   * @param path The path that was not requested.
   */
  constructor(method: string, path: string) {
    super({
      status: 403,
      code: "403",
      serverMessage:
        "You don't have permission to perform this action. Please login as a root user",
      traceId: "unknown",
      method,
      path,
    });
    this.name = "RootRequiredError";
  }
}

/**
 * The deployment's license information, as returned by {@linkcode SelfHosted.load}: frozen.
 *
 * @example Read the plan and seats
 * ```ts
 * import { Api } from "@swanlab-ts/api";
 *
 * const api = new Api();
 * const { plan, seats } = await api.selfHosted().load();
 * ```
 */
export interface SelfHostedSnapshot {
  /** Whether self-hosted mode is enabled (`null` when the server did not say). */
  readonly enabled: boolean | null;
  /** Whether the license has expired (`null` when the server did not say). */
  readonly expired: boolean | null;
  /** Whether the logged-in user is the root user (`null` when the server did not say). */
  readonly root: boolean | null;
  /** `"free"` or `"commercial"` (`null` when the server did not say). */
  readonly plan: string | null;
  /** Licensed seats (`null` when the server did not say). */
  readonly seats: number | null;
}

/**
 * The JSON form: the Python SDK's `SelfHosted.json()` keys, in its order.
 *
 * @example A free license
 * ```ts
 * import type { SelfHostedJson } from "./self_hosted.ts";
 *
 * const json: SelfHostedJson = { enabled: true, expired: false, plan: "free", root: true, seats: 10 };
 * ```
 */
export interface SelfHostedJson {
  /** Self-hosted mode enabled. */
  enabled: boolean | null;
  /** License expired. */
  expired: boolean | null;
  /** `"free"` or `"commercial"`. */
  plan: string | null;
  /** The logged-in user is root. */
  root: boolean | null;
  /** Licensed seats. */
  seats: number | null;
}

/**
 * A user account of the deployment, as the server lists it (further fields pass through).
 *
 * @example A user account
 * ```ts
 * import type { SelfHostedUser } from "./self_hosted.ts";
 *
 * const user: SelfHostedUser = { username: "bob", identity: "user" };
 * ```
 */
export interface SelfHostedUser {
  /** Username. */
  username: string;
  /** Display name. */
  name?: string | null;
  /** E-mail address. */
  email?: string | null;
  /** `"root"` or `"user"`. */
  identity?: string;
  /** Creation time. */
  createdAt?: string;
  /** Any further field. */
  [field: string]: unknown;
}

/**
 * A project of the deployment, as the server lists it to root (further fields pass through).
 *
 * @example A project
 * ```ts
 * import type { SelfHostedProject } from "./self_hosted.ts";
 *
 * const project: SelfHostedProject = { cuid: "cproj1", name: "mnist", path: "alice/mnist" };
 * ```
 */
export interface SelfHostedProject {
  /** Project id. */
  cuid: string;
  /** Name. */
  name: string;
  /** `<username>/<name>`. */
  path?: string;
  /** Any further field. */
  [field: string]: unknown;
}

/**
 * A workspace of the deployment, as the server lists it to root (further fields pass through).
 *
 * @example A team workspace
 * ```ts
 * import type { SelfHostedGroup } from "./self_hosted.ts";
 *
 * const group: SelfHostedGroup = { username: "vision-lab", type: "TEAM" };
 * ```
 */
export interface SelfHostedGroup {
  /** Workspace username. */
  username: string;
  /** Display name. */
  name?: string;
  /** `"PERSON"` or `"TEAM"`. */
  type?: string;
  /** Any further field. */
  [field: string]: unknown;
}

/**
 * Paging of the administration lists.
 *
 * @example Every page, 100 items each
 * ```ts
 * import type { AdminPagingOptions } from "./self_hosted.ts";
 *
 * const options: AdminPagingOptions = { page: 1, size: 100, all: true };
 * ```
 */
export interface AdminPagingOptions {
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
 * Options of {@linkcode SelfHosted.getProjects}.
 *
 * @example Finished projects of a creator matching "image"
 * ```ts
 * import type { AdminProjectsOptions } from "./self_hosted.ts";
 *
 * const options: AdminProjectsOptions = { all: true, search: "image", state: "FINISHED", creator: "admin" };
 * ```
 */
export interface AdminProjectsOptions extends AdminPagingOptions {
  /** Case-insensitive substring of the project name. */
  search?: string;
  /** `"create"`, `"name"` or `"update"` (the server's default order). */
  sort?: ProjectSort;
  /** `"RUNNING"` or `"FINISHED"`. */
  state?: SelfHostedProjectState;
  /** Only projects created by this username. */
  creator?: string;
  /** Only projects of this organization (team workspace username). */
  group?: string;
}

/**
 * Options of {@linkcode SelfHosted.getGroups}.
 *
 * @example Every team, by name
 * ```ts
 * import type { AdminGroupsOptions } from "./self_hosted.ts";
 *
 * const options: AdminGroupsOptions = { all: true, type: "TEAM", sort: "name" };
 * ```
 */
export interface AdminGroupsOptions extends AdminPagingOptions {
  /** Case-insensitive substring of the workspace name. */
  search?: string;
  /** `"PERSON"` or `"TEAM"`. */
  type?: WorkspaceType;
  /** `"create"`, `"name"` or `"update"`. */
  sort?: ProjectSort;
}

/**
 * Usage totals of the deployment, as the server sends them (further fields pass through).
 *
 * @example Usage totals
 * ```ts
 * import type { UsageSummary } from "./self_hosted.ts";
 *
 * const summary: UsageSummary = { users: 12, projects: 40, experiments: 1234 };
 * ```
 */
export interface UsageSummary {
  /** Number of user accounts. */
  users?: number;
  /** Number of projects. */
  projects?: number;
  /** Number of runs. */
  experiments?: number;
  /** Storage used, in bytes. */
  storageBytes?: number;
  /** Any further field. */
  [field: string]: unknown;
}

/**
 * A new user account.
 *
 * @example A new account
 * ```ts
 * import type { NewUser } from "./self_hosted.ts";
 *
 * const user: NewUser = { username: "newuser", password: "pass123" };
 * ```
 */
export interface NewUser {
  /** The username (non-blank). */
  username: string;
  /** The initial password (non-blank). */
  password: string;
}

type Fetch<T> = (
  page: number,
  size: number,
) => Promise<{ items: T[]; total: number; pages: number }>;

let constructRecords: <T>(
  ctx: Context,
  fetchPage: Fetch<T>,
  paging: { page: number; size: number; all: boolean },
  options: RequestOptions,
) => RecordList<T>;

/**
 * A paged list of raw items of an administration endpoint (users, projects, workspaces): an
 * async iterable with `total`, `toArray()` and `json()`. The root check runs on first use.
 *
 * @example Collect every user
 * ```ts
 * import { Api } from "@swanlab-ts/api";
 *
 * const users = await new Api().selfHosted().getUsers({ all: true }).toArray();
 * console.log(users.map((user) => user.username));
 * ```
 */
export class RecordList<T> extends EntityList<T> {
  static {
    constructRecords = <T>(
      ctx: Context,
      fetchPage: Fetch<T>,
      paging: { page: number; size: number; all: boolean },
      options: RequestOptions,
    ) => new RecordList<T>(ctx, fetchPage, paging, options);
  }

  private constructor(
    ctx: Context,
    fetchPage: Fetch<T>,
    paging: { page: number; size: number; all: boolean },
    options: RequestOptions,
  ) {
    super(ctx, fetchPage, paging, options);
  }

  /**
   * The page information with every item (the Python SDK returns plain generators; its CLI
   * prints `{ list }`).
   *
   * @returns `{ page, size, total, pages, list }`.
   * @throws {LicenseExpiredError} When the license has expired.
   * @throws {RootRequiredError} When the user is not root.
   */
  json(): Promise<PageInfo<T>> {
    return this.collectPageInfo((item) => Promise.resolve(clone(item)));
  }
}

let construct: (ctx: Context) => SelfHosted;

/**
 * Administration of a self-hosted SwanLab deployment: license information (any user) and user,
 * project and workspace management (root only).
 *
 * Every management method first checks `GET /self_hosted/info` (loaded once): an expired license
 * fails with {@linkcode LicenseExpiredError}, a non-root user with {@linkcode RootRequiredError};
 * nothing else is sent then.
 *
 * @example License information and users
 * ```ts
 * import { Api } from "@swanlab-ts/api";
 *
 * const sh = new Api().selfHosted();
 * const data = await sh.json();
 * console.log(data.enabled, data.plan, data.seats);
 * await sh.createUser({ username: "newuser", password: "pass123" });
 * for await (const user of sh.getUsers({ all: true })) console.log(user.username);
 * ```
 */
export class SelfHosted {
  static {
    construct = (ctx) => new SelfHosted(ctx);
  }

  #ctx: Context;
  #info: Lazy<JsonRecord>;

  private constructor(ctx: Context) {
    this.#ctx = ctx;
    this.#info = new Lazy(async (options) => {
      const body = await ctx.call((api) => api.GET("/self_hosted/info"), options);
      return expectRecord(body, "GET /api/self_hosted/info");
    });
  }

  /** Whether self-hosted mode is enabled. */
  get enabled(): Promise<boolean | null> {
    return this.load().then((s) => s.enabled);
  }

  /** Whether the license has expired. */
  get expired(): Promise<boolean | null> {
    return this.load().then((s) => s.expired);
  }

  /** Whether the logged-in user is the root user. */
  get root(): Promise<boolean | null> {
    return this.load().then((s) => s.root);
  }

  /** `"free"` or `"commercial"`. */
  get plan(): Promise<string | null> {
    return this.load().then((s) => s.plan);
  }

  /** Licensed seats. */
  get seats(): Promise<number | null> {
    return this.load().then((s) => s.seats);
  }

  /**
   * Loads the license information (once) and returns a frozen snapshot.
   *
   * @param options Per-call signal, timeout and retries.
   * @returns The snapshot.
   * @throws {ApiError} (or a subclass) and {@linkcode ConnectionError} for failed requests.
   *
   * @example Check for root
   * ```ts
   * import { Api } from "@swanlab-ts/api";
   *
   * const api = new Api();
   * const { root } = await api.selfHosted().load();
   * ```
   */
  async load(options: RequestOptions = {}): Promise<SelfHostedSnapshot> {
    const info = await this.#info.get(options);
    // Drift policy: a value the server did not send (or sent wrongly) is null, not a guess.
    return deepFreeze({
      enabled: optional(info["enabled"], "boolean"),
      expired: optional(info["expired"], "boolean"),
      root: optional(info["root"], "boolean"),
      plan: optional(info["plan"], "string"),
      seats: optional(info["seats"], "number"),
    });
  }

  /**
   * The Python SDK's `SelfHosted.json()`: `{ enabled, expired, plan, root, seats }`.
   *
   * @param options Per-call signal, timeout and retries.
   * @returns A new JSON object.
   * @throws {ApiError} (or a subclass) and {@linkcode ConnectionError} for failed requests.
   *
   * @example Print the license information
   * ```ts
   * import { Api } from "@swanlab-ts/api";
   *
   * const api = new Api();
   * const data = await api.selfHosted().json();
   * console.log(data.enabled, data.plan, data.seats);
   * ```
   */
  async json(options: RequestOptions = {}): Promise<SelfHostedJson> {
    const s = await this.load(options);
    return sortKeys({
      enabled: s.enabled,
      expired: s.expired,
      plan: s.plan,
      root: s.root,
      seats: s.seats,
    });
  }

  /**
   * Creates a user account (`POST /self_hosted/users`; not retried unless `retryUnsafe`). Never
   * throws: failures, including invalid input and the root check, are `{ ok: false, errmsg }`.
   *
   * @param user The username and password (both non-blank).
   * @param options Per-call signal, timeout and retries.
   * @returns `{ ok, errmsg, data }` with the server's answer as `data`.
   *
   * @example Create a user
   * ```ts
   * import { Api } from "@swanlab-ts/api";
   *
   * const api = new Api();
   * const result = await api.selfHosted().createUser({ username: "newuser", password: "pass123" });
   * console.log(result.ok ? result.data : result.errmsg);
   * ```
   */
  createUser(user: NewUser, options: RequestOptions = {}): Promise<ApiResponse<unknown>> {
    return ApiResponse.from(async () => {
      if (!isRecord(user as unknown)) {
        throw new ValidationError("user", "Cannot parse user: expected an object");
      }
      const username = validateNonBlank("username", user.username);
      const password = validateNonBlank("password", user.password);
      await this.#checkAdmin("POST", "/api/self_hosted/users", options);
      return await this.#ctx.call(
        (api) => api.POST("/self_hosted/users", { body: { users: [{ username, password }] } }),
        options,
      );
    });
  }

  /**
   * The user accounts of the deployment (raw items).
   *
   * @param options Page, size and `all`.
   * @param requestOptions Per-call signal, timeout and retries.
   * @returns The list (nothing is fetched until it is iterated).
   * @throws {ValidationError} For invalid paging (at call time).
   *
   * @example Print every user
   * ```ts
   * import { Api } from "@swanlab-ts/api";
   *
   * const api = new Api();
   * for await (const user of api.selfHosted().getUsers({ page: 1, size: 100, all: true })) {
   *   console.log(user);
   * }
   * ```
   */
  getUsers(
    options: AdminPagingOptions = {},
    requestOptions: RequestOptions = {},
  ): RecordList<SelfHostedUser> {
    const paging = checkPaging(options);
    return constructRecords<SelfHostedUser>(
      this.#ctx,
      async (page, size) => {
        await this.#checkAdmin("GET", "/api/self_hosted/users", requestOptions);
        const body = await this.#ctx.call(
          (api) => api.GET("/self_hosted/users", { params: { query: { page, size } } }),
          requestOptions,
        );
        return readRawPage<SelfHostedUser>(body, "GET /api/self_hosted/users");
      },
      paging,
      requestOptions,
    );
  }

  /**
   * The projects of the deployment (raw items), filtered by name, state, creator or
   * organization.
   *
   * @param options Paging, `search`, `sort`, `state`, `creator`, `group`.
   * @param requestOptions Per-call signal, timeout and retries.
   * @returns The list (nothing is fetched until it is iterated).
   * @throws {ValidationError} For invalid options (at call time).
   *
   * @example Filter projects by state, creator or organization
   * ```ts
   * import { Api } from "@swanlab-ts/api";
   *
   * const api = new Api();
   * const sh = api.selfHosted();
   * for await (const p of sh.getProjects({ all: true, search: "image", state: "FINISHED", creator: "admin" })) {
   *   console.log(p);
   * }
   * for await (const p of sh.getProjects({ group: "my-team", sort: "create" })) console.log(p);
   * ```
   */
  getProjects(
    options: AdminProjectsOptions = {},
    requestOptions: RequestOptions = {},
  ): RecordList<SelfHostedProject> {
    const paging = checkPaging(options);
    const search = checkOptionalString("search", options.search);
    const sort = options.sort === undefined
      ? undefined
      : validateEnum("sort", options.sort, PROJECT_SORTS);
    const state = options.state === undefined
      ? undefined
      : validateEnum("state", options.state, SELF_HOSTED_PROJECT_STATES);
    const creator = checkOptionalString("creator", options.creator);
    const group = checkOptionalString("group", options.group);
    return constructRecords<SelfHostedProject>(
      this.#ctx,
      async (page, size) => {
        await this.#checkAdmin("GET", "/api/self_hosted/projects", requestOptions);
        const query = {
          page,
          size,
          ...(search !== undefined ? { search } : {}),
          ...(sort !== undefined ? { sort } : {}),
          ...(state !== undefined ? { state } : {}),
          ...(creator !== undefined ? { creator } : {}),
          ...(group !== undefined ? { group } : {}),
        };
        const body = await this.#ctx.call(
          (api) => api.GET("/self_hosted/projects", { params: { query } }),
          requestOptions,
        );
        return readRawPage<SelfHostedProject>(body, "GET /api/self_hosted/projects");
      },
      paging,
      requestOptions,
    );
  }

  /**
   * The workspaces (users and organizations) of the deployment (raw items).
   *
   * @param options Paging, `search`, `type`, `sort`.
   * @param requestOptions Per-call signal, timeout and retries.
   * @returns The list (nothing is fetched until it is iterated).
   * @throws {ValidationError} For invalid options (at call time).
   *
   * @example Print every team
   * ```ts
   * import { Api } from "@swanlab-ts/api";
   *
   * const api = new Api();
   * for await (const group of api.selfHosted().getGroups({ all: true, type: "TEAM", sort: "name" })) {
   *   console.log(group);
   * }
   * ```
   */
  getGroups(
    options: AdminGroupsOptions = {},
    requestOptions: RequestOptions = {},
  ): RecordList<SelfHostedGroup> {
    const paging = checkPaging(options);
    const search = checkOptionalString("search", options.search);
    const type = options.type === undefined
      ? undefined
      : validateEnum("type", options.type, WORKSPACE_TYPES);
    const sort = options.sort === undefined
      ? undefined
      : validateEnum("sort", options.sort, PROJECT_SORTS);
    return constructRecords<SelfHostedGroup>(
      this.#ctx,
      async (page, size) => {
        await this.#checkAdmin("GET", "/api/self_hosted/groups", requestOptions);
        const query = {
          page,
          size,
          ...(search !== undefined ? { search } : {}),
          ...(type !== undefined ? { type } : {}),
          ...(sort !== undefined ? { sort } : {}),
        };
        const body = await this.#ctx.call(
          (api) => api.GET("/self_hosted/groups", { params: { query } }),
          requestOptions,
        );
        return readRawPage<SelfHostedGroup>(body, "GET /api/self_hosted/groups");
      },
      paging,
      requestOptions,
    );
  }

  /**
   * Usage totals of the deployment (users, projects, runs, storage). Never throws: failures,
   * including the root check, are `{ ok: false, errmsg }`.
   *
   * @param options Per-call signal, timeout and retries.
   * @returns `{ ok, errmsg, data }` with the server's summary as `data`.
   *
   * @example Print the usage totals
   * ```ts
   * import { Api } from "@swanlab-ts/api";
   *
   * const api = new Api();
   * const result = await api.selfHosted().getUsageSummary();
   * console.log(result.ok ? result.data : result.errmsg);
   * ```
   */
  getUsageSummary(options: RequestOptions = {}): Promise<ApiResponse<UsageSummary>> {
    return ApiResponse.from(async () => {
      await this.#checkAdmin("GET", "/api/self_hosted/summary", options);
      const body = await this.#ctx.call((api) => api.GET("/self_hosted/summary"), options);
      return expectRecord(body, "GET /api/self_hosted/summary") as UsageSummary;
    });
  }

  async #checkAdmin(method: string, path: string, options: RequestOptions): Promise<void> {
    const info = await this.#info.get(options);
    // As in the Python SDK: a missing `expired` counts as expired; a present one by truthiness.
    const expired = Object.hasOwn(info, "expired") ? Boolean(info["expired"]) : true;
    if (expired) throw new LicenseExpiredError();
    if (!info["root"]) throw new RootRequiredError(method, path);
  }
}

function checkPaging(options: AdminPagingOptions): { page: number; size: number; all: boolean } {
  if (!isRecord(options as unknown)) {
    throw new ValidationError("options", "Cannot parse options: expected an object");
  }
  const { page, size } = validatePaging({ page: options.page ?? 1, size: options.size ?? 100 });
  return { page, size, all: checkBoolean("all", options.all, false) };
}

function readRawPage<T>(
  body: unknown,
  label: string,
): { items: T[]; total: number; pages: number } {
  const { list, total, pages } = readPage(body, label);
  return { items: list as T[], total, pages };
}

/** @internal Creates the self-hosted entity. */
export function newSelfHosted(ctx: Context): SelfHosted {
  return construct(ctx);
}
