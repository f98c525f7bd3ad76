/**
 * Metric tools: `list_metric_keys` and `get_metrics` (sampled by default; a step range, head or
 * tail at full resolution on request; never more than {@linkcode MAX_POINTS} points).
 *
 * @module
 */

import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";
import { METRIC_CLASSES, METRIC_TYPES } from "../entities/validation.ts";
import type { RangeQuery } from "../metrics/range_query.ts";
import type { SampledPointJson } from "../metrics/scalar_metrics.ts";
import { registerReadOnlyTool, type ToolDeps } from "./_tool.ts";
import { fence, halvePage, jsonNumber, pageOf } from "./output_bound.ts";

/**
 * The most points one `get_metrics` result holds, over all its keys.
 *
 * @example Points per key for four keys
 * ```ts
 * import { MAX_POINTS } from "./metric_tools.ts";
 *
 * console.log(Math.floor(MAX_POINTS / 4)); // 250
 * ```
 */
export const MAX_POINTS = 1000;
/** The most keys one `get_metrics` call reads. */
const MAX_KEYS = 16;
/** The most keys one `list_metric_keys` result holds. */
const MAX_KEY_PAGE = 500;
/** Points per key shown in the text rendering. */
const TEXT_POINTS = 12;

const valueShape = z.union([z.number(), z.string(), z.null()]);

const pointShape = z.object({
  step: z.number().describe("The step."),
  value: valueShape.describe('The value ("NaN", "INF", "-INF" for non-finite values).'),
  timestamp: z.number().optional().describe("Unix milliseconds (only with timestamps: true)."),
});

type Point = z.infer<typeof pointShape>;

const seriesShape = z.object({
  key: z.string().describe("The metric key."),
  points: z.array(pointShape).describe("The points, in step order."),
  matched: z.number().int().nullable().describe(
    "Points the range selected before the cap (null in sampled mode).",
  ),
  omitted: z.number().int().describe("Points left out by the cap or the size bound."),
  latest: valueShape.describe("Latest value of the whole series (sampled mode; else null)."),
  min: valueShape.describe("Minimum of the whole series (sampled mode; else null)."),
  max: valueShape.describe("Maximum of the whole series (sampled mode; else null)."),
});

type SeriesRow = z.infer<typeof seriesShape>;

/**
 * A value as JSON can carry it: finite numbers as they are, non-finite ones as the server's
 * strings.
 *
 * @param value A value from the library.
 * @returns The value for a result.
 */
function jsonValue(value: number | string | undefined | null): number | string | null {
  if (value === undefined || value === null) return null;
  if (typeof value === "string") return value;
  return jsonNumber(value);
}

function sampledPoint(point: SampledPointJson, timestamps: boolean): Point {
  return {
    step: point.index,
    value: jsonValue(point.data),
    ...(timestamps && typeof point.timestamp === "number" ? { timestamp: point.timestamp } : {}),
  };
}

/** Keeps every other point, always keeping the last one. */
function thin(points: Point[]): Point[] {
  return points.filter((_, i) => (points.length - 1 - i) % 2 === 0);
}

function renderSeries(series: SeriesRow): string {
  const { points } = series;
  const stride = Math.max(1, Math.ceil(points.length / TEXT_POINTS));
  const shown = points.filter((_, i) => i % stride === 0 || i === points.length - 1);
  const range = points.length > 0
    ? `steps ${points[0]!.step}-${points[points.length - 1]!.step}`
    : "no points";
  const stats = series.latest === null && series.min === null
    ? ""
    : `; latest ${series.latest}, min ${series.min}, max ${series.max}`;
  return `${series.key}: ${points.length} points (${range})` +
    (series.omitted > 0 ? `, ${series.omitted} left out` : "") + stats + "\n  " +
    shown.map((p) => `${p.step}:${p.value}`).join(" ");
}

/**
 * Registers `list_metric_keys` and `get_metrics`.
 *
 * @param server The MCP server.
 * @param deps The client and redactor.
 *
 * @example
 * ```ts ignore
 * registerMetricTools(server, deps);
 * ```
 */
export function registerMetricTools(server: McpServer, deps: ToolDeps): void {
  registerReadOnlyTool(server, deps, {
    name: "list_metric_keys",
    title: "List metric keys of a run",
    description:
      "The metric keys a run logged: scalar keys (loss, accuracy, …) by default, or media " +
      "keys (images, audio, …); custom keys by default, or SwanLab's system keys (GPU, CPU, " +
      "memory). Pass the keys to get_metrics or get_media.",
    input: {
      run: z.string().describe("Run path: workspace/project/run_id."),
      type: z.enum(METRIC_TYPES).default("SCALAR").describe("SCALAR or MEDIA keys."),
      class: z.enum(METRIC_CLASSES).default("CUSTOM").describe(
        "CUSTOM (logged by the user) or SYSTEM (logged by SwanLab).",
      ),
      search: z.string().optional().describe("Case-insensitive substring the keys contain."),
      offset: z.number().int().min(0).default(0).describe("Index of the first key."),
      limit: z.number().int().min(1).max(MAX_KEY_PAGE).default(200).describe(
        `Most keys returned (1-${MAX_KEY_PAGE}).`,
      ),
    },
    output: {
      run: z.string().describe("The run path."),
      items: z.array(z.string()).describe("The keys of this page, in the server's order."),
      offset: z.number().int().describe("Index of the first item."),
      total: z.number().int().describe("Number of matching keys in all."),
      next_offset: z.number().int().nullable().describe(
        "Offset of the next page; null at the end.",
      ),
    },
    run: async ({ run, type, class: metricClass, search, offset, limit }, { api }) => {
      const series = api.run(run).series({
        metricType: type,
        metricClass,
        ...(search === undefined ? {} : { search }),
      });
      return { run, ...pageOf(await series.keys, offset, limit) };
    },
    render: (data) => {
      const more = data.next_offset === null ? "" : `; more from offset ${data.next_offset}`;
      return `${data.items.length} of ${data.total} keys of ${data.run}${more}\n` +
        fence("keys", data.items.join("\n"));
    },
    shrink: halvePage,
    narrow: "lower limit or use search",
  });

  registerReadOnlyTool(server, deps, {
    name: "get_metrics",
    title: "Get metrics of a run",
    description:
      "Scalar metric values of a run for up to 16 keys. By default a downsampled series per " +
      "key (up to `sample` points, with the latest value, min and max of the whole series): " +
      "good for trends and divergence checks. For exact values give a step range " +
      "(start_step/end_step) and/or head or tail: full resolution, capped. At most " +
      `${MAX_POINTS} points in all (split over the keys); what the cap leaves out is counted ` +
      "in `omitted`.",
    input: {
      run: z.string().describe("Run path: workspace/project/run_id."),
      keys: z.array(z.string().min(1)).min(1).max(MAX_KEYS).describe(
        'Scalar metric keys, e.g. ["train/loss", "val/acc"] (see list_metric_keys).',
      ),
      sample: z.number().int().min(1).max(MAX_POINTS).default(100).describe(
        "Sampled mode: points per key (capped so that all keys together stay within " +
          `${MAX_POINTS}).`,
      ),
      start_step: z.number().int().min(0).optional().describe(
        "Full-resolution mode: first step (inclusive).",
      ),
      end_step: z.number().int().min(0).optional().describe(
        "Full-resolution mode: last step (inclusive).",
      ),
      head: z.number().int().min(1).optional().describe(
        "Full-resolution mode: only the first N points of the range.",
      ),
      tail: z.number().int().min(1).optional().describe(
        "Full-resolution mode: only the last N points of the range (e.g. the latest values).",
      ),
      timestamps: z.boolean().default(false).describe("Include each point's Unix time in ms."),
    },
    output: {
      run: z.string().describe("The run path."),
      mode: z.enum(["sampled", "range"]).describe("sampled, or range (full resolution)."),
      per_key_cap: z.number().int().describe("The most points kept per key."),
      series: z.array(seriesShape).describe("One entry per distinct key, in request order."),
    },
    run: async (args, { api }) => {
      const keys = [...new Set(args.keys)];
      const cap = Math.floor(MAX_POINTS / keys.length);
      const run = api.run(args.run);
      const ranged = args.start_step !== undefined || args.end_step !== undefined ||
        args.head !== undefined || args.tail !== undefined;
      if (!ranged) {
        const sample = Math.min(args.sample, cap);
        const json = await run.metrics(keys, { sample, onWarning: () => {} });
        const series = json.list.map((entry): SeriesRow => {
          const points = (entry.metrics as SampledPointJson[]).map((p) =>
            sampledPoint(p, args.timestamps)
          );
          const kept = points.slice(0, cap);
          return {
            key: entry.key,
            points: kept,
            matched: null,
            omitted: points.length - kept.length,
            latest: jsonValue(entry.latest?.data),
            min: jsonValue(entry.min?.data),
            max: jsonValue(entry.max?.data),
          };
        });
        return { run: args.run, mode: "sampled" as const, per_key_cap: cap, series };
      }
      const rangeQuery: RangeQuery = {
        type: "step",
        ...(args.start_step === undefined ? {} : { start: args.start_step }),
        ...(args.end_step === undefined ? {} : { end: args.end_step }),
        ...(args.head === undefined ? {} : { head: args.head }),
        ...(args.tail === undefined ? {} : { tail: args.tail }),
      };
      const byKey = new Map<string, { points: Point[]; matched: number }>(
        keys.map((key) => [key, { points: [], matched: 0 }]),
      );
      // A scan streams the points in constant memory: a wide range of a long run is counted,
      // not held. With `tail` the last points are kept, otherwise the first.
      const fromEnd = args.tail !== undefined && args.head === undefined;
      // Column blocks: a point object only for the points kept.
      const scan = run.scanMetrics(keys, { rangeQuery }, { onWarning: () => {} });
      for await (const block of scan.columns()) {
        const entries = block.keys.map((key) => byKey.get(key));
        for (let i = 0; i < block.length; i++) {
          const entry = entries[block.keyIndex[i]!];
          if (entry === undefined) continue;
          entry.matched++;
          if (entry.points.length >= cap && !fromEnd) continue;
          const timestamp = block.timestamps[i]!;
          entry.points.push({
            step: block.steps[i]!,
            value: jsonValue(block.values[i]!),
            ...(args.timestamps && !Number.isNaN(timestamp) ? { timestamp } : {}),
          });
          // Amortized O(1): trim only when twice the cap is held.
          if (entry.points.length >= 2 * cap) entry.points.splice(0, entry.points.length - cap);
        }
      }
      const series = keys.map((key): SeriesRow => {
        const { matched } = byKey.get(key)!;
        const points = byKey.get(key)!.points.slice(-cap);
        return {
          key,
          points,
          matched,
          omitted: matched - points.length,
          latest: null,
          min: null,
          max: null,
        };
      });
      return { run: args.run, mode: "range" as const, per_key_cap: cap, series };
    },
    render: (data) =>
      `Metrics of ${data.run} (${data.mode}, at most ${data.per_key_cap} points per key)\n` +
      fence("series, then step:value samples", data.series.map(renderSeries).join("\n")),
    shrink: (data) => {
      if (data.series.every((s) => s.points.length <= 1)) return undefined;
      return {
        ...data,
        series: data.series.map((s) => {
          const points = thin(s.points);
          return { ...s, points, omitted: s.omitted + s.points.length - points.length };
        }),
      };
    },
    narrow: "ask fewer keys, a smaller sample, or a narrower step range",
  });
}
