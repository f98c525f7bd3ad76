/**
 * Deterministic console logs of a run, computed by formula from (seed, run, line).
 *
 * @module
 */

import { hashInts, mix32 } from "./prng.ts";
import { isoMs } from "./time.ts";

/**
 * Log levels, lowest first.
 *
 * @example Level index
 * ```ts
 * import { LOG_LEVELS } from "./log_source.ts";
 * LOG_LEVELS.indexOf("WARN"); // 2
 * ```
 */
export const LOG_LEVELS = ["DEBUG", "INFO", "WARN", "ERROR"] as const;

/**
 * A log level.
 *
 * @example A level
 * ```ts
 * import type { LogLevelName } from "./log_source.ts";
 * const level: LogLevelName = "WARN";
 * ```
 */
export type LogLevelName = typeof LOG_LEVELS[number];

/**
 * One log line.
 *
 * @example A line
 * ```ts
 * import type { LogLine } from "./log_source.ts";
 * const line: LogLine = { index: 0, level: "INFO", message: "hello", tag: "", timestampMs: 0 };
 * ```
 */
export interface LogLine {
  /** 0-based line number in the run's log. */
  index: number;
  /** Level. */
  level: LogLevelName;
  /** Text. */
  message: string;
  /** Tag (usually empty). */
  tag: string;
  /** Epoch milliseconds. */
  timestampMs: number;
}

/**
 * The log of one run.
 *
 * @example Read the first line
 * ```ts
 * import { LogSource } from "./log_source.ts";
 * const log = new LogSource(42, 1, 100, 0);
 * log.line(0).message;
 * ```
 */
export class LogSource {
  /** Number of lines. */
  readonly count: number;
  #key: number;
  #startMs: number;
  #byLevel = new Map<number, Uint32Array>();

  /**
   * @param seed data set seed
   * @param runSeed per-run integer
   * @param count number of lines
   * @param startMs epoch milliseconds of the first line
   */
  constructor(seed: number, runSeed: number, count: number, startMs: number) {
    this.count = count;
    this.#key = hashInts(seed, runSeed, 0x106);
    this.#startMs = startMs;
  }

  /** Level index (0 = DEBUG … 3 = ERROR) of line `i`. */
  levelIndex(i: number): number {
    if (i < 3) return 1;
    const r = mix32(this.#key ^ Math.imul(i, 0x9e3779b1)) % 100;
    return r < 20 ? 0 : r < 80 ? 1 : r < 95 ? 2 : 3;
  }

  /** Line `i` (0 ≤ i < count). */
  line(i: number): LogLine {
    const h = mix32(this.#key ^ Math.imul(i + 7, 0x85ebca6b));
    const level = LOG_LEVELS[this.levelIndex(i)]!;
    const step = i * 3;
    let message: string;
    if (i === 0) message = "swanlab: Tracking run with swanlab version 0.8.0";
    else if (i === 1) message = "swanlab: Run data will be saved locally in ./swanlog";
    else if (i === 2) message = "swanlab: Syncing run to the local server";
    else if (level === "DEBUG") message = `dataloader: fetched batch ${step} in ${h % 40 + 3}ms`;
    else if (level === "INFO") {
      message =
        `epoch ${Math.floor(i / 250)} step ${step}: loss=${(2 / (1 + i / 300)).toFixed(4)} ` +
        `acc=${(1 - 1 / (1 + i / 400)).toFixed(4)}`;
    } else if (level === "WARN") {
      message = `grad norm ${(10 + (h % 900) / 100).toFixed(2)} exceeds clip threshold 10.0`;
    } else message = `RuntimeError: CUDA error at batch ${step} (attempt ${h % 3 + 1}), retrying`;
    return {
      index: i,
      level,
      message,
      tag: level === "ERROR" ? "stderr" : "",
      timestampMs: this.#startMs + i * 250 + (h % 200),
    };
  }

  /** Indices of the lines whose level is at least `minLevel` (0..3), computed once. */
  indicesAtLeast(minLevel: number): Uint32Array {
    const cached = this.#byLevel.get(minLevel);
    if (cached) return cached;
    let n = 0;
    for (let i = 0; i < this.count; i++) if (this.levelIndex(i) >= minLevel) n++;
    const out = new Uint32Array(n);
    let j = 0;
    for (let i = 0; i < this.count; i++) if (this.levelIndex(i) >= minLevel) out[j++] = i;
    this.#byLevel.set(minLevel, out);
    return out;
  }

  /** The export text of one line: `<ISO timestamp> [<LEVEL>] <message>`. */
  exportLine(i: number): string {
    const l = this.line(i);
    return `${isoMs(l.timestampMs)} [${l.level}] ${l.message}`;
  }
}
