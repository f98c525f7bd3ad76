/**
 * Runs the README's examples against the local server, so that the README stays true: starts
 * `startServer()` in this process, then `deno test --doc README.md` (every TypeScript snippet;
 * those marked `ts ignore` are only type-checked), then every `deno run -A examples/…` and
 * `swanlab-ts …` line of the Examples and CLI sections (through bash, in a temporary directory;
 * `login` and `completions` are skipped: they prompt or write outside it). `SWANLAB_API_HOST` and `SWANLAB_API_KEY` point at the server.
 *
 * @module
 */

import { startServer } from "../src/server/mod.ts";

const root = new URL("../", import.meta.url).pathname;
const server = await startServer();
// The subprocesses get a temporary HOME; keep them on this process's module cache.
const denoDir = JSON.parse(
  new TextDecoder().decode(
    (await new Deno.Command(Deno.execPath(), { args: ["info", "--json"], stdout: "piped" })
      .output())
      .stdout,
  ),
).denoDir as string;
const home = await Deno.makeTempDir({ prefix: "swanlab-ts-readme-" });
try {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["test", "-A", "--doc", "README.md"],
    cwd: root,
    env: {
      SWANLAB_API_HOST: server.host,
      SWANLAB_API_KEY: server.apiKey,
      HOME: home,
      SWANLAB_ROOT: home,
      DENO_DIR: denoDir,
      NO_COLOR: "1",
    },
    stdout: "inherit",
    stderr: "inherit",
  }).output();
  if (!output.success) Deno.exit(1);

  const readme = await Deno.readTextFile(`${root}README.md`);
  const section = readme.slice(
    readme.indexOf("## Examples"),
    readme.indexOf("## The local server"),
  );
  const lines = [...section.matchAll(/^((?:swanlab-ts|deno run -A examples\/).+?)(\s+#.*)?$/gm)]
    .map((m) => m[1]!.trim())
    .filter((line) => !/^swanlab-ts (login|completions)\b/.test(line));
  if (lines.length < 14) throw new Error(`Found only ${lines.length} command lines in README.md`);
  let failed = 0;
  for (const line of lines) {
    const result = await new Deno.Command("bash", {
      args: [
        "-c",
        `swanlab-ts() { "${Deno.execPath()}" run -A "${root}cli.ts" "$@"; }; ` +
        line.replace(/^deno run -A examples\//, `"${Deno.execPath()}" run -A "${root}examples/`)
          .replace(/^(".+?examples\/[^ ]+)/, '$1"'),
      ],
      cwd: home,
      env: {
        SWANLAB_API_HOST: server.host,
        SWANLAB_API_KEY: server.apiKey,
        HOME: home,
        SWANLAB_ROOT: home,
        NO_COLOR: "1",
      },
      stdout: "null",
      stderr: "piped",
    }).output();
    const ok = result.code === 0;
    if (!ok) failed++;
    console.log(
      `${ok ? "ok" : "FAILED"} ${line}${ok ? "" : `\n${new TextDecoder().decode(result.stderr)}`}`,
    );
  }
  console.log(`README command lines: ${lines.length - failed} passed, ${failed} failed`);
  if (failed > 0) Deno.exit(1);
} finally {
  await server.close();
  await Deno.remove(home, { recursive: true }).catch(() => {});
}
