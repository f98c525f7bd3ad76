/**
 * Downloads to disk, with progress bars on a terminal: presigned files (`--output`), CSV exports
 * and whole runs (`run download`).
 *
 * Presigned URLs are fetched without credentials and never printed in diagnostics (they carry
 * signatures).
 *
 * @module
 */

import { mkdir, stat } from "node:fs/promises";
import { extname, isAbsolute, join, relative } from "node:path";
import type { Api } from "../../../mod.ts";
import { type CommandContext, loadLibrary, UsageError } from "../context.ts";
import { nonFiniteText } from "../output.ts";
import { formatCount, formatDuration } from "../progress.ts";
import { mapLimited } from "../../core/map_limited.ts";
import { settleAll } from "../../core/settle_all.ts";
import { errorMessage } from "../error_message.ts";

function resolveIn(ctx: CommandContext, file: string): string {
  return isAbsolute(file) ? file : join(ctx.io.cwd, file);
}

/** An error's message without URLs (they may carry presigned signatures). */
function sanitize(error: unknown): string {
  const text = errorMessage(error);
  return text.replace(/\b[a-z][a-z0-9+.-]*:\/\/[^\s)"'<>]+/gi, "<url>") || "connection failed";
}

/**
 * The result of {@linkcode fetchToFile}.
 *
 * @example Bytes written
 * ```ts
 * import type { FetchedFile } from "./_download.ts";
 *
 * const fetched: FetchedFile = { bytes: 1024 };
 * ```
 */
export interface FetchedFile {
  /** Bytes written. */
  bytes: number;
}

/**
 * Streams a URL to a file (no credentials sent), reporting bytes to a callback. The body goes
 * to a temporary file beside the target, renamed over it only when the whole body arrived: a
 * failed or cut download leaves any previous file as it was and no partial file behind.
 *
 * @param api The client (its download settings are used).
 * @param url The presigned URL.
 * @param target The absolute file path; its directory must exist unless `createParent`.
 * @param onBytes Called with the bytes received so far, and the expected total when known.
 * @param createParent Create missing directories (only for the command's own layout inside a
 * directory the user named, e.g. `media/<key>/` of `run download`).
 * @returns The number of bytes written.
 * @throws {ApiError} On an HTTP error status (typed, as every client error).
 * @throws {Error} On a short or broken body; the message never contains the URL.
 *
 * @example Stream a presigned URL to disk
 * ```ts ignore
 * await fetchToFile(api, url, "/tmp/run.log", (n, total) => console.error(n, total));
 * ```
 */
export async function fetchToFile(
  api: Api,
  url: string,
  target: string,
  onBytes?: (received: number, total: number | undefined) => void,
  createParent = false,
): Promise<FetchedFile> {
  const lib = await loadLibrary();
  // The client's download: its fetch and proxy, timeout and retries, no credential; its errors
  // are typed and never quote the URL's signature.
  const response = await api.download(url);
  if (!response.body) throw new Error("Cannot download file: the response has no body");
  const length = Number(response.headers.get("content-length") ?? NaN);
  const total = Number.isFinite(length) ? length : undefined;
  let file;
  try {
    file = await lib.AtomicFile.create(target, { createParent });
  } catch (error) {
    await response.body.cancel().catch(() => {});
    throw error;
  }
  try {
    try {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        await file.write(chunk);
        onBytes?.(file.bytesWritten, total);
      }
    } catch (error) {
      throw new Error(`Cannot download file: ${sanitize(error)}`, { cause: error });
    }
    if (total !== undefined && file.bytesWritten !== total) {
      throw new Error(
        `Cannot download file: the body ended after ${file.bytesWritten} of ${total} bytes`,
      );
    }
    await file.commit();
    return { bytes: file.bytesWritten };
  } finally {
    await file.abort();
  }
}

/**
 * Checks a user-given output directory before any request: not empty, and either an existing
 * directory or a new name in an existing directory (it is created, one level only, when the
 * first file is written; parents are never created).
 *
 * @param ctx The command context.
 * @param dir The directory, as typed.
 * @param option The option name for errors, e.g. `--out`.
 * @returns The absolute path.
 * @throws {UsageError} When the path exists and is not a directory.
 * @throws {ValidationError} When the path is empty or its parent directory is missing.
 *
 * @example Check `--out` first
 * ```ts ignore
 * const dir = await checkOutputDir(ctx, "./run-data", "--out");
 * ```
 */
export async function checkOutputDir(
  ctx: CommandContext,
  dir: string,
  option: string,
): Promise<string> {
  if (dir.trim() === "") return await ctx.outputPath(dir, option);
  const absolute = resolveIn(ctx, dir);
  const found = await stat(absolute).catch(() => undefined);
  if (found?.isDirectory()) return absolute;
  if (found) throw new UsageError(`Invalid value for ${option}: "${dir}" is not a directory`);
  return await ctx.outputPath(dir, option);
}

/**
 * Creates an output directory checked by {@linkcode checkOutputDir} (never its parents); an
 * existing directory is fine.
 *
 * @param dir The absolute path.
 *
 * @example Create the directory of `--out`
 * ```ts ignore
 * await ensureDir(await checkOutputDir(ctx, "./run-data", "--out"));
 * ```
 */
export async function ensureDir(dir: string): Promise<void> {
  await mkdir(dir).catch(async (error) => {
    if (!(await stat(dir).catch(() => undefined))?.isDirectory()) throw error;
  });
}

/**
 * Downloads a presigned URL to a file with a progress bar (atomically, see
 * {@linkcode fetchToFile}).
 *
 * @param ctx The command context.
 * @param url The presigned URL.
 * @param file The file (absolute, or relative to the working directory); its directory must
 * exist.
 * @param label The progress label.
 * @returns The number of bytes written.
 *
 * @example Download with a progress bar
 * ```ts ignore
 * const bytes = await downloadToFile(ctx, url, "run.log", "Downloading logs");
 * ```
 */
export async function downloadToFile(
  ctx: CommandContext,
  url: string,
  file: string,
  label: string,
): Promise<number> {
  const bar = ctx.progress(label, { unit: "B" });
  bar.tick();
  try {
    const { bytes } = await fetchToFile(
      await ctx.api(),
      url,
      resolveIn(ctx, file),
      (received, total) => {
        bar.setTotal(total);
        bar.update(received);
      },
    );
    return bytes;
  } finally {
    bar.done({ clear: true });
  }
}

/**
 * Exports the full-resolution CSV of each scalar key of a run (one presigned CSV per key).
 *
 * @param ctx The command context.
 * @param path The run path.
 * @param keys The keys.
 * @returns One `{ key, url }` per distinct key, in order.
 * @throws {ResponseError} When a key is not a scalar metric of the run, or an export fails.
 *
 * @example Export one key
 * ```ts ignore
 * const [{ url }] = await exportRunCsv(ctx, "alice/mnist-baseline/mqeli2zt", ["train/loss"]);
 * ```
 */
export async function exportRunCsv(
  ctx: CommandContext,
  path: string,
  keys: readonly string[],
): Promise<{ key: string; url: string }[]> {
  const lib = await loadLibrary();
  const run = (await ctx.api()).run(path);
  const wanted = [...new Set(keys)];
  const classes = new Set(wanted.map((k) => k.startsWith("__swanlab__") ? "SYSTEM" : "CUSTOM"));
  const found = new Map<string, import("../../../mod.ts").Key>();
  for (const metricClass of classes) {
    for await (
      const key of run.series({ metricType: "SCALAR", metricClass: metricClass as "CUSTOM" })
    ) {
      found.set(key.key, key);
    }
  }
  return await mapLimited(wanted, 4, async (name) => {
    const key = found.get(name);
    if (!key) {
      throw new lib.ResponseError(`Cannot export "${name}": not a scalar metric of run ${path}`);
    }
    const response = await key.exportCsv();
    if (!response.ok || !response.data) {
      throw response.error ?? new lib.ResponseError(response.errmsg || `Cannot export "${name}"`);
    }
    return { key: name, url: response.data.url };
  });
}

/**
 * What `run download` fetches.
 *
 * @example Metrics only
 * ```ts
 * import type { DownloadRunOptions } from "./_download.ts";
 *
 * const options: DownloadRunOptions = { path: "a/p/r1", out: "data", logs: false, media: false };
 * ```
 */
export interface DownloadRunOptions {
  /** The run path. */
  path: string;
  /** Keys (scalar or media); default: every custom scalar and media key. */
  keys?: readonly string[];
  /** The output directory; default `./<run_id>`. Its parent must exist; it is created (one
   * level) when missing, and its own `media/<key>/` folders are created inside it. */
  out?: string;
  /** Export the logs. */
  logs: boolean;
  /** Download media files. */
  media: boolean;
}

/**
 * What `run download` wrote (the `data` of its envelope).
 *
 * @example Nothing downloaded
 * ```ts
 * import type { DownloadRunResult } from "./_download.ts";
 *
 * const result: DownloadRunResult = { path: "a/p/r1", dir: "r1", metrics: null, logs: null, media: null };
 * ```
 */
export interface DownloadRunResult {
  /** The run path. */
  path: string;
  /** The output directory (as given, or the default). */
  dir: string;
  /** `metrics.csv`: keys, points written, seconds and points per second. */
  metrics: {
    file: string;
    keys: string[];
    points: number;
    seconds: number;
    points_per_second: number;
  } | null;
  /** `logs.log`: bytes written. */
  logs: { file: string; bytes: number } | null;
  /** Media files: keys, files and bytes written. */
  media: { dir: string; keys: string[]; files: number; bytes: number } | null;
}

function csvField(value: unknown): string {
  if (value === undefined || value === null) return "";
  if (typeof value === "number") {
    return Number.isFinite(value) ? String(value) : nonFiniteText(value);
  }
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/**
 * A file-name-safe version of a metric key (`train/loss` → `train_loss`).
 *
 * @param text The key.
 * @returns The name.
 *
 * @example A key as a file name
 * ```ts
 * import { safeName } from "./_download.ts";
 *
 * safeName("train/loss"); // "train_loss"
 * ```
 */
export function safeName(text: string): string {
  return text.replace(/[^A-Za-z0-9._-]+/g, "_").replace(/^\.+/, "_") || "_";
}

/**
 * File names for several keys, distinct even when {@linkcode safeName} maps two keys to the same
 * name (`train/loss` and `train_loss`): later ones get `-2`, `-3`, … so no file overwrites another.
 *
 * @param keys The keys, in order.
 * @returns Each key's file name.
 *
 * @example Two keys that would clash
 * ```ts
 * import { safeNames } from "./_download.ts";
 *
 * safeNames(["train/loss", "train_loss"]); // Map { "train/loss" => "train_loss", "train_loss" => "train_loss-2" }
 * ```
 */
export function safeNames(keys: readonly string[]): Map<string, string> {
  const names = new Map<string, string>();
  const taken = new Set<string>();
  for (const key of keys) {
    if (names.has(key)) continue;
    const base = safeName(key);
    let name = base;
    for (let n = 2; taken.has(name.toLowerCase()); n++) name = `${base}-${n}`;
    taken.add(name.toLowerCase());
    names.set(key, name);
  }
  return names;
}

/**
 * Downloads every point of scalar keys to a CSV file (`key,step,value,timestamp`) in constant
 * memory, with a progress line on a terminal.
 *
 * @param ctx The command context.
 * @param path The run path.
 * @param keys The scalar keys.
 * @param file The target file (absolute; its directory must exist). Written atomically.
 * @returns Points written and the time taken.
 *
 * @example Every point of one key
 * ```ts ignore
 * const { points, seconds } = await downloadMetricsCsv(ctx, path, ["train/loss"], "/tmp/m.csv");
 * ```
 */
export async function downloadMetricsCsv(
  ctx: CommandContext,
  path: string,
  keys: readonly string[],
  file: string,
): Promise<{ points: number; seconds: number }> {
  const run = (await ctx.api()).run(path);
  const lib = await loadLibrary();
  // A temporary file renamed on success: a failed or cut scan leaves the previous file intact.
  const handle = await lib.AtomicFile.create(file, { field: "--out" });
  const bar = ctx.progress(`Downloading ${keys.length} metric key${keys.length === 1 ? "" : "s"}`, {
    unit: "points",
  });
  const started = performance.now();
  let points = 0;
  bar.tick();
  try {
    let buffer = "key,step,value,timestamp\n";
    const scan = run.scanMetrics(keys, {}, { onWarning: (text: string) => void ctx.warn(text) });
    for await (const batch of scan.batches()) {
      for (const point of batch) {
        buffer += `${csvField(point.key)},${point.step},${csvField(point.value)},${
          csvField(point.timestamp)
        }\n`;
      }
      points += batch.length;
      if (buffer.length > 64 * 1024) {
        await handle.write(buffer);
        buffer = "";
        bar.update(points);
      }
    }
    await handle.write(buffer);
    bar.update(points);
    await handle.commit();
  } finally {
    bar.done({ clear: true });
    await handle.abort();
  }
  return { points, seconds: (performance.now() - started) / 1000 };
}

/**
 * `run download`: the run's JSON, a full-resolution metrics CSV, the log export and the media
 * files of the chosen keys, written under one directory.
 *
 * @param ctx The command context.
 * @param options What to download and where.
 * @returns What was written.
 *
 * @example Download a whole run
 * ```ts ignore
 * const result = await downloadRun(ctx, { path: "alice/mnist-baseline/mqeli2zt", logs: true, media: true });
 * ```
 */
export async function downloadRun(
  ctx: CommandContext,
  options: DownloadRunOptions,
): Promise<DownloadRunResult> {
  const api = await ctx.api();
  const run = api.run(options.path);
  const dirName = options.out ?? safeName(options.path.split("/").at(-1) ?? "run");
  const dir = await checkOutputDir(ctx, dirName, "--out");
  const lib = await loadLibrary();
  const runJson = await run.json();
  await ensureDir(dir);
  await lib.writeFileAtomic(join(dir, "run.json"), JSON.stringify(runJson, null, 2) + "\n");

  // Which keys are scalar and which are media.
  const [custom, system, mediaKeys] = await settleAll([
    run.series({ metricType: "SCALAR", metricClass: "CUSTOM" }).keys,
    options.keys ? run.series({ metricType: "SCALAR", metricClass: "SYSTEM" }).keys : [],
    options.media || options.keys
      ? run.series({ metricType: "MEDIA", metricClass: "CUSTOM" }).keys
      : [],
  ]);
  let scalarKeys: string[];
  let media: string[];
  if (options.keys) {
    const known = new Set([...custom, ...system]);
    const mediaSet = new Set(mediaKeys);
    scalarKeys = [];
    media = [];
    for (const key of new Set(options.keys)) {
      if (mediaSet.has(key)) media.push(key);
      else {
        if (!known.has(key)) await ctx.warn(`Key "${key}" is not a metric of this run`);
        scalarKeys.push(key);
      }
    }
  } else {
    scalarKeys = [...custom];
    media = [...mediaKeys];
  }
  if (!options.media) media = [];

  const result: DownloadRunResult = {
    path: options.path,
    dir: dirName,
    metrics: null,
    logs: null,
    media: null,
  };

  if (scalarKeys.length > 0) {
    const file = join(dir, "metrics.csv");
    const { points, seconds } = await downloadMetricsCsv(ctx, options.path, scalarKeys, file);
    const rate = seconds > 0 ? Math.round(points / seconds) : points;
    result.metrics = {
      file: relative(ctx.io.cwd, file) || file,
      keys: scalarKeys,
      points,
      seconds: Math.round(seconds * 1000) / 1000,
      points_per_second: rate,
    };
    await ctx.note(
      `Metrics: ${formatCount(points)} points of ${scalarKeys.length} keys in ${
        formatDuration(seconds * 1000)
      } (${formatCount(rate)} points/s) → ${result.metrics.file}`,
    );
  }

  if (options.logs) {
    const exported = await run.exportLogs();
    if (exported.ok && exported.data) {
      const file = join(dir, "logs.log");
      const bytes = await downloadToFile(ctx, exported.data.url, file, "Downloading logs");
      result.logs = { file: relative(ctx.io.cwd, file) || file, bytes };
      await ctx.note(`Logs: ${formatCount(bytes)} bytes → ${result.logs.file}`);
    } else {
      await ctx.warn(`Cannot export logs: ${exported.errmsg}`);
    }
  }

  if (media.length > 0) {
    const medias = await run.medias(media, { all: true });
    const folders = safeNames(medias.list.map((entry) => entry.key));
    const jobs: { url: string; file: string }[] = [];
    for (const entry of medias.list) {
      for (const step of entry.metrics) {
        step.items.forEach((item, i) => {
          if (typeof item.url !== "string") return;
          let ext = extname(new URL(item.url).pathname);
          if (!/^\.[A-Za-z0-9]{1,8}$/.test(ext)) ext = "";
          jobs.push({
            url: item.url,
            file: join(dir, "media", folders.get(entry.key)!, `${step.index}-${i}${ext}`),
          });
        });
      }
    }
    const bar = ctx.progress("Downloading media", { total: jobs.length, unit: "files" });
    let done = 0;
    let bytes = 0;
    const api = await ctx.api();
    try {
      await mapLimited(jobs, 4, async (job) => {
        const fetched = await fetchToFile(api, job.url, job.file, undefined, true);
        bytes += fetched.bytes;
        bar.update(++done);
      });
    } finally {
      bar.done({ clear: true });
    }
    result.media = {
      dir: relative(ctx.io.cwd, join(dir, "media")) || join(dir, "media"),
      keys: media,
      files: jobs.length,
      bytes,
    };
    await ctx.note(
      `Media: ${jobs.length} files (${
        formatCount(bytes)
      } bytes) of ${media.length} keys → ${result.media.dir}`,
    );
  }
  return result;
}
