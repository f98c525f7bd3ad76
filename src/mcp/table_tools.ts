/**
 * The cross-run tool: `summarize_runs`, the runs table of a project (`runs.table()`: config and
 * metric summary columns), ranked by a metric.
 *
 * @module
 */

import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";
import { ValidationError } from "../core/errors.ts";
import type { TableRow } from "../export/table_data.ts";
import { parseProjectPath, validateNonBlank } from "../entities/validation.ts";
import { registerReadOnlyTool, type ToolDeps } from "./_tool.ts";
import { clip, fence, halvePage, jsonNumber, type ListPage, pageOf } from "./output_bound.ts";
import { filterShape } from "./run_tools.ts";

/** The most rows one result holds. */
const MAX_ROWS = 100;
/** The most config and metric columns. */
const MAX_COLUMNS = 24;
/** Config columns picked when none are asked for. */
const DEFAULT_CONFIG_COLUMNS = 8;
/** The most characters of one cell's JSON. */
const CELL_CHARS = 200;

const STATS = ["latest", "min", "max", "avg"] as const;
type Stat = typeof STATS[number];

const cellShape = z.union([z.number(), z.string(), z.boolean(), z.null()]);
type Cell = z.infer<typeof cellShape>;

const rowShape = z.object({
  rank: z.number().int().nullable().describe("1 for the best run; null without the metric."),
  path: z.string().describe("workspace/project/run_id."),
  name: z.string().describe("Run name."),
  state: z.string().describe("Run state."),
  group: z.string().describe("Group name."),
  config: z.record(z.string(), cellShape).describe("The picked config values."),
  metrics: z.record(z.string(), cellShape).describe("The picked metric values (the chosen stat)."),
});

type Row = z.infer<typeof rowShape>;

/** The structured result of `summarize_runs`. */
interface TablePage extends ListPage<Row> {
  project: string;
  rank_by: string | null;
  order: "ASC" | "DESC";
  stat: Stat;
  config_columns: string[];
  metric_columns: string[];
  unranked: number;
}

function cell(value: unknown): Cell {
  if (value === undefined || value === null) return null;
  if (typeof value === "number") return jsonNumber(value);
  if (typeof value === "string") return clip(value, CELL_CHARS);
  if (typeof value === "boolean") return value;
  return clip(JSON.stringify(value), CELL_CHARS);
}

function numeric(value: Cell): number | undefined {
  if (typeof value === "number") return value;
  if (typeof value === "string" && value.trim() !== "" && Number.isFinite(Number(value))) {
    return Number(value);
  }
  return undefined;
}

/** The table column of each stat of a summary key. */
const STAT_COLUMN: Record<Stat, string> = { latest: "value", min: "min", max: "max", avg: "avg" };

/** The config columns (`config.` stripped) whose values differ between rows, in column order. */
function varyingConfig(columns: readonly string[], rows: readonly TableRow[]): string[] {
  return columns.filter((c) => c.startsWith("config.")).filter((column) =>
    new Set(rows.map((row) => JSON.stringify(row[column] ?? null))).size > 1
  ).map((column) => column.slice("config.".length));
}

/**
 * Registers `summarize_runs`.
 *
 * @param server The MCP server.
 * @param deps The client and redactor.
 *
 * @example
 * ```ts ignore
 * registerTableTools(server, deps);
 * ```
 */
export function registerTableTools(server: McpServer, deps: ToolDeps): void {
  registerReadOnlyTool(server, deps, {
    name: "summarize_runs",
    title: "Summarize runs of a project",
    description:
      "A table of a project's runs (optionally filtered): picked config values and metric " +
      "summaries (latest, min, max or avg per key), ranked by one metric. Use it to answer " +
      '"which run had the best val/acc and with which hyper-parameters". Without config ' +
      "columns, the config keys that differ between runs are picked. Runs without a finite " +
      "value of the ranking metric (missing, NaN, INF) come last, unranked.",
    input: {
      project: z.string().describe("Project path: workspace/project."),
      rank_by: z.string().optional().describe(
        'The metric key to rank by, e.g. "val/acc"; creation order when omitted.',
      ),
      order: z.enum(["DESC", "ASC"]).default("DESC").describe(
        "DESC: highest first (accuracy); ASC: lowest first (loss).",
      ),
      stat: z.enum(STATS).default("latest").describe(
        "Which value of each metric: latest, min, max or avg over the run.",
      ),
      config: z.array(z.string().min(1)).max(MAX_COLUMNS).optional().describe(
        'Config keys to show, e.g. ["lr", "batch_size"]; the keys that vary when omitted.',
      ),
      metrics: z.array(z.string().min(1)).max(MAX_COLUMNS).optional().describe(
        "Metric keys to show besides rank_by.",
      ),
      filters: z.array(filterShape).max(20).optional().describe(
        'Filter rules as in list_runs, e.g. [{"key":"state","type":"STABLE","op":"EQ",' +
          '"value":["FINISHED"]}].',
      ),
      offset: z.number().int().min(0).default(0).describe("Index of the first row."),
      limit: z.number().int().min(1).max(MAX_ROWS).default(20).describe(
        `Most rows returned (1-${MAX_ROWS}).`,
      ),
    },
    output: {
      project: z.string().describe("The project."),
      rank_by: z.string().nullable().describe("The ranking metric."),
      order: z.enum(["DESC", "ASC"]).describe("The ranking order."),
      stat: z.enum(STATS).describe("Which value of each metric is shown."),
      config_columns: z.array(z.string()).describe("The config columns."),
      metric_columns: z.array(z.string()).describe("The metric columns."),
      items: z.array(rowShape).describe("The rows of this page, best first."),
      offset: z.number().int().describe("Index of the first row."),
      total: z.number().int().describe("Number of runs in all."),
      next_offset: z.number().int().nullable().describe(
        "Offset of the next page; null at the end.",
      ),
      unranked: z.number().int().describe("Runs without a finite value of rank_by."),
    },
    run: async (args, { api }) => {
      const { username, project } = parseProjectPath(args.project, "project");
      if (args.rank_by !== undefined) validateNonBlank("rank_by", args.rank_by);
      const path = `${username}/${project}`;
      const metricColumns = [
        ...new Set([
          ...(args.rank_by === undefined ? [] : [args.rank_by]),
          ...(args.metrics ?? []),
        ]),
      ];
      if (metricColumns.length > MAX_COLUMNS) {
        throw new ValidationError("metrics", `Cannot show more than ${MAX_COLUMNS} metric columns`);
      }
      const runs = api.runs(path, args.filters === undefined ? {} : { filters: args.filters });
      const table = await runs.table({
        config: args.config ?? true,
        summary: metricColumns.length === 0 ? false : metricColumns,
      }).collect();
      const configColumns = args.config === undefined
        ? varyingConfig(table.columns, table.rows).slice(0, DEFAULT_CONFIG_COLUMNS)
        : table.columns.filter((c) => c.startsWith("config.")).map((c) => c.slice(7));
      const rows = table.rows.map((row): Row => {
        const config: Record<string, Cell> = {};
        for (const key of configColumns) config[key] = cell(row[`config.${key}`]);
        const metrics: Record<string, Cell> = {};
        for (const key of metricColumns) {
          metrics[key] = cell(row[`summary.${key}.${STAT_COLUMN[args.stat]}`]);
        }
        return {
          rank: null,
          path: String(row["path"]),
          name: clip(String(row["name"] ?? ""), 300),
          state: String(row["state"] ?? ""),
          group: clip(String(row["group"] ?? ""), 300),
          config,
          metrics,
        };
      });
      let ranked = rows;
      let unranked = 0;
      if (args.rank_by !== undefined) {
        const key = args.rank_by;
        const sign = args.order === "DESC" ? -1 : 1;
        const withValue = rows.filter((r) => numeric(r.metrics[key] ?? null) !== undefined);
        const without = rows.filter((r) => numeric(r.metrics[key] ?? null) === undefined);
        withValue.sort((a, b) =>
          sign * (numeric(a.metrics[key] ?? null)! - numeric(b.metrics[key] ?? null)!)
        );
        withValue.forEach((r, i) => r.rank = i + 1);
        ranked = [...withValue, ...without];
        unranked = without.length;
      }
      return {
        project: path,
        rank_by: args.rank_by ?? null,
        order: args.order,
        stat: args.stat,
        config_columns: configColumns,
        metric_columns: metricColumns,
        ...pageOf(ranked, args.offset, args.limit),
        unranked,
      } satisfies TablePage;
    },
    render: (data) => {
      const header = ["rank", "run", "state", ...data.config_columns, ...data.metric_columns];
      const lines = data.items.map((r) =>
        [
          r.rank ?? "-",
          r.path.split("/").pop(),
          r.state,
          ...data.config_columns.map((c) => JSON.stringify(r.config[c] ?? null)),
          ...data.metric_columns.map((m) => String(r.metrics[m] ?? "")),
          r.name,
        ].join("\t")
      );
      const more = data.next_offset === null ? "" : `; more from offset ${data.next_offset}`;
      return `${data.items.length} of ${data.total} runs of ${data.project}` +
        (data.rank_by ? ` ranked by ${data.stat} ${data.rank_by} ${data.order}` : "") + more +
        (data.unranked ? `; ${data.unranked} without ${data.rank_by}` : "") + "\n" +
        fence(
          "runs table, first line the columns",
          [[...header, "name"].join("\t"), ...lines].join("\n"),
        );
    },
    shrink: halvePage,
    narrow: "lower limit or pick fewer config and metric columns",
  });
}
