import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { statIfAny } from "../../src/core/path_status.ts";

describe("statIfAny", () => {
  it("gives the status of a file and of a directory", async () => {
    const dir = await mkdtemp(join(tmpdir(), "swanlab-ts-status-"));
    await writeFile(join(dir, "file"), "abc");
    assert.equal(statIfAny(dir)?.isDirectory(), true);
    const file = statIfAny(join(dir, "file"));
    assert.equal(file?.isFile(), true);
    assert.equal(file?.size, 3);
  });

  it("gives undefined for a missing path, a path under a file and a broken link", async () => {
    const dir = await mkdtemp(join(tmpdir(), "swanlab-ts-status-"));
    await writeFile(join(dir, "file"), "abc");
    await symlink(join(dir, "nowhere"), join(dir, "broken"));
    assert.equal(statIfAny(join(dir, "missing")), undefined);
    assert.equal(statIfAny(join(dir, "file", "below")), undefined);
    assert.equal(statIfAny(join(dir, "broken")), undefined);
  });

  it("follows a link to an existing file", async () => {
    const dir = await mkdtemp(join(tmpdir(), "swanlab-ts-status-"));
    await writeFile(join(dir, "file"), "abcd");
    await symlink(join(dir, "file"), join(dir, "link"));
    assert.equal(statIfAny(join(dir, "link"))?.size, 4);
  });
});
