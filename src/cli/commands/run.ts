/**
 * `swanlab-ts run …`: runs (experiments) and their data: info, list, filter, series, metrics,
 * summary, medias, logs, export-logs, export-csv, download, delete, and the deprecated
 * columns/column.
 *
 * @module
 */

import {
  choice,
  flag,
  integer,
  message,
  option,
  optional,
  or,
  type Parser,
  string,
  withDefault,
} from "@optique/core";
// The choices of --type, from their definition rather than mod.ts: a static import of mod.ts
// loaded the whole library (~100 ms of CPU) before `run --help` or `project --help` could print.
import { COLUMN_TYPES } from "../../entities/validation.ts";
import { type CommandContext, loadLibrary, UsageError } from "../context.ts";
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
import { paragraph } from "../help_page.ts";
import {
  deleteLeaf,
  emitResponse,
  firstPage,
  pageInfo,
  parseFilterQuery,
  parseKeys,
} from "./_shared.ts";
import { GROUP_BRIEFS } from "./_groups.ts";

/**
 * Columns of the run table.
 *
 * @example The table's first column
 * ```ts
 * import { RUN_COLUMNS } from "./run.ts";
 *
 * console.log(RUN_COLUMNS[0]); // "id"
 * ```
 */
export const RUN_COLUMNS: string[] = [
  "id",
  "name",
  "state",
  "group",
  "job_type",
  "created_at",
  "finished_at",
];

/**
 * The run id shown in web URLs (the slug) of a run's JSON, read from its `url`; the cuid when
 * the URL has none.
 *
 * @param run A run's JSON (`url`, `run_id`).
 * @returns The id to use in `username/project/run_id` paths.
 *
 * @example The slug of a run
 * ```ts
 * import { runSlug } from "./run.ts";
 *
 * runSlug({ url: "https://swanlab.cn/@a/p/runs/abc123/chart", run_id: "c1" }); // "abc123"
 * ```
 */
export function runSlug(run: Record<string, unknown>): string {
  const url = typeof run["url"] === "string" ? run["url"] : "";
  return /\/runs\/([^/]+)\/chart$/.exec(url)?.[1] ?? String(run["run_id"] ?? "");
}

/**
 * The table view of a run list: one row per run, with its `id` (slug) first.
 *
 * @param data The page-info dict of runs.
 * @returns The rows.
 *
 * @example Rows of a run list
 * ```ts
 * import { runsView } from "./run.ts";
 *
 * runsView({ list: [{ name: "r", url: "https://h/@a/p/runs/abc/chart" }] }).rows[0]!.id; // "abc"
 * ```
 */
export function runsView(data: unknown): TableView {
  const list = rows((data as { list?: unknown }).list);
  return { rows: list.map((run) => ({ id: runSlug(run), ...run })), columns: RUN_COLUMNS };
}

const runPath = () => pathArgument("PATH", "Run path: username/project_name/run_id.");
const projectPath = () => pathArgument("PROJECT_PATH", "Project path: username/project_name.");

function rows(value: unknown): Record<string, unknown>[] {
  return Array.isArray(value)
    ? value.map((item) =>
      typeof item === "object" && item !== null ? item as Record<string, unknown> : { value: item }
    )
    : [];
}

/**
 * The table view of `run metrics` data: one row per point, `{key, step, value, timestamp}`,
 * for both the sampled (`index`/`data`) and the full (`step`/`value`) point shapes.
 *
 * @param data The metrics JSON.
 * @returns The rows.
 *
 * @example Rows of sampled metrics
 * ```ts
 * import { metricsView } from "./run.ts";
 *
 * metricsView({ list: [{ key: "loss", metrics: [{ index: 1, data: 0.5, timestamp: 9 }] }] }).rows;
 * // [{ key: "loss", step: 1, value: 0.5, timestamp: 9 }]
 * ```
 */
export function metricsView(data: unknown): TableView {
  const out: Record<string, unknown>[] = [];
  const list = (data as { list?: unknown }).list;
  for (const entry of rows(list)) {
    for (const point of rows(entry["metrics"])) {
      out.push({
        key: entry["key"],
        step: point["index"] ?? point["step"],
        value: point["data"] ?? point["value"],
        timestamp: point["timestamp"],
      });
    }
  }
  return { rows: out, columns: ["key", "step", "value", "timestamp"] };
}

/**
 * The table view of `run summary` data: one row per key.
 *
 * @param data `{ <key>: stats }`.
 * @returns The rows.
 *
 * @example Rows of a summary
 * ```ts
 * import { summaryView } from "./run.ts";
 *
 * summaryView({ loss: { step: 9, value: 0.1 } }).rows; // [{ key: "loss", step: 9, value: 0.1 }]
 * ```
 */
export function summaryView(data: unknown): TableView {
  const out: Record<string, unknown>[] = [];
  if (typeof data === "object" && data !== null) {
    for (const [key, item] of Object.entries(data as Record<string, unknown>)) {
      const stats = typeof item === "object" && item !== null
        ? item as Record<string, unknown>
        : {};
      const pick = (value: unknown) =>
        typeof value === "object" && value !== null && "value" in value
          ? (value as { value: unknown }).value
          : value;
      const row: Record<string, unknown> = {
        key,
        step: stats["step"],
        value: stats["value"] ?? pick(stats["latest"]),
        min: pick(stats["min"]),
        max: pick(stats["max"]),
        avg: pick(stats["avg"]),
        median: pick(stats["median"]),
      };
      for (const field of Object.keys(row)) if (row[field] === undefined) delete row[field];
      out.push(row);
    }
  }
  const columns = ["key", "step", "value", "min", "max", "avg", "median"].filter((c) =>
    c === "key" || out.some((row) => row[c] !== undefined)
  );
  return { rows: out, columns };
}

/**
 * The table view of `run medias` data: one row per media item.
 *
 * @param data The media JSON.
 * @returns The rows.
 *
 * @example Rows of media items
 * ```ts
 * import { mediasView } from "./run.ts";
 *
 * mediasView({ list: [{ key: "img", metrics: [{ index: 5, items: [{ url: "u", caption: "A" }] }] }] }).rows;
 * // [{ key: "img", step: 5, caption: "A", url: "u" }]
 * ```
 */
export function mediasView(data: unknown): TableView {
  const out: Record<string, unknown>[] = [];
  for (const entry of rows((data as { list?: unknown }).list)) {
    for (const step of rows(entry["metrics"])) {
      for (const item of rows(step["items"])) {
        const { url, ...rest } = item;
        out.push({ key: entry["key"], step: step["index"], ...rest, url });
      }
    }
  }
  return { rows: out, columns: ["key", "step", "caption", "url"] };
}

/**
 * The range query of the `--range-*` options, or `undefined` when none is set.
 *
 * @param o The parsed range options.
 * @returns The range query.
 * @throws {UsageError} For conflicting options.
 *
 * @example Last 30 points
 * ```ts ignore
 * rangeQueryOf({ rangeTail: 30 }); // { type: "step", tail: 30 }
 * ```
 */
export function rangeQueryOf(o: {
  rangeType: "step" | "timestamp" | undefined;
  rangeStart: number | undefined;
  rangeEnd: number | undefined;
  rangeHead: number | undefined;
  rangeTail: number | undefined;
  rangeLast: number | undefined;
}): Record<string, unknown> | undefined {
  if (o.rangeHead !== undefined && o.rangeTail !== undefined) {
    throw new UsageError("--range-head and --range-tail are mutually exclusive");
  }
  if (o.rangeLast !== undefined && (o.rangeStart !== undefined || o.rangeEnd !== undefined)) {
    throw new UsageError("--range-last is mutually exclusive with --range-start/--range-end");
  }
  if (o.rangeStart !== undefined && o.rangeEnd !== undefined && o.rangeStart > o.rangeEnd) {
    throw new UsageError(
      `--range-start must be <= --range-end, got (${o.rangeStart}, ${o.rangeEnd})`,
    );
  }
  const values = [o.rangeType, o.rangeStart, o.rangeEnd, o.rangeHead, o.rangeTail, o.rangeLast];
  if (values.every((v) => v === undefined)) return undefined;
  const query: Record<string, unknown> = { type: o.rangeType ?? "step" };
  if (o.rangeStart !== undefined) query["start"] = o.rangeStart;
  if (o.rangeEnd !== undefined) query["end"] = o.rangeEnd;
  if (o.rangeHead !== undefined) query["head"] = o.rangeHead;
  if (o.rangeTail !== undefined) query["tail"] = o.rangeTail;
  if (o.rangeLast !== undefined) query["last"] = o.rangeLast;
  return query;
}

/**
 * Checks `--plot-out` before any request: the chart format follows the extension, and SVG is
 * the only one written, so any other extension (or none) is a usage error rather than an SVG
 * under a misleading name.
 *
 * @param ctx The command context.
 * @param file The `--plot-out` value.
 * @returns The absolute path to write.
 * @throws {UsageError} When the extension is not `.svg`.
 * @throws {ValidationError} When the path is empty or its directory is missing.
 */
async function chartPath(ctx: CommandContext, file: string): Promise<string> {
  const path = await ctx.outputPath(file, "--plot-out");
  const { extname } = await import("node:path");
  const ext = extname(path).toLowerCase();
  if (ext !== ".svg") {
    throw new UsageError(
      `Invalid value for --plot-out: "${file}" ${
        ext === "" ? "has no extension" : `has the extension ${ext}`
      }; charts are written as SVG only, so the file name must end in .svg`,
    );
  }
  return path;
}

async function deprecated(ctx: CommandContext, name: string): Promise<void> {
  await ctx.note(
    `DeprecationWarning: The command '${name}' is deprecated. Use 'swanlab-ts run series' instead.`,
  );
}

/**
 * The `run` command group.
 *
 * @returns The group parser.
 *
 * @example Build the run group
 * ```ts ignore
 * import { runCommand } from "./run.ts";
 *
 * const parser = runCommand();
 * ```
 */
export function runCommand(): Parser<"sync", Invocation, unknown> {
  const info = leaf(
    "info",
    withCommon({ path: runPath() }),
    (ctx, { path }) => ctx.call(async () => await (await ctx.api()).run(path).json()),
    {
      brief: "Show a run (experiment).",
      description:
        "Show a run: name, state, group, job type, labels, config/profile, user, URL.\n" +
        "PATH format: username/project_name/run_id",
      examples: ["swanlab-ts run info alice/mnist-baseline/mqeli2zt"],
    },
  );

  const list = leaf(
    "list",
    withCommon({
      path: projectPath(),
      pageNum: pageNumOption(),
      pageSize: pageSizeOption(),
      all: allFlag(),
    }),
    (ctx, o) =>
      ctx.call(
        async () => {
          const runs = (await ctx.api()).runsGet(o.path, {
            page: await firstPage(ctx, o),
            size: o.pageSize,
            all: o.all,
          });
          return await pageInfo(ctx, runs, (r) => r.json(), "Fetching runs");
        },
        runsView,
      ),
    {
      brief: "List the runs of a project (paged).",
      description: "List the runs of a project, one page (or every page with --all).\n" +
        "PROJECT_PATH format: username/project_name",
      examples: [
        "swanlab-ts run list vision-lab/resnet-sweep",
        "swanlab-ts run list vision-lab/resnet-sweep --all --format csv > runs.csv",
      ],
    },
  );

  const filter = leaf(
    "filter",
    withCommon({
      path: projectPath(),
      filterQuery: option(
        "-f",
        "--filter_query",
        "--filter-query",
        string({ metavar: "JSON_OR_FILE" }),
        {
          description: paragraph(
            "Filters: a JSON array of {key, type, op, value}, inline or in a file.",
          ),
        },
      ),
    }),
    async (ctx, o) => {
      let filters: unknown[];
      try {
        filters = await parseFilterQuery(o.filterQuery, ctx.io.cwd);
      } catch (error) {
        return await ctx.fail(error);
      }
      return await ctx.call(
        async () => await (await ctx.api()).runs(o.path, { filters: filters as never }).json(),
        runsView,
      );
    },
    {
      brief: "Filter the runs of a project.",
      description:
        "Filter the runs of a project. Each filter is {key, type, op, value}: type STABLE (built-in\n" +
        "fields: state, name, createdAt, …), CONFIG (config keys) or SCALAR (metrics); op EQ, NEQ,\n" +
        "GTE, LTE, IN, NOT IN, CONTAIN; value a list. Filters are ANDed.",
      examples: [
        'swanlab-ts run filter vision-lab/resnet-sweep -f \'[{"key":"state","type":"STABLE","op":"EQ","value":["FINISHED"]}]\'',
        "swanlab-ts run filter vision-lab/resnet-sweep --filter_query filters.json",
      ],
    },
  );

  const series = leaf(
    "series",
    withCommon({
      path: runPath(),
      metricType: upperChoice(["--type"], ["SCALAR", "MEDIA"], "SCALAR", "Metric type."),
      metricClass: upperChoice(["--class"], ["CUSTOM", "SYSTEM"], "CUSTOM", "Metric class."),
      search: withDefault(
        option("--search", string({ metavar: "TEXT" }), {
          description: message`Case-insensitive substring of the key names.`,
        }),
        "",
      ),
    }),
    (ctx, o) =>
      ctx.call(
        async () =>
          await (await ctx.api()).series(o.path, {
            metricType: o.metricType,
            metricClass: o.metricClass,
            search: o.search,
          }).json(),
        (data): TableView => ({
          rows: (data.keys as string[]).map((key) => ({ key })),
          columns: ["key"],
        }),
      ),
    {
      brief: "List the metric keys of a run.",
      description: "List the metric keys of a run, read from the metric store.\n" +
        "SYSTEM keys are the __swanlab__.* hardware metrics.",
      examples: [
        "swanlab-ts run series alice/mnist-baseline/mqeli2zt",
        "swanlab-ts run series alice/mnist-baseline/mqeli2zt --type media",
        "swanlab-ts run series alice/mnist-baseline/mqeli2zt --class system --search gpu",
      ],
    },
  );

  const metrics = leaf(
    "metrics",
    withCommon({
      path: runPath(),
      keys: option("--keys", string({ metavar: "KEYS" }), {
        description: message`Comma-separated metric keys, e.g. 'loss,acc'.`,
      }),
      sample: withDefault(
        option("-s", "--sample", integer({ min: 1, metavar: "N" }), {
          description: message`Points per key in sampled mode (max 1500).`,
        }),
        1500,
      ),
      ignoreTimestamp: withDefault(
        flag("--ignore-timestamp", "--ignore_timestamp", {
          description: message`Remove timestamps from the points.`,
        }),
        false,
      ),
      all: allFlag("Every point (full resolution, from the CSV export)."),
      rangeType: optional(
        option(
          "--range-type",
          "--range_type",
          choice(["step", "timestamp"], { caseInsensitive: true }),
          {
            description: message`Range axis (default step when any range option is set).`,
          },
        ),
      ),
      rangeStart: optional(
        option("--range-start", "--range_start", integer({ min: 0, metavar: "N" }), {
          description: message`Range start (inclusive): a step or Unix milliseconds.`,
        }),
      ),
      rangeEnd: optional(
        option("--range-end", "--range_end", integer({ min: 0, metavar: "N" }), {
          description: message`Range end (inclusive).`,
        }),
      ),
      rangeHead: optional(
        option("--range-head", "--range_head", integer({ min: 1, metavar: "N" }), {
          description: message`Keep the first N points.`,
        }),
      ),
      rangeTail: optional(
        option("--range-tail", "--range_tail", integer({ min: 1, metavar: "N" }), {
          description: message`Keep the last N points.`,
        }),
      ),
      rangeLast: optional(
        option("--range-last", "--range_last", integer({ min: 1, metavar: "MS" }), {
          description: message`Keep the last MS milliseconds (excludes start/end).`,
        }),
      ),
      plot: withDefault(
        flag("--plot", { description: message`Draw the keys as a line chart instead of data.` }),
        false,
      ),
      plotOut: optional(option("--plot-out", "--plot_out", string({ metavar: "FILE.svg" }), {
        description: message`Also write an SVG line chart to FILE.svg (the name must end in .svg).`,
      })),
      plotHeight: withDefault(
        option("--plot-height", integer({ min: 3, max: 200, metavar: "ROWS" }), {
          description: message`Chart height in rows.`,
        }),
        16,
      ),
    }),
    async (ctx, o) => {
      let data: Record<string, unknown>;
      let plotFile: string | undefined;
      try {
        // Everything the arguments decide is checked before the first request.
        if (o.plot && (ctx.common.format !== undefined || ctx.common.json)) {
          throw new UsageError(
            `--plot draws a chart instead of data: it cannot be combined with ${
              ctx.common.json ? "--json" : "--format"
            } (use --plot-out FILE.svg to keep the data output and a chart)`,
          );
        }
        if (o.plotOut !== undefined) plotFile = await chartPath(ctx, o.plotOut);
        const rangeQuery = rangeQueryOf(o);
        const keys = parseKeys(o.keys);
        const run = (await ctx.api()).run(o.path);
        const full = o.all || rangeQuery !== undefined;
        const bar = full
          ? ctx.progress(`Exporting and downloading ${keys.length} keys`)
          : undefined;
        bar?.tick();
        try {
          data = await run.metrics(keys, {
            sample: o.sample,
            all: o.all,
            ignoreTimestamp: o.ignoreTimestamp,
            ...(rangeQuery === undefined ? {} : { rangeQuery }),
            onWarning: (text: string) => void ctx.warn(text),
          }) as unknown as Record<string, unknown>;
        } finally {
          bar?.done({ clear: true });
        }
        if (plotFile !== undefined || o.plot) {
          const { seriesOfMetrics } = await import("../chart.ts");
          const series = seriesOfMetrics(data);
          if (plotFile !== undefined) {
            const [{ renderSvgChart }, lib] = await Promise.all([
              import("../svg_chart.ts"),
              loadLibrary(),
            ]);
            const svg = renderSvgChart(series, { title: o.path, xLabel: "step" });
            await lib.writeFileAtomic(plotFile, svg, { field: "--plot-out" });
            await ctx.note(`Saved chart to ${o.plotOut}`);
          }
          if (o.plot) {
            const saveFailure = await ctx.save({ ok: true, errmsg: "", data });
            if (saveFailure !== undefined) {
              await ctx.error(saveFailure);
              return 1;
            }
            const { renderLineChart } = await import("../chart.ts");
            await ctx.write(renderLineChart(series, {
              width: ctx.columns,
              height: o.plotHeight,
              style: ctx.out,
              title: `${o.path}  (${series.map((s) => s.name).join(", ")})`,
              xLabel: "step",
            }));
            return 0;
          }
        }
      } catch (error) {
        return await ctx.fail(error);
      }
      return await ctx.emit({ ok: true, errmsg: "", data }, metricsView);
    },
    {
      brief: "Scalar metrics of a run (sampled, full or a range), as data or a chart.",
      description:
        "Read scalar metrics. Sampled by default (at most --sample points per key); --all or any\n" +
        "--range-* option reads full resolution from the CSV export. --range-last excludes\n" +
        "--range-start/--range-end; --range-head excludes --range-tail.\n" +
        "--plot draws a terminal line chart on stdout; --plot-out FILE.svg writes an SVG chart.",
      examples: [
        "swanlab-ts run metrics alice/mnist-baseline/mqeli2zt --keys train/loss,val/loss",
        "swanlab-ts run metrics alice/mnist-baseline/mqeli2zt --keys train/loss --plot",
        "swanlab-ts run metrics alice/mnist-baseline/mqeli2zt --keys train/loss --all --format csv",
        "swanlab-ts run metrics alice/mnist-baseline/mqeli2zt --keys train/loss --range-start 100 --range-end 500",
        "swanlab-ts run metrics alice/mnist-baseline/mqeli2zt --keys train/loss --range-tail 30",
        "swanlab-ts run metrics alice/mnist-baseline/mqeli2zt --keys train/loss,val/loss --plot-out loss.svg",
      ],
    },
  );

  const summary = leaf(
    "summary",
    withCommon({
      path: runPath(),
      keys: optional(option("--keys", string({ metavar: "KEYS" }), {
        description: message`Comma-separated scalar keys (default: all).`,
      })),
    }),
    async (ctx, o) => {
      let keys: string[] | undefined;
      try {
        keys = o.keys === undefined ? undefined : parseKeys(o.keys, "--keys", true);
      } catch (error) {
        return await ctx.fail(error);
      }
      return await ctx.call(
        async () => await (await ctx.api()).run(o.path).summary(keys),
        summaryView,
      );
    },
    {
      brief: "Summary statistics of a run's scalar metrics.",
      examples: [
        "swanlab-ts run summary alice/mnist-baseline/mqeli2zt",
        "swanlab-ts run summary alice/mnist-baseline/mqeli2zt --keys train/loss,val/acc",
      ],
    },
  );

  const medias = leaf(
    "medias",
    withCommon({
      path: runPath(),
      keys: option("--keys", string({ metavar: "KEYS" }), {
        description: message`Comma-separated media keys, e.g. 'image,audio'.`,
      }),
      step: optional(
        option("-s", "--step", integer({ metavar: "STEP" }), {
          description: message`The step to read (default: 0).`,
        }),
      ),
      all: allFlag("Every step."),
    }),
    async (ctx, o) => {
      let keys: string[];
      try {
        keys = parseKeys(o.keys);
      } catch (error) {
        return await ctx.fail(error);
      }
      if (o.all && o.step !== undefined) {
        await ctx.warn(`--step ${o.step} is ignored with --all (every step is read)`);
      }
      return await ctx.call(
        async () =>
          await (await ctx.api()).run(o.path).medias(keys, { step: o.step ?? 0, all: o.all }),
        mediasView,
      );
    },
    {
      brief: "Media (images, audio, text) of a run, as presigned URLs.",
      description: "Media of a run as presigned URLs (they expire; download them soon, or use\n" +
        "`run download`).",
      examples: [
        "swanlab-ts run medias alice/mnist-baseline/mqeli2zt --keys samples --step 100",
        "swanlab-ts run medias alice/mnist-baseline/mqeli2zt --keys samples --all",
      ],
    },
  );

  const logs = leaf(
    "logs",
    withCommon({
      path: runPath(),
      offset: withDefault(
        option("-o", "--offset", integer({ min: 0, metavar: "N" }), {
          description: message`Log shard index (1000 lines each).`,
        }),
        0,
      ),
      level: upperChoice(
        ["-l", "--level"],
        ["DEBUG", "INFO", "WARN", "ERROR"],
        "INFO",
        "Log level.",
      ),
      ignoreTimestamp: withDefault(
        flag("--ignore-timestamp", "--ignore_timestamp", {
          description: message`Remove timestamps from the lines.`,
        }),
        false,
      ),
    }),
    (ctx, o) =>
      ctx.call(
        async () =>
          await (await ctx.api()).run(o.path).logs({
            offset: o.offset,
            level: o.level,
            ignoreTimestamp: o.ignoreTimestamp,
          }),
        (data): TableView => ({
          rows: rows((data as { logs?: unknown }).logs),
          columns: ["timestamp", "level", "message"].filter((c) =>
            c !== "timestamp" || !o.ignoreTimestamp
          ),
        }),
      ),
    {
      brief: "Console logs of a run (one shard of up to 1000 lines).",
      examples: [
        "swanlab-ts run logs alice/mnist-baseline/mqeli2zt",
        "swanlab-ts run logs alice/mnist-baseline/mqeli2zt --level error",
        "swanlab-ts run logs alice/mnist-baseline/mqeli2zt -o 1 -l warn --ignore-timestamp",
      ],
    },
  );

  const exportLogs = leaf(
    "export-logs",
    withCommon({
      path: runPath(),
      start: withDefault(
        option("--start", integer({ min: 0, metavar: "N" }), {
          description: message`First line (0-based).`,
        }),
        0,
      ),
      rows: withDefault(
        option("-r", "--rows", integer({ min: 1, max: 500_000, metavar: "N" }), {
          description: message`Number of lines (1 to 500000).`,
        }),
        500_000,
      ),
      output: optional(option("--output", string({ metavar: "FILE" }), {
        description: message`Also download the .log file to FILE.`,
      })),
    }),
    async (ctx, o) => {
      let response;
      const bar = ctx.progress("Exporting logs");
      try {
        const file = o.output === undefined
          ? undefined
          : await ctx.outputPath(o.output, "--output");
        bar.tick();
        response = await (await ctx.api()).run(o.path).exportLogs({ start: o.start, rows: o.rows });
        bar.done({ clear: true });
        if (response.ok && file !== undefined && response.data) {
          const { downloadToFile } = await import("./_download.ts");
          const bytes = await downloadToFile(ctx, response.data.url, file, "Downloading logs");
          await ctx.note(`Saved ${bytes} bytes to ${o.output}`);
        }
      } catch (error) {
        bar.done({ clear: true });
        return await ctx.fail(error);
      }
      return await emitResponse(ctx, response);
    },
    {
      brief: "Export a run's logs as a .log file (presigned URL).",
      examples: [
        "swanlab-ts run export-logs alice/mnist-baseline/mqeli2zt",
        "swanlab-ts run export-logs alice/mnist-baseline/mqeli2zt --start 1000 -r 500 --output run.log",
      ],
      aliases: ["export_logs"],
    },
  );

  const exportCsv = leaf(
    "export-csv",
    withCommon({
      path: runPath(),
      keys: option("--keys", string({ metavar: "KEYS" }), {
        description: message`Comma-separated scalar keys.`,
      }),
      output: optional(option("--output", string({ metavar: "FILE" }), {
        description:
          message`Also download the CSV to FILE (several keys: a directory, created if missing).`,
      })),
    }),
    async (ctx, o) => {
      let exported: { key: string; url: string }[];
      const { checkOutputDir, downloadToFile, ensureDir, exportRunCsv, safeNames } = await import(
        "./_download.ts"
      );
      const bar = ctx.progress("Exporting CSV");
      try {
        const keys = parseKeys(o.keys);
        // One key: --output is the file; several: a directory of <key>.csv (checked first).
        const several = new Set(keys).size > 1;
        const target = o.output === undefined
          ? undefined
          : several
          ? await checkOutputDir(ctx, o.output, "--output")
          : await ctx.outputPath(o.output, "--output");
        bar.tick();
        exported = await exportRunCsv(ctx, o.path, keys);
        bar.done({ clear: true });
        if (target !== undefined && o.output !== undefined) {
          const names = safeNames(exported.map(({ key }) => key));
          if (several) await ensureDir(target);
          for (const { key, url } of exported) {
            const shown = several ? `${o.output}/${names.get(key)}.csv` : o.output;
            const file = several ? `${target}/${names.get(key)}.csv` : target;
            const bytes = await downloadToFile(ctx, url, file, `Downloading ${key}`);
            await ctx.note(`Saved ${bytes} bytes to ${shown}`);
          }
        }
      } catch (error) {
        bar.done({ clear: true });
        return await ctx.fail(error);
      }
      const data = exported.length === 1
        ? { url: exported[0]!.url }
        : { urls: Object.fromEntries(exported.map(({ key, url }) => [key, url])) };
      return await ctx.emit({ ok: true, errmsg: "", data });
    },
    {
      brief: "Export full-resolution scalar metrics as CSV (presigned URL).",
      description:
        'Export the full-resolution series of a scalar key as CSV; prints {"url": ...} (several\n' +
        'keys: {"urls": {key: url}}). --output FILE downloads it (several keys: a directory of\n' +
        "<key>.csv, created if its parent exists). Not in the Python CLI.",
      examples: [
        "swanlab-ts run export-csv alice/mnist-baseline/mqeli2zt --keys train/loss",
        "swanlab-ts run export-csv alice/mnist-baseline/mqeli2zt --keys train/loss --output loss.csv",
        "swanlab-ts run export-csv alice/mnist-baseline/mqeli2zt --keys train/loss,val/loss --output ./csv",
      ],
      aliases: ["export_csv"],
    },
  );

  const download = leaf(
    "download",
    withCommon({
      path: runPath(),
      keys: optional(option("--keys", string({ metavar: "KEYS" }), {
        description: message`Comma-separated keys, scalar or media (default: all custom keys).`,
      })),
      out: optional(option("--out", "-o", string({ metavar: "DIR" }), {
        description:
          message`Output directory (default: ./<run_id>); created if missing, in an existing parent.`,
      })),
      noLogs: withDefault(flag("--no-logs", { description: message`Skip the log export.` }), false),
      noMedia: withDefault(
        flag("--no-media", { description: message`Skip media files.` }),
        false,
      ),
    }),
    async (ctx, o) => {
      const { downloadRun } = await import("./_download.ts");
      return await ctx.call(
        async () =>
          await downloadRun(ctx, {
            path: o.path,
            ...(o.keys === undefined ? {} : { keys: parseKeys(o.keys, "--keys", true) }),
            ...(o.out === undefined ? {} : { out: o.out }),
            logs: !o.noLogs,
            media: !o.noMedia,
          }),
      );
    },
    {
      brief: "Download a run to disk: full metrics CSV, logs and media files.",
      description:
        "Download a run to a directory: run.json, metrics.csv (every point of the scalar keys,\n" +
        "columns key,step,value,timestamp), logs.log (the log export) and media/<key>/ files.\n" +
        "Progress bars on a terminal. Not in the Python CLI.",
      examples: [
        "swanlab-ts run download alice/mnist-baseline/mqeli2zt",
        "swanlab-ts run download alice/mnist-baseline/mqeli2zt --keys train/loss,samples --out ./data",
      ],
    },
  );

  const remove = deleteLeaf(
    "run",
    runPath(),
    (api, path, commit) => api.run(path).delete({ commit }),
    {
      brief: "Delete a run (dry run unless --commit).",
      description: "Delete a run. Without --commit nothing is deleted: the plan\n" +
        '{"committed": false, "items": [...]} is printed. Not in the Python CLI.',
      examples: [
        "swanlab-ts run delete alice/scratch/dpjxhvec            # dry run",
        "swanlab-ts run delete alice/scratch/dpjxhvec --commit",
      ],
    },
  );

  const columns = leaf(
    "columns",
    withCommon({
      path: runPath(),
      pageNum: pageNumOption(),
      pageSize: pageSizeOption(),
      search: optional(option("--search", string({ metavar: "TEXT" }), {
        description: message`Fuzzy search on column names.`,
      })),
      columnClass: upperChoice(["--class"], ["CUSTOM", "SYSTEM"], "CUSTOM", "Column class."),
      columnType: optional(
        option("--type", choice(COLUMN_TYPES, { caseInsensitive: true, metavar: "TYPE" }), {
          description: message`Column type.`,
        }),
      ),
      all: allFlag(),
    }),
    async (ctx, o) => {
      await deprecated(ctx, "columns");
      return await ctx.call(
        async () => {
          const list = (await ctx.api()).columns(o.path, {
            page: await firstPage(ctx, o),
            size: o.pageSize,
            all: o.all,
            columnClass: o.columnClass,
            ...(o.search === undefined ? {} : { search: o.search }),
            ...(o.columnType === undefined ? {} : { columnType: o.columnType }),
          });
          return await pageInfo(ctx, list, (c) => c.json(), "Fetching columns");
        },
        (data): TableView => ({ rows: rows(data.list) }),
      );
    },
    {
      brief: "(deprecated: use `run series`) List the metric columns of a run.",
      examples: ["swanlab-ts run columns alice/mnist-baseline/mqeli2zt --search loss"],
    },
  );

  const column = leaf(
    "column",
    withCommon({
      path: runPath(),
      key: option("--key", string({ metavar: "KEY" }), { description: message`Column key.` }),
      columnClass: upperChoice(["--class"], ["CUSTOM", "SYSTEM"], "CUSTOM", "Column class."),
      columnType: optional(
        option("--type", choice(COLUMN_TYPES, { caseInsensitive: true, metavar: "TYPE" }), {
          description: message`Column type.`,
        }),
      ),
    }),
    async (ctx, o) => {
      await deprecated(ctx, "column");
      return await ctx.call(async () =>
        await (await ctx.api()).column(o.path, o.key, {
          columnClass: o.columnClass,
          ...(o.columnType === undefined ? {} : { columnType: o.columnType }),
        }).json()
      );
    },
    {
      brief: "(deprecated: use `run series`) Show one metric column of a run.",
      examples: ["swanlab-ts run column alice/mnist-baseline/mqeli2zt --key train/loss"],
    },
  );

  return group(
    "run",
    or(
      info,
      list,
      filter,
      series,
      metrics,
      summary,
      medias,
      logs,
      exportLogs,
      exportCsv,
      download,
      remove,
      columns,
      column,
    ),
    {
      brief: GROUP_BRIEFS["run"],
      aliases: ["experiment"],
      examples: [
        "swanlab-ts run list vision-lab/resnet-sweep",
        "swanlab-ts run metrics alice/mnist-baseline/mqeli2zt --keys train/loss --plot",
      ],
    },
  );
}
