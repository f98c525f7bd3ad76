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

describe("the deadlines' timer and the process", () => {
  const runtime = (globalThis as { Deno?: unknown }).Deno === undefined ? "bun" : "deno";
  const script = (body: string) =>
    `import { addDeadline, clearDeadline } from ${
      JSON.stringify(new URL("../../src/core/_deadlines.ts", import.meta.url).href)
    };\n${body}`;
  const runScript = async (body: string) => {
    const { execFile } = await import("node:child_process");
    const { mkdtemp, writeFile, rm } = await import("node:fs/promises");
    const { tmpdir } = await import("node:os");
    const { join } = await import("node:path");
    const dir = await mkdtemp(join(tmpdir(), "deadlines-"));
    const file = join(dir, "script.ts");
    await writeFile(file, script(body));
    const args = runtime === "deno" ? ["run", "-A", file] : [file];
    const started = performance.now();
    try {
      return await new Promise<{ stdout: string; ms: number }>((resolve, reject) => {
        execFile(runtime, args, { timeout: 20_000 }, (error, stdout) => {
          if (error) reject(error);
          else resolve({ stdout, ms: performance.now() - started });
        });
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  };

  it("a cleared deadline does not keep the process alive", async () => {
    const { stdout, ms } = await runScript(
      `const d = addDeadline(15_000, () => console.log("expired"));\n` +
        `clearDeadline(d);\nconsole.log("done");\n`,
    );
    assert.equal(stdout.trim(), "done");
    assert.ok(ms < 12_000, `the process lived ${Math.round(ms)} ms`);
  });

  it("reuses one timer for requests one after another, and never a timer that has fired", async () => {
    const native = AbortSignal.timeout;
    let created = 0;
    AbortSignal.timeout = (ms: number) => {
      created++;
      return native.call(AbortSignal, ms);
    };
    try {
      for (let i = 0; i < 50; i++) clearDeadline(addDeadline(10_000, () => {}));
      assert.ok(created <= 1, `${created} timers for 50 sequential deadlines`);
      // A short timer, left to fire while detached: the next deadline must not count on it.
      clearDeadline(addDeadline(0, () => {}));
      await wait(20);
      const expired: string[] = [];
      addDeadline(10, () => expired.push("after"));
      await wait(60);
      assert.deepEqual(expired, ["after"]);
    } finally {
      AbortSignal.timeout = native;
    }
  });

  it("takes delays above 2^31 - 1 ms without firing at once", async () => {
    const expired: string[] = [];
    const far = addDeadline(2 ** 31 + 1000, () => expired.push("far"));
    await wait(30);
    clearDeadline(far);
    assert.deepEqual(expired, []);
  });
});
