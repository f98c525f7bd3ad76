/**
 * `swanlab-ts workspace info|list`: personal and team workspaces.
 *
 * @module
 */

import { optional, or, type Parser } from "@optique/core";
import type { TableView } from "../output.ts";
import { group, type Invocation, leaf, pathArgument, withCommon } from "../options.ts";
import { GROUP_BRIEFS } from "./_groups.ts";

const WORKSPACE_COLUMNS = ["username", "name", "workspace_type", "role", "comment"];

/**
 * The `workspace` command group.
 *
 * @returns The group parser.
 *
 * @example Build the workspace group
 * ```ts ignore
 * import { workspaceCommand } from "./workspace.ts";
 *
 * const parser = workspaceCommand();
 * ```
 */
export function workspaceCommand(): Parser<"sync", Invocation, unknown> {
  const info = leaf(
    "info",
    withCommon({
      username: optional(
        pathArgument("USERNAME", "Workspace username (default: the logged-in user)."),
      ),
    }),
    (ctx, { username }) => ctx.call(async () => await (await ctx.api()).workspace(username).json()),
    {
      brief: "Show a workspace (personal or team).",
      description:
        "Show a workspace: username, name, type (PERSON or TEAM), your role, profile.\n" +
        "USERNAME defaults to the logged-in user.",
      examples: ["swanlab-ts workspace info", "swanlab-ts workspace info vision-lab"],
    },
  );
  const list = leaf(
    "list",
    withCommon({
      username: optional(
        pathArgument("USERNAME", "Whose workspaces (default: the logged-in user)."),
      ),
    }),
    (ctx, { username }) =>
      ctx.call(
        async () => {
          const api = await ctx.api();
          const workspaces = api.workspaces(username);
          const list: unknown[] = [];
          for await (const workspace of workspaces) list.push(await workspace.json());
          const head = await workspaces.json();
          return { ...head, list };
        },
        (data): TableView => ({
          rows: data.list as Record<string, unknown>[],
          columns: WORKSPACE_COLUMNS,
        }),
      ),
    {
      brief: "List the workspaces of a user (personal and teams).",
      description: "List the workspaces of a user: the personal workspace and every team.\n" +
        'Output: {"username": ..., "list": [workspace, ...]} (not in the Python CLI).',
      examples: ["swanlab-ts workspace list", "swanlab-ts workspace list --format csv"],
    },
  );
  return group("workspace", or(info, list), {
    brief: GROUP_BRIEFS["workspace"],
    examples: ["swanlab-ts workspace info vision-lab", "swanlab-ts workspace list"],
  });
}
