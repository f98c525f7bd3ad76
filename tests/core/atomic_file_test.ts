import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readdir, readFile, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  AtomicFile,
  checkOutputPath,
  directoryWriteError,
  writeFileAtomic,
} from "../../src/core/atomic_file.ts";
import { ValidationError } from "../../src/core/errors.ts";

async function tempDir(): Promise<string> {
  return await mkdtemp(join(tmpdir(), "swanlab-ts-atomic-"));
}

describe("checkOutputPath", () => {
  it("rejects an empty path, naming the field", async () => {
    await assert.rejects(checkOutputPath("", "--out"), (error: unknown) => {
      assert.ok(error instanceof ValidationError);
      assert.equal(error.field, "--out");
      return true;
    });
  });

  it("rejects a path whose directory does not exist", async () => {
    const dir = await tempDir();
    await assert.rejects(checkOutputPath(join(dir, "missing", "out.csv")), ValidationError);
    assert.deepEqual(await readdir(dir), []);
  });

  it("rejects a path that is a directory, or whose parent is a file", async () => {
    const dir = await tempDir();
    await assert.rejects(checkOutputPath(dir), /is a directory/);
    await writeFile(join(dir, "file"), "x");
    await assert.rejects(checkOutputPath(join(dir, "file", "out.csv")), /is not a directory/);
  });
});

describe("directoryWriteError", () => {
  it("creates and removes a probe in a writable directory, and names the error otherwise", async () => {
    const dir = await mkdtemp(join(tmpdir(), "swanlab-ts-probe-"));
    await writeFile(join(dir, "kept.txt"), "x");
    assert.equal(await directoryWriteError(dir), undefined);
    assert.deepEqual(await readdir(dir), ["kept.txt"]); // the probe is gone
    assert.equal(await directoryWriteError(join(dir, "missing")), "ENOENT");
    assert.equal(await directoryWriteError(join(dir, "kept.txt")), "ENOTDIR");
  });
});

describe("AtomicFile", () => {
  it("makes the file appear only on commit", async () => {
    const dir = await tempDir();
    const target = join(dir, "out.csv");
    const file = await AtomicFile.create(target);
    await file.write("a,b\n");
    await file.write(new TextEncoder().encode("1,2\n"));
    assert.deepEqual((await readdir(dir)).filter((n) => n === "out.csv"), []);
    await file.commit();
    assert.equal(await readFile(target, "utf8"), "a,b\n1,2\n");
    assert.equal(file.bytesWritten, 8);
    assert.deepEqual(await readdir(dir), ["out.csv"]);
  });

  it("leaves the previous file untouched and no temporary file on abort", async () => {
    const dir = await tempDir();
    const target = join(dir, "out.csv");
    await writeFile(target, "old\n");
    const file = await AtomicFile.create(target);
    await file.write("new, but cut");
    await file.abort();
    assert.equal(await readFile(target, "utf8"), "old\n");
    assert.deepEqual(await readdir(dir), ["out.csv"]);
    await assert.rejects(file.write("more"), TypeError);
  });

  it("aborts when disposed without a commit", async () => {
    const dir = await tempDir();
    {
      await using file = await AtomicFile.create(join(dir, "x"));
      await file.write("partial");
    }
    assert.deepEqual(await readdir(dir), []);
  });

  it("applies an explicit mode exactly", async () => {
    const dir = await tempDir();
    const target = join(dir, "secret");
    await writeFileAtomic(target, "k\n", { mode: 0o600 });
    assert.equal((await stat(target)).mode & 0o777, 0o600);
  });

  it("creates the parent only when asked", async () => {
    const dir = await tempDir();
    await assert.rejects(writeFileAtomic(join(dir, "a", "b"), "x"), ValidationError);
    await writeFileAtomic(join(dir, "a", "b"), "x", { createParent: true });
    assert.equal(await readFile(join(dir, "a", "b"), "utf8"), "x");
    // Nested directories, and a second file in a directory that exists by then.
    await writeFileAtomic(join(dir, "c", "d", "e"), "y", { createParent: true });
    await writeFileAtomic(join(dir, "c", "d", "f"), "z", { createParent: true });
    assert.deepEqual((await readdir(join(dir, "c", "d"))).sort(), ["e", "f"]);
  });

  it("refuses a parent that is a file, or a destination that is a directory, with createParent", async () => {
    const dir = await tempDir();
    await writeFile(join(dir, "file"), "x");
    await assert.rejects(
      writeFileAtomic(join(dir, "file", "out"), "y", { createParent: true, field: "out" }),
      (error: unknown) => {
        assert.ok(error instanceof ValidationError);
        assert.equal(error.field, "out");
        assert.match(error.message, /is not a directory/);
        return true;
      },
    );
    await assert.rejects(
      writeFileAtomic(join(dir, "sub"), "y", { createParent: true }).then(() =>
        writeFileAtomic(dir, "y", { createParent: true })
      ),
      /is a directory/,
    );
    assert.equal(await readFile(join(dir, "file"), "utf8"), "x");
    assert.deepEqual((await readdir(dir)).sort(), ["file", "sub"]); // no temporary file left
  });
});

describe("writeFileAtomic", () => {
  it("keeps the old content when the source fails midway", async () => {
    const dir = await tempDir();
    const target = join(dir, "points.jsonl");
    await writeFile(target, "old\n");
    async function* chunks(): AsyncGenerator<string> {
      yield "{}\n";
      throw new Error("connection reset");
    }
    await assert.rejects(writeFileAtomic(target, chunks()), /connection reset/);
    assert.equal(await readFile(target, "utf8"), "old\n");
    assert.deepEqual(await readdir(dir), ["points.jsonl"]);
  });

  it("returns the byte count of what it wrote", async () => {
    const dir = await tempDir();
    assert.equal(await writeFileAtomic(join(dir, "t"), "héllo"), 6);
  });
});
