/**
 * Private: the timeouts of every request in flight, on one timer.
 *
 * A timer per request costs more than the rest of a small request's bookkeeping (a `setTimeout`
 * and a `clearTimeout` are several microseconds each, thousands of times in a runs table). The
 * deadlines are kept in a set instead, and one timer is armed for the earliest of them; it runs
 * only while a deadline is pending, so no timer outlives the requests.
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
let timer: ReturnType<typeof setTimeout> | undefined;
let timerAt = Infinity;

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
  if (deadline.at < timerAt) arm(deadline.at);
  return deadline;
}

/**
 * Cancels a deadline (nothing happens when it already expired or was cleared).
 *
 * @param deadline The deadline.
 */
export function clearDeadline(deadline: Deadline): void {
  if (!pending.delete(deadline) || pending.size > 0) return;
  clearTimeout(timer);
  timer = undefined;
  timerAt = Infinity;
}

function arm(at: number): void {
  clearTimeout(timer);
  timerAt = at;
  timer = setTimeout(run, Math.max(0, at - performance.now()));
}

function run(): void {
  timer = undefined;
  timerAt = Infinity;
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
