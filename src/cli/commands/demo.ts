/**
 * `swanlab-ts demo`: a guided tour of the API against the local server, started in-process with
 * its demo data. It talks only to 127.0.0.1 and finishes in a few seconds.
 *
 * @module
 */

import { integer, message, option, type Parser, withDefault } from "@optique/core";
import { type CommandContext, loadLibrary, loadServer } from "../context.ts";
import { renderTable, type TableView } from "../output.ts";
import { type Invocation, leaf, withColorOption } from "../options.ts";
import { formatCount, formatDuration } from "../progress.ts";
import { terminalText } from "../../core/terminal_text.ts";
import { PROJECT_COLUMNS, PROJECT_HEADERS } from "./project.ts";
import { summaryView } from "./run.ts";
import { GROUP_BRIEFS } from "./_groups.ts";

const TEAM = "vision-lab";
const SWEEP = `${TEAM}/resnet-sweep`;
const FINISHED = [{ key: "state", type: "STABLE", op: "EQ", value: ["FINISHED"] }] as const;

/** Options of the tour. */
interface DemoOptions {
  steps: number;
  runs: number;
}

// Lines printed here quote server data (run paths, keys, log lines): each is made
// terminal-safe before it is painted.
async function section(ctx: CommandContext, n: number, title: string, command?: string) {
  await ctx.print("");
  await ctx.print(ctx.out.bold(ctx.out.cyan(terminalText(`${n}. ${title}`))));
  if (command) await ctx.print(ctx.out.dim(terminalText(`$ ${command}`)));
}

async function table(ctx: CommandContext, view: TableView): Promise<void> {
  await ctx.write(renderTable(view, { width: ctx.tableWidth, style: ctx.out }));
}

function slugOf(url: string, fallback: string): string {
  return /\/runs\/([^/]+)\/chart$/.exec(url)?.[1] ?? fallback;
}

async function tour(ctx: CommandContext, options: DemoOptions): Promise<number> {
  const started = performance.now();
  const [{ startServer }, lib] = await Promise.all([loadServer(), loadLibrary()]);
  const server = await startServer({
    hostname: "127.0.0.1",
    runs: options.runs,
    steps: options.steps,
    logLines: 600,
  });
  const { mkdtemp, rm } = await import("node:fs/promises");
  const { tmpdir } = await import("node:os");
  const { join } = await import("node:path");
  const temp = await mkdtemp(join(tmpdir(), "swanlab-ts-demo-"));
  try {
    const api = new lib.Api({ host: server.host, apiKey: server.apiKey, env: {}, cwd: temp });
    ctx.useApi(api);
    await ctx.print(ctx.out.bold(`swanlab-ts ${lib.VERSION}: a tour of the SwanLab query API`));
    await ctx.print(
      `Local server with demo data at ${server.host} (started in-process; nothing leaves 127.0.0.1).`,
    );

    await section(ctx, 1, "Who am I?", "swanlab-ts user info");
    const me = await api.user().json();
    await table(ctx, {
      rows: (["username", "name", "email", "institution", "location"] as const).map((field) => ({
        field,
        value: me[field],
      })),
      columns: ["field", "value"],
    });

    await section(ctx, 2, "My workspaces", "swanlab-ts workspace list");
    const workspaces: Record<string, unknown>[] = [];
    for await (const workspace of api.workspaces()) {
      workspaces.push(await workspace.json() as unknown as Record<string, unknown>);
    }
    await table(ctx, { rows: workspaces, columns: ["username", "name", "workspace_type", "role"] });

    await section(ctx, 3, `Projects of ${TEAM}`, `swanlab-ts project list --workspace ${TEAM}`);
    const projects = await api.projects(TEAM, { size: 20 }).json();
    await table(ctx, {
      rows: projects.list as unknown as Record<string, unknown>[],
      columns: PROJECT_COLUMNS,
      headers: PROJECT_HEADERS,
    });

    await section(
      ctx,
      4,
      `Finished runs of ${SWEEP}`,
      `swanlab-ts run filter ${SWEEP} -f '${JSON.stringify(FINISHED)}'`,
    );
    const finished = await api.runs(SWEEP, { filters: FINISHED as never }).json();
    const runs = finished.list as unknown as Record<string, unknown>[];
    await table(ctx, {
      rows: runs.slice(0, 8).map((r) => ({
        run: slugOf(String(r["url"] ?? ""), String(r["run_id"])),
        name: r["name"],
        state: r["state"],
        group: r["group"],
        "config.lr": ((r["profile"] as { config?: Record<string, unknown> } | undefined)?.config ??
          {})["lr"],
        created_at: r["created_at"],
      })),
    });
    if (runs.length > 8) await ctx.print(ctx.out.dim(`… and ${runs.length - 8} more`));
    const first = runs[0];
    if (!first) throw new Error("The demo data has no finished run");
    const runPath = `${SWEEP}/${slugOf(String(first["url"] ?? ""), String(first["run_id"]))}`;
    const run = api.run(runPath);

    await section(ctx, 5, `Summary of ${runPath}`, `swanlab-ts run summary ${runPath}`);
    await table(
      ctx,
      summaryView(await run.summary(["train/loss", "train/acc", "val/loss", "val/acc", "lr"])),
    );

    await section(
      ctx,
      6,
      "Training curves",
      `swanlab-ts run metrics ${runPath} --keys train/loss,val/loss --plot`,
    );
    const [{ renderLineChart, seriesOfMetrics }, sampled] = await Promise.all([
      import("../chart.ts"),
      run.metrics(["train/loss", "val/loss"], { sample: 500, onWarning: (t) => void ctx.warn(t) }),
    ]);
    await ctx.write(renderLineChart(seriesOfMetrics(sampled), {
      width: Math.min(ctx.columns, 110),
      height: 14,
      style: ctx.out,
      xLabel: "step",
    }));

    await section(
      ctx,
      7,
      "Full-resolution download (CSV export, streamed)",
      `swanlab-ts run download ${runPath} --out ./run-data`,
    );
    const keys = await run.series().keys;
    const { downloadMetricsCsv } = await import("./_download.ts");
    const file = join(temp, "metrics.csv");
    const { points, seconds } = await downloadMetricsCsv(ctx, runPath, keys, file);
    const rate = seconds > 0 ? points / seconds : points;
    await ctx.print(terminalText(
      `${formatCount(points)} points of ${keys.length} keys (${keys.join(", ")}) in ${
        formatDuration(seconds * 1000)
      }: ${formatCount(rate)} points/s`,
    ));
    await ctx.print(ctx.out.dim(`(written to a temporary file, removed at the end)`));

    await section(
      ctx,
      8,
      "Warnings and errors in the logs",
      `swanlab-ts run logs ${runPath} --level warn`,
    );
    const logs = await run.logs({ level: "WARN" });
    const lines = logs.logs.slice(0, 6);
    for (const line of lines) {
      const level = terminalText(String(line.level ?? ""));
      const paint = level === "ERROR" ? ctx.out.red : ctx.out.yellow;
      await ctx.print(
        `${ctx.out.dim(terminalText(String(line.timestamp ?? "")))} ${paint(level.padEnd(5))} ${
          terminalText(String(line.message ?? ""))
        }`,
      );
    }
    await ctx.print(ctx.out.dim(`(${logs.count} WARN/ERROR lines in this shard)`));

    await section(
      ctx,
      9,
      `Rank the whole sweep by its best val/acc`,
      `swanlab-ts project table ${SWEEP} --config lr,batch_size --summary val/acc`,
    );
    const sweep = api.runsGet(SWEEP, { size: 100, all: true });
    const ranked = await sweep.table({ config: ["lr", "batch_size"], summary: ["val/acc"] })
      .collect();
    const best = (row: Record<string, unknown>): number => {
      const value = row["summary.val/acc.max"];
      return typeof value === "number" && Number.isFinite(value) ? value : -Infinity;
    };
    const order = [...ranked.rows].sort((a, b) => best(b) - best(a));
    await table(ctx, {
      rows: order.slice(0, 5).map((row) => ({
        run_id: row["run_id"],
        name: row["name"],
        state: row["state"],
        "config.lr": row["config.lr"],
        "config.batch_size": row["config.batch_size"],
        "best val/acc": row["summary.val/acc.max"],
      })),
    });
    await ctx.print(ctx.out.dim(`(${ranked.rows.length} runs, one summary request each)`));

    await section(
      ctx,
      10,
      "Every val/acc curve of the sweep, as a Parquet dataset",
      `swanlab-ts project export ${SWEEP} --keys val/acc --format parquet --out ./curves`,
    );
    const exported = await lib.writeMetricsHive(
      join(temp, "curves"),
      sweep.scanMetrics(["val/acc"]).batches(),
    );
    await ctx.print(terminalText(
      `${
        formatCount(exported.rows)
      } points in ${exported.files} files (run_id=<id>/part-0.parquet, ${
        formatCount(exported.bytes)
      } bytes): DuckDB, Polars and Spark read the folder as one table`,
    ));

    await section(ctx, 11, "Now with your own SwanLab");
    for (
      const line of [
        "Log in once (the key is read from a hidden prompt and saved to ~/.swanlab/.netrc):",
        "  swanlab-ts login                      # SwanLab cloud",
        "  swanlab-ts login --host https://swanlab.example.com   # self-hosted",
        "or set the environment:",
        "  export SWANLAB_API_KEY=<your key>     # https://swanlab.cn/space/~/settings#development",
        "  export SWANLAB_API_HOST=https://swanlab.example.com   # self-hosted only",
        "or pass a host per command (and the key on standard input):",
        "  swanlab-ts user info --host https://swanlab.example.com --api-key-stdin < key.txt",
        "Then the same commands work there:",
        "  swanlab-ts project list",
        "  swanlab-ts run metrics <user>/<project>/<run> --keys loss --plot",
        "Pipe any command to get the Python CLI's JSON (swanlab api ...), or use --format csv.",
        "A local server for your own experiments: swanlab-ts serve",
        "Check a deployment first: swanlab-ts doctor",
        "Back up a workspace and serve the copy offline:",
        "  swanlab-ts mirror <workspace> --out ./backup && swanlab-ts serve --data ./backup",
        "Let an agent query your runs: swanlab-ts mcp (see the README's MCP section)",
      ]
    ) await ctx.print(line);
    await ctx.print("");
    await ctx.print(
      ctx.out.dim(`Tour finished in ${formatDuration(performance.now() - started)}.`),
    );
    return 0;
  } finally {
    await server.close();
    await rm(temp, { recursive: true, force: true });
  }
}

/**
 * The `demo` command.
 *
 * @returns The command parser.
 *
 * @example Build the demo command
 * ```ts ignore
 * import { demoCommand } from "./demo.ts";
 *
 * const parser = demoCommand();
 * ```
 */
export function demoCommand(): Parser<"sync", Invocation, unknown> {
  return leaf(
    "demo",
    withColorOption({
      steps: withDefault(
        option("--steps", integer({ min: 10, max: 10_000_000, metavar: "N" }), {
          description: message`Steps per demo run.`,
        }),
        50_000,
      ),
      runs: withDefault(
        option("--runs", integer({ min: 1, max: 200, metavar: "N" }), {
          description: message`Runs in the demo sweep.`,
        }),
        12,
      ),
    }),
    async (ctx, o) => {
      try {
        return await tour(ctx, o);
      } catch (error) {
        return await ctx.fail(error);
      }
    },
    {
      brief: GROUP_BRIEFS.demo,
      description:
        "Start the local server in-process with its demo data and walk through the API: user,\n" +
        "workspaces, projects, filtered runs, a summary, a chart, a full-resolution download,\n" +
        "logs, a ranked table of the whole sweep and a Parquet export of its curves; then how to\n" +
        "point the same commands at a real SwanLab.",
      examples: ["swanlab-ts demo", "swanlab-ts demo --steps 200000 --no-color"],
    },
  );
}
