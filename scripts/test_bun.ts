/**
 * Runs the `node:test` suite under Bun (installed from npm), proving the library, the local
 * server and the CLI work on Bun as they do on Deno.
 *
 * Bun does not read `deno.json`, so the sources are copied to a temporary directory with a
 * `package.json` whose dependencies are `deno.json`'s npm imports (same version ranges), and
 * `bun install` + `bun test` run there. Test files that only make sense on Deno
 * ({@linkcode DENO_ONLY}) are left out, and said so. Prints `bun: N passed, N failed` and exits
 * non-zero on any failure, unhandled error or timeout.
 *
 * Usage: `deno run -A scripts/test_bun.ts [bun test arguments…]`
 *
 * @module
 */

import { BUN } from "./_bun.ts";
import { copy } from "./_copy.ts";
import { npmImports } from "./_npm_imports.ts";

/** Test files that cannot run on Bun, with the reason. */
const DENO_ONLY: Readonly<Record<string, string>> = {
  "tests/openapi/spec_test.ts":
    "reads the spec with Deno.readTextFile and imports scripts/gen.ts, a Deno script " +
    "(codegen freshness is runtime-independent and checked by `deno task gen:check`)",
  "tests/examples_test.ts": "spawns `deno run examples/*.ts`: the examples are Deno programs",
  "tests/mirror/not_writable_test.ts":
    "runs the CLI under `deno run` in a child process with a read-only directory (a mode, or a " +
    "read-only bind mount in a user namespace for root); the check itself is runtime-independent",
  "tests/cli/read_only_output_test.ts": "the same, for --save and project export outputs",
};
/** Per-test timeout passed to `bun test`. */
const TEST_TIMEOUT_MS = 60_000;
/** Upper bound for the whole `bun test` run. */
const RUN_TIMEOUT_MS = 600_000;

const root = new URL("../", import.meta.url);
const work = await Deno.makeTempDir({ prefix: "swanlab-ts-bun-" });
try {
  const dependencies: Record<string, string> = {};
  for (const { name, range } of await npmImports(root)) dependencies[name] = range;
  const pkg = { name: "swanlab-ts-bun-check", private: true, type: "module", dependencies };
  await Deno.writeTextFile(`${work}/package.json`, JSON.stringify(pkg, null, 2));
  for (
    const entry of [
      "src",
      "tests",
      // The bench's pure helpers have tests too (`tests/bench/`).
      "bench",
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
  for (const [file, reason] of Object.entries(DENO_ONLY)) {
    await Deno.remove(`${work}/${file}`);
    console.log(`skip ${file}: ${reason}`);
  }

  await run([...BUN, "install", "--no-progress"], work);
  const result = await run(
    [...BUN, "test", "--timeout", String(TEST_TIMEOUT_MS), ...Deno.args],
    work,
    true,
  );
  const text = result.output;
  const passed = Number(/^\s*(\d+) pass\b/m.exec(text)?.[1] ?? 0);
  const failed = Number(/^\s*(\d+) fail\b/m.exec(text)?.[1] ?? 0);
  // Errors outside tests (a module that does not load, an unhandled rejection).
  const errors = Number(/^\s*(\d+) errors?\b/m.exec(text)?.[1] ?? 0);
  const skipped = Object.keys(DENO_ONLY).length;
  console.log(
    `bun: ${passed} passed, ${failed} failed` +
      (errors > 0 ? `, ${errors} errors outside tests` : "") +
      ` (${skipped} Deno-only test files skipped)`,
  );
  if (!result.success || failed > 0 || errors > 0 || passed === 0) Deno.exitCode = 1;
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
    signal: AbortSignal.timeout(RUN_TIMEOUT_MS),
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
