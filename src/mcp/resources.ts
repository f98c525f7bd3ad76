/**
 * Resources: a run as `swanlab://{workspace}/{project}/{run}` and a project as
 * `swanlab://{workspace}/{project}` (JSON, the same data as `get_run` and
 * `list_projects` + `list_runs`, inside the same size bound).
 *
 * @module
 */

import { type McpServer, ResourceTemplate } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { Variables } from "@modelcontextprotocol/sdk/shared/uriTemplate.js";
import type { ReadResourceResult } from "@modelcontextprotocol/sdk/types.js";
import type { ToolDeps } from "./_tool.ts";
import { toolErrorMessage } from "./_tool.ts";
import { halvePage, MAX_RESULT_BYTES, resultBytes } from "./output_bound.ts";
import { projectRow } from "./project_tools.ts";
import { readRun, readRuns, type RunsPage } from "./run_tools.ts";

/** Runs listed in a project resource. */
const PROJECT_RUNS = 50;
/** Projects listed per workspace by `resources/list`. */
const LISTED_PROJECTS = 20;

function one(value: string | string[] | undefined): string {
  return decodeURIComponent(Array.isArray(value) ? value[0] ?? "" : value ?? "");
}

function jsonContent(uri: URL, data: unknown): ReadResourceResult {
  return {
    contents: [{ uri: uri.href, mimeType: "application/json", text: JSON.stringify(data) }],
  };
}

/**
 * Runs a read and turns a failure into an error with the redacted, user-facing message.
 *
 * @param deps The client and redactor.
 * @param read The read.
 * @returns Its result.
 */
async function guarded<T>(deps: ToolDeps, read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    throw new Error(toolErrorMessage(error, deps.redactor));
  }
}

/**
 * Registers the run and project resource templates.
 *
 * @param server The MCP server.
 * @param deps The client and redactor.
 *
 * @example
 * ```ts ignore
 * registerResources(server, deps);
 * ```
 */
export function registerResources(server: McpServer, deps: ToolDeps): void {
  server.registerResource(
    "run",
    new ResourceTemplate("swanlab://{workspace}/{project}/{run}", { list: undefined }),
    {
      title: "SwanLab run",
      description:
        "A run: state, times, configuration and metric summary (JSON, as the get_run tool).",
      mimeType: "application/json",
    },
    (uri: URL, variables: Variables) =>
      guarded(deps, async () => {
        const path = `${one(variables["workspace"])}/${one(variables["project"])}/${
          one(variables["run"])
        }`;
        return jsonContent(uri, await readRun(deps.api, path, true));
      }),
  );

  server.registerResource(
    "project",
    new ResourceTemplate("swanlab://{workspace}/{project}", {
      list: () =>
        guarded(deps, async () => {
          const workspaces = await deps.api.workspaces().toArray();
          const resources = [];
          for (const workspace of workspaces) {
            const username = await workspace.username;
            const projects = await deps.api.projects(username, { size: LISTED_PROJECTS }).toArray({
              limit: LISTED_PROJECTS,
            });
            for (const project of projects) {
              resources.push({
                uri: `swanlab://${project.path}`,
                name: project.path,
                mimeType: "application/json",
              });
            }
          }
          return { resources };
        }),
    }),
    {
      title: "SwanLab project",
      description: `A project and its latest ${PROJECT_RUNS} runs (JSON).`,
      mimeType: "application/json",
    },
    (uri: URL, variables: Variables) =>
      guarded(deps, async () => {
        const path = `${one(variables["workspace"])}/${one(variables["project"])}`;
        const project = projectRow(await deps.api.project(path).json());
        let runs: RunsPage | undefined = await readRuns(
          deps.api,
          path,
          {
            sorts: [{ key: "createdAt", type: "STABLE", order: "DESC" }],
          },
          0,
          PROJECT_RUNS,
        );
        let data = { project, runs };
        while (runs !== undefined && resultBytes(data) > MAX_RESULT_BYTES) {
          runs = halvePage(runs);
          if (runs !== undefined) data = { project, runs };
        }
        return jsonContent(uri, data);
      }),
  );
}
