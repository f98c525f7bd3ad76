/**
 * The mirror directory on disk: checks before anything is sent, content-addressed writes, the
 * resume journal and the clean-up after a commit.
 *
 * @module
 */

import { createHash } from "node:crypto";
import { mkdir, readdir, readFile, rm, stat } from "node:fs/promises";
import { dirname, join } from "node:path";
import { directoryWriteError, writeFileAtomic } from "../core/atomic_file.ts";
import { statIfAny } from "../core/path_status.ts";
import { ValidationError } from "../core/errors.ts";
import { type FileRef, hashedName, type ManifestRun } from "./mirror_format.ts";

/** Top-level names a mirror directory may hold. */
const LAYOUT = new Set(["manifest.json", "meta", "runs", "points", "media", ".journal"]);

/** Hex SHA-256 of bytes (a string as UTF-8). */
export function sha256Hex(bytes: Uint8Array | string): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/**
 * Checks (and creates, when missing) the mirror directory `out`: its parent must exist, it must
 * be a directory holding nothing but a mirror's layout, and, when the mirror will write
 * (`writable`), files must be creatable in it (or in its parent, when it is still missing).
 */
export async function prepareDir(
  out: string,
  options: { create: boolean; writable: boolean },
): Promise<void> {
  if (typeof out !== "string" || out.trim() === "") {
    throw new ValidationError("out", "Cannot mirror: the output directory is empty");
  }
  const info = await stat(out).catch(() => undefined);
  if (info && !info.isDirectory()) {
    throw new ValidationError("out", `Cannot mirror to "${out}": it is a file, not a directory`);
  }
  if (!info) {
    const parent = dirname(out);
    const parentInfo = await stat(parent).catch(() => undefined);
    if (!parentInfo?.isDirectory()) {
      throw new ValidationError(
        "out",
        `Cannot mirror to "${out}": the directory "${parent}" does not exist`,
      );
    }
    if (options.writable) await checkWritable(parent, `its parent "${parent}"`, out);
    if (options.create) await mkdir(out);
    return;
  }
  if (options.writable) await checkWritable(out, "the directory", out);
  const foreign = (await readdir(out)).filter((name) => !LAYOUT.has(name) && !isTemp(name));
  if (foreign.length > 0) {
    throw new ValidationError(
      "out",
      `Cannot mirror to "${out}": it is not empty and not a mirror (found "${foreign[0]}")`,
    );
  }
}

/** Fails when files cannot be created in `dir` (see `directoryWriteError`). */
async function checkWritable(dir: string, what: string, out: string): Promise<void> {
  const unwritable = await directoryWriteError(dir);
  if (unwritable !== undefined) {
    throw new ValidationError(
      "out",
      `Cannot mirror to "${out}": ${what} is not writable (${unwritable})`,
    );
  }
}

function isTemp(name: string): boolean {
  return name.startsWith(".") && name.endsWith(".tmp");
}

/**
 * Writes `bytes` as the content-addressed file `<dir>/<stem>-<h>.<ext>` unless it exists (the
 * points files, too large to hold whole, are streamed by `HashedFileSink` instead).
 */
export async function writeHashed(
  out: string,
  dir: string,
  stem: string,
  ext: string,
  bytes: Uint8Array | string,
  written: { files: number; bytes: number },
): Promise<FileRef> {
  const data = typeof bytes === "string" ? new TextEncoder().encode(bytes) : bytes;
  const sha256 = sha256Hex(data);
  const file = `${dir}/${hashedName(stem, sha256, ext)}`;
  await writeIfMissing(out, file, data, written);
  return { file, sha256, bytes: data.byteLength };
}

/** Writes a file of the mirror unless a file of that (content-derived) name exists already. */
export async function writeIfMissing(
  out: string,
  file: string,
  data: Uint8Array,
  written: { files: number; bytes: number },
): Promise<void> {
  const path = join(out, file);
  const size = data.byteLength;
  const existing = statIfAny(path);
  if (existing?.isFile() && existing.size === size) return;
  await writeFileAtomic(path, data, { createParent: true, field: "out" });
  written.files++;
  written.bytes += size;
}

/** Whether the mirror holds `ref` with the right size. */
export async function hasFile(out: string, ref: FileRef): Promise<boolean> {
  const info = await stat(join(out, ref.file)).catch(() => undefined);
  return info?.isFile() === true && info.size === ref.bytes;
}

/** Reads a JSON file of the mirror. */
export async function readJson<T>(out: string, file: string): Promise<T> {
  return JSON.parse(await readFile(join(out, file), "utf8")) as T;
}

/** The resume journal: entries of runs completed since the last commit. */
export async function readJournal(out: string): Promise<Map<string, ManifestRun>> {
  const entries = new Map<string, ManifestRun>();
  const dir = join(out, ".journal");
  const names = await readdir(dir).catch(() => [] as string[]);
  for (const name of names) {
    if (!name.endsWith(".json")) continue;
    try {
      const entry = JSON.parse(await readFile(join(dir, name), "utf8")) as ManifestRun;
      if (typeof entry.cuid === "string") entries.set(entry.cuid, entry);
    } catch {
      // A journal entry is only a shortcut: an unreadable one means the run is fetched again.
    }
  }
  return entries;
}

/** Records that a run's files are complete (read back by the next attempt after a crash). */
export async function writeJournal(out: string, entry: ManifestRun): Promise<void> {
  await writeFileAtomic(join(out, ".journal", `${entry.cuid}.json`), JSON.stringify(entry), {
    createParent: true,
    field: "out",
  });
}

/**
 * After a commit: removes files the manifest does not name (older versions, parts of a run that
 * left the selection, temporary files of a crash) and the journal. Returns the number removed.
 */
export async function collectGarbage(out: string, keep: ReadonlySet<string>): Promise<number> {
  let removed = 0;
  const walk = async (rel: string): Promise<boolean> => {
    const entries = await readdir(join(out, rel), { withFileTypes: true }).catch(() => []);
    let empty = true;
    for (const e of entries) {
      const child = rel === "" ? e.name : `${rel}/${e.name}`;
      if (e.isDirectory()) {
        if (await walk(child)) {
          await rm(join(out, child), { recursive: true });
        } else empty = false;
      } else if (!keep.has(child)) {
        await rm(join(out, child));
        removed++;
      } else empty = false;
    }
    return empty;
  };
  for (const top of ["meta", "runs", "points", "media", ".journal"]) {
    const info = await stat(join(out, top)).catch(() => undefined);
    if (!info?.isDirectory()) continue;
    if (await walk(top)) await rm(join(out, top), { recursive: true });
  }
  for (const name of await readdir(out)) {
    if (isTemp(name)) {
      await rm(join(out, name));
      removed++;
    }
  }
  return removed;
}
