/**
 * Waiting for a group of promises as `Promise.all` does, without leaving any of them running.
 *
 * @module
 */

/**
 * The values of `promises` once every one has settled. The first failure in their order is
 * thrown then, not as soon as it happens (as `Promise.all` would), so that no request or write of
 * the group is still running when the caller sees the failure.
 *
 * @param promises The promises (a tuple keeps each value's type).
 * @returns Their values, in order.
 * @throws The failure of the first promise (in order) that rejected.
 *
 * @example Two requests, both finished before a failure of either is thrown
 * ```ts
 * import { settleAll } from "./settle_all.ts";
 *
 * const [a, b] = await settleAll([Promise.resolve(1), Promise.resolve("two")]);
 * console.log(a, b); // 1 "two"
 * ```
 */
export async function settleAll<T extends readonly unknown[] | []>(
  promises: T,
): Promise<{ -readonly [K in keyof T]: Awaited<T[K]> }> {
  const settled = await Promise.allSettled<readonly unknown[]>(promises);
  const values: unknown[] = [];
  for (const result of settled) {
    if (result.status === "rejected") throw result.reason;
    values.push(result.value);
  }
  return values as { -readonly [K in keyof T]: Awaited<T[K]> };
}
