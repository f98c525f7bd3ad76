/**
 * Proves the package works on Node.js 20: packs it with `deno pack` (the npm tarball JSR would
 * serve), installs the tarball with npm in a temporary project, starts the local server with
 * Deno in another process, and runs `scripts/node_smoke.mjs` under Node against it, with
 * credentials in the environment only. Prints the smoke test's TAP output, then
 * `node: N passed, N failed`; exits non-zero on any failure.
 *
 * Usage: `deno run -A scripts/test_node.ts`
 *
 * @module
 */

/** The data set of the local server; the smoke test checks counts against it. */
const SERVER_OPTIONS = { runs: 12, steps: 300, logLines: 200 };
/** Upper bound for the smoke test itself. */
const SMOKE_TIMEOUT_MS = 300_000;

const root = new URL("../", import.meta.url).pathname;
const work = await Deno.makeTempDir({ prefix: "swanlab-ts-node-" });
const tarball = `${work}/swanlab-ts.tgz`;
let server: Deno.ChildProcess | undefined;
try {
  await run(Deno.execPath(), ["pack", "--allow-dirty", "--output", tarball], root);
  const manifest = await packageJsonOf(tarball, work);
  const entries = Object.keys(manifest.exports).join(", ");
  console.log(`packed ${manifest.name}@${manifest.version}, exports ${entries}`);
  await Deno.writeTextFile(
    `${work}/package.json`,
    JSON.stringify({ name: "node-smoke", private: true, type: "module" }),
  );
  await run("npm", ["install", "--no-audit", "--no-fund", "--silent", tarball], work);
  await Deno.copyFile(`${root}scripts/node_smoke.mjs`, `${work}/smoke.mjs`);

  server = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", `${root}bench/_server.ts`, JSON.stringify(SERVER_OPTIONS)],
    stdin: "piped",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const { host, apiKey } = await readBanner(server);

  const smoke = await new Deno.Command("node", {
    args: ["smoke.mjs"],
    cwd: work,
    // Only what the smoke test needs: no credentials or `.netrc` of this machine leak in.
    clearEnv: true,
    env: {
      PATH: Deno.env.get("PATH") ?? "",
      HOME: work,
      SWANLAB_API_HOST: host,
      SWANLAB_API_KEY: apiKey,
      SMOKE_SERVER_OPTIONS: JSON.stringify(SERVER_OPTIONS),
      NO_COLOR: "1",
    },
    stdout: "piped",
    stderr: "inherit",
    signal: AbortSignal.timeout(SMOKE_TIMEOUT_MS),
  }).output();
  const text = new TextDecoder().decode(smoke.stdout);
  await Deno.stdout.write(new TextEncoder().encode(text));
  const passed = (text.match(/^ok /gm) ?? []).length;
  const failed = (text.match(/^not ok /gm) ?? []).length;
  console.log(`node: ${passed} passed, ${failed} failed`);
  if (!smoke.success || failed > 0 || passed === 0) Deno.exitCode = 1;
} finally {
  if (server) {
    await server.stdin.close().catch(() => {});
    await server.status;
  }
  await Deno.remove(work, { recursive: true }).catch(() => {});
}

/** Reads the server's first stdout line, `{ host, apiKey }`. */
async function readBanner(child: Deno.ChildProcess): Promise<{ host: string; apiKey: string }> {
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let banner = "";
  while (!banner.includes("\n")) {
    const { done, value } = await reader.read();
    if (done) throw new Error("The local server exited before printing its address");
    banner += value;
  }
  reader.releaseLock();
  return JSON.parse(banner.split("\n")[0]!);
}

/** The `package.json` that `deno pack` wrote into the tarball. */
async function packageJsonOf(
  file: string,
  cwd: string,
): Promise<{ name: string; version: string; exports: Record<string, unknown> }> {
  const output = await new Deno.Command("tar", {
    args: ["-xzOf", file, "package/package.json"],
    cwd,
    stdout: "piped",
    stderr: "inherit",
  }).output();
  if (!output.success) throw new Error(`Cannot read package.json from "${file}"`);
  return JSON.parse(new TextDecoder().decode(output.stdout));
}

/** Runs a command quietly; prints its output only when it fails. */
async function run(program: string, args: string[], cwd: string): Promise<void> {
  const output = await new Deno.Command(program, { args, cwd, stdout: "piped", stderr: "piped" })
    .output();
  if (!output.success) {
    await Deno.stderr.write(output.stdout);
    await Deno.stderr.write(output.stderr);
    throw new Error(`${program} ${args.join(" ")} failed with exit ${output.code}`);
  }
}
