/**
 * Private: the timeouts of every request in flight, on one timer.
 *
 * A timer per request costs more than the rest of a small request's bookkeeping (a `setTimeout`
 * and a `clearTimeout` are several microseconds each, thousands of times in a runs table). The
 * deadlines are kept in a set instead, and one timer is armed for the earliest of them; it runs
 * only while a deadline is pending, so no timer outlives the requests.
 *
 * The timer is an `AbortSignal.timeout()` rather than a `setTimeout`: in Deno 2.9 the global
 * `setTimeout` is Node's `timers` module, loaded on first use (about 9 ms of CPU, measured, a
 * twentieth of a `swanlab-ts user info`), while `AbortSignal.timeout` runs on the runtime's own
 * timer. It keeps the process alive only while its listener is attached (Deno; Node and Bun
 * never let it hold the process, and there the request the deadline guards does), so removing the
 * listener is how the timer is cleared. It also takes delays above 2^31 - 1 ms, which
 * `setTimeout` would fire at once.
 *
 * @module
 */

/** One pending deadline, as returned by {@linkcode addDeadline}. */
export interface Deadline {
  /** When it expires, in `performance.now()` milliseconds. */
  readonly at: number;
  /** Called once when it expires (not after {@linkcode clearDeadline}). */
  readonly expire: () => void;
}

const pending = new Set<Deadline>();
/**
 * The timer: its `abort` event runs the deadlines that are due. It is kept, detached, when the
 * last deadline is cleared, and attached again for the next deadline that is not earlier:
 * an `AbortSignal.timeout()` cannot be cancelled, so a new timer per request would leave one
 * pending timer behind per request until its delay ran out. (Firing earlier than needed is
 * harmless: {@linkcode run} re-arms for the earliest deadline left.)
 */
let timer: AbortSignal | undefined;
/** When {@linkcode timer} fires, in `performance.now()` milliseconds. */
let timerAt = Infinity;
/** Whether {@linkcode run} listens to {@linkcode timer} (only then does it hold the process). */
let attached = false;

/**
 * Calls `expire` after `ms` milliseconds unless the deadline is cleared first.
 *
 * @param ms The delay in milliseconds.
 * @param expire What to do when the deadline passes.
 * @returns The deadline, for {@linkcode clearDeadline}.
 */
export function addDeadline(ms: number, expire: () => void): Deadline {
  const deadline: Deadline = { at: performance.now() + ms, expire };
  pending.add(deadline);
  if (timer?.aborted) forget(); // it fired while detached
  if (deadline.at < timerAt) arm(deadline.at);
  else if (!attached) attach();
  return deadline;
}

/**
 * Cancels a deadline (nothing happens when it already expired or was cleared).
 *
 * @param deadline The deadline.
 */
export function clearDeadline(deadline: Deadline): void {
  if (!pending.delete(deadline) || pending.size > 0) return;
  detach();
}

function arm(at: number): void {
  forget();
  timerAt = at;
  timer = AbortSignal.timeout(Math.max(0, Math.ceil(at - performance.now())));
  attach();
}

function attach(): void {
  timer?.addEventListener("abort", run);
  attached = timer !== undefined;
}

function detach(): void {
  timer?.removeEventListener("abort", run);
  attached = false;
}

function forget(): void {
  detach();
  timer = undefined;
  timerAt = Infinity;
}

function run(): void {
  forget();
  const now = performance.now();
  let next = Infinity;
  for (const deadline of [...pending]) {
    if (!pending.has(deadline)) continue; // cleared by an earlier expiry
    if (deadline.at <= now) {
      pending.delete(deadline);
      deadline.expire();
    } else if (deadline.at < next) {
      next = deadline.at;
    }
  }
  // An expiry may have added deadlines (and armed the timer for them).
  for (const deadline of pending) if (deadline.at < next) next = deadline.at;
  if (next < timerAt) arm(next);
}
