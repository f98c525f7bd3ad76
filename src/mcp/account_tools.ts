/**
 * Tools about the logged-in account: `whoami` and `list_workspaces`.
 *
 * @module
 */

import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";
import type { WorkspaceJson } from "../entities/workspace.ts";
import { registerReadOnlyTool, type ToolDeps } from "./_tool.ts";
import { clip, fence, halvePage, type ListPage, pageOf } from "./output_bound.ts";

/** The most workspaces one result lists. */
const MAX_WORKSPACES = 100;

const workspaceShape = z.object({
  username: z.string().describe("Workspace username: the first segment of project paths."),
  name: z.string().describe("Display name."),
  workspace_type: z.string().describe('"PERSON" or "TEAM".'),
  role: z.string().describe("The logged-in user's role in it."),
  comment: z.string().describe("Description."),
});

type WorkspaceRow = z.infer<typeof workspaceShape>;

function row(json: WorkspaceJson): WorkspaceRow {
  return {
    username: json.username,
    name: clip(json.name, 200),
    workspace_type: json.workspace_type,
    role: json.role,
    comment: clip(json.comment, 500),
  };
}

function renderWorkspaces(page: ListPage<WorkspaceRow>): string {
  const lines = page.items.map((w) =>
    `${w.username}\t${w.workspace_type}\t${w.role || "-"}\t${w.name}`
  );
  const more = page.next_offset === null ? "" : `; more from offset ${page.next_offset}`;
  return `${page.items.length} of ${page.total} workspaces${more}\n` +
    fence("username, type, role, name", lines.join("\n"));
}

/**
 * Registers `whoami` and `list_workspaces`.
 *
 * @param server The MCP server.
 * @param deps The client and redactor.
 *
 * @example
 * ```ts ignore
 * registerAccountTools(server, deps);
 * ```
 */
export function registerAccountTools(server: McpServer, deps: ToolDeps): void {
  registerReadOnlyTool(server, deps, {
    name: "whoami",
    title: "Who am I",
    description:
      "The SwanLab user the server is logged in as, and that user's workspaces (personal and " +
      "teams). Start here: workspace usernames are the first segment of every project path " +
      "(workspace/project) and run path (workspace/project/run_id).",
    input: {},
    output: {
      user: z.object({
        username: z.string().describe("Username (also the personal workspace)."),
        name: z.string().describe("Display name."),
      }).describe("The logged-in user."),
      workspaces: z.array(workspaceShape).describe("The user's workspaces."),
      total: z.number().int().describe("Number of workspaces in all."),
    },
    run: async (_args, { api }) => {
      const user = api.user();
      const [username, name] = [await user.username, await user.name];
      const list = await api.workspaces().toArray();
      const rows = await Promise.all(list.map(async (w) => row(await w.json())));
      const page = pageOf(rows, 0, MAX_WORKSPACES);
      return {
        user: { username, name: clip(name, 200) },
        workspaces: page.items,
        total: page.total,
      };
    },
    render: (data) =>
      `Logged in as ${data.user.username}.\n` +
      renderWorkspaces({
        items: data.workspaces,
        offset: 0,
        total: data.total,
        next_offset: data.workspaces.length < data.total ? data.workspaces.length : null,
      }),
    shrink: (data) =>
      data.workspaces.length <= 1
        ? undefined
        : { ...data, workspaces: data.workspaces.slice(0, Math.ceil(data.workspaces.length / 2)) },
    narrow: "use list_workspaces with offset and limit",
  });

  registerReadOnlyTool(server, deps, {
    name: "list_workspaces",
    title: "List workspaces",
    description:
      "The workspaces (personal space and teams) of a user: the logged-in user by default. " +
      "Paged: pass next_offset back as offset for more.",
    input: {
      username: z.string().optional().describe(
        "The user whose workspaces to list; the logged-in user when omitted.",
      ),
      offset: z.number().int().min(0).default(0).describe("Index of the first workspace."),
      limit: z.number().int().min(1).max(MAX_WORKSPACES).default(50).describe(
        `Most workspaces returned (1-${MAX_WORKSPACES}).`,
      ),
    },
    output: {
      items: z.array(workspaceShape).describe("The workspaces of this page."),
      offset: z.number().int().describe("Index of the first item."),
      total: z.number().int().describe("Number of workspaces in all."),
      next_offset: z.number().int().nullable().describe(
        "Offset of the next page; null at the end.",
      ),
    },
    run: async ({ username, offset, limit }, { api }) => {
      const list = await api.workspaces(username).toArray();
      const page = pageOf(list, offset, limit);
      const items = await Promise.all(page.items.map(async (w) => row(await w.json())));
      return { ...page, items };
    },
    render: renderWorkspaces,
    shrink: halvePage,
    narrow: "lower limit",
  });
}
