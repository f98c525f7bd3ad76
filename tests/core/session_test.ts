import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { parseExpiredAt, Session } from "../../src/core/session.ts";
import { ResponseError } from "../../src/core/errors.ts";

describe("parseExpiredAt()", () => {
  it("accepts the SDK's format, no fraction, and zone-less values as UTC", () => {
    assert.equal(parseExpiredAt("2999-01-01T00:00:00.000Z"), Date.UTC(2999, 0, 1));
    assert.equal(parseExpiredAt("2999-01-01T00:00:00Z"), Date.UTC(2999, 0, 1));
    assert.equal(parseExpiredAt("2999-01-01T00:00:00.123456"), Date.UTC(2999, 0, 1, 0, 0, 0, 123));
  });

  it("rejects non-dates with a ResponseError", () => {
    assert.throws(() => parseExpiredAt("tomorrow"), ResponseError);
    assert.throws(() => parseExpiredAt(undefined), ResponseError);
  });
});

describe("Session", () => {
  const DAY = 86_400_000;
  it("shares one login between concurrent callers", async () => {
    let logins = 0;
    const session = new Session(async () => {
      logins++;
      await new Promise((resolve) => setTimeout(resolve, 5));
      return { sid: `s${logins}`, expiresAtMs: Date.now() + 30 * DAY, username: "u", name: "n" };
    }, 7 * DAY);
    const results = await Promise.all(Array.from({ length: 10 }, () => session.current()));
    assert.equal(logins, 1);
    assert.ok(results.every((r) => r.sid === "s1"));
  });

  it("logs in again once the refresh margin is reached", async () => {
    let now = 0;
    let logins = 0;
    const session = new Session(
      () => {
        logins++;
        return Promise.resolve({
          sid: `s${logins}`,
          expiresAtMs: now + 30 * DAY,
          username: "u",
          name: "n",
        });
      },
      7 * DAY,
      () => now,
    );
    await session.current();
    now = 22 * DAY;
    assert.equal((await session.current()).sid, "s1");
    now = 23 * DAY + 1;
    assert.equal((await session.current()).sid, "s2");
  });

  it("uses half the lifetime for short sessions instead of logging in on every call", async () => {
    let now = 0;
    let logins = 0;
    const session = new Session(
      () => {
        logins++;
        return Promise.resolve({
          sid: `s${logins}`,
          expiresAtMs: now + 1000,
          username: "u",
          name: "n",
        });
      },
      7 * DAY,
      () => now,
    );
    await session.current();
    now = 400;
    await session.current();
    assert.equal(logins, 1);
    now = 501;
    await session.current();
    assert.equal(logins, 2);
  });

  it("drops only the rejected session on invalidate()", async () => {
    let logins = 0;
    const session = new Session(() => {
      logins++;
      return Promise.resolve({
        sid: `s${logins}`,
        expiresAtMs: Date.now() + 30 * DAY,
        username: "u",
        name: "n",
      });
    }, 7 * DAY);
    await session.current();
    session.invalidate("other");
    assert.equal((await session.current()).sid, "s1");
    session.invalidate("s1");
    assert.equal((await session.current()).sid, "s2");
  });
});
