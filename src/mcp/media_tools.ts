/**
 * The media tool: `get_media` (presigned URLs of images, audio, … at one step; never the bytes).
 *
 * @module
 */

import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";
import type { MediaItemJson } from "../metrics/medias.ts";
import { registerReadOnlyTool, type ToolDeps } from "./_tool.ts";
import { clip, fence } from "./output_bound.ts";

/** The most media items one result holds, over all keys. */
const MAX_ITEMS = 60;
/** The most steps listed per key. */
const MAX_STEPS = 100;
/** The most keys per call. */
const MAX_KEYS = 8;

const itemShape = z.object({
  url: z.string().describe("Presigned download URL (expires; fetch it soon)."),
  caption: z.string().describe('The caption ("" when none).'),
});

const mediaSeriesShape = z.object({
  key: z.string().describe("The media key."),
  step: z.number().int().nullable().describe("The step shown (null when the key has no media)."),
  items: z.array(itemShape).describe("The media objects at that step."),
  omitted: z.number().int().describe("Media objects at that step left out by the cap."),
  steps: z.array(z.number().int()).describe(`Steps that have media (the last ${MAX_STEPS}).`),
  steps_total: z.number().int().describe("Number of steps that have media."),
});

function item(json: MediaItemJson): z.infer<typeof itemShape> {
  return {
    url: String(json.url ?? ""),
    caption: typeof json["caption"] === "string" ? clip(json["caption"], 300) : "",
  };
}

/**
 * Registers `get_media`.
 *
 * @param server The MCP server.
 * @param deps The client and redactor.
 *
 * @example
 * ```ts ignore
 * registerMediaTools(server, deps);
 * ```
 */
export function registerMediaTools(server: McpServer, deps: ToolDeps): void {
  registerReadOnlyTool(server, deps, {
    name: "get_media",
    title: "Get media of a run",
    description:
      "Media a run logged (images, audio, video, text) at one step, as presigned download " +
      "URLs with captions, plus the list of steps that have media. The latest step by " +
      "default. Never returns the bytes; URLs expire, so fetch them soon.",
    input: {
      run: z.string().describe("Run path: workspace/project/run_id."),
      keys: z.array(z.string().min(1)).min(1).max(MAX_KEYS).describe(
        "Media keys (see list_metric_keys with type MEDIA).",
      ),
      step: z.number().int().min(0).optional().describe("The step; the latest when omitted."),
    },
    output: {
      run: z.string().describe("The run path."),
      series: z.array(mediaSeriesShape).describe("One entry per distinct key."),
    },
    run: async ({ run, keys, step }, { api }) => {
      const json = await api.run(run).medias(keys, { step: step ?? null });
      let budget = MAX_ITEMS;
      const series = json.list.map((entry) => {
        const at = entry.metrics[0];
        const all = (at?.items ?? []).map(item);
        const items = all.slice(0, Math.max(0, budget));
        budget -= items.length;
        const steps = entry.steps ?? [];
        return {
          key: entry.key,
          step: at === undefined ? null : at.index,
          items,
          omitted: all.length - items.length,
          steps: steps.slice(-MAX_STEPS),
          steps_total: steps.length,
        };
      });
      return { run, series };
    },
    render: (data) =>
      `Media of ${data.run}\n` +
      data.series.map((s) =>
        `${s.key} at step ${s.step ?? "-"}: ${s.items.length} items` +
        (s.omitted > 0 ? ` (${s.omitted} left out)` : "") +
        `; ${s.steps_total} steps have media\n` +
        fence("url, caption", s.items.map((i) => `${i.url}\t${i.caption}`).join("\n"))
      ).join("\n"),
    shrink: (data) => {
      if (data.series.every((s) => s.items.length <= 1)) return undefined;
      return {
        ...data,
        series: data.series.map((s) => {
          const items = s.items.slice(0, Math.ceil(s.items.length / 2));
          return { ...s, items, omitted: s.omitted + s.items.length - items.length };
        }),
      };
    },
    narrow: "ask fewer keys",
  });
}
