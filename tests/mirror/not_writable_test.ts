/**
 * A mirror directory that cannot be written fails before any request, with a clear error, and
 * leaves what is there untouched. The directory is made read-only for a child process running
 * the CLI: by its mode for a user other than root, or, for root (whom modes do not stop), by a
 * read-only bind mount in a user namespace (`unshare`). Where neither is possible the tests say so
 * and are skipped.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdir, readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import {
  CLI,
  readOnlyFixture,
  type ReadOnlyRun,
  readOnlyRunner,
  runCommand,
} from "../_read_only_dir.ts";

/** Every file under `dir` with its contents. */
async function snapshot(dir: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    files.set(path, await readFile(path, "base64"));
  }
  return files;
}

const runner = await readOnlyRunner();
const skip = typeof runner === "string" ? runner : false;

describe("mirror into a directory that cannot be written", { skip }, () => {
  const fixture = readOnlyFixture("swanlab-ts-ro-mirror-");
  const readOnly = runner as ReadOnlyRun;

  it("an empty directory: exit 2 before any request", async () => {
    const dir = join(fixture.tmp, "empty");
    await mkdir(dir);
    fixture.server.clearRequests();
    const result = await readOnly(
      dir,
      ["mirror", "vision-lab", "--out", dir, "--no-media"],
      fixture.env,
    );
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /error: Cannot mirror to ".*empty": the directory is not writable/);
    assert.deepEqual(fixture.server.requests.map((r) => r.path), []);
    assert.deepEqual(await readdir(dir), []);
  });

  it("an existing mirror: exit 2 before any request, every file as it was", async () => {
    const dir = join(fixture.tmp, "existing");
    const first = await runCommand(Deno.execPath(), [
      "run",
      "-A",
      CLI,
      "mirror",
      "vision-lab/resnet-sweep",
      "--out",
      dir,
      "--runs",
      "1",
      "--no-media",
    ], fixture.env);
    assert.equal(first.code, 0, first.stderr);
    const before = await snapshot(dir);
    assert.ok(before.size > 3, `a mirror was written (${before.size} files)`);
    fixture.server.clearRequests();
    const result = await readOnly(
      dir,
      ["mirror", "vision-lab/resnet-sweep", "--out", dir],
      fixture.env,
    );
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /the directory is not writable/);
    assert.deepEqual(fixture.server.requests.map((r) => r.path), []);
    assert.deepEqual(await snapshot(dir), before);
  });

  it("a missing directory in a parent that cannot be written: exit 2, nothing created", async () => {
    const parent = join(fixture.tmp, "parent");
    await mkdir(parent);
    const dir = join(parent, "backup");
    fixture.server.clearRequests();
    const result = await readOnly(parent, ["mirror", "vision-lab", "--out", dir], fixture.env);
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /its parent ".*parent" is not writable/);
    assert.deepEqual(fixture.server.requests.map((r) => r.path), []);
    assert.deepEqual(await readdir(parent), []);
  });
});
