/**
 * `swanlab-ts project table` and `swanlab-ts project export`: the runs table and every point of
 * many runs, to the terminal or to CSV, JSON Lines or Parquet files. Files are written by the
 * library's export writers (atomically); this module only reads flags, checks them before any
 * request, draws progress and prints.
 *
 * @module
 */

import {
  choice,
  flag,
  integer,
  merge,
  message,
  object,
  option,
  optional,
  type Parser,
  string,
  withDefault,
} from "@optique/core";
import type { Api, ByteSink, RunFilter, Runs } from "../../../mod.ts";
import { type CommandContext, loadLibrary, UsageError } from "../context.ts";
import { connectionOptions, type Invocation, leaf, pathArgument } from "../options.ts";
import { paragraph } from "../help_page.ts";
import { renderView, toJsonText } from "../output.ts";
import { formatCount, formatDuration } from "../progress.ts";
import { parseFilterQuery, parseKeys } from "./_shared.ts";
import { rangeQueryOf } from "./run.ts";

const TABLE_FORMATS = ["table", "json", "jsonl", "csv", "parquet"] as const;
type TableFormat = typeof TABLE_FORMATS[number];
const EXPORT_FORMATS = ["csv", "jsonl", "parquet"] as const;
type ExportFormat = typeof EXPORT_FORMATS[number];

function noColorFlag(): Parser<"sync", boolean, unknown> {
  return withDefault(
    flag("--no-color", { description: message`Disable colours (also NO_COLOR, TERM=dumb).` }),
    false,
  );
}

function filterOption(): Parser<"sync", string | undefined, unknown> {
  return optional(
    option("-f", "--filter", "--filter_query", string({ metavar: "JSON_OR_FILE" }), {
      description: paragraph(
        "Only runs matching these filters: a JSON array of {key, type, op, value}, inline or in a file (as `run filter`).",
      ),
    }),
  );
}

function outOption(metavar: "FILE" | "FILE|DIR"): Parser<"sync", string | undefined, unknown> {
  return optional(option("-o", "--out", string({ metavar }), {
    description: paragraph(
      metavar === "FILE"
        ? "Write to FILE (atomically: it appears only when complete) instead of stdout."
        : "Write to FILE, or for Parquet without a .parquet suffix to the dataset directory DIR " +
          "(run_id=<id>/part-0.parquet; DIR must not exist or be empty). Atomic: nothing " +
          "appears under the final name until the export is complete.",
    ),
  }));
}

/** The parsed `--out` path, resolved against the working directory. */
async function resolvePath(ctx: CommandContext, path: string): Promise<string> {
  const { isAbsolute, join } = await import("node:path");
  return path === "" || isAbsolute(path) ? path : join(ctx.io.cwd, path);
}

/** The format named by an output file's suffix. */
function formatOfPath(path: string): ExportFormat | undefined {
  const lower = path.toLowerCase();
  if (lower.endsWith(".csv")) return "csv";
  if (lower.endsWith(".jsonl") || lower.endsWith(".ndjson")) return "jsonl";
  if (lower.endsWith(".parquet")) return "parquet";
  return undefined;
}

/** The run list: filtered, or every run of the project. */
async function runList(ctx: CommandContext, path: string, filter: string | undefined): Promise<{
  api: Api;
  runs: Runs;
}> {
  const filters = filter === undefined ? undefined : await parseFilterQuery(filter, ctx.io.cwd);
  const api = await ctx.api();
  const runs = filters === undefined
    ? api.runsGet(path, { size: 100, all: true })
    : api.runs(path, { filters: filters as RunFilter[] });
  return { api, runs };
}

/**
 * Standard output as a byte sink (the CLI never opens files itself): bytes go out as they are
 * when the stream takes bytes (binary Parquet), else decoded as UTF-8 text.
 */
function stdoutSink(ctx: CommandContext): ByteSink {
  const stdout = ctx.io.stdout;
  const decoder = new TextDecoder();
  return {
    write: async (chunk) => {
      if (typeof chunk === "string") await stdout.write(chunk);
      else if (stdout.writeBytes !== undefined) await stdout.writeBytes(chunk);
      else await stdout.write(decoder.decode(chunk, { stream: true }));
    },
    commit: async () => {
      const rest = decoder.decode();
      if (rest !== "") await stdout.write(rest);
    },
    abort: () => Promise.resolve(),
  };
}

/** Refuses Parquet on standard output when it is a terminal or takes no bytes. */
function checkBinaryStdout(ctx: CommandContext, hint: string): void {
  if (ctx.io.isTTY.stdout) {
    throw new UsageError(`Refusing to write binary Parquet to a terminal: use ${hint}`);
  }
  if (ctx.io.stdout.writeBytes === undefined) {
    throw new UsageError(`Standard output takes no binary data here: use ${hint}`);
  }
}

function size(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

/**
 * The `project table` command.
 *
 * @returns The leaf parser.
 *
 * @example Build the command
 * ```ts ignore
 * import { projectTableCommand } from "./project_tables.ts";
 *
 * const table = projectTableCommand();
 * ```
 */
export function projectTableCommand(): Parser<"sync", Invocation, unknown> {
  const parser = merge(
    object({
      path: pathArgument("PROJECT_PATH", "Project path: username/project_name."),
      filter: filterOption(),
      config: optional(option("--config", string({ metavar: "KEYS" }), {
        description: paragraph("Config columns: comma-separated keys (nested keys with dots)."),
      })),
      allConfig: withDefault(
        flag("--all-config", { description: message`Every config key as a column.` }),
        false,
      ),
      summary: optional(option("--summary", string({ metavar: "KEYS" }), {
        description: paragraph(
          "Metric keys whose summary (value, step, min, max, avg) becomes columns.",
        ),
      })),
      tableFormat: optional(option("--format", choice(TABLE_FORMATS, { metavar: "FORMAT" }), {
        description: paragraph(
          "table, json, jsonl, csv or parquet (default: from --out's suffix, else table on a terminal, json otherwise).",
        ),
      })),
      out: outOption("FILE"),
      noColor: noColorFlag(),
    }),
    object("Connection options", connectionOptions()),
  ) as unknown as Parser<"sync", {
    path: string;
    filter: string | undefined;
    config: string | undefined;
    allConfig: boolean;
    summary: string | undefined;
    tableFormat: TableFormat | undefined;
    out: string | undefined;
    noColor: boolean;
    host: string | undefined;
    apiKey: string | undefined;
    apiKeyStdin: boolean;
  }, unknown>;

  return leaf("table", parser, async (ctx, o) => {
    try {
      if (o.config !== undefined && o.allConfig) {
        throw new UsageError("--config and --all-config cannot be combined");
      }
      const configKeys = o.config === undefined ? undefined : parseKeys(o.config, "--config");
      const summaryKeys = o.summary === undefined ? undefined : parseKeys(o.summary, "--summary");
      const out = o.out === undefined ? undefined : await resolvePath(ctx, o.out);
      const format: TableFormat = o.tableFormat ??
        (out === undefined ? (ctx.io.isTTY.stdout ? "table" : "json") : formatOfPath(out) ?? "csv");
      if (out !== undefined && (format === "table" || format === "json")) {
        throw new UsageError(
          `--format ${format} prints to stdout; use csv, jsonl or parquet with --out`,
        );
      }
      if (out === undefined && format === "parquet") checkBinaryStdout(ctx, "--out FILE.parquet");
      const lib = await loadLibrary();
      if (out !== undefined) await lib.checkExportTarget(out, { field: "--out" });
      const { runs } = await runList(ctx, o.path, o.filter);
      const table = runs.table({
        config: o.allConfig ? true : configKeys ?? false,
        summary: summaryKeys ?? false,
      });

      const started = performance.now();
      const bar = ctx.progress("Fetching runs", { unit: "runs" });
      bar.tick();
      let data;
      try {
        bar.setTotal(await runs.total);
        data = await table.collect({ onRow: (n) => bar.update(n) });
      } finally {
        bar.done({ clear: true });
      }

      // Keys no run has are typos: refuse them rather than print empty columns.
      const present = new Set<string>();
      for (const row of data.rows) {
        for (const [column, value] of Object.entries(row)) if (value !== null) present.add(column);
      }
      const missing = [
        ...(configKeys ?? []).filter((k) => {
          const column = `config.${k.replace(/^config\./, "")}`;
          return ![...present].some((c) => c === column || c.startsWith(column + "."));
        }).map((k) => `--config ${k}`),
        ...(summaryKeys ?? []).filter((k) => !present.has(`summary.${k}.value`))
          .map((k) => `--summary ${k}`),
      ];
      if (missing.length > 0 && data.rows.length > 0) {
        throw new UsageError(`Unknown keys (no run has them): ${missing.join(", ")}`);
      }

      if (out !== undefined) {
        const stats = format === "csv"
          ? await lib.writeCsv(out, data.rows, { columns: data.columns, field: "--out" })
          : format === "jsonl"
          ? await lib.writeJsonl(out, data.rows, { field: "--out" })
          : await lib.writeTableParquet(out, data, { field: "--out" });
        await ctx.note(
          `Wrote ${data.rows.length} runs x ${data.columns.length} columns to ${o.out} (${
            size(stats.bytes)
          }, ${formatDuration(performance.now() - started)})`,
        );
        return 0;
      }
      if (format === "parquet") {
        await lib.writeTableParquet(stdoutSink(ctx), data);
      } else if (format === "json") {
        await ctx.print(
          toJsonText({ ok: true, errmsg: "", data: { columns: data.columns, list: data.rows } }),
        );
      } else {
        await ctx.write(
          renderView(format, {
            rows: data.rows as Record<string, unknown>[],
            columns: [...data.columns],
          }, { width: ctx.tableWidth, style: ctx.out }),
        );
      }
      return 0;
    } catch (error) {
      return await ctx.fail(error);
    }
  }, {
    brief: "One table of all runs: config and summary metrics, to rank a sweep.",
    description:
      "One row per run (path, run_id, name, state, group, job_type, created_at, finished_at),\n" +
      "config.* columns (--config KEYS or --all-config) and summary.<key>.<stat> columns\n" +
      "(--summary KEYS: value, step, min, max, avg). Runs are fetched several at a time; rows\n" +
      "keep the list's order. Keys no run has are an error (exit 2).",
    examples: [
      "swanlab-ts project table vision-lab/resnet-sweep --config lr,optimizer --summary val/acc",
      "swanlab-ts project table vision-lab/resnet-sweep --all-config --summary val/acc,train/loss --out runs.parquet",
    ],
  });
}

/**
 * The `project export` command.
 *
 * @returns The leaf parser.
 *
 * @example Build the command
 * ```ts ignore
 * import { projectExportCommand } from "./project_tables.ts";
 *
 * const exportCommand = projectExportCommand();
 * ```
 */
export function projectExportCommand(): Parser<"sync", Invocation, unknown> {
  const parser = merge(
    object({
      path: pathArgument("PROJECT_PATH", "Project path: username/project_name."),
      keys: option("--keys", string({ metavar: "KEYS" }), {
        description: paragraph("Comma-separated metric keys, e.g. train/loss,val/acc."),
      }),
      filter: filterOption(),
      exportFormat: optional(option("--format", choice(EXPORT_FORMATS, { metavar: "FORMAT" }), {
        description: paragraph(
          "csv, jsonl or parquet (default: from --out's suffix; parquet for a directory).",
        ),
      })),
      out: outOption("FILE|DIR"),
      rangeType: optional(
        option("--range-type", choice(["step", "timestamp"], { caseInsensitive: true }), {
          description: message`Range axis (default step when any range option is set).`,
        }),
      ),
      rangeStart: optional(option("--range-start", integer({ min: 0, metavar: "N" }), {
        description: message`Range start (inclusive): a step or Unix milliseconds.`,
      })),
      rangeEnd: optional(option("--range-end", integer({ min: 0, metavar: "N" }), {
        description: message`Range end (inclusive).`,
      })),
      rangeHead: optional(option("--range-head", integer({ min: 1, metavar: "N" }), {
        description: message`Keep the first N points of each run and key.`,
      })),
      rangeTail: optional(option("--range-tail", integer({ min: 1, metavar: "N" }), {
        description: message`Keep the last N points of each run and key.`,
      })),
      rangeLast: optional(option("--range-last", integer({ min: 1, metavar: "MS" }), {
        description: message`Keep the last MS milliseconds (excludes start/end).`,
      })),
      noColor: noColorFlag(),
    }),
    object("Connection options", connectionOptions()),
  ) as unknown as Parser<"sync", {
    path: string;
    keys: string;
    filter: string | undefined;
    exportFormat: ExportFormat | undefined;
    out: string | undefined;
    rangeType: "step" | "timestamp" | undefined;
    rangeStart: number | undefined;
    rangeEnd: number | undefined;
    rangeHead: number | undefined;
    rangeTail: number | undefined;
    rangeLast: number | undefined;
    noColor: boolean;
    host: string | undefined;
    apiKey: string | undefined;
    apiKeyStdin: boolean;
  }, unknown>;

  return leaf("export", parser, async (ctx, o) => {
    try {
      const keys = parseKeys(o.keys);
      const rangeQuery = rangeQueryOf(o);
      const out = o.out === undefined ? undefined : await resolvePath(ctx, o.out);
      const suffix = out === undefined ? undefined : formatOfPath(out);
      const format: ExportFormat | undefined = o.exportFormat ??
        (out === undefined ? undefined : suffix ?? "parquet");
      if (format === undefined) {
        throw new UsageError("Missing --format (csv, jsonl or parquet) or --out FILE|DIR");
      }
      const dataset = format === "parquet" && out !== undefined && suffix !== "parquet";
      if (out === undefined && format === "parquet") {
        checkBinaryStdout(ctx, "--out FILE.parquet or --out DIR");
      }
      if (out !== undefined && format !== "parquet" && suffix === undefined) {
        throw new UsageError(
          `--out ${o.out}: ${format} goes to one file (only Parquet writes a dataset directory)`,
        );
      }
      const lib = await loadLibrary();
      if (out !== undefined) await lib.checkExportTarget(out, { dataset, field: "--out" });
      const { runs } = await runList(ctx, o.path, o.filter);
      const scan = runs.scanMetrics(keys, rangeQuery === undefined ? {} : { rangeQuery }, {
        onWarning: (text: string) => void ctx.warn(text),
      });

      // Progress: runs done / points written / rate, on stderr.
      const started = performance.now();
      const bar = ctx.progress("Exporting", { unit: "points" });
      bar.tick();
      const total = await runs.total;
      let points = 0;
      let runsSeen = 0;
      let current: string | undefined;
      const seenKeys = new Set<string>();
      const runSeen = (run: string): void => {
        if (run === current) return;
        current = run;
        runsSeen++;
        bar.setLabel(`Exporting ${runsSeen}/${total} runs`);
      };
      // A key no run has is a typo (unless a range left no point): fail before the commit,
      // so nothing is written.
      const checkKeys = (): void => {
        const unknown = keys.filter((k) => !seenKeys.has(k));
        if (rangeQuery === undefined && unknown.length > 0 && total > 0) {
          throw new UsageError(`Unknown keys (no run has points of them): ${unknown.join(", ")}`);
        }
      };
      const counted = async function* () {
        for await (const batch of scan.batches()) {
          for (const row of batch) {
            runSeen(row.run);
            seenKeys.add(row.key);
          }
          points += batch.length;
          bar.update(points);
          yield batch;
        }
        checkKeys();
      };
      // Parquet takes column blocks: no object per point.
      const countedColumns = async function* () {
        for await (const block of scan.columns()) {
          runSeen(block.run);
          const present = new Uint8Array(block.keys.length);
          for (let i = 0; i < block.length; i++) present[block.keyIndex[i] as number] = 1;
          present.forEach((flag, k) => flag === 1 && seenKeys.add(block.keys[k] as string));
          points += block.length;
          bar.update(points);
          yield block;
        }
        checkKeys();
      };

      let stats;
      try {
        const target = out ?? stdoutSink(ctx);
        stats = format === "csv"
          ? await lib.writeCsv(target, counted(), {
            columns: lib.METRIC_ROW_COLUMNS,
            field: "--out",
          })
          : format === "jsonl"
          ? await lib.writeJsonl(target, counted(), { field: "--out" })
          : dataset
          ? await lib.writeMetricsHive(out as string, countedColumns(), { field: "--out" })
          : await lib.writeMetricsParquet(target, countedColumns(), { field: "--out" });
      } finally {
        bar.done({ clear: true });
      }
      const ms = performance.now() - started;
      const rate = ms > 0 ? stats.rows / (ms / 1000) : 0;
      await ctx.note(
        `Exported ${formatCount(stats.rows)} points of ${keys.length} ${
          keys.length === 1 ? "key" : "keys"
        }` +
          ` from ${total} ${total === 1 ? "run" : "runs"}` +
          (out === undefined
            ? ""
            : ` to ${o.out} (${stats.files} ${stats.files === 1 ? "file" : "files"}, ${
              size(stats.bytes)
            })`) +
          ` in ${formatDuration(ms)} (${formatCount(rate)} points/s)`,
      );
      return 0;
    } catch (error) {
      return await ctx.fail(error);
    }
  }, {
    brief: "Every point of some keys of all runs, to CSV, JSON Lines or Parquet.",
    description:
      "Stream the full-resolution points of --keys for every run (or those matching --filter)\n" +
      "as rows run,key,step,value,timestamp, several runs at a time, in constant memory.\n" +
      "Parquet: int64 step and timestamp (Unix ms), double value, SNAPPY. --out DIR (no\n" +
      ".parquet suffix) writes a Hive-partitioned dataset DIR/run_id=<id>/part-0.parquet that\n" +
      "DuckDB, Polars and Spark read as one table. Writes are atomic. Without --out the rows\n" +
      "go to stdout (Parquet only when stdout is not a terminal).",
    examples: [
      "swanlab-ts project export vision-lab/resnet-sweep --keys train/loss,val/acc --out curves.parquet",
      "swanlab-ts project export vision-lab/resnet-sweep --keys val/acc --range-tail 10 --format csv",
    ],
  });
}
