/**
 * Metric rows of several runs in memory, with one SVG line chart per key (one line per run)
 * for notebooks.
 *
 * @module
 */

import type { MetricRow } from "./metric_row.ts";

/**
 * Long-format metric rows in memory (what a multi-run scan's `collect()` returns). In a Deno
 * Jupyter notebook it displays one SVG chart per key, with a line per run.
 *
 * @example Build and chart rows
 * ```ts
 * import { MetricTable } from "./metric_table.ts";
 *
 * const table = new MetricTable([
 *   { run: "c1", key: "loss", step: 0, value: 1 },
 *   { run: "c1", key: "loss", step: 1, value: 0.5 },
 * ]);
 * console.log(table.keys, table.runs); // ["loss"] ["c1"]
 * const svg = await table.toSvg("loss");
 * ```
 */
export class MetricTable {
  /** The rows, in scan order (run by run). */
  readonly rows: readonly MetricRow[];
  /** Legend names by run id (e.g. run names); ids are shown otherwise. */
  readonly runNames: ReadonlyMap<string, string>;

  /**
   * Creates a table of metric rows.
   *
   * @param rows The rows.
   * @param runNames Legend names by run id.
   */
  constructor(rows: readonly MetricRow[], runNames: ReadonlyMap<string, string> = new Map()) {
    this.rows = rows;
    this.runNames = runNames;
  }

  /** The keys, in order of first appearance. */
  get keys(): string[] {
    return [...new Set(this.rows.map((r) => r.key))];
  }

  /** The run ids, in order of first appearance. */
  get runs(): string[] {
    return [...new Set(this.rows.map((r) => r.run))];
  }

  /**
   * One key as an SVG line chart: x is the step, one line per run.
   *
   * @param key The metric key.
   * @param options The size in pixels.
   * @returns The SVG document.
   */
  async toSvg(key: string, options: { width?: number; height?: number } = {}): Promise<string> {
    // The CLI's renderer, loaded only when a chart is drawn (notebooks, `--plot-out`).
    const { renderSvgChart } = await import("../cli/svg_chart.ts");
    const byRun = new Map<string, { x: number; y: number }[]>();
    for (const row of this.rows) {
      if (row.key !== key) continue;
      let points = byRun.get(row.run);
      if (points === undefined) byRun.set(row.run, points = []);
      points.push({ x: row.step, y: row.value });
    }
    const series = [...byRun].map(([run, points]) => ({
      name: this.runNames.get(run) ?? run,
      points: points.sort((a, b) => a.x - b.x),
    }));
    return renderSvgChart(series, { title: key, xLabel: "step", yLabel: key, ...options });
  }

  /**
   * Every key's chart as inline SVG in HTML.
   *
   * @returns The HTML text.
   */
  async toHtml(): Promise<string> {
    const charts: string[] = [];
    for (const key of this.keys) {
      charts.push((await this.toSvg(key)).replace(/^<\?xml[^>]*>\s*/, ""));
    }
    return charts.length > 0 ? charts.join("\n") : "<p>No points</p>";
  }

  /**
   * What a Deno Jupyter notebook displays: one chart per key.
   *
   * @returns The MIME bundle.
   */
  async [Symbol.for("Jupyter.display")](): Promise<Record<string, string>> {
    return { "text/html": await this.toHtml() };
  }
}
