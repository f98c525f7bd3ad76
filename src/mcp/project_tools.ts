/**
 * The project tool: `list_projects` (search, sort, pages).
 *
 * @module
 */

import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";
import type { ProjectJson } from "../entities/project.ts";
import { PAGE_SIZES, PROJECT_SORTS } from "../entities/validation.ts";
import { registerReadOnlyTool, type ToolDeps } from "./_tool.ts";
import { clip, fence } from "./output_bound.ts";

/**
 * The structured row of a project.
 *
 * @example Validate a row
 * ```ts
 * import { projectShape } from "./project_tools.ts";
 *
 * projectShape.parse({
 *   path: "alice/p", name: "p", description: "", visibility: "PRIVATE", runs: 3, labels: [],
 *   created_at: "", updated_at: "", url: "",
 * });
 * ```
 */
export const projectShape = z.object({
  path: z.string().describe("workspace/project: pass it to list_runs."),
  name: z.string().describe("Project name."),
  description: z.string().describe("Description (cut at 300 characters)."),
  visibility: z.string().describe('"PUBLIC" or "PRIVATE".'),
  runs: z.number().int().nullable().describe("Number of runs (null when unknown)."),
  labels: z.array(z.string()).describe("Label names."),
  created_at: z.string().describe("Creation time, ISO 8601."),
  updated_at: z.string().describe("Last update, ISO 8601."),
  url: z.string().describe("Web page."),
});

/** A project row.
 *
 * @example
 * ```ts
 * import type { ProjectRow } from "./project_tools.ts";
 *
 * const row: ProjectRow = {
 *   path: "alice/p", name: "p", description: "", visibility: "PRIVATE", runs: 3, labels: [],
 *   created_at: "", updated_at: "", url: "",
 * };
 * ```
 */
export type ProjectRow = z.infer<typeof projectShape>;

/**
 * Turns a project's JSON into its structured row.
 *
 * @param json The project's `json()`.
 * @returns The row.
 *
 * @example
 * ```ts
 * import { projectRow } from "./project_tools.ts";
 *
 * projectRow({
 *   count: { experiments: 3 }, created_at: "", description: "", labels: [], name: "p",
 *   path: "alice/p", project_id: "c1", updated_at: "", url: "", visibility: "PRIVATE",
 * }).runs; // 3
 * ```
 */
export function projectRow(json: ProjectJson): ProjectRow {
  return {
    path: json.path,
    name: json.name,
    description: clip(json.description, 300),
    visibility: json.visibility,
    runs: json.count.experiments ?? null,
    labels: json.labels.map((label) => clip(String(label.name ?? ""), 100)),
    created_at: json.created_at,
    updated_at: json.updated_at,
    url: json.url,
  };
}

/**
 * Registers `list_projects`.
 *
 * @param server The MCP server.
 * @param deps The client and redactor.
 *
 * @example
 * ```ts ignore
 * registerProjectTools(server, deps);
 * ```
 */
export function registerProjectTools(server: McpServer, deps: ToolDeps): void {
  registerReadOnlyTool(server, deps, {
    name: "list_projects",
    title: "List projects",
    description: "The projects of a workspace, one page at a time, optionally filtered by a name " +
      "substring and sorted. Each row has the project path (workspace/project) to pass to " +
      "list_runs, and its number of runs.",
    input: {
      workspace: z.string().describe("Workspace username (see whoami)."),
      search: z.string().optional().describe("Case-insensitive substring of the project name."),
      sort: z.enum(PROJECT_SORTS).optional().describe(
        'Order: "create" (creation time), "name" or "update"; server order (recently updated ' +
          "first) when omitted.",
      ),
      page: z.number().int().min(1).default(1).describe("Page number, from 1."),
      size: z.literal([...PAGE_SIZES]).default(20).describe(
        `Projects per page: one of ${PAGE_SIZES.join(", ")}.`,
      ),
    },
    output: {
      workspace: z.string().describe("The workspace."),
      page: z.number().int().describe("The page returned."),
      size: z.number().int().describe("The page size asked for."),
      total: z.number().int().describe("Number of matching projects in all."),
      pages: z.number().int().describe("Number of pages."),
      items: z.array(projectShape).describe("The projects of this page."),
      omitted: z.number().int().describe(
        "Projects of this page left out to stay under the size bound (ask a smaller size).",
      ),
    },
    run: async ({ workspace, search, sort, page, size }, { api }) => {
      const list = api.projects(workspace, {
        page,
        size,
        ...(search === undefined ? {} : { search }),
        ...(sort === undefined ? {} : { sort }),
      });
      const json = await list.json();
      return {
        workspace,
        page: json.page,
        size: json.size,
        total: json.total,
        pages: json.pages,
        items: json.list.map(projectRow),
        omitted: 0,
      };
    },
    render: (data) => {
      const lines = data.items.map((p) =>
        `${p.path}\t${p.runs ?? "?"} runs\t${p.visibility}\tupdated ${p.updated_at}` +
        (p.description ? `\t${p.description}` : "")
      );
      return `Page ${data.page}/${data.pages} of ${data.total} projects in ${data.workspace}` +
        (data.omitted > 0 ? ` (${data.omitted} left out for size; use a smaller size)` : "") +
        "\n" + fence("path, runs, visibility, updated, description", lines.join("\n"));
    },
    shrink: (data) => {
      if (data.items.length <= 1) return undefined;
      const keep = Math.ceil(data.items.length / 2);
      return {
        ...data,
        items: data.items.slice(0, keep),
        omitted: data.omitted + data.items.length - keep,
      };
    },
    narrow: "use a smaller size",
  });
}
