/**
 * How far a row's ratio could move by chance alone: a percentile bootstrap interval of the ratio
 * of two medians, with the runs resampled in their turns (a client run and the floor run next to
 * it stay together, as they shared the machine's moment).
 *
 * A row's ratio is one number from a handful of runs of processes that stray by a third on this
 * machine; its interval says whether a ✓ or ✗ stands clear of the target or sits within the
 * noise of the row's own runs (it says nothing of what changes between minutes, which taking the
 * runs in turn keeps out).
 *
 * @module
 */

import { Prng } from "../src/server/prng.ts";

/** Options of {@linkcode pairedRatioInterval}. */
export interface RatioIntervalOptions {
  /**
   * The share of resampled ratios the interval holds.
   * @default 0.95
   */
  confidence?: number;
  /**
   * How many resamples are drawn.
   * @default 2000
   */
  resamples?: number;
  /**
   * The generator's seed: the same runs give the same interval.
   * @default 1
   */
  seed?: number;
}

/**
 * The upper median (the middle value, or the larger of the two middle ones), as the bench's rows
 * report it.
 *
 * @param values The values (not empty).
 * @returns Their upper median.
 *
 * @example
 * ```ts
 * import { upperMedian } from "./_ratio_interval.ts";
 *
 * console.log(upperMedian([3, 1, 2, 4])); // 3
 * ```
 */
export function upperMedian(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError("Cannot take the median of no values");
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/**
 * A percentile bootstrap interval of `median(clients) / median(floors)`: turns (index `i` of both
 * lists) are drawn with replacement, as many as there are, and the ratio of the medians of each
 * draw is taken; the interval spans the middle `confidence` of those ratios.
 *
 * @param clients The client's figure of each turn.
 * @param floors The floor's figure of the same turns.
 * @param options Confidence, resamples and seed.
 * @returns The interval's bounds, `[low, high]`.
 * @throws {RangeError} When the lists differ in length, hold fewer than two turns or a figure
 *   that is not a positive number, or when an option is out of range.
 *
 * @example Ten turns of a client about 1.2 times slower
 * ```ts
 * import { pairedRatioInterval } from "./_ratio_interval.ts";
 *
 * const floors = [100, 104, 98, 131, 101, 99, 120, 102, 97, 103];
 * const clients = [121, 124, 118, 149, 125, 117, 146, 119, 118, 126];
 * const [low, high] = pairedRatioInterval(clients, floors);
 * console.log(`${low.toFixed(2)}-${high.toFixed(2)}`);
 * ```
 */
export function pairedRatioInterval(
  clients: readonly number[],
  floors: readonly number[],
  options: RatioIntervalOptions = {},
): [low: number, high: number] {
  const { confidence = 0.95, resamples = 2000, seed = 1 } = options;
  if (clients.length !== floors.length) {
    throw new RangeError(
      `Cannot pair ${clients.length} client runs with ${floors.length} floor runs`,
    );
  }
  if (clients.length < 2) {
    throw new RangeError(`Cannot resample ${clients.length} turn(s): expected at least 2`);
  }
  for (const value of [...clients, ...floors]) {
    if (!(value > 0) || !Number.isFinite(value)) {
      throw new RangeError(`Cannot take a ratio of ${value}: expected a positive number`);
    }
  }
  if (!(confidence > 0 && confidence < 1)) {
    throw new RangeError(`Cannot use confidence ${confidence}: expected a number in (0, 1)`);
  }
  if (!Number.isInteger(resamples) || resamples < 1) {
    throw new RangeError(`Cannot draw ${resamples} resamples: expected an integer >= 1`);
  }
  const random = new Prng(seed);
  const turns = clients.length;
  const drawnClients = new Array<number>(turns);
  const drawnFloors = new Array<number>(turns);
  const ratios = new Array<number>(resamples);
  for (let r = 0; r < resamples; r++) {
    for (let k = 0; k < turns; k++) {
      const turn = random.int(turns);
      drawnClients[k] = clients[turn]!;
      drawnFloors[k] = floors[turn]!;
    }
    ratios[r] = upperMedian(drawnClients) / upperMedian(drawnFloors);
  }
  ratios.sort((a, b) => a - b);
  const tail = (1 - confidence) / 2;
  const at = (share: number) =>
    ratios[Math.min(resamples - 1, Math.max(0, Math.round(share * (resamples - 1))))]!;
  return [at(tail), at(1 - tail)];
}
