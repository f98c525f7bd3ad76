/**
 * The entity layer of swanlab-ts: {@linkcode Api} and the workspaces, projects, runs, columns,
 * series and administration objects it returns, with their snapshot and JSON types.
 *
 * @example Read a run
 * ```ts
 * import { Api } from "./mod.ts";
 *
 * const run = new Api().run("my-team/my-project/abc123");
 * console.log(await run.json());
 * ```
 *
 * @module
 */

// The entry point, login and logout.
export { Api, type CreateProjectOptions, type RunsOptions } from "./api.ts";
export {
  login,
  type LoginInfo,
  type LoginOptions,
  logout,
  type LogoutInfo,
  type LogoutOptions,
} from "./login.ts";
// Entities.
export {
  type NewProject,
  type ProjectsOptions,
  Workspace,
  type WorkspaceJson,
  type WorkspaceProfile,
  type WorkspaceSnapshot,
} from "./workspace.ts";
export {
  type DeleteItem,
  type DeleteOptions,
  type DeletePlan,
  Project,
  type ProjectCount,
  type ProjectJson,
  type ProjectLabel,
  type ProjectRunsOptions,
  type ProjectSnapshot,
  type RunsGetOptions,
} from "./project.ts";
export {
  type ColumnOptions,
  type ColumnsOptions,
  Run,
  Run as Experiment,
  type RunJson,
  type RunLabel,
  type RunProfile,
  type RunSnapshot,
  type RunUser,
} from "./run.ts";
export { Column, type ColumnJson, type ColumnMetricQuery, type ColumnSnapshot } from "./column.ts";
export {
  Key,
  type KeyJson,
  type KeySnapshot,
  Series,
  type SeriesJson,
  type SeriesOptions,
  type SeriesSnapshot,
} from "./series.ts";
export { User, type UserJson, type UserSnapshot } from "./user.ts";
export {
  type AdminGroupsOptions,
  type AdminPagingOptions,
  type AdminProjectsOptions,
  LicenseExpiredError,
  type NewUser,
  RecordList,
  RootRequiredError,
  SelfHosted,
  type SelfHostedGroup,
  type SelfHostedJson,
  type SelfHostedProject,
  type SelfHostedSnapshot,
  type SelfHostedUser,
  type UsageSummary,
} from "./self_hosted.ts";
// Lists.
export { Columns, EntityList, Projects, Runs, Workspaces, type WorkspacesJson } from "./lists.ts";
