/**
 * The cross-run tool: `summarize_runs`, the runs table of a project (config and metric summary
 * columns), ranked by a metric.
 *
 * @module
 */

import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";
import { Limiter } from "../core/limiter.ts";
import { ValidationError } from "../core/errors.ts";
import type { Run } from "../entities/run.ts";
import type { SummaryItemJson } from "../metrics/summary.ts";
import { parseProjectPath, validateNonBlank } from "../entities/validation.ts";
import { registerReadOnlyTool, type ToolDeps } from "./_tool.ts";
import { clip, fence, halvePage, type ListPage, pageOf } from "./output_bound.ts";
import { filterShape } from "./run_tools.ts";

/** The most rows one result holds. */
const MAX_ROWS = 100;
/** The most config and metric columns. */
const MAX_COLUMNS = 24;
/** Config columns picked when none are asked for. */
const DEFAULT_CONFIG_COLUMNS = 8;
/** Runs read at once (the client's default concurrency). */
const CONCURRENCY = 4;
/** The most characters of one cell's JSON. */
const CELL_CHARS = 200;

const STATS = ["latest", "min", "max"] as const;
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
  if (typeof value === "number") return Number.isFinite(value) ? value : String(value);
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

/** The config keys whose values differ between runs, first-seen order. */
function varyingKeys(configs: readonly Record<string, unknown>[]): string[] {
  const seen = new Map<string, Set<string>>();
  for (const config of configs) {
    for (const [key, value] of Object.entries(config)) {
      const values = seen.get(key) ?? new Set<string>();
      values.add(JSON.stringify(value));
      seen.set(key, values);
    }
  }
  return [...seen].filter(([, values]) => values.size > 1).map(([key]) => key);
}

async function mapLimited<T, R>(items: readonly T[], task: (item: T) => Promise<R>): Promise<R[]> {
  const limiter = new Limiter(CONCURRENCY);
  return await Promise.all(items.map((item) => limiter.run(() => task(item))));
}

function statOf(
  item: SummaryItemJson | undefined,
  stat: Stat,
): Cell {
  if (item === undefined) return null;
  if (stat === "latest") return cell(item.value);
  if (stat === "min") return cell(item.min?.value);
  return cell(item.max?.value);
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
      "summaries (latest, min or max per key), ranked by one metric. Use it to answer " +
      '"which run had the best val/acc and with which hyper-parameters". Without config ' +
      "columns, the config keys that differ between runs are picked. Runs without the ranking " +
      "metric come last, unranked.",
    input: {
      project: z.string().describe("Project path: workspace/project."),
      rank_by: z.string().optional().describe(
        'The metric key to rank by, e.g. "val/acc"; creation order when omitted.',
      ),
      order: z.enum(["DESC", "ASC"]).default("DESC").describe(
        "DESC: highest first (accuracy); ASC: lowest first (loss).",
      ),
      stat: z.enum(STATS).default("latest").describe(
        "Which value of each metric: latest, min or max over the run.",
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
      unranked: z.number().int().describe("Runs without a value of rank_by."),
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
      const runs: Run[] = await api.runs(
        path,
        args.filters === undefined ? {} : {
          filters: args.filters,
        },
      ).toArray();
      const read = await mapLimited(runs, async (run) => {
        const profile = await run.profile;
        const summary = metricColumns.length === 0 ? {} : await run.summary(metricColumns);
        return { run, config: profile.config ?? {}, summary };
      });
      const configColumns = args.config ??
        varyingKeys(read.map((r) => r.config)).slice(0, DEFAULT_CONFIG_COLUMNS);
      const rows = await Promise.all(read.map(async (r) => {
        const metrics: Record<string, Cell> = {};
        for (const key of metricColumns) metrics[key] = statOf(r.summary[key], args.stat);
        const config: Record<string, Cell> = {};
        for (const key of configColumns) config[key] = cell(r.config[key]);
        return {
          rank: null as number | null,
          path: `${path}/${await r.run.runId}`,
          name: clip(await r.run.name, 300),
          state: await r.run.state,
          group: clip(await r.run.group, 300),
          config,
          metrics,
        };
      }));
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
        fence([...header, "name"].join(", "), lines.join("\n"));
    },
    shrink: halvePage,
    narrow: "lower limit or pick fewer config and metric columns",
  });
}
