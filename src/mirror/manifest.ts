/**
 * Reading and checking a mirror's `manifest.json` (the commit point).
 *
 * @module
 */

import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { ValidationError } from "../core/errors.ts";
import { type Manifest, MIRROR_FORMAT, MIRROR_VERSION } from "./mirror_format.ts";

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Reads the manifest of the mirror in `dir`: `undefined` when there is none yet (a new or an
 * interrupted first mirror).
 *
 * @param dir The mirror directory.
 * @param field The option named in errors.
 * @returns The manifest, or `undefined`.
 * @throws {ValidationError} When the file is not a mirror manifest or has an unknown version.
 *
 * @example Print what a mirror holds
 * ```ts ignore
 * const manifest = await readManifest("backup");
 * console.log(manifest?.source.host, manifest?.counts.runs);
 * ```
 */
export async function readManifest(dir: string, field = "out"): Promise<Manifest | undefined> {
  const path = join(dir, "manifest.json");
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as { code?: string }).code === "ENOENT") return undefined;
    throw new ValidationError(field, `Cannot read "${path}": ${(error as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new ValidationError(field, `Cannot parse "${path}": not valid JSON`);
  }
  if (!isRecord(parsed) || parsed.format !== MIRROR_FORMAT) {
    throw new ValidationError(
      field,
      `Cannot use "${dir}": "${path}" is not a swanlab mirror manifest`,
    );
  }
  if (parsed.version !== MIRROR_VERSION) {
    throw new ValidationError(
      field,
      `Cannot use "${dir}": mirror format version ${
        JSON.stringify(parsed.version)
      } is not supported (this version reads ${MIRROR_VERSION})`,
    );
  }
  if (
    !isRecord(parsed.source) || typeof parsed.source.host !== "string" ||
    !Array.isArray(parsed.runs)
  ) {
    throw new ValidationError(field, `Cannot parse "${path}": missing "source" or "runs"`);
  }
  return parsed as unknown as Manifest;
}

/**
 * The manifest as written: two-space JSON with a final newline, so that an unchanged state gives
 * identical bytes.
 *
 * @param manifest The manifest.
 * @returns Its text.
 *
 * @example
 * ```ts ignore
 * await writeFileAtomic(join(dir, "manifest.json"), manifestText(manifest));
 * ```
 */
export function manifestText(manifest: Manifest): string {
  return JSON.stringify(manifest, null, 2) + "\n";
}
