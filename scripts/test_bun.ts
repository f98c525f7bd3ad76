/**
 * Runs the `node:test` suite under Bun (installed from npm), proving the library, the local
 * server and the CLI work on Bun as they do on Deno.
 *
 * Bun does not read `deno.json`, so the sources are copied to a temporary directory with a
 * `package.json` whose dependencies are `deno.json`'s npm imports (same version ranges), and
 * `bun install` + `bun test` run there. Prints `bun: N passed, N failed` and exits non-zero on
 * failure.
 *
 * @module
 */

import { copy } from "./_copy.ts";

const root = new URL("../", import.meta.url);
const work = await Deno.makeTempDir({ prefix: "swanlab-ts-bun-" });
try {
  const config = JSON.parse(await Deno.readTextFile(new URL("deno.json", root)));
  const dependencies: Record<string, string> = {};
  for (const [name, specifier] of Object.entries(config.imports as Record<string, string>)) {
    const match = /^npm:((?:@[^/]+\/)?[^@]+)@(.+)$/.exec(specifier);
    if (match) dependencies[name] = match[2]!;
  }
  const pkg = { name: "swanlab-ts-bun-check", private: true, type: "module", dependencies };
  await Deno.writeTextFile(`${work}/package.json`, JSON.stringify(pkg, null, 2));
  for (
    const entry of [
      "src",
      "tests",
      "generated",
      "openapi",
      "mod.ts",
      "cli.ts",
      "deno.json",
      "jsr.json",
    ]
  ) {
    await copy(new URL(entry, root), `${work}/${entry}`);
  }
  const bun = ["npx", "--yes", "bun@1"];
  await run([...bun, "install", "--no-progress"], work);
  const result = await run([...bun, "test", "--timeout", "60000", ...Deno.args], work, true);
  const text = result.output;
  const passed = Number(/(\d+) pass\b/.exec(text)?.[1] ?? 0);
  const failed = Number(/(\d+) fail\b/.exec(text)?.[1] ?? 0);
  console.log(`bun: ${passed} passed, ${failed} failed`);
  if (!result.success || failed > 0 || passed === 0) Deno.exit(1);
} finally {
  await Deno.remove(work, { recursive: true }).catch(() => {});
}

async function run(
  command: string[],
  cwd: string,
  capture = false,
): Promise<{ success: boolean; output: string }> {
  const [program, ...args] = command;
  const child = new Deno.Command(program!, {
    args,
    cwd,
    stdout: capture ? "piped" : "inherit",
    stderr: capture ? "piped" : "inherit",
    env: { NO_COLOR: "1" },
  }).spawn();
  if (!capture) {
    const status = await child.status;
    if (!status.success) throw new Error(`${command.join(" ")} failed with exit ${status.code}`);
    return { success: true, output: "" };
  }
  const { success, stdout, stderr } = await child.output();
  const output = new TextDecoder().decode(stdout) + new TextDecoder().decode(stderr);
  await Deno.stdout.write(new TextEncoder().encode(output));
  return { success, output };
}
