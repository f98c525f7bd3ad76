import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  DEFAULT_RETRY_POLICY,
  isRetryableStatus,
  parseRetryAfterMs,
  retryDelayMs,
} from "../../src/core/retry.ts";

describe("isRetryableStatus()", () => {
  it("retries 408, 429 and every 5xx but no other status", () => {
    for (const status of [408, 429, 500, 502, 503, 504, 599]) {
      assert.equal(isRetryableStatus(status), true);
    }
    for (const status of [200, 301, 400, 401, 403, 404, 409, 413]) {
      assert.equal(isRetryableStatus(status), false);
    }
  });
});

describe("parseRetryAfterMs()", () => {
  it("reads seconds, milliseconds and HTTP dates", () => {
    assert.equal(parseRetryAfterMs(new Headers({ "retry-after": "3" }), 0), 3000);
    assert.equal(parseRetryAfterMs(new Headers({ "retry-after": "0" }), 0), 0);
    assert.equal(parseRetryAfterMs(new Headers({ "retry-after-ms": "250" }), 0), 250);
    const now = Date.parse("2026-01-01T00:00:00Z");
    assert.equal(
      parseRetryAfterMs(new Headers({ "retry-after": "Thu, 01 Jan 2026 00:00:05 GMT" }), now),
      5000,
    );
  });

  it("ignores absent, negative and unparsable values", () => {
    assert.equal(parseRetryAfterMs(new Headers(), 0), undefined);
    assert.equal(parseRetryAfterMs(new Headers({ "retry-after": "-1" }), 0), undefined);
    assert.equal(parseRetryAfterMs(new Headers({ "retry-after": "soon" }), 0), undefined);
  });
});

describe("retryDelayMs()", () => {
  it("doubles from 0.5 s and caps at 8 s without jitter", () => {
    const delays = [1, 2, 3, 4, 5, 6, 7].map((n) =>
      retryDelayMs(n, undefined, DEFAULT_RETRY_POLICY, () => 0)
    );
    assert.deepEqual(delays, [500, 1000, 2000, 4000, 8000, 8000, 8000]);
  });

  it("subtracts at most 25 % jitter", () => {
    for (let i = 0; i < 200; i++) {
      const delay = retryDelayMs(2, undefined, DEFAULT_RETRY_POLICY)!;
      assert.ok(delay > 750 - 1e-9 && delay <= 1000, `delay ${delay}`);
    }
  });

  it("honours Retry-After up to the cap and gives up beyond it", () => {
    assert.equal(retryDelayMs(1, 1500, DEFAULT_RETRY_POLICY, () => 0.9), 1500);
    assert.equal(retryDelayMs(1, 60_001, DEFAULT_RETRY_POLICY), undefined);
  });
});
