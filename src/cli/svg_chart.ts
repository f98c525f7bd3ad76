/**
 * Standalone SVG line charts for `run metrics --plot-out FILE.svg`: axes with ticks and grid
 * lines, a legend, and one `<polyline>` per series (a series with `NaN` gaps gets one polyline
 * per unbroken segment, grouped in one `<g>`).
 *
 * @module
 */

import { type ChartSeries, formatTick, niceTicks } from "./chart.ts";
import { terminalText } from "../core/terminal_text.ts";

/**
 * Options of {@linkcode renderSvgChart}.
 *
 * @example A small chart
 * ```ts
 * import type { SvgChartOptions } from "./svg_chart.ts";
 *
 * const options: SvgChartOptions = { width: 400, height: 240, title: "loss", xLabel: "step" };
 * ```
 */
export interface SvgChartOptions {
  /** Image width in pixels. @default {800} */
  width?: number;
  /** Image height in pixels. @default {420} */
  height?: number;
  /** A title above the plot. */
  title?: string;
  /** The x axis name, e.g. `step`. */
  xLabel?: string;
  /** The y axis name. */
  yLabel?: string;
}

/**
 * The line colours, in series order.
 *
 * @example The first line colour
 * ```ts
 * import { SVG_PALETTE } from "./svg_chart.ts";
 *
 * console.log(SVG_PALETTE[0]); // "#1f77b4"
 * ```
 */
export const SVG_PALETTE: readonly string[] = [
  "#1f77b4",
  "#ff7f0e",
  "#2ca02c",
  "#d62728",
  "#9467bd",
  "#8c564b",
  "#e377c2",
  "#17becf",
];

/**
 * Escapes text for XML content and attribute values. Characters XML 1.0 cannot carry at all
 * (controls, lone surrogates) and the bidi and format characters that could disguise a label
 * are first made visible (`\u001b` style, see {@linkcode terminalText}), so the file always
 * parses and shows what the server sent.
 *
 * @param text The text.
 * @returns The escaped text.
 *
 * @example Escape a legend name
 * ```ts
 * import { escapeXml } from "./svg_chart.ts";
 *
 * escapeXml('a<b & "c"'); // "a&lt;b &amp; &quot;c&quot;"
 * escapeXml("x\x1b[31m"); // "x\\u001b[31m"
 * ```
 */
export function escapeXml(text: string): string {
  return terminalText(text).replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;").replaceAll("'", "&apos;");
}

const round = (value: number) => Math.round(value * 100) / 100;

/**
 * Renders series as a standalone SVG document.
 *
 * @param series The series; non-finite `y` values are gaps.
 * @param options Size, title and axis names.
 * @returns The SVG text (UTF-8, with the XML declaration).
 *
 * @example A one-key chart
 * ```ts
 * import { renderSvgChart } from "./svg_chart.ts";
 *
 * const svg = renderSvgChart(
 *   [{ name: "train/loss", points: [{ x: 0, y: 1 }, { x: 1, y: 0.5 }, { x: 2, y: 0.25 }] }],
 *   { title: "alice/mnist/abc123", xLabel: "step" },
 * );
 * svg.includes("<polyline"); // true
 * ```
 */
export function renderSvgChart(
  series: readonly ChartSeries[],
  options: SvgChartOptions = {},
): string {
  const width = options.width ?? 800;
  const height = options.height ?? 420;
  const margin = { top: options.title ? 40 : 20, right: 20, bottom: 50, left: 70 };
  const legendRows = series.length > 0 ? Math.ceil(series.length / 4) : 0;
  margin.bottom += legendRows * 18;
  const plotW = width - margin.left - margin.right;
  const plotH = height - margin.top - margin.bottom;

  let xMin = Infinity, xMax = -Infinity, yMin = Infinity, yMax = -Infinity;
  for (const s of series) {
    for (const p of s.points) {
      if (!Number.isFinite(p.x) || !Number.isFinite(p.y)) continue;
      xMin = Math.min(xMin, p.x);
      xMax = Math.max(xMax, p.x);
      yMin = Math.min(yMin, p.y);
      yMax = Math.max(yMax, p.y);
    }
  }
  const empty = xMin === Infinity;
  if (empty) [xMin, xMax, yMin, yMax] = [0, 1, 0, 1];
  const y = niceTicks(yMin, yMax, 6);
  const x = niceTicks(xMin, xMax, 8);
  const xLow = xMin === xMax ? xMin - 1 : xMin;
  const xHigh = xMin === xMax ? xMax + 1 : xMax;
  const sx = (value: number) => margin.left + ((value - xLow) / (xHigh - xLow)) * plotW;
  const sy = (value: number) => margin.top + ((y.max - value) / (y.max - y.min)) * plotH;

  const out: string[] = [];
  out.push(`<?xml version="1.0" encoding="UTF-8"?>`);
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, -apple-system, Segoe UI, Helvetica, Arial, sans-serif" font-size="12">`,
  );
  out.push(`<rect x="0" y="0" width="${width}" height="${height}" fill="#ffffff"/>`);
  if (options.title) {
    out.push(
      `<text x="${
        width / 2
      }" y="24" text-anchor="middle" font-size="15" font-weight="600" fill="#222">${
        escapeXml(options.title)
      }</text>`,
    );
  }

  // Grid and y ticks.
  out.push(`<g class="y-axis" fill="#444">`);
  for (const tick of y.ticks) {
    const py = round(sy(tick));
    out.push(
      `<line x1="${margin.left}" y1="${py}" x2="${
        margin.left + plotW
      }" y2="${py}" stroke="#e5e5e5"/>`,
    );
    out.push(
      `<text x="${margin.left - 8}" y="${py + 4}" text-anchor="end">${
        escapeXml(formatTick(tick, y.step))
      }</text>`,
    );
  }
  out.push(`</g>`);
  out.push(`<g class="x-axis" fill="#444">`);
  for (const tick of x.ticks) {
    if (tick < xLow || tick > xHigh) continue;
    const px = round(sx(tick));
    const base = margin.top + plotH;
    out.push(`<line x1="${px}" y1="${base}" x2="${px}" y2="${base + 5}" stroke="#444"/>`);
    out.push(
      `<text x="${px}" y="${base + 18}" text-anchor="middle">${
        escapeXml(formatTick(tick, x.step))
      }</text>`,
    );
  }
  out.push(`</g>`);
  // Axes.
  out.push(
    `<path class="axes" d="M${margin.left},${margin.top} V${margin.top + plotH} H${
      margin.left + plotW
    }" fill="none" stroke="#444"/>`,
  );
  if (options.xLabel) {
    out.push(
      `<text x="${margin.left + plotW / 2}" y="${
        margin.top + plotH + 36
      }" text-anchor="middle" fill="#444">${escapeXml(options.xLabel)}</text>`,
    );
  }
  if (options.yLabel) {
    const cy = margin.top + plotH / 2;
    out.push(
      `<text x="16" y="${cy}" text-anchor="middle" fill="#444" transform="rotate(-90 16 ${cy})">${
        escapeXml(options.yLabel)
      }</text>`,
    );
  }
  if (empty) {
    out.push(
      `<text x="${margin.left + plotW / 2}" y="${
        margin.top + plotH / 2
      }" text-anchor="middle" fill="#888">no data</text>`,
    );
  }

  // Series.
  series.forEach((s, index) => {
    const color = SVG_PALETTE[index % SVG_PALETTE.length]!;
    const segments: string[][] = [];
    let current: string[] = [];
    for (const p of s.points) {
      if (!Number.isFinite(p.x) || !Number.isFinite(p.y)) {
        if (current.length > 0) segments.push(current);
        current = [];
        continue;
      }
      current.push(`${round(sx(p.x))},${round(sy(p.y))}`);
    }
    if (current.length > 0) segments.push(current);
    out.push(`<g class="series" data-key="${escapeXml(s.name)}">`);
    out.push(`<title>${escapeXml(s.name)}</title>`);
    for (const segment of segments) {
      if (segment.length === 1) {
        const [cx, cy] = segment[0]!.split(",");
        out.push(`<circle cx="${cx}" cy="${cy}" r="2" fill="${color}"/>`);
      } else {
        out.push(
          `<polyline fill="none" stroke="${color}" stroke-width="1.5" stroke-linejoin="round" points="${
            segment.join(" ")
          }"/>`,
        );
      }
    }
    out.push(`</g>`);
  });

  // Legend, four entries per row under the x axis.
  out.push(`<g class="legend" fill="#222">`);
  const legendTop = margin.top + plotH + 44;
  const slot = plotW / 4;
  series.forEach((s, index) => {
    const color = SVG_PALETTE[index % SVG_PALETTE.length]!;
    const lx = round(margin.left + (index % 4) * slot);
    const ly = legendTop + Math.floor(index / 4) * 18;
    out.push(
      `<line x1="${lx}" y1="${ly}" x2="${lx + 18}" y2="${ly}" stroke="${color}" stroke-width="3"/>`,
    );
    out.push(`<text x="${lx + 24}" y="${ly + 4}">${escapeXml(s.name)}</text>`);
  });
  out.push(`</g>`);
  out.push(`</svg>`);
  return out.join("\n") + "\n";
}
