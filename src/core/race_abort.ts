/**
 * Lets one caller stop waiting for work that others share, without cancelling the work.
 *
 * @module
 */

/**
 * Settles like `promise`, unless `signal` aborts first: then rejects with `onAbort(reason)` and
 * leaves `promise` running for whoever else awaits it.
 *
 * @param promise The shared work (a login, a lazy load).
 * @param signal The caller's signal.
 * @param onAbort Builds the rejection from the signal's reason.
 * @returns The work's result.
 *
 * @example Stop waiting for a shared login
 * ```ts
 * import { raceAbort } from "./race_abort.ts";
 *
 * const shared = new Promise<string>((resolve) => setTimeout(() => resolve("sid"), 50));
 * const controller = new AbortController();
 * controller.abort(new Error("stop"));
 * await raceAbort(shared, controller.signal, (reason) => reason).catch((e) => console.log(e.message)); // "stop"
 * await shared; // still completes for the others
 * ```
 */
export function raceAbort<T>(
  promise: Promise<T>,
  signal: AbortSignal,
  onAbort: (reason: unknown) => unknown,
): Promise<T> {
  if (signal.aborted) return Promise.reject(onAbort(signal.reason));
  return new Promise<T>((resolve, reject) => {
    const abort = () => reject(onAbort(signal.reason));
    signal.addEventListener("abort", abort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", abort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", abort);
        reject(error);
      },
    );
  });
}
