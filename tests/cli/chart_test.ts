// deno-lint-ignore-file no-control-regex -- the tests look for ANSI escapes
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  ASCII_MARKERS,
  formatTick,
  niceTicks,
  renderLineChart,
  seriesOfMetrics,
  toChartPoints,
} from "../../src/cli/chart.ts";
import { escapeXml, renderSvgChart } from "../../src/cli/svg_chart.ts";
import { createStyle, displayWidth, stripAnsi } from "../../src/cli/style.ts";

const loss = Array.from({ length: 200 }, (_, i) => ({ x: i, y: 2 * Math.exp(-i / 50) }));
const val = loss.map((p) => ({ x: p.x, y: p.y + 0.1 }));

describe("niceTicks() and formatTick()", () => {
  it("covers the range with round steps", () => {
    const t = niceTicks(0.13, 2.4, 5);
    assert.deepEqual(t.ticks, [0, 1, 2, 3]);
    assert.equal(t.step, 1);
    assert.deepEqual(niceTicks(0.13, 2.4, 10).ticks, [0, 0.5, 1, 1.5, 2, 2.5]);
    assert.ok(t.min <= 0.13 && t.max >= 2.4);
  });

  it("widens a flat range", () => {
    const t = niceTicks(5, 5, 4);
    assert.ok(t.min < 5 && t.max > 5);
  });

  it("formats labels with the decimals the step needs and k/M suffixes", () => {
    assert.equal(formatTick(0.25, 0.05), "0.25");
    assert.equal(formatTick(15000, 5000), "15k");
    assert.equal(formatTick(2_500_000, 500_000), "2.5M");
    assert.equal(formatTick(400, 100), "400");
  });
});

describe("renderLineChart()", () => {
  it("fits every line to the width, with y tick labels, an x axis, x labels and a legend", () => {
    for (const width of [40, 80, 133]) {
      const chart = renderLineChart([{ name: "train/loss", points: loss }], {
        width,
        height: 10,
        xLabel: "step",
      });
      const lines = chart.trimEnd().split("\n");
      for (const line of lines) assert.ok(displayWidth(line) <= width, `${width}: ${line}`);
      assert.equal(lines.length, 10 + 3); // rows, axis, x labels, legend
      assert.match(lines[0]!, /^\s*2\s┤/); // top y tick
      assert.match(lines[10]!, /└[─┬]+$/);
      assert.match(lines[11]!, /\b0\b.*step$/);
      assert.match(lines[12]!, /train\/loss/);
    }
  });

  it("draws braille dots for one series", () => {
    const chart = renderLineChart([{ name: "loss", points: loss }], { width: 60, height: 8 });
    assert.match(chart, /[\u2801-\u28ff]/);
  });

  it("uses one marker per series without colour, and ANSI colours with", () => {
    const series = [{ name: "train/loss", points: loss }, { name: "val/loss", points: val }];
    const plainChart = renderLineChart(series, { width: 70, height: 10 });
    assert.ok(plainChart.includes(ASCII_MARKERS[0]!) && plainChart.includes(ASCII_MARKERS[1]!));
    assert.doesNotMatch(plainChart, /\x1b/);
    assert.match(plainChart, /\* train\/loss\s+\+ val\/loss/);
    const colored = renderLineChart(series, { width: 70, height: 10, style: createStyle(true) });
    assert.match(colored, /\x1b\[36m/);
    assert.match(colored, /\x1b\[33m/);
    for (const line of colored.trimEnd().split("\n")) assert.ok(displayWidth(line) <= 70);
    assert.match(stripAnsi(colored), /[\u2801-\u28ff]/);
  });

  it("leaves a gap at NaN values", () => {
    const points = Array.from({ length: 60 }, (_, i) => ({ x: i, y: i >= 20 && i < 40 ? NaN : 1 }));
    const chart = renderLineChart([{ name: "flat", points }], {
      width: 70,
      height: 5,
      mode: "ascii",
    });
    const row = chart.split("\n").find((line) => line.includes("*"))!;
    const plotted = row.slice(row.indexOf("┤") + 1);
    assert.match(plotted, /\*+ {5,}\*+/);
  });

  it("says (no data) when nothing is finite", () => {
    assert.equal(
      renderLineChart([{ name: "x", points: [{ x: 1, y: NaN }] }], { width: 40 }),
      "(no data)\n",
    );
  });
});

describe("toChartPoints() and seriesOfMetrics()", () => {
  it("reads sampled {index,data} and full {step,value} points, strings as numbers", () => {
    assert.deepEqual(
      toChartPoints([{ index: 2, data: "NaN" }, { step: 1, value: 0.5 }, {
        index: 3,
        data: "0.25",
      }]),
      [
        { x: 1, y: 0.5 },
        { x: 2, y: NaN },
        { x: 3, y: 0.25 },
      ],
    );
    assert.deepEqual(
      seriesOfMetrics({
        list: [{ key: "a", metrics: [{ index: 0, data: 1 }] }, { key: "b", metrics: [] }],
      }),
      [{ name: "a", points: [{ x: 0, y: 1 }] }, { name: "b", points: [] }],
    );
  });
});

describe("renderSvgChart()", () => {
  it("is a standalone SVG with axes, ticks, a legend and one polyline per key", () => {
    const svg = renderSvgChart(
      [{ name: "train/loss", points: loss }, { name: "val/loss", points: val }],
      { title: "alice/p/r", xLabel: "step" },
    );
    assert.match(
      svg,
      /^<\?xml version="1.0" encoding="UTF-8"\?>\n<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/,
    );
    assert.match(svg, /<\/svg>\n$/);
    assert.equal(svg.match(/<polyline /g)?.length, 2);
    assert.match(svg, /class="axes"/);
    assert.ok(
      (svg.match(/<g class="y-axis"[\s\S]*?<\/g>/)?.[0].match(/<text /g)?.length ?? 0) >= 3,
    );
    assert.ok(
      (svg.match(/<g class="x-axis"[\s\S]*?<\/g>/)?.[0].match(/<text /g)?.length ?? 0) >= 3,
    );
    assert.match(svg, /<g class="legend"[\s\S]*train\/loss[\s\S]*val\/loss[\s\S]*<\/g>/);
    assert.match(svg, />alice\/p\/r</);
    // Every opened element is closed.
    const opened = (svg.match(/<(g|svg)\b/g) ?? []).length;
    const closed = (svg.match(/<\/(g|svg)>/g) ?? []).length;
    assert.equal(opened, closed);
  });

  it("keeps points inside the plot area", () => {
    const svg = renderSvgChart([{ name: "x", points: loss }], { width: 600, height: 300 });
    const points = svg.match(/points="([^"]+)"/)![1]!.split(" ").map((p) =>
      p.split(",").map(Number)
    );
    for (const [x, y] of points) {
      assert.ok(x! >= 0 && x! <= 600 && y! >= 0 && y! <= 300, `${x},${y}`);
    }
  });

  it("splits a line at NaN gaps and escapes names", () => {
    const points = Array.from({ length: 30 }, (_, i) => ({ x: i, y: i === 15 ? NaN : i }));
    const svg = renderSvgChart([{ name: 'a<b>&"c"', points }]);
    assert.equal(svg.match(/<polyline /g)?.length, 2);
    assert.match(svg, /a&lt;b&gt;&amp;&quot;c&quot;/);
    assert.equal(escapeXml("<&>"), "&lt;&amp;&gt;");
  });

  it("renders an empty chart without failing", () => {
    assert.match(renderSvgChart([]), /no data/);
  });
});
