/**
 * `deno task binary`: builds the single executable `bin/swanlab-ts` from a checkout with
 * `bun build --compile --bytecode` (Bun from npm, through `npx`; see `_bun.ts`), without
 * downloading Deno's runtime (which `deno task compile` needs).
 *
 * Bun resolves packages from a `package.json`, which this Deno project does not have: the build
 * runs in a temporary directory holding a copy of the sources and a generated `package.json`
 * whose dependencies are the npm packages the CLI's module graph uses, at the versions pinned in
 * `deno.lock`. The entry is `scripts/binary_entry.ts` (every lazily loaded module imported
 * literally, so that the bundle has them all).
 *
 * The binary is built in that directory and run there (`--version`); only then is it copied over
 * the output, atomically.
 *
 * Usage: `deno task binary [--output PATH]` (default `bin/swanlab-ts`, relative to the checkout).
 *
 * @module
 */

import { BUN, BUN_COMPILE_FLAGS } from "./_bun.ts";
import { copy } from "./_copy.ts";
import { npmImports } from "./_npm_imports.ts";
import { writeFileAtomic } from "../src/core/atomic_file.ts";
import { VERSION } from "../src/core/version.ts";

const root = new URL("../", import.meta.url);
const outputIndex = Deno.args.indexOf("--output");
const outputArg = outputIndex >= 0 ? Deno.args[outputIndex + 1] : "bin/swanlab-ts";
if (!outputArg) {
  console.error("usage: deno task binary [--output PATH]");
  Deno.exit(2);
}
const output = outputArg.startsWith("/") ? outputArg : new URL(outputArg, root).pathname;
const ENTRY = "scripts/binary_entry.ts";

/** The npm packages (name → exact version from `deno.lock`) that the entry's graph imports. */
async function dependencies(): Promise<Record<string, string>> {
  const lock = JSON.parse(await Deno.readTextFile(new URL("deno.lock", root)));
  const info = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", ENTRY],
    cwd: root,
    stdout: "piped",
    stderr: "inherit",
  }).output();
  if (!info.success) throw new Error(`deno info ${ENTRY} failed`);
  const graph = new TextDecoder().decode(info.stdout);
  const result: Record<string, string> = {};
  for (const { specifier, name, range } of await npmImports(root)) {
    if (!graph.includes(`"npm:/${name}@`) && !graph.includes(`"npm:${name}@`)) continue;
    const locked: unknown = lock.specifiers?.[specifier];
    // "1.32.2_zod@4.6.7" pins peer dependencies after the "_": the version is before it.
    result[name] = typeof locked === "string" ? locked.split("_")[0]! : range;
  }
  return result;
}

async function run(command: string[], cwd: string): Promise<void> {
  const [program, ...args] = command;
  const result = await new Deno.Command(program!, {
    args,
    cwd,
    stdout: "inherit",
    stderr: "inherit",
  })
    .output();
  if (!result.success) throw new Error(`${command.join(" ")} failed (exit ${result.code})`);
}

const work = await Deno.makeTempDir({ prefix: "swanlab-ts-binary-" });
try {
  const deps = await dependencies();
  await Deno.writeTextFile(
    `${work}/package.json`,
    JSON.stringify({
      name: "swanlab-ts-binary",
      private: true,
      type: "module",
      dependencies: deps,
    }),
  );
  for (const entry of ["src", "generated", "mod.ts", "cli.ts", "deno.json"]) {
    await copy(new URL(entry, root), `${work}/${entry}`);
  }
  await Deno.mkdir(`${work}/scripts`);
  await copy(new URL(ENTRY, root), `${work}/${ENTRY}`);
  await run([...BUN, "install", "--no-progress", "--no-save"], work);
  // Built in the work directory and tried there; only a binary that starts replaces the output
  // (atomically: a failed build or copy leaves the previous binary as it was).
  const built = `${work}/swanlab-ts`;
  await run([...BUN, "build", ...BUN_COMPILE_FLAGS, ENTRY, "--outfile", built], work);
  const version = await new Deno.Command(built, { args: ["--version"], stdout: "piped" }).output();
  const printed = new TextDecoder().decode(version.stdout).trim();
  if (!version.success || printed !== VERSION) {
    throw new Error(
      `The built binary failed its check: --version printed "${printed}" (expected "${VERSION}")`,
    );
  }
  using source = await Deno.open(built);
  await writeFileAtomic(output, source.readable, { mode: 0o755, createParent: true });
  console.log(`Built ${output} (dependencies: ${Object.keys(deps).join(", ")})`);
} finally {
  await Deno.remove(work, { recursive: true }).catch(() => {});
}
