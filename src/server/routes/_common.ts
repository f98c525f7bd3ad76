/**
 * Helpers shared by the route groups: schema types, visibility-aware lookups, paging and
 * serializers of stored records.
 *
 * @module
 */

import type { components } from "../../../generated/schema.ts";
import { HttpError } from "../http.ts";
import type { RouteContext } from "../route.ts";
import type { ProjectRecord, RunRecord, Store, UserRecord, WorkspaceRecord } from "../store.ts";

/**
 * Component schemas of the OpenAPI spec.
 *
 * @example A typed body
 * ```ts
 * import type { Schemas } from "./_common.ts";
 * const body: Schemas["CosKeyResponse"] = { cosKey: "exports/x.csv" };
 * ```
 */
export type Schemas = components["schemas"];

/**
 * Page sizes accepted by the paged endpoints (except self-hosted ones).
 *
 * @example Check a size
 * ```ts
 * import { PAGE_SIZES } from "./_common.ts";
 * PAGE_SIZES.includes(20); // true
 * ```
 */
export const PAGE_SIZES: readonly number[] = [10, 12, 15, 20, 24, 27, 50, 100];

/**
 * Reads `page` and `size` (validated by the spec; re-checked here).
 *
 * @example Read paging
 * ```ts ignore
 * const { page, size } = pageParams(ctx);
 * ```
 */
export function pageParams(ctx: RouteContext, anySize = false): { page: number; size: number } {
  const page = typeof ctx.query.page === "number" ? ctx.query.page : 1;
  const size = typeof ctx.query.size === "number" ? ctx.query.size : 20;
  if (!Number.isInteger(page) || page < 1) {
    throw new HttpError(400, `Invalid query parameter "page": must be >= 1`);
  }
  if (anySize ? !Number.isInteger(size) || size < 1 : !PAGE_SIZES.includes(size)) {
    throw new HttpError(
      400,
      anySize
        ? `Invalid query parameter "size": must be >= 1`
        : `Invalid query parameter "size": must be one of ${PAGE_SIZES.join(", ")}`,
    );
  }
  return { page, size };
}

/**
 * The workspace `username` or 404.
 *
 * @example Look up a team
 * ```ts ignore
 * const ws = workspaceOr404(ctx.store, "vision-lab");
 * ```
 */
export function workspaceOr404(store: Store, username: string): WorkspaceRecord {
  const ws = store.workspaces.get(username);
  if (!ws) throw new HttpError(404, `Workspace "${username}" not found`);
  return ws;
}

/**
 * The project `workspace/name` if the user can see it, else 404.
 *
 * @example Look up a project
 * ```ts ignore
 * const p = visibleProject(ctx, "alice", "mnist-baseline");
 * ```
 */
export function visibleProject(ctx: RouteContext, workspace: string, name: string): ProjectRecord {
  workspaceOr404(ctx.store, workspace);
  const p = ctx.store.project(workspace, name);
  if (!p || !ctx.store.canSee(ctx.user.username, p)) {
    throw new HttpError(404, `Project "${workspace}/${name}" not found`);
  }
  return p;
}

/**
 * The project with cuid `cuid` if the user can see it, else 404.
 *
 * @example Look up by cuid
 * ```ts ignore
 * const p = visibleProjectByCuid(ctx, body.projectId);
 * ```
 */
export function visibleProjectByCuid(ctx: RouteContext, cuid: string): ProjectRecord {
  const p = ctx.store.projectByCuid(cuid);
  if (!p || !ctx.store.canSee(ctx.user.username, p)) {
    throw new HttpError(404, `Project "${cuid}" not found`);
  }
  return p;
}

/**
 * The run `id` (slug or cuid) of `project`, else 404.
 *
 * @example Look up by slug
 * ```ts ignore
 * const run = runOr404(ctx, project, "a1b2c3d4");
 * ```
 */
export function runOr404(ctx: RouteContext, project: ProjectRecord, id: string): RunRecord {
  const r = ctx.store.run(project.cuid, id);
  if (!r) {
    throw new HttpError(
      404,
      `Run "${id}" not found in project "${project.workspace}/${project.name}"`,
    );
  }
  return r;
}

/**
 * Throws 403 unless the user may write in `ws`.
 *
 * @example Guard a write
 * ```ts ignore
 * requireWriter(ctx.user, workspaceOr404(ctx.store, "alice"));
 * ```
 */
export function requireWriter(user: UserRecord, ws: WorkspaceRecord): void {
  const role = ws.members.get(user.username);
  if (role !== "OWNER" && role !== "MEMBER") {
    throw new HttpError(
      403,
      `Permission denied: "${user.username}" cannot write in "${ws.username}"`,
    );
  }
}

/**
 * A run reference of the metric store: `{projectId?, experimentId, rootProId?, rootExpId?}`.
 * Resolves the run whose stored data the reference reads (404 when missing or invisible): the
 * root run when `rootExpId` is given, else the run itself. A clone stores no data under its own
 * id, so a clone addressed without its root ids reads nothing, like the real metric store.
 *
 * @example Resolve a column reference
 * ```ts ignore
 * const run = houseRun(ctx, { experimentId: "c…", rootExpId: "c…" }, body.projectId);
 * ```
 */
export function houseRun(
  ctx: RouteContext,
  ref: { projectId?: string; experimentId: string; rootProId?: string; rootExpId?: string },
  projectId?: string,
): RunRecord {
  const run = ctx.store.runByCuid(ref.experimentId);
  const pid = ref.projectId ?? projectId;
  if (!run) throw new HttpError(404, `Experiment "${ref.experimentId}" not found`);
  const project = visibleProjectByCuid(ctx, run.projectCuid);
  if (pid !== undefined && pid !== project.cuid && pid !== run.rootProId) {
    throw new HttpError(
      404,
      `Experiment "${ref.experimentId}" not found in project "${pid}"`,
    );
  }
  if (ref.rootExpId !== undefined) {
    // Only a clone reads through root ids, and only its own root's: any other rootExpId would let
    // a caller read runs of projects it cannot see. A deleted root takes its data with it.
    const root = ref.rootExpId === run.rootExpId && run.root
      ? ctx.store.runByCuid(run.root.cuid)
      : undefined;
    if (!root) throw new HttpError(404, `Root experiment "${ref.rootExpId}" not found`);
    if (ref.rootProId !== undefined && ref.rootProId !== root.projectCuid) {
      throw new HttpError(
        404,
        `Root experiment "${ref.rootExpId}" not found in project "${ref.rootProId}"`,
      );
    }
    return root;
  }
  return run;
}

/**
 * Serializes a workspace for `viewer`.
 *
 * @example Serialize
 * ```ts ignore
 * const body = workspaceJson(ctx.store, ws, ctx.user.username);
 * ```
 */
export function workspaceJson(
  store: Store,
  ws: WorkspaceRecord,
  viewer: string,
): Schemas["Workspace"] {
  return {
    username: ws.username,
    name: ws.name,
    type: ws.type,
    comment: ws.comment,
    role: store.roleOf(viewer, ws),
    profile: { ...ws.profile },
  };
}

/**
 * Serializes a project (`detail` adds labels and counts).
 *
 * @example Serialize without details
 * ```ts ignore
 * const body = projectJson(ctx.store, project, "alice", false);
 * ```
 */
export function projectJson(
  store: Store,
  p: ProjectRecord,
  viewer: string,
  detail = true,
): Schemas["Project"] {
  const ws = store.workspaces.get(p.workspace);
  const base: Schemas["Project"] = {
    cuid: p.cuid,
    name: p.name,
    username: p.workspace,
    path: `${p.workspace}/${p.name}`,
    visibility: p.visibility,
    description: p.description,
    createdAt: p.createdAt,
    updatedAt: p.updatedAt,
  };
  if (!detail) return base;
  const runs = store.runsOf(p.cuid);
  const contributors = new Set(runs.map((r) => r.user.username)).size;
  return {
    ...base,
    group: ws ? { username: ws.username, name: ws.name, type: ws.type } : {},
    projectLabels: p.labels.map((l) => ({
      name: l.name,
      colors: [...l.colors],
      cuid: l.cuid ?? "",
    })),
    _count: p.count ? { ...p.count } : {
      experiments: runs.length,
      contributors,
      collaborators: ws ? ws.members.size : 1,
      clones: runs.filter((r) => r.rootExpId).length,
    },
    role: ws ? store.roleOf(viewer, ws) : "VISITOR",
  };
}

/**
 * Extra run fields the spec does not list (filterable STABLE fields).
 *
 * @example A pinned run
 * ```ts
 * import type { RunJson } from "./_common.ts";
 * const r: RunJson = { cuid: "c1", pin: true };
 * ```
 */
export type RunJson = Schemas["Run"] & {
  pin?: boolean;
  pinnedAt?: string | null;
  baseline?: boolean;
  colors?: string[];
  updatedAt?: string;
};

/**
 * Serializes a run: `"full"` (single GET), `"shows"` (filter responses) or `"list"` (paged).
 *
 * @example Single-run response
 * ```ts ignore
 * const body = runJson(run, "full"); // includes project_id
 * ```
 */
export function runJson(r: RunRecord, mode: "full" | "shows" | "list"): RunJson {
  const base: RunJson = {
    cuid: r.cuid,
    slug: r.slug,
    name: r.name,
    state: r.state,
    createdAt: r.createdAt,
    finishedAt: r.finishedAt,
  };
  if (mode === "list") {
    return {
      ...base,
      cluster: r.cluster,
      job: r.job,
      labels: r.labels.map((l) => ({ name: l.name, colors: [...l.colors] })),
      show: r.show,
      user: { ...r.user },
    };
  }
  const out: RunJson = {
    ...base,
    description: r.description,
    type: r.type,
    labels: r.labels.map((l) => ({ name: l.name, colors: [...l.colors] })),
    show: r.show,
    pin: r.pin,
    pinnedAt: r.pinnedAt,
    baseline: r.baseline,
    colors: [...r.colors],
    cluster: r.cluster,
    job: r.job,
    user: { ...r.user },
    profile: structuredClone(r.profile),
    updatedAt: r.updatedAt,
    ...(r.rootProId ? { rootProId: r.rootProId } : {}),
    ...(r.rootExpId ? { rootExpId: r.rootExpId } : {}),
  };
  if (mode === "full") {
    if (r.wire) return structuredClone(r.wire) as RunJson;
    out.project_id = r.projectCuid;
  }
  return out;
}
