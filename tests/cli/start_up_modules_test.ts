import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import type { LocalServer } from "../../src/server/mod.ts";
import { startTestServer } from "./_helpers.ts";
import { VERSION } from "../../src/core/version.ts";

const ROOT = new URL("../../", import.meta.url).href;
const CLI = fileURLToPath(new URL("../../cli.ts", import.meta.url));
const isDeno = typeof (globalThis as { Deno?: unknown }).Deno !== "undefined";

/**
 * Runs the CLI under `deno run` with V8's function-event log, and returns the repository's
 * modules and the npm packages that V8 compiled: the modules the command evaluated (a module Deno only read for its
 * module graph, behind a literal `import()` that never ran, is not compiled, so not listed).
 */
async function evaluatedModules(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; modules: Set<string> }> {
  const dir = await mkdtemp(join(tmpdir(), "swanlab-ts-start-up-"));
  const log = join(dir, "v8.log");
  try {
    const argv = [
      "run",
      "-A",
      `--v8-flags=--log-function-events,--logfile=${log},--no-logfile-per-isolate`,
      CLI,
      ...args,
    ];
    const { code, stdout } = await new Promise<{ code: number | null; stdout: string }>(
      (resolve, reject) => {
        const child = spawn(process.execPath, argv, {
          env: { PATH: process.env["PATH"] ?? "", NO_COLOR: "1", ...env },
          stdio: ["ignore", "pipe", "ignore"],
        });
        const out: Buffer[] = [];
        child.stdout.on("data", (chunk: Buffer) => out.push(chunk));
        child.on("error", reject);
        child.on("close", (exit) => resolve({ code: exit, stdout: Buffer.concat(out).toString() }));
      },
    );
    const modules = new Set<string>();
    // V8 names each compiled script once: `script-details,<id>,<url>,…`. The repository's
    // modules by path, npm packages as `npm:<name>` and their files as `npm:<name>/<path>`.
    for (const line of (await readFile(log, "utf8")).split("\n")) {
      if (!line.startsWith("script-details,")) continue;
      const url = line.split(",")[2] ?? "";
      if (url.startsWith(ROOT)) modules.add(url.slice(ROOT.length));
      // Also each file of a package: `npm:<name>/<path in the package>`.
      const npm = /\/registry\.npmjs\.org\/((?:@[^/]+\/)?[^/]+)\/[^/]+\/(.*)$/.exec(url);
      if (npm) modules.add(`npm:${npm[1]}`).add(`npm:${npm[1]}/${npm[2]}`);
    }
    return { code, stdout, modules };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The modules of `modules` under any of the prefixes. */
function under(modules: Set<string>, prefixes: readonly string[]): string[] {
  return [...modules].filter((path) => prefixes.some((prefix) => path.startsWith(prefix)));
}

// Deno only: the V8 log is read from a `deno run` child; the property it checks is how the CLI
// loads its modules, the same on every runtime.
(isDeno ? describe : describe.skip)("the modules a CLI start evaluates", () => {
  let server: LocalServer;
  before(async () => {
    server = await startTestServer();
  });
  after(async () => {
    await server.close();
  });

  it("a plain user info evaluates the user entity and the transport: no parser, no Api", async () => {
    const { code, stdout, modules } = await evaluatedModules(["user", "info"], {
      SWANLAB_API_HOST: server.host,
      SWANLAB_API_KEY: server.apiKey,
    });
    assert.equal(code, 0, stdout);
    assert.equal(JSON.parse(stdout).ok, true);
    // What the command runs is there (so the log was read).
    for (
      const path of [
        "src/cli/plain_commands.ts",
        "src/entities/user.ts",
        "src/core/transport.ts",
        "npm:openapi-fetch",
      ]
    ) {
      assert.ok(modules.has(path), `${path} evaluated: ${[...modules].join(", ")}`);
    }
    assert.deepEqual(
      under(modules, [
        "npm:@optique/",
        "src/cli/parse_command_line.ts",
        "src/cli/options.ts",
        "src/cli/commands/",
        "src/entities/api.ts",
        "src/entities/run.ts",
        "src/server/",
        "src/export/",
        "src/mirror/",
        "src/mcp/",
        "src/cli/chart.ts",
        "src/cli/svg_chart.ts",
        "src/metrics/",
        "src/core/response_validator.ts",
        // Key and host from the environment: no `.netrc` read (nor the file writer it brings);
        // nothing downloaded: no body watcher.
        "src/core/netrc.ts",
        "src/core/atomic_file.ts",
        "src/core/idle_body.ts",
        "generated/spec.ts",
        "mod.ts",
      ]),
      [],
    );
  });

  it("user info with an option is parsed, and loads its own command only", async () => {
    const { code, stdout, modules } = await evaluatedModules(["user", "info", "--json"], {
      SWANLAB_API_HOST: server.host,
      SWANLAB_API_KEY: server.apiKey,
    });
    assert.equal(code, 0, stdout);
    assert.equal(JSON.parse(stdout).ok, true);
    assert.ok(modules.has("src/cli/parse_command_line.ts"), [...modules].join(", "));
    assert.deepEqual(
      under(modules, ["src/cli/commands/"]).sort(),
      ["src/cli/commands/_groups.ts", "src/cli/commands/user.ts"],
    );
    assert.deepEqual(
      under(modules, ["src/server/", "src/export/", "src/mirror/", "src/mcp/", "src/cli/chart.ts"]),
      [],
    );
  });

  it("--version evaluates no parser and no client code", async () => {
    const { code, stdout, modules } = await evaluatedModules(["--version"], {});
    assert.equal(code, 0);
    assert.equal(stdout, `${VERSION}\n`);
    assert.ok(modules.has("src/cli/main.ts"), `main.ts evaluated: ${[...modules].join(", ")}`);
    assert.deepEqual(
      under(modules, [
        "npm:@optique/",
        "src/cli/parse_command_line.ts",
        "src/cli/context.ts",
        "src/entities/",
        "src/server/",
        "mod.ts",
      ]),
      [],
    );
  });

  it("--help evaluates no client code and no parser", async () => {
    const { code, stdout, modules } = await evaluatedModules(["--help"], {});
    assert.equal(code, 0);
    assert.match(stdout, /Usage: swanlab-ts/);
    assert.ok(modules.has("src/cli/main.ts"), `main.ts evaluated: ${[...modules].join(", ")}`);
    // The page is drawn with Optique's document functions (src/cli/root_help.ts): its parsers,
    // its runner and the CLI's command tree are not loaded.
    assert.ok(modules.has("npm:@optique/core/dist/doc.js"), [...modules].join(", "));
    assert.deepEqual(
      under(modules, [
        "src/cli/parse_command_line.ts",
        "src/cli/options.ts",
        "src/cli/context.ts",
        "npm:@optique/core/dist/index.js",
        "npm:@optique/core/dist/parser.js",
        "npm:@optique/core/dist/constructs.js",
        "npm:@optique/core/dist/primitives.js",
        "npm:@optique/core/dist/facade.js",
      ]),
      [],
    );
    assert.deepEqual(under(modules, ["src/cli/commands/"]), ["src/cli/commands/_groups.ts"]);
    assert.deepEqual(
      under(modules, ["src/entities/", "src/metrics/", "src/server/", "mod.ts"]),
      [],
    );
    // The small modules the CLI imports directly (docs/ARCHITECTURE.md), nothing of the client.
    const core = under(modules, ["src/core/"]);
    const allowed = ["src/core/terminal_text.ts", "src/core/version.ts"];
    assert.deepEqual(core.filter((path) => !allowed.includes(path)), [], core.join(", "));
  });
});
