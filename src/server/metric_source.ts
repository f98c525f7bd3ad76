/**
 * Deterministic scalar metrics computed by formula from (seed, run, key, step).
 *
 * Nothing is stored: a run with 10^7 steps costs a few closures. Values are quantized to six
 * decimals so that JSON and CSV renderings parse back to the same double.
 *
 * @module
 */

import { hashInts, hashString, unitNoise } from "./prng.ts";

/**
 * Milliseconds between two consecutive steps in generated timestamps.
 *
 * @example Approximate duration of a run
 * ```ts
 * import { STEP_MS } from "./metric_source.ts";
 * const ms = 1000 * STEP_MS;
 * ```
 */
export const STEP_MS = 100;

/**
 * Prefix of system metric keys.
 *
 * @example Classify a key
 * ```ts
 * import { SYSTEM_PREFIX } from "./metric_source.ts";
 * "__swanlab__.cpu".startsWith(SYSTEM_PREFIX); // true
 * ```
 */
export const SYSTEM_PREFIX = "__swanlab__";

/**
 * The built-in custom scalar keys of every seeded run, in column-creation order.
 *
 * @example Check a key
 * ```ts
 * import { CUSTOM_SCALAR_KEYS } from "./metric_source.ts";
 * CUSTOM_SCALAR_KEYS.includes("train/loss"); // true
 * ```
 */
export const CUSTOM_SCALAR_KEYS: readonly string[] = [
  "train/loss",
  "train/acc",
  "val/loss",
  "val/acc",
  "lr",
];

/**
 * The built-in system scalar keys of every seeded run.
 *
 * @example Count system keys
 * ```ts
 * import { SYSTEM_SCALAR_KEYS } from "./metric_source.ts";
 * SYSTEM_SCALAR_KEYS.length; // 3
 * ```
 */
export const SYSTEM_SCALAR_KEYS: readonly string[] = [
  "__swanlab__.cpu",
  "__swanlab__.memory",
  "__swanlab__.gpu.0.util",
];

/**
 * One scalar series: points at steps `0, every, 2*every, …` below the run's step count.
 *
 * @example Read a point
 * ```ts
 * import { createRunMetrics } from "./metric_source.ts";
 * const m = createRunMetrics({ seed: 42, runSeed: 1, steps: 100, startMs: 0, lr: 0.01, extraKeys: 0 });
 * const s = m.series("train/loss")!;
 * const v = s.value(s.stepAt(0));
 * ```
 */
export interface KeySeries {
  /** Metric key. */
  readonly key: string;
  /**
   * Step interval between points: point `i` is at step `i * every`. 0 for a stored series whose
   * steps are irregular (read them with `stepAt`).
   */
  readonly every: number;
  /** Number of points. */
  readonly count: number;
  /** Step of point `i`. */
  stepAt(i: number): number;
  /** Value at `step` (a step of the series); may be NaN or ±Infinity. */
  value(step: number): number;
  /**
   * Timestamp in epoch milliseconds of the point at `step`, when the series has its own (stored
   * series); absent: the run's {@link RunMetrics.timestamp}.
   */
  timestamp?(step: number): number;
}

/**
 * All scalar metrics of one run.
 *
 * @example List keys
 * ```ts
 * import { createRunMetrics } from "./metric_source.ts";
 * const m = createRunMetrics({ seed: 42, runSeed: 1, steps: 100, startMs: 0, lr: 0.01, extraKeys: 2 });
 * m.keys; // ["train/loss", …, "extra/metric_001", "__swanlab__.cpu", …]
 * ```
 */
export interface RunMetrics {
  /** Number of steps (the last step is `steps - 1`). */
  readonly steps: number;
  /** Scalar keys, custom keys first then system keys. */
  readonly keys: readonly string[];
  /** Timestamp in epoch milliseconds of `step` (shared by all keys, strictly increasing). */
  timestamp(step: number): number;
  /** The series of `key`, or `undefined`. */
  series(key: string): KeySeries | undefined;
}

/**
 * Inputs of {@link createRunMetrics}.
 *
 * @example Parameters of a small run
 * ```ts
 * import type { RunMetricsParams } from "./metric_source.ts";
 * const p: RunMetricsParams = { seed: 42, runSeed: 1, steps: 100, startMs: 0, lr: 0.01, extraKeys: 0 };
 * ```
 */
export interface RunMetricsParams {
  /** Data set seed. */
  seed: number;
  /** Per-run integer. */
  runSeed: number;
  /** Steps per run. */
  steps: number;
  /** Epoch milliseconds of step 0 minus one second. */
  startMs: number;
  /** Base learning rate (from the run config). */
  lr: number;
  /** Number of additional `extra/metric_NNN` keys. */
  extraKeys: number;
}

/**
 * Rounds to six decimals (keeps NaN and infinities).
 *
 * @example Quantize
 * ```ts
 * import { q6 } from "./metric_source.ts";
 * q6(0.12345678); // 0.123457
 * ```
 */
export function q6(v: number): number {
  return Math.round(v * 1e6) / 1e6;
}

type ValueFn = (step: number) => number;

function makeSeries(key: string, every: number, steps: number, fn: ValueFn): KeySeries {
  const count = steps <= 0 ? 0 : Math.ceil(steps / every);
  return {
    key,
    every,
    count,
    stepAt: (i: number): number => i * every,
    value: fn,
  };
}

/**
 * A metric source with no keys (what the store holds under a clone's own id).
 *
 * @param steps nominal step count
 * @returns an empty source
 *
 * @example No keys
 * ```ts
 * import { emptyRunMetrics } from "./metric_source.ts";
 * emptyRunMetrics(10).keys.length; // 0
 * ```
 */
export function emptyRunMetrics(steps: number): RunMetrics {
  return {
    steps,
    keys: [],
    timestamp: (step: number): number => step * STEP_MS,
    series: (): undefined => undefined,
  };
}

/**
 * Builds the metric source of one run.
 *
 * @param params seeds, sizes and the base learning rate
 * @returns the run's series, computed on demand
 *
 * @example Latest training loss
 * ```ts
 * import { createRunMetrics } from "./metric_source.ts";
 * const m = createRunMetrics({ seed: 42, runSeed: 1, steps: 1000, startMs: 0, lr: 0.01, extraKeys: 0 });
 * const loss = m.series("train/loss")!;
 * loss.value(loss.stepAt(loss.count - 1));
 * ```
 */
export function createRunMetrics(params: RunMetricsParams): RunMetrics {
  const { seed, runSeed, steps, startMs, lr, extraKeys } = params;
  const base = hashInts(seed, runSeed);
  const p = (i: number): number => unitNoise(base, 1000 + i);
  const loss0 = 2.0 + 0.6 * p(1);
  const lossFinal = 0.03 + 0.35 * p(2);
  const tau = Math.max(1, steps * (0.12 + 0.23 * p(3)));
  const noise = 0.01 + 0.04 * p(4);
  const accMax = 0.85 + 0.14 * p(5);
  const warmup = Math.max(1, Math.floor(steps * 0.05));
  const k = (key: string): number => (base ^ hashString(key)) >>> 0;
  const kTrainLoss = k("train/loss");
  const kValLoss = k("val/loss");
  const kTrainAcc = k("train/acc");
  const kValAcc = k("val/acc");
  const kCpu = k("cpu");
  const kMem = k("mem");
  const kGpu = k("gpu");
  const sym = (u: number): number => 2 * u - 1;

  const lossTrend = (s: number): number => lossFinal + (loss0 - lossFinal) * Math.exp(-s / tau);
  const accTrend = (s: number): number => accMax * (1 - Math.exp(-s / (tau * 0.8)));

  const fns = new Map<string, KeySeries>();
  const add = (key: string, every: number, fn: ValueFn): void => {
    fns.set(key, makeSeries(key, every, steps, fn));
  };
  add("train/loss", 1, (s) => {
    if (s % 397 === 396) return NaN;
    if (s % 997 === 996) return Infinity;
    const decay = Math.exp(-s / tau);
    return q6(lossTrend(s) + noise * sym(unitNoise(kTrainLoss, s)) * (0.3 + 0.7 * decay));
  });
  add("train/acc", 1, (s) => {
    const v = accTrend(s) + noise * 0.5 * sym(unitNoise(kTrainAcc, s));
    return q6(Math.min(1, Math.max(0, v)));
  });
  add("val/loss", 10, (s) => {
    if (s % 1990 === 990) return -Infinity;
    return q6(lossTrend(s) * 1.08 + 0.02 + noise * 0.3 * sym(unitNoise(kValLoss, s)));
  });
  add("val/acc", 10, (s) => {
    const v = accTrend(s) * 0.97 + noise * 0.3 * sym(unitNoise(kValAcc, s));
    return q6(Math.min(1, Math.max(0, v)));
  });
  add("lr", 1, (s) => {
    if (s < warmup) return q6(lr * (s + 1) / warmup);
    const span = Math.max(1, steps - warmup);
    return q6(lr * 0.5 * (1 + Math.cos(Math.PI * (s - warmup) / span)));
  });
  const extras: string[] = [];
  for (let e = 0; e < extraKeys; e++) {
    const key = `extra/metric_${String(e).padStart(3, "0")}`;
    extras.push(key);
    const ke = k(key);
    const period = 50 + (ke % 500);
    const amp = 1 + (ke % 7);
    add(
      key,
      1,
      (s) => q6(amp * Math.sin((2 * Math.PI * s) / period) + 0.1 * sym(unitNoise(ke, s))),
    );
  }
  add("__swanlab__.cpu", 5, (s) => {
    const v = 45 + 20 * Math.sin(s / 97) + 8 * sym(unitNoise(kCpu, s));
    return q6(Math.min(100, Math.max(0, v)));
  });
  add("__swanlab__.memory", 5, (s) => {
    return q6(2048 + (512 * s) / Math.max(1, steps) + 16 * sym(unitNoise(kMem, s)));
  });
  add("__swanlab__.gpu.0.util", 5, (s) => {
    const v = 88 + 10 * sym(unitNoise(kGpu, s));
    return q6(Math.min(100, Math.max(0, v)));
  });

  const keys = [...CUSTOM_SCALAR_KEYS, ...extras, ...SYSTEM_SCALAR_KEYS];
  const t0 = startMs + 1000;
  return {
    steps,
    keys,
    timestamp: (step: number): number =>
      t0 + step * STEP_MS + (Math.imul(step | 0, 0x9e3779b1) >>> 26),
    series: (key: string): KeySeries | undefined => fns.get(key),
  };
}
