import type { MetricRowBlock } from "../../src/metrics/scan_metrics.ts";

/** A block of `rows` rows of two keys; the second key has a value every third row only. */
export function block(rows: number, firstStep: number): MetricRowBlock {
  const steps = new Float64Array(rows);
  const values = new Float64Array(rows * 2);
  const hasValue = new Uint8Array(rows * 2);
  const timestamps = new Float64Array(rows * 2);
  for (let r = 0; r < rows; r++) {
    const step = firstStep + r;
    steps[r] = step;
    values[r * 2] = step / 4;
    hasValue[r * 2] = 1;
    timestamps[r * 2] = step % 5 === 0 ? NaN : 1_722_470_400_000 + step;
    values[r * 2 + 1] = step % 7 === 0 ? NaN : -step;
    hasValue[r * 2 + 1] = step % 3 === 0 ? 1 : 0;
    timestamps[r * 2 + 1] = 1_722_470_400_000 + step;
  }
  return { steps, values, hasValue, timestamps };
}
