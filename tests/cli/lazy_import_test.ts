import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { importModule, registerModules } from "../../src/cli/lazy_import.ts";

const root = new URL("../../", import.meta.url);
const text = (path: string) => readFile(new URL(path, root), "utf8");
/** `scripts/` is not copied for the Bun run of the suite (`scripts/test_bun.ts`). */
const noScripts = !existsSync(new URL("scripts/binary_entry.ts", root)) &&
  "scripts/ is not part of this copy of the repository";

describe("importModule", () => {
  it("loads a module of the package by its path from the package root", async () => {
    const library = await importModule<typeof import("../../mod.ts")>("mod.ts");
    assert.equal(typeof library.VERSION, "string");
    assert.equal(typeof library.Api, "function");
    const user = await importModule<typeof import("../../src/cli/commands/user.ts")>(
      "src/cli/commands/user.ts",
    );
    assert.equal(typeof user.userCommand, "function");
  });

  it("uses a registered loader instead of the computed import", async () => {
    const namespace = { marker: "registered" };
    registerModules({ "tests/not-a-module.ts": () => Promise.resolve(namespace) });
    assert.equal(await importModule("tests/not-a-module.ts"), namespace);
  });

  it("the single binary's entry registers every lazily loaded module", {
    skip: noScripts,
  }, async () => {
    const groups = await text("src/cli/commands/_groups.ts");
    const loaded = [...groups.matchAll(/command\("([a-z_]+\.ts)"\)/g)].map((m) =>
      `src/cli/commands/${m[1]}`
    );
    assert.ok(loaded.length >= 8);
    const context = await text("src/cli/context.ts");
    assert.match(context, /importModule<Library>\("mod\.ts"\)/);
    // Every other module the CLI loads by path: the parser, the client's modules, the local
    // server (serve, demo), the MCP server.
    const byPath: string[] = [];
    for (const file of ["src/cli/main.ts", "src/cli/context.ts", "src/cli/commands/mcp.ts"]) {
      const source = (await text(file)).replaceAll(/\s+/g, " ");
      for (const m of source.matchAll(/importModule<.*?>\( ?"([^"]+\.ts)",? ?\)/g)) {
        byPath.push(m[1]!);
      }
    }
    assert.ok(byPath.includes("src/server/mod.ts"));
    assert.ok(byPath.includes("src/mcp/create_mcp_server.ts"));
    assert.ok(byPath.includes("src/cli/parse_command_line.ts"));
    const entry = await text("scripts/binary_entry.ts");
    const registered = [...entry.matchAll(/"([^"]+\.ts)": \(\) => import\("\.\.\/([^"]+)"\)/g)];
    for (const [, key, target] of registered) assert.equal(key, target);
    assert.deepEqual(
      registered.map((m) => m[1]).sort(),
      [...new Set(["mod.ts", ...byPath, ...loaded])].sort(),
    );
  });
});
