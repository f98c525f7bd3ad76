/**
 * Proves the package works on Node.js 20: packs it with `deno pack` (the npm tarball JSR would
 * serve), installs the tarball with npm in a temporary project, starts the local server with
 * Deno in another process, and runs `scripts/node_smoke.mjs` under Node against it.
 * Prints `node: N passed, N failed`.
 *
 * @module
 */

const root = new URL("../", import.meta.url).pathname;
const work = await Deno.makeTempDir({ prefix: "swanlab-ts-node-" });
const tarball = `${work}/swanlab-ts.tgz`;
let server: Deno.ChildProcess | undefined;
try {
  await run(Deno.execPath(), ["pack", "--allow-dirty", "--output", tarball], root);
  await Deno.writeTextFile(
    `${work}/package.json`,
    JSON.stringify({ name: "node-smoke", private: true, type: "module" }),
  );
  await run("npm", ["install", "--no-audit", "--no-fund", "--silent", tarball], work);
  await Deno.copyFile(`${root}scripts/node_smoke.mjs`, `${work}/smoke.mjs`);

  server = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", `${root}bench/_server.ts`, "{}"],
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

  const smoke = await new Deno.Command("node", {
    args: ["smoke.mjs"],
    cwd: work,
    env: { SWANLAB_API_HOST: host, SWANLAB_API_KEY: apiKey, HOME: work, NO_COLOR: "1" },
    stdout: "piped",
    stderr: "inherit",
  }).output();
  const text = new TextDecoder().decode(smoke.stdout);
  await Deno.stdout.write(new TextEncoder().encode(text));
  const passed = (text.match(/^ok /gm) ?? []).length;
  const failed = (text.match(/^not ok /gm) ?? []).length;
  console.log(`node: ${passed} passed, ${failed} failed`);
  if (!smoke.success || failed > 0 || passed === 0) Deno.exit(1);
} finally {
  if (server) {
    await server.stdin.close().catch(() => {});
    await server.status;
  }
  await Deno.remove(work, { recursive: true }).catch(() => {});
}

async function run(program: string, args: string[], cwd: string): Promise<void> {
  const status = await new Deno.Command(program, {
    args,
    cwd,
    stdout: "inherit",
    stderr: "inherit",
  })
    .spawn().status;
  if (!status.success) {
    throw new Error(`${program} ${args.join(" ")} failed with exit ${status.code}`);
  }
}
