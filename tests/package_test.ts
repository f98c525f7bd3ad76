import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { VERSION } from "../src/core/version.ts";

const root = new URL("../", import.meta.url);
const readJson = async (name: string) => JSON.parse(await readFile(new URL(name, root), "utf8"));

describe("package metadata", () => {
  it("deno.json and jsr.json agree on name, version, license, exports and publish excludes", async () => {
    const deno = await readJson("deno.json");
    const jsr = await readJson("jsr.json");
    assert.equal(jsr.name, deno.name);
    assert.equal(jsr.version, deno.version);
    assert.equal(jsr.license, deno.license);
    assert.deepEqual(jsr.exports, deno.exports);
    assert.deepEqual(jsr.publish, deno.publish);
  });

  it("exports the library, the CLI, the local server and the MCP server under @swanlab-ts/api", async () => {
    const deno = await readJson("deno.json");
    assert.equal(deno.name, "@swanlab-ts/api");
    assert.deepEqual(deno.exports, {
      ".": "./mod.ts",
      "./cli": "./cli.ts",
      "./testing": "./src/server/mod.ts",
      "./mcp": "./src/mcp/mod.ts",
    });
  });

  it("sends the package version as the SDK version", async () => {
    const deno = await readJson("deno.json");
    assert.equal(VERSION, deno.version);
    assert.match(VERSION, /^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/);
  });

  it("pins every dependency to a semver range on npm", async () => {
    const deno = await readJson("deno.json");
    for (const [name, specifier] of Object.entries(deno.imports as Record<string, string>)) {
      // The package's own entry points map to local files, as `deno add jsr:@swanlab-ts/api` would.
      if (name.startsWith("@swanlab-ts/api")) {
        assert.equal(specifier, `./${deno.exports[name.replace("@swanlab-ts/api", ".")].slice(2)}`);
        continue;
      }
      assert.match(
        specifier,
        /^npm:(@[^/]+\/)?[^@]+@\^\d+\.\d+/,
        `${name} is not pinned: ${specifier}`,
      );
    }
  });
});
