/**
 * Terminal line charts: one or more series drawn with braille dots (2×4 per character) or,
 * without colour for several series, with one marker character per series; y axis with tick
 * labels on the left, x axis with tick labels below, a legend, all fitted to a width. `NaN`
 * values break a line (a gap).
 *
 * @module
 */

import { createStyle, displayWidth, type Style } from "./style.ts";
import { terminalText } from "../core/terminal_text.ts";

/**
 * One point of a series; a non-finite `y` is a gap.
 *
 * @example A point with a gap
 * ```ts
 * import type { ChartPoint } from "./chart.ts";
 *
 * const gap: ChartPoint = { x: 10, y: NaN };
 * ```
 */
export interface ChartPoint {
  /** The x value (step or timestamp). */
  x: number;
  /** The y value; `NaN` (or ±Infinity) leaves a gap. */
  y: number;
}

/**
 * A named series of points, in x order.
 *
 * @example One key
 * ```ts
 * import type { ChartSeries } from "./chart.ts";
 *
 * const series: ChartSeries = { name: "loss", points: [{ x: 0, y: 1 }, { x: 1, y: 0.5 }] };
 * ```
 */
export interface ChartSeries {
  /** The legend name (e.g. the metric key). */
  name: string;
  /** The points. */
  points: readonly ChartPoint[];
}

/**
 * Options of {@linkcode renderLineChart}.
 *
 * @example A short, wide chart
 * ```ts
 * import type { LineChartOptions } from "./chart.ts";
 *
 * const options: LineChartOptions = { width: 120, height: 8, xLabel: "step" };
 * ```
 */
export interface LineChartOptions {
  /** Total width in columns (labels included). */
  width: number;
  /**
   * Plot height in rows (axes and legend excluded).
   * @default {15}
   */
  height?: number;
  /** Colours; without, a single series uses braille and several use markers. */
  style?: Style;
  /**
   * `braille` (2×4 dots per cell) or `ascii` (one marker per cell, per series).
   * @default {"braille" with colour or a single series, else "ascii"}
   */
  mode?: "braille" | "ascii";
  /** A title line above the plot. */
  title?: string;
  /** The x axis name shown after the x labels, e.g. `step`. */
  xLabel?: string;
}

/**
 * Markers of the `ascii` mode, one per series.
 *
 * @example The first series' marker
 * ```ts
 * import { ASCII_MARKERS } from "./chart.ts";
 *
 * console.log(ASCII_MARKERS[0]); // "*"
 * ```
 */
export const ASCII_MARKERS: readonly string[] = ["*", "+", "o", "x", "#", "@", "%", "&"];

/**
 * Round tick values covering `[min, max]` ("nice numbers": steps of 1, 2 or 5 × 10ⁿ).
 *
 * @param min The lower bound.
 * @param max The upper bound.
 * @param count About how many ticks.
 * @returns The ticks, the step and the rounded bounds.
 *
 * @example Round ticks for a loss axis
 * ```ts
 * import { niceTicks } from "./chart.ts";
 *
 * niceTicks(0.13, 2.4, 5).ticks; // [0, 1, 2, 3]
 * ```
 */
export function niceTicks(
  min: number,
  max: number,
  count: number,
): { ticks: number[]; step: number; min: number; max: number } {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return { ticks: [], step: 1, min: 0, max: 1 };
  if (min === max) {
    const pad = min === 0 ? 1 : Math.abs(min) * 0.1;
    min -= pad;
    max += pad;
  }
  const range = niceNumber(max - min, false);
  const step = niceNumber(range / Math.max(1, count - 1), true);
  const low = Math.floor(min / step) * step;
  const high = Math.ceil(max / step) * step;
  const ticks: number[] = [];
  const digits = Math.max(0, -Math.floor(Math.log10(step)) + 1);
  for (let value = low; value <= high + step * 1e-9; value += step) {
    ticks.push(Number(value.toFixed(Math.min(20, digits))));
  }
  return { ticks, step, min: low, max: high };
}

function niceNumber(value: number, round: boolean): number {
  const exponent = Math.floor(Math.log10(value));
  const fraction = value / 10 ** exponent;
  let nice: number;
  if (round) nice = fraction < 1.5 ? 1 : fraction < 3 ? 2 : fraction < 7 ? 5 : 10;
  else nice = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10;
  return nice * 10 ** exponent;
}

/**
 * Formats a tick value with as many decimals as its step needs; large values get `k`/`M`/`G`.
 *
 * @param value The tick value.
 * @param step The tick step.
 * @returns The label.
 *
 * @example Axis labels
 * ```ts
 * import { formatTick } from "./chart.ts";
 *
 * formatTick(0.25, 0.05); // "0.25"
 * formatTick(15000, 5000); // "15k"
 * ```
 */
export function formatTick(value: number, step: number): string {
  const abs = Math.abs(value);
  if (abs >= 1e4 && step >= 1) {
    for (const [unit, size] of [["G", 1e9], ["M", 1e6], ["k", 1e3]] as const) {
      if (abs >= size) {
        const scaled = value / size;
        const decimals = Math.max(0, Math.min(3, -Math.floor(Math.log10(step / size))));
        return `${Number(scaled.toFixed(decimals))}${unit}`;
      }
    }
  }
  if (abs !== 0 && abs < 1e-3 && step < 1e-3) return value.toExponential(1);
  const decimals = Math.max(0, Math.min(10, -Math.floor(Math.log10(step))));
  return String(Number(value.toFixed(decimals)));
}

// Braille dot bits by [column][row] within a 2×4 cell.
const BRAILLE_BITS = [[0x01, 0x02, 0x04, 0x40], [0x08, 0x10, 0x20, 0x80]];

interface Canvas {
  cols: number;
  rows: number;
  xScale: number;
  yScale: number;
  plot(x: number, y: number, series: number): void;
  cell(col: number, row: number): { text: string; series: number } | undefined;
}

function brailleCanvas(cols: number, rows: number): Canvas {
  const bits = new Uint8Array(cols * rows);
  const owner = new Int16Array(cols * rows).fill(-1);
  return {
    cols,
    rows,
    xScale: 2,
    yScale: 4,
    plot(x, y, series) {
      const col = Math.floor(x / 2);
      const row = Math.floor(y / 4);
      if (col < 0 || col >= cols || row < 0 || row >= rows) return;
      bits[row * cols + col]! |= BRAILLE_BITS[x % 2]![y % 4]!;
      owner[row * cols + col] = series;
    },
    cell(col, row) {
      const value = bits[row * cols + col]!;
      if (value === 0) return undefined;
      return { text: String.fromCharCode(0x2800 + value), series: owner[row * cols + col]! };
    },
  };
}

function markerCanvas(cols: number, rows: number): Canvas {
  const owner = new Int16Array(cols * rows).fill(-1);
  return {
    cols,
    rows,
    xScale: 1,
    yScale: 1,
    plot(x, y, series) {
      if (x < 0 || x >= cols || y < 0 || y >= rows) return;
      owner[y * cols + x] = series;
    },
    cell(col, row) {
      const series = owner[row * cols + col]!;
      if (series < 0) return undefined;
      return { text: ASCII_MARKERS[series % ASCII_MARKERS.length]!, series };
    },
  };
}

function drawLine(
  canvas: Canvas,
  from: [number, number],
  to: [number, number],
  series: number,
): void {
  let [x0, y0] = from;
  const [x1, y1] = to;
  const dx = Math.abs(x1 - x0);
  const dy = -Math.abs(y1 - y0);
  const sx = x0 < x1 ? 1 : -1;
  const sy = y0 < y1 ? 1 : -1;
  let error = dx + dy;
  for (let guard = 0; guard < 100_000; guard++) {
    canvas.plot(x0, y0, series);
    if (x0 === x1 && y0 === y1) return;
    const twice = 2 * error;
    if (twice >= dy) {
      error += dy;
      x0 += sx;
    }
    if (twice <= dx) {
      error += dx;
      y0 += sy;
    }
  }
}

/**
 * Renders series as a line chart for a terminal.
 *
 * @param series The series (each point's `x` ascending); non-finite `y` values are gaps.
 * @param options Width, height, style and labels.
 * @returns The chart lines joined with `\n` (ending with a newline), each at most `width`
 * columns wide; `(no data)` when no series has a finite point.
 *
 * @example Two metrics
 * ```ts
 * import { renderLineChart } from "./chart.ts";
 *
 * const loss = Array.from({ length: 100 }, (_, i) => ({ x: i, y: Math.exp(-i / 30) }));
 * const val = loss.map((p) => ({ x: p.x, y: p.y + 0.05 }));
 * console.log(renderLineChart(
 *   [{ name: "train/loss", points: loss }, { name: "val/loss", points: val }],
 *   { width: 80, height: 12, xLabel: "step" },
 * ));
 * ```
 */
export function renderLineChart(series: readonly ChartSeries[], options: LineChartOptions): string {
  const style = options.style ?? createStyle(false);
  const height = Math.max(3, Math.floor(options.height ?? 15));
  const width = Math.max(20, Math.floor(options.width));
  const mode = options.mode ?? (style.enabled || series.length <= 1 ? "braille" : "ascii");

  let xMin = Infinity, xMax = -Infinity, yMin = Infinity, yMax = -Infinity;
  for (const s of series) {
    for (const p of s.points) {
      if (!Number.isFinite(p.x) || !Number.isFinite(p.y)) continue;
      if (p.x < xMin) xMin = p.x;
      if (p.x > xMax) xMax = p.x;
      if (p.y < yMin) yMin = p.y;
      if (p.y > yMax) yMax = p.y;
    }
  }
  const lines: string[] = [];
  // The title and the legend carry server text (run paths, metric keys): made terminal-safe
  // here, once, before any colour is added.
  if (options.title) lines.push(style.bold(fitText(terminalText(options.title), width)));
  if (xMin === Infinity) {
    lines.push("(no data)");
    return lines.join("\n") + "\n";
  }

  const y = niceTicks(yMin, yMax, Math.max(2, Math.min(6, Math.floor(height / 3) + 1)));
  const yLabels = y.ticks.map((t) => formatTick(t, y.step));
  const labelWidth = Math.max(...yLabels.map((l) => displayWidth(l)));
  const cols = Math.max(8, width - labelWidth - 2);
  const canvas = mode === "braille" ? brailleCanvas(cols, height) : markerCanvas(cols, height);
  const pixelWidth = cols * canvas.xScale;
  const pixelHeight = height * canvas.yScale;
  const xSpan = xMax - xMin;
  const ySpan = y.max - y.min;
  const px = (x: number) =>
    xSpan === 0 ? Math.floor(pixelWidth / 2) : Math.round(((x - xMin) / xSpan) * (pixelWidth - 1));
  const py = (v: number) => Math.round(((y.max - v) / ySpan) * (pixelHeight - 1));

  series.forEach((s, index) => {
    let previous: [number, number] | undefined;
    for (const p of s.points) {
      if (!Number.isFinite(p.x) || !Number.isFinite(p.y)) {
        previous = undefined;
        continue;
      }
      const point: [number, number] = [px(p.x), py(p.y)];
      if (previous) drawLine(canvas, previous, point, index);
      else canvas.plot(point[0], point[1], index);
      previous = point;
    }
  });

  // Rows, with y tick labels at the rows their values fall on.
  const tickAtRow = new Map<number, string>();
  y.ticks.forEach((tick, i) => {
    const row = Math.min(height - 1, Math.floor(py(tick) / canvas.yScale));
    if (!tickAtRow.has(row)) tickAtRow.set(row, yLabels[i]!);
  });
  for (let row = 0; row < height; row++) {
    const label = tickAtRow.get(row);
    let line = (label ?? "").padStart(labelWidth) + " " + style.dim(label ? "┤" : "│");
    for (let col = 0; col < cols; col++) {
      const cell = canvas.cell(col, row);
      line += cell ? style.series(cell.series, cell.text) : " ";
    }
    lines.push(line.trimEnd());
  }

  // X axis with ticks and labels.
  const x = niceTicks(xMin, xMax, Math.max(2, Math.min(8, Math.floor(cols / 12))));
  const xTicks = x.ticks.filter((t) => t >= xMin && t <= xMax);
  const axis = [..."─".repeat(cols)];
  let labelLine = " ".repeat(labelWidth + 2 + cols);
  let lastEnd = -2;
  for (const tick of xTicks) {
    const col = Math.min(cols - 1, Math.floor(px(tick) / canvas.xScale));
    axis[col] = "┬";
    const text = formatTick(tick, x.step);
    const start = Math.max(0, Math.min(cols - text.length, col - Math.floor(text.length / 2)));
    if (start <= lastEnd + 1) continue;
    const at = labelWidth + 2 + start;
    labelLine = labelLine.slice(0, at) + text + labelLine.slice(at + text.length);
    lastEnd = start + text.length - 1;
  }
  lines.push(" ".repeat(labelWidth + 1) + style.dim("└" + axis.join("")));
  const xName = options.xLabel ? `  ${options.xLabel}` : "";
  lines.push(fitText(labelLine.trimEnd() + style.dim(xName), width));

  // Legend.
  const legend = series.map((s, i) => {
    const swatch = mode === "ascii" ? ASCII_MARKERS[i % ASCII_MARKERS.length]! : "━━";
    return `${style.series(i, swatch)} ${terminalText(s.name)}`;
  }).join("   ");
  if (series.length > 0) lines.push(" ".repeat(labelWidth + 2) + legend);
  return lines.map((l) => fitText(l, width)).join("\n") + "\n";
}

function fitText(text: string, width: number): string {
  if (displayWidth(text) <= width) return text;
  // Our own colour escapes are kept whole (a cut escape would swallow what follows) and the
  // colour is reset after the cut; server text reaches here already made terminal-safe.
  let out = "";
  let used = 0;
  let painted = false;
  // deno-lint-ignore no-control-regex
  for (const [token] of text.matchAll(/\x1b\[[0-9;?]*[A-Za-z]|[^]/gu)) {
    if (token.length > 1 && token.startsWith("\x1b")) {
      out += token;
      painted = true;
      continue;
    }
    const w = displayWidth(token);
    if (used + w > width - 1) break;
    out += token;
    used += w;
  }
  return out + (painted ? "\x1b[0m" : "") + "…";
}

/**
 * Turns the points of a metrics result entry into chart points: both shapes are accepted,
 * sampled `{index, data}` and full `{step, value}`; `"NaN"`/`"INF"`/`null` values become gaps.
 *
 * @param points The entry's `metrics` array.
 * @returns The chart points, sorted by x.
 *
 * @example Both point shapes
 * ```ts
 * import { toChartPoints } from "./chart.ts";
 *
 * toChartPoints([{ index: 1, data: 0.5 }, { step: 2, value: "NaN" }]);
 * // [{ x: 1, y: 0.5 }, { x: 2, y: NaN }]
 * ```
 */
export function toChartPoints(points: readonly unknown[]): ChartPoint[] {
  const out: ChartPoint[] = [];
  for (const item of points) {
    if (typeof item !== "object" || item === null) continue;
    const record = item as Record<string, unknown>;
    const x = Number(record["index"] ?? record["step"]);
    const raw = record["data"] ?? record["value"];
    const y = typeof raw === "number" ? raw : typeof raw === "string" ? Number(raw) : NaN;
    if (Number.isFinite(x)) out.push({ x, y });
  }
  return out.sort((a, b) => a.x - b.x);
}

/**
 * Turns a `run.metrics()` result (`{ list: [{ key, metrics }] }`) into chart series, one per key.
 *
 * @param data The metrics JSON.
 * @returns The series.
 *
 * @example Series from run.metrics()
 * ```ts
 * import { seriesOfMetrics } from "./chart.ts";
 *
 * seriesOfMetrics({ list: [{ key: "loss", metrics: [{ index: 0, data: 1 }] }] });
 * // [{ name: "loss", points: [{ x: 0, y: 1 }] }]
 * ```
 */
export function seriesOfMetrics(data: unknown): ChartSeries[] {
  const list = typeof data === "object" && data !== null
    ? (data as { list?: unknown }).list
    : undefined;
  if (!Array.isArray(list)) return [];
  return list.flatMap((entry) => {
    if (typeof entry !== "object" || entry === null) return [];
    const record = entry as { key?: unknown; metrics?: unknown };
    return [{
      name: String(record.key ?? ""),
      points: toChartPoints(Array.isArray(record.metrics) ? record.metrics : []),
    }];
  });
}
