/**
 * `swanlab-ts mirror`: back up a workspace, project or run to a local directory (incremental,
 * resumable), with a progress bar per phase on stderr and the report as data on stdout.
 *
 * @module
 */

import {
  argument,
  flag,
  integer,
  message,
  option,
  optional,
  type Parser,
  string,
  withDefault,
} from "@optique/core";
import type { MirrorProgress, MirrorReport } from "../../../mod.ts";
import { type CommandContext, loadLibrary, UsageError } from "../context.ts";
import { type Invocation, leaf, withCommon } from "../options.ts";
import { paragraph } from "../help_page.ts";
import type { TableView } from "../output.ts";
import type { ProgressBar } from "../progress.ts";
import { GROUP_BRIEFS } from "./_groups.ts";
import { errorMessage } from "../error_message.ts";

const LABELS: Record<MirrorProgress["phase"], string> = {
  metadata: "Listing runs",
  points: "Points",
  logs: "Logs",
  media: "Media",
  commit: "Committing",
};

function parseFilter(value: string | undefined): unknown[] | undefined {
  if (value === undefined) return undefined;
  let data: unknown;
  try {
    data = JSON.parse(value);
  } catch (error) {
    throw new UsageError(
      `Invalid value for --filter: not valid JSON: ${errorMessage(error)}`,
    );
  }
  if (!Array.isArray(data)) {
    throw new UsageError(
      `Invalid value for --filter: expected a JSON array of {key, type, op, value}`,
    );
  }
  return data;
}

function summaryLine(r: MirrorReport): string {
  const seconds = (r.durationMs / 1000).toFixed(1);
  if (r.dryRun) {
    const toFetch = r.plan.filter((s) => s.action === "fetch").length;
    return `Dry run: ${r.runs.total} runs selected, ${toFetch} to fetch, ${r.runs.kept} up to date (${seconds} s)`;
  }
  return `Mirrored ${r.scope} to ${r.out}: ${r.runs.total} runs (${r.runs.fetched} fetched, ${r.runs.kept} up to date), ${r.points} points, ${r.mediaFiles} media files, ${r.bytesWritten} bytes written in ${seconds} s`;
}

/**
 * The table view of a report: one row per selected run.
 *
 * @param report The report.
 * @returns The rows.
 *
 * @example
 * ```ts ignore
 * planView(report).rows[0]; // { path: "vision-lab/resnet-sweep/abc", action: "fetch", reason: "new" }
 * ```
 */
export function planView(report: MirrorReport): TableView {
  return {
    rows: report.plan.map((s) => ({ path: s.path, action: s.action, reason: s.reason })),
    columns: ["path", "action", "reason"],
  };
}

/**
 * The `mirror` command.
 *
 * @returns The command parser.
 *
 * @example Build the mirror command
 * ```ts ignore
 * import { mirrorCommand } from "./mirror.ts";
 *
 * const parser = mirrorCommand();
 * ```
 */
export function mirrorCommand(): Parser<"sync", Invocation, unknown> {
  return leaf(
    "mirror",
    withCommon({
      target: argument(string({ metavar: "TARGET" }), {
        description: message`workspace, workspace/project or workspace/project/run`,
      }),
      out: option("--out", "-o", string({ metavar: "DIR" }), {
        description: message`The mirror directory (created if missing; its parent must exist).`,
      }),
      dryRun: withDefault(
        flag("--dry-run", "--dry_run", {
          description: message`Only list what would be fetched; write nothing.`,
        }),
        false,
      ),
      filter: optional(option("--filter", string({ metavar: "JSON" }), {
        description: paragraph("Run filters: a JSON array of {key, type, op, value}."),
      })),
      runs: optional(option("--runs", integer({ min: 1, metavar: "N" }), {
        description: message`At most N runs per project.`,
      })),
      since: optional(option("--since", string({ metavar: "DATE" }), {
        description: message`Only runs created at or after DATE (ISO 8601).`,
      })),
      noMedia: withDefault(
        flag("--no-media", "--no_media", { description: message`Do not copy media files.` }),
        false,
      ),
      parallelRuns: optional(
        option("--parallel-runs", "--parallel_runs", integer({ min: 1, metavar: "N" }), {
          description: message`Runs copied at once (default 2; more helps over a slow link).`,
        }),
      ),
    }),
    async (ctx: CommandContext, o) => {
      if (o.out.trim() === "") {
        return await ctx.fail(new UsageError("Invalid value for --out: it must not be empty"));
      }
      let filters: unknown[] | undefined;
      try {
        filters = parseFilter(o.filter);
      } catch (error) {
        return await ctx.fail(error);
      }
      const { isAbsolute, join } = await import("node:path");
      const out = isAbsolute(o.out) ? o.out : join(ctx.io.cwd, o.out);
      const bars = new Map<MirrorProgress["phase"], ProgressBar>();
      const finish = (): void => {
        for (const bar of bars.values()) bar.done();
        bars.clear();
      };
      return await ctx.call(async () => {
        const { mirror } = await loadLibrary();
        try {
          const report = await mirror(o.target, {
            api: await ctx.api(),
            out,
            dryRun: o.dryRun,
            ...(filters ? { filter: { filters: filters as never } } : {}),
            ...(o.runs === undefined ? {} : { runs: o.runs }),
            ...(o.since === undefined ? {} : { since: o.since }),
            media: !o.noMedia,
            ...(o.parallelRuns === undefined ? {} : { parallelRuns: o.parallelRuns }),
            onProgress: (p) => {
              if (o.dryRun && p.phase !== "metadata") return;
              let bar = bars.get(p.phase);
              if (!bar) {
                bar = ctx.progress(LABELS[p.phase], { total: p.total });
                bars.set(p.phase, bar);
              }
              bar.setTotal(p.total);
              bar.update(p.done);
            },
          });
          finish();
          await ctx.note(summaryLine(report));
          return report;
        } finally {
          finish();
        }
      }, planView);
    },
    {
      brief: GROUP_BRIEFS.mirror,
      description:
        "Copy what the query API can read of a workspace, project or run into DIR: metadata,\n" +
        "every scalar point (Parquet, Hive-partitioned), logs and media (content-addressed).\n" +
        "Run it again to fetch only what changed; an interrupted mirror resumes. The manifest is\n" +
        "written last, so DIR always holds a complete mirror. Serve it with `serve --data DIR`.",
      examples: [
        "swanlab-ts mirror vision-lab --out backup",
        "swanlab-ts mirror vision-lab/resnet-sweep --out backup --dry-run",
        "swanlab-ts mirror vision-lab/resnet-sweep --out backup --runs 5 --no-media",
      ],
    },
  );
}
