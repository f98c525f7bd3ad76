/**
 * The sample size of sampled scalar metrics (`sample`, wire reference §4.6): checked before any
 * request, clamped to what the server accepts.
 *
 * Kept apart from `scalar_metrics.ts` (which reads full-resolution exports): entities validate a
 * query with it before they load the metrics engine.
 *
 * @module
 */

import { ValidationError } from "../core/errors.ts";
import { terminalText } from "../core/terminal_text.ts";

/**
 * The largest sample the server accepts; larger ones are clamped to it.
 *
 * @example
 * ```ts
 * import { MAX_SAMPLE } from "./sample_size.ts";
 *
 * console.log(MAX_SAMPLE); // 1500
 * ```
 */
export const MAX_SAMPLE = 1500;

/**
 * Prints a warning on the console, with control characters made visible (warnings quote server
 * text: keys, messages).
 *
 * @param message The warning.
 *
 * @example
 * ```ts
 * import { defaultWarning } from "./sample_size.ts";
 *
 * defaultWarning("Sample 5000 is above 1500: using 1500");
 * ```
 */
export function defaultWarning(message: string): void {
  console.warn(terminalText(message));
}

/**
 * Checks a sample size: an integer ≥ 1 (default 1500); above 1500 it is clamped to 1500 and a
 * warning is reported, as the SDK does.
 *
 * @param sample The requested sample size.
 * @param onWarning Receives the clamping warning.
 * @returns The sample size to send.
 * @throws {ValidationError} If `sample` is not an integer ≥ 1.
 *
 * @example
 * ```ts
 * import { resolveSample } from "./sample_size.ts";
 *
 * console.log(resolveSample(undefined)); // 1500
 * console.log(resolveSample(5000, () => {})); // 1500
 * ```
 */
export function resolveSample(
  sample: unknown,
  onWarning: (message: string) => void = defaultWarning,
): number {
  if (sample === undefined) return MAX_SAMPLE;
  if (typeof sample !== "number" || !Number.isSafeInteger(sample) || sample < 1) {
    const shown = typeof sample === "number" || typeof sample === "string"
      ? ` ${JSON.stringify(sample)}`
      : "";
    throw new ValidationError("sample", `Cannot parse sample${shown}: expected an integer >= 1`);
  }
  if (sample > MAX_SAMPLE) {
    onWarning(`Sample ${sample} is above ${MAX_SAMPLE}: using ${MAX_SAMPLE}`);
    return MAX_SAMPLE;
  }
  return sample;
}
