/**
 * Run tools: `list_runs` (filters, sorts, pages) and `get_run` (state, config, summary).
 *
 * @module
 */

import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";
import type { Api, RunsOptions } from "../entities/api.ts";
import type { Run } from "../entities/run.ts";
import { FILTER_OPS, FILTER_TYPES, parseProjectPath, SORT_ORDERS } from "../entities/validation.ts";
import { registerReadOnlyTool, type ToolDeps } from "./_tool.ts";
import { clip, fence, halvePage, type ListPage, pageOf, resultBytes } from "./output_bound.ts";

/** The most runs one `list_runs` result holds. */
const MAX_RUNS = 100;
/** The budget of a run's config or summary in `get_run`, in bytes of JSON. */
const SECTION_BYTES = 12_000;

const runRowShape = z.object({
  path: z.string().describe("workspace/project/run_id: pass it to the run tools."),
  run_id: z.string().describe("The run's id (cuid)."),
  name: z.string().describe("Run name."),
  state: z.string().describe("RUNNING, FINISHED, CRASHED, ABORTED or OFFLINE."),
  group: z.string().describe('Group name ("" when none).'),
  job_type: z.string().describe('Job type ("" when none).'),
  created_at: z.string().describe("Creation time, ISO 8601."),
  finished_at: z.string().nullable().describe("End time; null while running."),
});

type RunRow = z.infer<typeof runRowShape>;

/**
 * A run filter rule, as `api.runs()` takes it.
 *
 * @example
 * ```ts
 * import { filterShape } from "./run_tools.ts";
 *
 * filterShape.parse({ key: "state", type: "STABLE", op: "EQ", value: ["FINISHED"] });
 * ```
 */
export const filterShape = z.object({
  key: z.string().describe(
    'The field: for type STABLE a built-in field ("state", "name", "cluster", "job", ' +
      '"createdAt", …); for CONFIG a config key ("lr"); for SCALAR a metric key ("val/acc").',
  ),
  type: z.enum(FILTER_TYPES).describe("What key names: STABLE, CONFIG or SCALAR."),
  op: z.enum(FILTER_OPS).describe("The comparison."),
  value: z.array(z.union([z.string(), z.number(), z.boolean()])).describe(
    'The operands, e.g. ["FINISHED"] or ["0.01"].',
  ),
});

const sortShape = z.object({
  key: z.string().describe("The field, as in filters."),
  type: z.enum(FILTER_TYPES).describe("What key names: STABLE, CONFIG or SCALAR."),
  order: z.enum(SORT_ORDERS).describe("ASC or DESC."),
});

/**
 * The structured row of a run in a list (fields from the list record; no extra request).
 *
 * @param project `workspace/project`.
 * @param run A run from a list.
 * @returns The row.
 */
async function runRow(project: string, run: Run): Promise<RunRow> {
  const runId = await run.runId;
  return {
    path: `${project}/${runId}`,
    run_id: runId,
    name: clip(await run.name, 300),
    state: await run.state,
    group: clip(await run.group, 300),
    job_type: clip(await run.jobType, 300),
    created_at: await run.createdAt,
    finished_at: await run.finishedAt,
  };
}

/**
 * Keeps the leading entries of an object whose JSON fits a byte budget.
 *
 * @param value The object.
 * @param budget The most bytes.
 * @returns The kept entries and how many were left out.
 *
 * @example
 * ```ts
 * import { fitEntries } from "./run_tools.ts";
 *
 * fitEntries({ a: 1, b: "x".repeat(100) }, 20); // { kept: { a: 1 }, omitted: 1 }
 * ```
 */
export function fitEntries(
  value: Record<string, unknown>,
  budget: number,
): { kept: Record<string, unknown>; omitted: number } {
  const entries = Object.entries(value);
  const kept: Record<string, unknown> = {};
  let used = 2;
  let count = 0;
  for (const [key, item] of entries) {
    const size = resultBytes({ [key]: item });
    if (used + size > budget) break;
    kept[key] = item;
    used += size - 1;
    count++;
  }
  return { kept, omitted: entries.length - count };
}

/**
 * The fields of `get_run`'s result (also the content of a run resource).
 *
 * @example The field names
 * ```ts
 * import { RUN_SHAPE } from "./run_tools.ts";
 *
 * console.log(Object.keys(RUN_SHAPE).includes("config")); // true
 * ```
 */
export const RUN_SHAPE = {
  path: z.string().describe("The run path as given."),
  run_id: z.string().describe("The run's id (cuid)."),
  name: z.string().describe("Run name."),
  description: z.string().describe("Description (cut at 1000 characters)."),
  state: z.string().describe("RUNNING, FINISHED, CRASHED, ABORTED or OFFLINE."),
  group: z.string().describe("Group name."),
  job_type: z.string().describe("Job type."),
  labels: z.array(z.string()).describe("Label names."),
  created_at: z.string().describe("Creation time, ISO 8601."),
  finished_at: z.string().nullable().describe("End time; null while running."),
  url: z.string().describe("Web page."),
  user: z.string().describe("Creator's username."),
  config: z.record(z.string(), z.unknown()).describe("The configuration, as logged."),
  config_omitted: z.number().int().describe("Config keys left out to stay under the bound."),
  summary: z.record(
    z.string(),
    z.object({
      step: z.number().nullable().describe("Step of the latest value."),
      latest: z.union([z.number(), z.string(), z.null()]).describe("Latest value."),
      min: z.union([z.number(), z.string(), z.null()]).describe("Minimum."),
      max: z.union([z.number(), z.string(), z.null()]).describe("Maximum."),
    }),
  ).nullable().describe("Per scalar key; null when not asked for."),
  summary_omitted: z.number().int().describe("Summary keys left out to stay under the bound."),
};

/** The structured result of `get_run`.
 *
 * @example
 * ```ts
 * import type { RunData } from "./run_tools.ts";
 *
 * const state = (data: RunData) => data.state;
 * ```
 */
export type RunData = z.infer<z.ZodObject<typeof RUN_SHAPE>>;

/** The structured result of `list_runs`.
 *
 * @example
 * ```ts
 * import type { RunsPage } from "./run_tools.ts";
 *
 * const empty: RunsPage = { project: "a/b", items: [], offset: 0, total: 0, next_offset: null };
 * ```
 */
export interface RunsPage extends ListPage<RunRow> {
  /** The project path. */
  project: string;
}

/**
 * Reads one run: its record, config (cut to a budget) and, when asked, its metric summary.
 *
 * @param api The client.
 * @param path `workspace/project/run_id`.
 * @param summary Whether to read the metric summary too.
 * @returns The structured result.
 * @throws {ValidationError} For an invalid path (before any request).
 *
 * @example
 * ```ts ignore
 * const data = await readRun(api, "vision-lab/resnet-sweep/abc123", true);
 * ```
 */
export async function readRun(api: Api, path: string, summary: boolean): Promise<RunData> {
  const run = api.run(path);
  const json = await run.json();
  const config = fitEntries(json.profile.config ?? {}, SECTION_BYTES);
  let stats: Record<string, SummaryRow> | null = null;
  let summaryOmitted = 0;
  if (summary) {
    const raw = await run.summary();
    const rows: Record<string, SummaryRow> = {};
    for (const [key, item] of Object.entries(raw)) {
      rows[key] = {
        step: item.step ?? null,
        latest: item.value ?? null,
        min: item.min?.value ?? null,
        max: item.max?.value ?? null,
      };
    }
    const fitted = fitEntries(rows, SECTION_BYTES);
    stats = fitted.kept as Record<string, SummaryRow>;
    summaryOmitted = fitted.omitted;
  }
  return {
    path,
    run_id: json.run_id,
    name: clip(json.name, 300),
    description: clip(json.description, 1000),
    state: json.state,
    group: json.group,
    job_type: json.job_type,
    labels: json.labels.map((label) => clip(String(label.name ?? ""), 100)),
    created_at: json.created_at,
    finished_at: json.finished_at,
    url: json.url,
    user: String(json.user.username ?? ""),
    config: config.kept,
    config_omitted: config.omitted,
    summary: stats,
    summary_omitted: summaryOmitted,
  };
}

/**
 * Renders a run as short text (server text fenced).
 *
 * @param data The run.
 * @returns The text.
 *
 * @example
 * ```ts ignore
 * console.log(renderRun(await readRun(api, path, true)));
 * ```
 */
export function renderRun(data: RunData): string {
  const head = `Run ${data.path}: ${data.state}, created ${data.created_at}` +
    (data.finished_at ? `, finished ${data.finished_at}` : "");
  const config = Object.entries(data.config).map(([k, v]) => `${k} = ${JSON.stringify(v)}`);
  const summary = Object.entries(data.summary ?? {}).map(([k, s]) =>
    `${k}: latest ${s.latest} (step ${s.step}), min ${s.min}, max ${s.max}`
  );
  return [
    head,
    fence("name, group, description", [data.name, data.group, data.description].join("\n")),
    fence(
      `config${data.config_omitted ? ` (${data.config_omitted} keys left out)` : ""}`,
      config.join("\n"),
    ),
    ...(data.summary === null ? [] : [
      fence(
        `summary${data.summary_omitted ? ` (${data.summary_omitted} keys left out)` : ""}`,
        summary.join("\n"),
      ),
    ]),
  ].join("\n");
}

/**
 * A smaller run result: half the keys of its larger section (config or summary), counted as left
 * out; `undefined` when both are down to one key.
 *
 * @param data The run.
 * @returns The smaller run, or `undefined`.
 *
 * @example
 * ```ts ignore
 * const smaller = shrinkRun(await readRun(api, path, true));
 * ```
 */
export function shrinkRun(data: RunData): RunData | undefined {
  const config = Object.entries(data.config);
  const summary = Object.entries(data.summary ?? {});
  const halve = <T>(entries: [string, T][]) =>
    Object.fromEntries(entries.slice(0, Math.ceil(entries.length / 2)));
  const configFirst = resultBytes(data.config) >= resultBytes(data.summary ?? {});
  if ((configFirst || summary.length <= 1) && config.length > 1) {
    return {
      ...data,
      config: halve(config),
      config_omitted: data.config_omitted + Math.floor(config.length / 2),
    };
  }
  if (summary.length > 1) {
    return {
      ...data,
      summary: halve(summary),
      summary_omitted: data.summary_omitted + Math.floor(summary.length / 2),
    };
  }
  return undefined;
}

/**
 * Reads a page of a project's runs (one filter request; rows from the list records).
 *
 * @param api The client.
 * @param project `workspace/project`.
 * @param options Filters and sorts, as `api.runs()`.
 * @param offset Index of the first run.
 * @param limit Most runs.
 * @returns The page.
 * @throws {ValidationError} For an invalid path, filter or sort (before any request).
 *
 * @example
 * ```ts ignore
 * const page = await readRuns(api, "vision-lab/resnet-sweep", {}, 0, 20);
 * ```
 */
export async function readRuns(
  api: Api,
  project: string,
  options: RunsOptions,
  offset: number,
  limit: number,
): Promise<RunsPage> {
  const runs = api.runs(project, options);
  const { username, project: name } = parseProjectPath(project, "project");
  const path = `${username}/${name}`;
  const page = pageOf(await runs.toArray(), offset, limit);
  const items = await Promise.all(page.items.map((run) => runRow(path, run)));
  return { project: path, ...page, items };
}

/**
 * Renders a page of runs as short text (server text fenced).
 *
 * @param data The page.
 * @returns The text.
 *
 * @example
 * ```ts ignore
 * console.log(renderRuns(await readRuns(api, "vision-lab/resnet-sweep", {}, 0, 20)));
 * ```
 */
export function renderRuns(data: RunsPage): string {
  const lines = data.items.map((r) =>
    `${r.path}\t${r.state}\t${r.created_at}\t${r.name}` + (r.group ? `\tgroup ${r.group}` : "")
  );
  const more = data.next_offset === null ? "" : `; more from offset ${data.next_offset}`;
  return `${data.items.length} of ${data.total} runs in ${data.project}${more}\n` +
    fence("path, state, created_at, name, group", lines.join("\n"));
}

/**
 * Registers `list_runs` and `get_run`.
 *
 * @param server The MCP server.
 * @param deps The client and redactor.
 *
 * @example
 * ```ts ignore
 * registerRunTools(server, deps);
 * ```
 */
export function registerRunTools(server: McpServer, deps: ToolDeps): void {
  registerReadOnlyTool(server, deps, {
    name: "list_runs",
    title: "List runs of a project",
    description:
      "The runs of a project, optionally filtered and sorted by built-in fields, config " +
      "values or metrics (all filters must match), one page at a time. Each row has the run " +
      "path to pass to get_run, get_metrics, get_logs and get_media. For a ranked table of " +
      "config and metric values across runs use summarize_runs.",
    input: {
      project: z.string().describe("Project path: workspace/project."),
      filters: z.array(filterShape).max(20).optional().describe(
        'Filter rules, all ANDed, e.g. [{"key":"state","type":"STABLE","op":"EQ",' +
          '"value":["FINISHED"]}].',
      ),
      sorts: z.array(sortShape).max(5).optional().describe(
        'Sort levels, e.g. [{"key":"createdAt","type":"STABLE","order":"DESC"}].',
      ),
      offset: z.number().int().min(0).default(0).describe("Index of the first run."),
      limit: z.number().int().min(1).max(MAX_RUNS).default(50).describe(
        `Most runs returned (1-${MAX_RUNS}).`,
      ),
    },
    output: {
      project: z.string().describe("The project."),
      items: z.array(runRowShape).describe("The runs of this page."),
      offset: z.number().int().describe("Index of the first item."),
      total: z.number().int().describe("Number of matching runs in all."),
      next_offset: z.number().int().nullable().describe(
        "Offset of the next page; null at the end.",
      ),
    },
    run: ({ project, filters, sorts, offset, limit }, { api }) =>
      readRuns(
        api,
        project,
        {
          ...(filters === undefined ? {} : { filters }),
          ...(sorts === undefined ? {} : { sorts }),
        },
        offset,
        limit,
      ),
    render: renderRuns,
    shrink: halvePage,
    narrow: "lower limit",
  });

  registerReadOnlyTool(server, deps, {
    name: "get_run",
    title: "Get a run",
    description:
      "One run: its state, times, group, labels, configuration (hyper-parameters) and the " +
      "summary of its scalar metrics (latest value, min and max per key). Large configs and " +
      "summaries are cut, with the number of keys left out.",
    input: {
      run: z.string().describe("Run path: workspace/project/run_id."),
      summary: z.boolean().default(true).describe(
        "Include the summary of the scalar metrics (one more request).",
      ),
    },
    output: RUN_SHAPE,
    run: ({ run, summary }, { api }) => readRun(api, run, summary),
    render: renderRun,
    shrink: shrinkRun,
    narrow: "ask with summary: false, or read metric values with get_metrics",
  });
}

interface SummaryRow {
  step: number | null;
  latest: number | string | null;
  min: number | string | null;
  max: number | string | null;
}
