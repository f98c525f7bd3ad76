/**
 * Progress bars on standard error, for long downloads, exports and `--all` paging.
 *
 * A bar is drawn only when standard error is a terminal; the line is redrawn in place with `\r`
 * (and an erase escape only when ANSI is allowed), at most every 80 ms.
 *
 * @module
 */

import type { CliWriter } from "./io.ts";
import { createStyle, displayWidth, type Style } from "./style.ts";
import { terminalText } from "../core/terminal_text.ts";

/**
 * What one progress line shows.
 *
 * @example Half way
 * ```ts
 * import type { ProgressState } from "./progress.ts";
 * import { createStyle } from "./style.ts";
 *
 * const state: ProgressState = {
 *   label: "Downloading", current: 5, total: 10, unit: "files", elapsedMs: 500, width: 80,
 *   style: createStyle(false),
 * };
 * ```
 */
export interface ProgressState {
  /** What is in progress, e.g. `Downloading metrics`. */
  label: string;
  /** Units done so far. */
  current: number;
  /** Units expected, when known. */
  total?: number | undefined;
  /** The unit name, e.g. `points`. */
  unit?: string | undefined;
  /** Milliseconds since the start. */
  elapsedMs: number;
  /** The terminal width. */
  width: number;
  /** Colours. */
  style: Style;
}

/**
 * Formats a count compactly: `950`, `12.3k`, `4.5M`.
 *
 * @param value The count.
 * @returns The short text.
 *
 * @example Large counts
 * ```ts
 * import { formatCount } from "./progress.ts";
 *
 * formatCount(12_345); // "12.3k"
 * ```
 */
export function formatCount(value: number): string {
  const abs = Math.abs(value);
  if (abs >= 1e9) return `${(value / 1e9).toFixed(1)}G`;
  if (abs >= 1e6) return `${(value / 1e6).toFixed(1)}M`;
  if (abs >= 1e4) return `${(value / 1e3).toFixed(1)}k`;
  return String(Math.round(value));
}

/**
 * Formats a duration: `850ms`, `4.2s`, `3m05s`.
 *
 * @param ms Milliseconds.
 * @returns The short text.
 *
 * @example Minutes and seconds
 * ```ts
 * import { formatDuration } from "./progress.ts";
 *
 * formatDuration(185_000); // "3m05s"
 * ```
 */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return "?";
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.floor((ms % 60_000) / 1000);
  return `${minutes}m${String(seconds).padStart(2, "0")}s`;
}

const SPINNER = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

/**
 * Renders one progress line (pure; no escapes other than the style's colours).
 *
 * With a total: `label [█████░░░░░]  50%  500/1000 points  2.0k points/s  ETA 0.3s`; without:
 * a spinner, the count and the rate.
 *
 * @param state What to show.
 * @returns The line, fitted to `state.width`.
 *
 * @example Half done
 * ```ts
 * import { renderProgressLine } from "./progress.ts";
 * import { createStyle } from "./style.ts";
 *
 * renderProgressLine({
 *   label: "Download", current: 50, total: 100, unit: "points", elapsedMs: 1000,
 *   width: 80, style: createStyle(false),
 * });
 * // "Download [█████████████░░░░░░░░░░░░]  50%  50/100 points  50 points/s  ETA 1.0s"
 * ```
 */
export function renderProgressLine(state: ProgressState): string {
  // Labels may carry a metric key or a file name: made terminal-safe here, once.
  const label = terminalText(state.label);
  const unit = state.unit ? ` ${state.unit}` : "";
  const seconds = state.elapsedMs / 1000;
  const rate = seconds > 0 ? state.current / seconds : 0;
  const rateText = seconds > 0 ? `  ${formatCount(rate)}${unit}/s` : "";
  const max = Math.max(20, state.width - 1);
  if (state.total !== undefined && state.total > 0) {
    const fraction = Math.min(1, Math.max(0, state.current / state.total));
    const percent = `${String(Math.floor(fraction * 100)).padStart(3)}%`;
    const eta = rate > 0 && fraction < 1
      ? `  ETA ${formatDuration(((state.total - state.current) / rate) * 1000)}`
      : "";
    const counts = `  ${formatCount(state.current)}/${formatCount(state.total)}${unit}`;
    const tail = ` ${percent}${counts}${rateText}${eta}`;
    const room = max - displayWidth(label) - displayWidth(tail) - 3;
    const barWidth = Math.max(0, Math.min(40, room));
    if (barWidth < 5) return fit(`${label}${tail}`, max);
    const filled = Math.round(fraction * barWidth);
    const bar = state.style.cyan("█".repeat(filled)) +
      state.style.dim("░".repeat(barWidth - filled));
    return `${label} [${bar}]${tail}`;
  }
  const spin = SPINNER[Math.floor(state.elapsedMs / 80) % SPINNER.length]!;
  return fit(
    `${state.style.cyan(spin)} ${label}  ${formatCount(state.current)}${unit}${rateText}`,
    max,
  );
}

function fit(text: string, width: number): string {
  if (displayWidth(text) <= width) return text;
  let out = "";
  for (const char of text) {
    if (displayWidth(out + char) >= width) break;
    out += char;
  }
  return out + "…";
}

/**
 * Options of {@linkcode ProgressBar}.
 *
 * @example A silent bar
 * ```ts
 * import type { ProgressBarOptions } from "./progress.ts";
 *
 * const options: ProgressBarOptions = {
 *   writer: { write: () => {} }, enabled: false, ansi: false, width: 80, label: "Downloading",
 * };
 * ```
 */
export interface ProgressBarOptions {
  /** Where to draw (standard error). */
  writer: CliWriter;
  /** Draw at all (standard error is a terminal). */
  enabled: boolean;
  /** ANSI escapes allowed (colours and line erase). */
  ansi: boolean;
  /** Terminal width. */
  width: number;
  /** What is in progress. */
  label: string;
  /** Units expected, when known. */
  total?: number | undefined;
  /** The unit name, e.g. `points`. */
  unit?: string;
  /** The clock, for tests. @default {performance.now} */
  now?: () => number;
  /** Minimum milliseconds between redraws. @default {80} */
  intervalMs?: number;
}

/**
 * A progress bar redrawn in place on standard error; silent when not enabled.
 *
 * @example Count ten files
 * ```ts
 * import { ProgressBar } from "./progress.ts";
 *
 * const bar = new ProgressBar({
 *   writer: { write: (text) => void text },
 *   enabled: false, ansi: false, width: 80, label: "Downloading", total: 10, unit: "files",
 * });
 * for (let i = 1; i <= 10; i++) bar.update(i);
 * bar.done();
 * ```
 */
export class ProgressBar {
  #options: ProgressBarOptions;
  #style: Style;
  #now: () => number;
  #start: number;
  #last = -Infinity;
  #current = 0;
  #total: number | undefined;
  #drawnWidth = 0;
  #finished = false;
  #ticker: ReturnType<typeof setInterval> | undefined;

  /** @param options Where and what to draw. */
  constructor(options: ProgressBarOptions) {
    this.#options = options;
    this.#style = createStyle(options.ansi);
    this.#now = options.now ?? (() => performance.now());
    this.#start = this.#now();
    this.#total = options.total;
  }

  /** Units done so far. */
  get current(): number {
    return this.#current;
  }

  /** Milliseconds since the bar was created. */
  get elapsedMs(): number {
    return this.#now() - this.#start;
  }

  /**
   * Changes the label (e.g. to show a second count, `Exporting 3/12 runs`).
   *
   * @param label What is in progress.
   */
  setLabel(label: string): void {
    this.#options = { ...this.#options, label };
  }

  /**
   * Sets the expected total (when it becomes known).
   *
   * @param total Units expected.
   */
  setTotal(total: number | undefined): void {
    this.#total = total;
  }

  /**
   * Sets the units done and redraws if enough time has passed.
   *
   * @param current Units done so far.
   */
  update(current: number): void {
    this.#current = current;
    const now = this.#now();
    if (now - this.#last < (this.#options.intervalMs ?? 80)) return;
    this.#last = now;
    this.#draw();
  }

  /**
   * Adds to the units done.
   *
   * @param amount Units just finished.
   */
  increment(amount = 1): void {
    this.update(this.#current + amount);
  }

  /**
   * Keeps redrawing (the spinner and the elapsed time) while a single long call runs, until
   * {@linkcode ProgressBar.done}.
   *
   * @param intervalMs Milliseconds between redraws.
   */
  tick(intervalMs = 100): void {
    if (!this.#options.enabled || this.#ticker !== undefined || this.#finished) return;
    this.#draw();
    this.#ticker = setInterval(() => this.#draw(), intervalMs);
  }

  /**
   * Draws the final state and ends the line, or erases it with `clear`.
   *
   * @param options `clear` removes the bar instead of leaving it.
   */
  done(options: { clear?: boolean } = {}): void {
    if (this.#finished) return;
    this.#finished = true;
    if (this.#ticker !== undefined) clearInterval(this.#ticker);
    this.#ticker = undefined;
    if (!this.#options.enabled) return;
    if (options.clear) {
      this.#erase();
      return;
    }
    this.#draw();
    void this.#options.writer.write("\n");
  }

  #erase(): void {
    if (this.#drawnWidth === 0) return;
    void this.#options.writer.write(
      this.#options.ansi ? "\r\x1b[2K" : `\r${" ".repeat(this.#drawnWidth)}\r`,
    );
    this.#drawnWidth = 0;
  }

  #draw(): void {
    if (!this.#options.enabled) return;
    const line = renderProgressLine({
      label: this.#options.label,
      current: this.#current,
      total: this.#total,
      unit: this.#options.unit,
      elapsedMs: this.elapsedMs,
      width: this.#options.width,
      style: this.#style,
    });
    const width = displayWidth(line);
    const erase = this.#options.ansi ? "\x1b[K" : " ".repeat(Math.max(0, this.#drawnWidth - width));
    void this.#options.writer.write(`\r${line}${erase}`);
    this.#drawnWidth = width;
  }
}
