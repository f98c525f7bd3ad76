/**
 * `swanlab-ts project info|list|create|delete|table|export`.
 *
 * @module
 */

import { choice, message, option, optional, or, type Parser, string } from "@optique/core";
import type { TableView } from "../output.ts";
import {
  allFlag,
  group,
  type Invocation,
  leaf,
  pageNumOption,
  pageSizeOption,
  pathArgument,
  upperChoice,
  withCommon,
} from "../options.ts";
import { deleteLeaf, firstPage, pageInfo } from "./_shared.ts";
import { GROUP_BRIEFS } from "./_groups.ts";
import { projectExportCommand, projectTableCommand } from "./project_tables.ts";

/**
 * Columns of the project table.
 *
 * @example The table's first column
 * ```ts
 * import { PROJECT_COLUMNS } from "./project.ts";
 *
 * console.log(PROJECT_COLUMNS[0]); // "path"
 * ```
 */
export const PROJECT_COLUMNS: string[] = [
  "path",
  "visibility",
  "count.experiments",
  "description",
  "updated_at",
];

/**
 * Display names of the project table's columns.
 *
 * @example Renamed columns
 * ```ts
 * import { PROJECT_HEADERS } from "./project.ts";
 *
 * console.log(PROJECT_HEADERS["count.experiments"]); // "runs"
 * ```
 */
export const PROJECT_HEADERS: Record<string, string> = { "count.experiments": "runs" };

/**
 * The `project` command group.
 *
 * @returns The group parser.
 *
 * @example Build the project group
 * ```ts ignore
 * import { projectCommand } from "./project.ts";
 *
 * const parser = projectCommand();
 * ```
 */
export function projectCommand(): Parser<"sync", Invocation, unknown> {
  const info = leaf(
    "info",
    withCommon({ path: pathArgument("PATH", "Project path: username/project_name.") }),
    (ctx, { path }) => ctx.call(async () => await (await ctx.api()).project(path).json()),
    {
      brief: "Show a project.",
      description: "Show a project: name, path, visibility, description, labels, counts, URL.\n" +
        "PATH format: username/project_name",
      examples: ["swanlab-ts project info vision-lab/resnet-sweep"],
    },
  );

  const list = leaf(
    "list",
    withCommon({
      pageNum: pageNumOption(),
      pageSize: pageSizeOption(),
      workspace: optional(option("--workspace", "-w", string({ metavar: "USERNAME" }), {
        description: message`Workspace username (default: the logged-in user).`,
      })),
      search: optional(option("--search", string({ metavar: "TEXT" }), {
        description: message`Fuzzy search on project names.`,
      })),
      sort: optional(option("--sort", choice(["create", "name", "update"]), {
        description: message`Sort by creation time, name or last update (server default).`,
      })),
      all: allFlag(),
    }),
    (ctx, o) =>
      ctx.call(
        async () => {
          const api = await ctx.api();
          const projects = api.projects(o.workspace ?? await api.username, {
            page: await firstPage(ctx, o),
            size: o.pageSize,
            all: o.all,
            detail: true,
            ...(o.search === undefined ? {} : { search: o.search }),
            ...(o.sort === undefined ? {} : { sort: o.sort }),
          });
          return await pageInfo(ctx, projects, (p) => p.json(), "Fetching projects");
        },
        (data): TableView => ({
          rows: data.list as unknown as Record<string, unknown>[],
          columns: PROJECT_COLUMNS,
          headers: PROJECT_HEADERS,
        }),
      ),
    {
      brief: "List the projects of a workspace.",
      description: "List the projects of a workspace, one page (or every page with --all).\n" +
        'Output: {"page", "size", "total", "pages", "list": [project, ...]}.',
      examples: [
        "swanlab-ts project list",
        "swanlab-ts project list --workspace vision-lab --all",
        "swanlab-ts project list -n 2 -s 10 --format csv > projects.csv",
      ],
    },
  );

  const create = leaf(
    "create",
    withCommon({
      name: option("-n", "--name", string({ metavar: "NAME" }), {
        description: message`Project name (1-100 chars: 0-9 a-z A-Z - _ . +).`,
      }),
      visibility: upperChoice(
        ["-v", "--visibility"],
        ["PUBLIC", "PRIVATE"],
        "PRIVATE",
        "Project visibility (case-insensitive).",
      ),
      description: optional(option("-d", "--description", string({ metavar: "TEXT" }), {
        description: message`Project description.`,
      })),
      workspace: optional(option("-w", "--workspace", string({ metavar: "USERNAME" }), {
        description: message`Workspace username (default: the logged-in user).`,
      })),
    }),
    (ctx, o) =>
      ctx.call(async () => {
        const api = await ctx.api();
        const project = await api.createProject({
          name: o.name,
          visibility: o.visibility,
          ...(o.workspace === undefined ? {} : { username: o.workspace }),
          ...(o.description === undefined ? {} : { description: o.description }),
        });
        return await project.json();
      }),
    {
      brief: "Create a project in a workspace.",
      examples: [
        "swanlab-ts project create -n my-project",
        'swanlab-ts project create -n shared -v public -d "Shared baselines" -w vision-lab',
      ],
    },
  );

  const remove = deleteLeaf(
    "project",
    pathArgument("PATH", "Project path: username/project_name."),
    (api, path, commit) => api.project(path).delete({ commit }),
    {
      brief: "Delete a project (dry run unless --commit).",
      description: "Delete a project and all its runs. Without --commit nothing is deleted: the\n" +
        'plan {"committed": false, "items": [...]} is printed. Not in the Python CLI.',
      examples: [
        "swanlab-ts project delete alice/scratch            # dry run",
        "swanlab-ts project delete alice/scratch --commit",
      ],
    },
  );

  return group(
    "project",
    or(info, list, create, remove, projectTableCommand(), projectExportCommand()),
    {
      brief: GROUP_BRIEFS["project"],
      examples: ["swanlab-ts project list", "swanlab-ts project info vision-lab/resnet-sweep"],
    },
  );
}
