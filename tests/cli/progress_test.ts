// deno-lint-ignore-file no-control-regex -- the tests look for ANSI escapes
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  formatCount,
  formatDuration,
  ProgressBar,
  renderProgressLine,
} from "../../src/cli/progress.ts";
import { createStyle, displayWidth } from "../../src/cli/style.ts";

describe("renderProgressLine()", () => {
  it("shows a bar, the percentage, counts, the rate and an ETA when the total is known", () => {
    const line = renderProgressLine({
      label: "Download",
      current: 50,
      total: 100,
      unit: "points",
      elapsedMs: 1000,
      width: 80,
      style: createStyle(false),
    });
    assert.match(line, /^Download \[█+░+\] {2}50% {2}50\/100 points {2}50 points\/s {2}ETA 1\.0s$/);
    assert.ok(displayWidth(line) <= 80);
  });

  it("shows a spinner, the count and the rate without a total", () => {
    const line = renderProgressLine({
      label: "Scanning",
      current: 12_345,
      unit: "points",
      elapsedMs: 2000,
      width: 80,
      style: createStyle(false),
    });
    assert.match(line, /^\S Scanning {2}12\.3k points {2}6173 points\/s$/);
  });

  it("fits narrow terminals", () => {
    const line = renderProgressLine({
      label: "A long label for a narrow terminal",
      current: 1,
      total: 3,
      elapsedMs: 10,
      width: 30,
      style: createStyle(false),
    });
    assert.ok(displayWidth(line) <= 30, line);
  });
});

describe("formatCount() and formatDuration()", () => {
  it("shortens numbers and durations", () => {
    assert.equal(formatCount(950), "950");
    assert.equal(formatCount(12_345), "12.3k");
    assert.equal(formatCount(4_500_000), "4.5M");
    assert.equal(formatDuration(850), "850ms");
    assert.equal(formatDuration(4200), "4.2s");
    assert.equal(formatDuration(185_000), "3m05s");
  });
});

describe("ProgressBar", () => {
  it("draws nothing when disabled (stderr is not a terminal)", () => {
    const out: string[] = [];
    const bar = new ProgressBar({
      writer: { write: (s) => void out.push(s) },
      enabled: false,
      ansi: true,
      width: 80,
      label: "x",
      total: 10,
    });
    for (let i = 0; i <= 10; i++) bar.update(i);
    bar.done();
    assert.deepEqual(out, []);
  });

  it("redraws in place with \\r, throttled, and ends with a newline", () => {
    const out: string[] = [];
    let now = 0;
    const bar = new ProgressBar({
      writer: { write: (s) => void out.push(s) },
      enabled: true,
      ansi: false,
      width: 80,
      label: "x",
      total: 100,
      now: () => now,
    });
    bar.update(1);
    now = 10;
    bar.update(2); // throttled
    now = 200;
    bar.update(50);
    bar.done();
    assert.equal(out.length, 4); // two draws, the final draw, the newline
    assert.ok(out.every((s, i) => i === 3 ? s === "\n" : s.startsWith("\r")));
    assert.doesNotMatch(out.join(""), /\x1b/);
    assert.match(out[1]!, /50%/);
  });

  it("erases its line with done({ clear: true }), with escapes only when ANSI is allowed", () => {
    for (const ansi of [true, false]) {
      const out: string[] = [];
      const bar = new ProgressBar({
        writer: { write: (s) => void out.push(s) },
        enabled: true,
        ansi,
        width: 80,
        label: "x",
        now: () => 0,
      });
      bar.update(3);
      bar.done({ clear: true });
      const text = out.join("");
      if (ansi) assert.match(text, /\r\x1b\[2K$/);
      else {
        assert.doesNotMatch(text, /\x1b/);
        assert.match(text, /\r {3,}\r$/);
      }
    }
  });
});

describe("ProgressBar.tick()", () => {
  it("keeps redrawing a spinner until done, then stops", async () => {
    const out: string[] = [];
    const bar = new ProgressBar({
      writer: { write: (s) => void out.push(s) },
      enabled: true,
      ansi: true,
      width: 80,
      label: "Exporting",
    });
    bar.tick(5);
    await new Promise((r) => setTimeout(r, 40));
    bar.done({ clear: true });
    const count = out.length;
    assert.ok(count >= 3, `${count} draws`);
    assert.match(out.at(-1)!, /\r\x1b\[2K$/);
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(out.length, count);
  });

  it("does nothing when disabled", () => {
    const out: string[] = [];
    const bar = new ProgressBar({
      writer: { write: (s) => void out.push(s) },
      enabled: false,
      ansi: true,
      width: 80,
      label: "x",
    });
    bar.tick(1);
    bar.done();
    assert.deepEqual(out, []);
  });
});
