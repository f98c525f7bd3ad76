/**
 * A concurrency limiter shared by one client for key batches, pages and multi-run work.
 *
 * @module
 */

import { ValidationError } from "./errors.ts";

/**
 * Runs at most `concurrency` tasks at a time; the others wait in order.
 *
 * @example Bound parallel work
 * ```ts
 * import { Limiter } from "./limiter.ts";
 *
 * const limiter = new Limiter(2);
 * const results = await Promise.all([1, 2, 3].map((n) => limiter.run(async () => n * 2)));
 * console.log(results); // [2, 4, 6]
 * ```
 */
export class Limiter {
  /** The most tasks that run at once. */
  readonly concurrency: number;
  #active = 0;
  #waiting: (() => void)[] = [];

  /**
   * Creates a limiter.
   *
   * @param concurrency The most tasks that run at once (an integer ≥ 1).
   * @throws {ValidationError} When `concurrency` is not an integer ≥ 1.
   */
  constructor(concurrency: number) {
    if (!Number.isInteger(concurrency) || concurrency < 1) {
      throw new ValidationError(
        "concurrency",
        `Cannot use concurrency ${concurrency}: expected an integer >= 1`,
      );
    }
    this.concurrency = concurrency;
  }

  /**
   * Runs a task when a slot is free.
   *
   * @param task The work to run.
   * @returns The task's result.
   */
  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.#active >= this.concurrency) {
      await new Promise<void>((resolve) => this.#waiting.push(resolve));
    } else {
      this.#active++;
    }
    try {
      return await task();
    } finally {
      const next = this.#waiting.shift();
      if (next) next();
      else this.#active--;
    }
  }
}
