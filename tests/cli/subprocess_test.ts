import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import process from "node:process";
import { fileURLToPath } from "node:url";
import type { LocalServer } from "../../src/server/mod.ts";
import { runPath, startTestServer } from "./_helpers.ts";

const CLI = fileURLToPath(new URL("../../cli.ts", import.meta.url));
const isDeno = typeof (globalThis as { Deno?: unknown }).Deno !== "undefined";
const isBun = typeof (globalThis as { Bun?: unknown }).Bun !== "undefined";

/** Runs the real program as a child process. */
function spawnCli(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const argv = isDeno ? ["run", "-A", CLI, ...args] : [CLI, ...args];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, argv, {
      env: { PATH: process.env["PATH"] ?? "", NO_COLOR: "1", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => out.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => err.push(chunk));
    child.on("error", reject);
    child.on("close", (code) =>
      resolve({
        code,
        stdout: Buffer.concat(out).toString("utf8"),
        stderr: Buffer.concat(err).toString("utf8"),
      }));
  });
}

(isDeno || isBun ? describe : describe.skip)("swanlab-ts as a program", () => {
  let server: LocalServer;
  before(async () => {
    server = await startTestServer();
  });
  after(async () => {
    await server.close();
  });

  it("--help prints on stdout and exits 0", async () => {
    const result = await spawnCli(["--help"]);
    assert.equal(result.code, 0);
    assert.match(result.stdout, /Usage: swanlab-ts/);
    assert.equal(result.stderr, "");
  });

  it("a usage error prints on stderr and exits 2", async () => {
    const result = await spawnCli(["run", "metrics", "a/b/c"]);
    assert.equal(result.code, 2);
    assert.equal(result.stdout, "");
    assert.match(result.stderr, /--keys/);
  });

  it("run metrics against a local server prints the JSON envelope when piped", async () => {
    const result = await spawnCli(
      ["api", "run", "metrics", runPath(server), "--keys", "train/loss,val/loss", "--sample", "20"],
      {
        SWANLAB_API_HOST: server.host,
        SWANLAB_API_KEY: server.apiKey,
        SWANLAB_ROOT: "/nonexistent-root",
      },
    );
    assert.equal(result.code, 0, result.stderr);
    const parsed = JSON.parse(result.stdout);
    assert.deepEqual(Object.keys(parsed), ["ok", "errmsg", "data"]);
    assert.equal(parsed.ok, true);
    assert.deepEqual(parsed.data.list.map((e: { key: string }) => e.key), [
      "train/loss",
      "val/loss",
    ]);
  });

  it("an API failure exits 1 with ok:false on stdout", async () => {
    const result = await spawnCli(["user", "info"], {
      SWANLAB_API_HOST: server.host,
      SWANLAB_API_KEY: "wrong-key-123",
      SWANLAB_ROOT: "/nonexistent-root",
    });
    assert.equal(result.code, 1);
    assert.equal(JSON.parse(result.stdout).ok, false);
    assert.match(result.stderr, /^error: /m);
  });

  it("demo exits 0", async () => {
    const result = await spawnCli(["demo", "--steps", "2000"]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /Now with your own SwanLab/);
  });
});
