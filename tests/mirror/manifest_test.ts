import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ValidationError } from "../../mod.ts";
import { manifestText, readManifest } from "../../src/mirror/manifest.ts";
import { MIRROR_FORMAT, MIRROR_VERSION } from "../../src/mirror/mirror_format.ts";

describe("readManifest", () => {
  it("reads nothing from a directory without a manifest, and checks format and version", async () => {
    const dir = await mkdtemp(join(tmpdir(), "manifest_test_"));
    try {
      assert.equal(await readManifest(dir), undefined);
      const path = join(dir, "manifest.json");
      const valid = {
        format: MIRROR_FORMAT,
        version: MIRROR_VERSION,
        source: { host: "http://h", username: "u" },
        runs: [],
      };
      await writeFile(path, JSON.stringify(valid));
      assert.equal((await readManifest(dir))?.source.host, "http://h");
      const bad = async (text: string, pattern: RegExp) => {
        await writeFile(path, text);
        await assert.rejects(
          () => readManifest(dir),
          (e: unknown) =>
            e instanceof ValidationError && e.field === "out" && pattern.test(e.message),
        );
      };
      await bad("{", /not valid JSON/);
      await bad(JSON.stringify({ ...valid, format: "other" }), /not a swanlab mirror manifest/);
      await bad(JSON.stringify({ ...valid, version: 2 }), /version 2 is not supported/);
      await bad(JSON.stringify({ format: MIRROR_FORMAT, version: MIRROR_VERSION }), /missing/);
    } finally {
      await rm(dir, { recursive: true });
    }
  });

  it("writes the same bytes for the same manifest", () => {
    const m = {
      format: MIRROR_FORMAT,
      version: MIRROR_VERSION,
      source: { host: "http://h", username: "u" },
      scope: "w",
      syncedAt: "2026-01-01T00:00:00.000Z",
      counts: { projects: 0, runs: 0, points: 0, logLines: 0, mediaFiles: 0, mediaBytes: 0 },
      user: { file: "meta/user-0.json", sha256: "0", bytes: 1 },
      projects: [],
      runs: [],
    } as const;
    const text = manifestText(structuredClone(m) as never);
    assert.equal(manifestText(structuredClone(m) as never), text);
    assert.ok(text.endsWith("}\n"));
    assert.deepEqual(JSON.parse(text), m);
  });
});
