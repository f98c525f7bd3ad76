/**
 * Single-binary smoke test: `deno task binary` (`bun build --compile` with Bun from npm;
 * `deno compile` needs to download its runtime, which this CI cannot), then runs the binary's
 * `--help`, `user info`, `run metrics`, `project table` (to Parquet), `mirror` and `mcp` against
 * the local server served by Deno in another process, and its `demo` (the server built into the
 * binary), and checks what they print and write.
 * Prints `compile: N passed, N failed`.
 *
 * @module
 */

const root = new URL("../", import.meta.url);
const work = await Deno.makeTempDir({ prefix: "swanlab-ts-compile-" });
let server: Deno.ChildProcess | undefined;
let passed = 0;
let failed = 0;
const check = (name: string, ok: boolean, detail = "") => {
  if (ok) passed++;
  else failed++;
  console.log(`${ok ? "ok" : "not ok"} - ${name}${ok || detail === "" ? "" : `: ${detail}`}`);
};
try {
  // The same build as `deno task binary`, into the temporary directory.
  const binary = `${work}/swanlab-ts`;
  const build = await new Deno.Command(Deno.execPath(), {
    args: ["task", "binary", "--output", binary],
    cwd: root,
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!build.success) {
    throw new Error(
      `deno task binary failed: ${new TextDecoder().decode(build.stderr).slice(-2000)}`,
    );
  }
  check("bun build --compile produces an executable", (await Deno.stat(binary)).isFile);

  server = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", new URL("bench/_server.ts", root).pathname, "{}"],
    stdin: "piped",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const reader = server.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let banner = "";
  while (!banner.includes("\n")) {
    const { done, value } = await reader.read();
    if (done) throw new Error("The local server exited before printing its address");
    banner += value;
  }
  reader.releaseLock();
  const { host, apiKey } = JSON.parse(banner.split("\n")[0]!);
  const env = { SWANLAB_API_HOST: host, SWANLAB_API_KEY: apiKey, HOME: work, NO_COLOR: "1" };
  // One run of the binary to its end, its output as text.
  const runBinary = async (args: string[], runEnv: Record<string, string> = env) => {
    const done = await new Deno.Command(binary, {
      args,
      env: runEnv,
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = new TextDecoder();
    return {
      success: done.success,
      code: done.code,
      stdout: text.decode(done.stdout),
      stderr: text.decode(done.stderr),
    };
  };

  const help = await runBinary(["--help"]);
  check("the binary prints help and exits 0", help.success && help.stdout.includes("swanlab-ts"));

  const user = await runBinary(["user", "info"]);
  let userData: { ok?: boolean; data?: { username?: string } } = {};
  try {
    userData = JSON.parse(user.stdout);
  } catch {
    // reported below
  }
  check(
    "user info (the lazily loaded library) prints the user",
    user.success && userData.ok === true && typeof userData.data?.username === "string",
  );

  const metrics = await runBinary([
    "run",
    "metrics",
    "vision-lab/resnet-sweep/mtg02pg5",
    "--keys",
    "train/loss,lr",
    "--sample",
    "50",
  ]);
  let envelope: { ok?: boolean; data?: { list?: { key: string; metrics: unknown[] }[] } } = {};
  try {
    envelope = JSON.parse(metrics.stdout);
  } catch {
    // reported below
  }
  check("run metrics exits 0", metrics.success, metrics.stderr);
  check("run metrics prints the Python envelope with ok: true", envelope.ok === true);
  const list = envelope.data?.list ?? [];
  check(
    "run metrics returns both keys with at most 50 points each",
    list.length === 2 &&
      list.every((entry) => entry.metrics.length > 0 && entry.metrics.length <= 50),
  );

  const missing = await runBinary(["run", "info", "vision-lab/resnet-sweep/nope1234"]);
  check("a missing run exits 1", missing.code === 1);

  // Modules the bundle loads only on demand: the table export and its Parquet writer.
  const parquet = `${work}/table.parquet`;
  const table = await runBinary([
    "project",
    "table",
    "vision-lab/resnet-sweep",
    "--summary",
    "val/acc",
    "--out",
    parquet,
  ]);
  const written = await Deno.readFile(parquet).catch(() => new Uint8Array());
  const magic = (at: number) => new TextDecoder().decode(written.subarray(at, at + 4));
  check(
    "project table writes a Parquet file",
    table.success && written.length > 8 && magic(0) === "PAR1" &&
      magic(written.length - 4) === "PAR1",
    table.stderr.slice(-500),
  );

  // A mirror of one run: records, Parquet points, logs, media and the manifest written last.
  const mirrorDir = `${work}/mirror`;
  const mirrored = await runBinary([
    "mirror",
    "vision-lab/resnet-sweep/mtg02pg5",
    "--out",
    mirrorDir,
  ]);
  let manifest: { counts?: { points?: number } } = {};
  try {
    manifest = JSON.parse(await Deno.readTextFile(`${mirrorDir}/manifest.json`));
  } catch {
    // reported below
  }
  check(
    "mirror of a run writes its manifest with the points counted",
    mirrored.success && (manifest.counts?.points ?? 0) > 0,
    mirrored.stderr.slice(-500),
  );

  // The built-in server inside the binary: the tour starts it, queries it and stops it.
  const demo = await runBinary(["demo"], { HOME: work, NO_COLOR: "1" });
  check(
    "demo runs its tour against the built-in server and exits 0",
    demo.success && demo.stdout.includes("Tour finished"),
    demo.stderr.slice(-500),
  );

  // The MCP server of the binary, on stdio: piped requests get their answers, then it exits.
  const line = (id: number, method: string, params: unknown) =>
    JSON.stringify({ jsonrpc: "2.0", id, method, params }) + "\n";
  const mcp = new Deno.Command(binary, {
    args: ["mcp"],
    env,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = mcp.stdin.getWriter();
  await writer.write(new TextEncoder().encode(
    line(1, "initialize", {
      protocolVersion: "2025-06-18",
      capabilities: {},
      clientInfo: { name: "compile-smoke", version: "1" },
    }) + line(2, "tools/call", { name: "whoami", arguments: {} }),
  ));
  await writer.close();
  const served = await mcp.output();
  const answers = new TextDecoder().decode(served.stdout).trim().split("\n").map((text) => {
    try {
      return JSON.parse(text);
    } catch {
      return { unparsable: text };
    }
  });
  check(
    "mcp answers initialize and a tool call on stdio, then exits 0",
    served.success && answers.length === 2 &&
      answers.find((a) => a.id === 2)?.result?.structuredContent?.user?.username === "alice",
    new TextDecoder().decode(served.stdout).slice(0, 500) +
      new TextDecoder().decode(served.stderr).slice(-500),
  );
} catch (error) {
  check("compile smoke test ran", false, String(error));
} finally {
  if (server) {
    await server.stdin.close().catch(() => {});
    await server.status;
  }
  await Deno.remove(work, { recursive: true }).catch(() => {});
}
console.log(`compile: ${passed} passed, ${failed} failed`);
Deno.exit(failed === 0 && passed > 0 ? 0 : 1);
