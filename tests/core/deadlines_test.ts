import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { addDeadline, clearDeadline } from "../../src/core/_deadlines.ts";

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("request deadlines on one timer (src/core/_deadlines.ts)", () => {
  it("expires each deadline once, the earliest first, whatever the order they were added in", async () => {
    const expired: string[] = [];
    const started = performance.now();
    const at: Record<string, number> = {};
    const note = (name: string) => () => {
      expired.push(name);
      at[name] = performance.now() - started;
    };
    addDeadline(60, note("late"));
    addDeadline(10, note("early"));
    addDeadline(30, note("middle"));
    await wait(120);
    assert.deepEqual(expired, ["early", "middle", "late"]);
    assert.ok(at["early"]! >= 9 && at["middle"]! >= 29 && at["late"]! >= 59, JSON.stringify(at));
  });

  it("never expires a cleared deadline, and expires the others", async () => {
    const expired: string[] = [];
    const first = addDeadline(10, () => expired.push("first"));
    addDeadline(20, () => expired.push("second"));
    const third = addDeadline(5, () => expired.push("third"));
    clearDeadline(third);
    clearDeadline(first);
    clearDeadline(first); // twice: nothing happens
    await wait(60);
    assert.deepEqual(expired, ["second"]);
  });

  it("expires a deadline added by another one's expiry", async () => {
    const expired: string[] = [];
    addDeadline(5, () => {
      expired.push("outer");
      addDeadline(5, () => expired.push("inner"));
    });
    await wait(60);
    assert.deepEqual(expired, ["outer", "inner"]);
  });
});
