/**
 * The login session of one client: one login, shared by concurrent calls, refreshed before it
 * expires and renewed once when the server rejects it.
 *
 * @module
 */

import { ResponseError } from "./errors.ts";

/** What a login returns. */
export interface LoginResult {
  /** The session id, sent as cookie `sid`. */
  sid: string;
  /** When the session expires (ms since the epoch). */
  expiresAtMs: number;
  /** The logged-in user's username. */
  username: string;
  /** The logged-in user's display name. */
  name: string;
}

/**
 * Parses the server's `expiredAt` leniently: any ISO-8601 instant (with or without fractional
 * seconds); a value without a time zone is taken as UTC.
 *
 * @param value The `expiredAt` field of the login response.
 * @returns Milliseconds since the epoch.
 * @throws {ResponseError} When the value is not a date.
 *
 * @example
 * ```ts
 * import { parseExpiredAt } from "./session.ts";
 *
 * parseExpiredAt("2999-01-01T00:00:00Z") === Date.UTC(2999, 0, 1); // true
 * ```
 */
export function parseExpiredAt(value: unknown): number {
  if (typeof value !== "string" || value.trim() === "") {
    throw new ResponseError(
      `Cannot parse login response: expiredAt ${JSON.stringify(value)} is not a date`,
    );
  }
  const text = value.trim();
  const hasZone = /(Z|[+-]\d{2}:?\d{2})$/i.test(text);
  const ms = Date.parse(hasZone || !text.includes("T") ? text : `${text}Z`);
  if (Number.isNaN(ms)) {
    throw new ResponseError(`Cannot parse login response: expiredAt "${text}" is not a date`);
  }
  return ms;
}

/**
 * Keeps one client's session: logs in on first use, shares one login between concurrent callers,
 * logs in again before expiry, and renews a session the server rejected.
 *
 * @example
 * ```ts
 * import { Session } from "./session.ts";
 *
 * const session = new Session(
 *   async () => ({ sid: "s1", expiresAtMs: Date.now() + 86_400_000, username: "alice", name: "Alice" }),
 *   7 * 86_400_000,
 * );
 * console.log((await session.current()).sid); // "s1"
 * ```
 */
export class Session {
  #login: () => Promise<LoginResult>;
  #refreshMarginMs: number;
  #now: () => number;
  #current: LoginResult | undefined;
  #refreshAtMs = 0;
  #pending: Promise<LoginResult> | undefined;
  #logins = 0;

  /**
   * Creates a session keeper.
   *
   * @param login Performs one login request.
   * @param refreshMarginMs Log in again when less than this is left (capped at half the lifetime).
   * @param now The clock, injectable for tests.
   */
  constructor(
    login: () => Promise<LoginResult>,
    refreshMarginMs: number,
    now: () => number = Date.now,
  ) {
    this.#login = login;
    this.#refreshMarginMs = refreshMarginMs;
    this.#now = now;
  }

  /** How many logins this session has performed. */
  get logins(): number {
    return this.#logins;
  }

  /**
   * The current session, logging in first when there is none or it is due for refresh.
   *
   * @returns The login result in force.
   */
  current(): Promise<LoginResult> {
    const current = this.peek();
    return current !== undefined ? Promise.resolve(current) : this.#renew();
  }

  /**
   * The current session when it is still fresh (what {@linkcode Session.current} would resolve
   * to without logging in), else `undefined`. Lets a caller skip waiting on a promise.
   *
   * @returns The fresh session, or `undefined`.
   */
  peek(): LoginResult | undefined {
    const current = this.#current;
    return current && this.#now() < this.#refreshAtMs ? current : undefined;
  }

  /**
   * Drops a session the server rejected, so that the next call logs in again. A different
   * (newer) session is kept.
   *
   * @param sid The rejected session id.
   */
  invalidate(sid: string): void {
    if (this.#current?.sid === sid) {
      this.#current = undefined;
      this.#refreshAtMs = 0;
    }
  }

  #renew(): Promise<LoginResult> {
    if (this.#pending) return this.#pending;
    const startedAt = this.#now();
    this.#pending = (async () => {
      try {
        this.#logins++;
        const result = await this.#login();
        const lifetime = Math.max(0, result.expiresAtMs - startedAt);
        const margin = Math.min(this.#refreshMarginMs, lifetime / 2);
        this.#current = result;
        this.#refreshAtMs = result.expiresAtMs - margin;
        return result;
      } finally {
        this.#pending = undefined;
      }
    })();
    return this.#pending;
  }
}
