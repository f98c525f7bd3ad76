/**
 * Downloads every media file (images, audio, video, …) a run logged into a directory, as
 * `<output>/<key>/step<step>_<index>.<ext>`, e.g. `media/run-a/samples_image/step000250_1.png`.
 *
 * `run.medias(keys, { all: true })` returns a presigned URL for each file logged at any step.
 * Presigned URLs carry their own short-lived signature, so they are fetched without credentials
 * (your API key never reaches the storage server); download them soon, before they expire.
 *
 * The target is a run (`workspace/project/run-id`) or a project (`workspace/project`), in which
 * case its newest run is used. Without `--keys`, every media key of the run is downloaded.
 *
 * Usage:
 *
 * ```sh
 * deno run -A examples/download_media.ts [workspace/project[/run-id]] [--keys K1,K2] [-o DIR]
 *
 * # every media file of the newest run of vision-lab/resnet-sweep, into media/<run name>/
 * deno run -A examples/download_media.ts
 * deno run -A examples/download_media.ts vision-lab/resnet-sweep/mtg02pg5 --keys samples/image
 * ```
 *
 * Credentials are read the usual way: `SWANLAB_API_HOST` and `SWANLAB_API_KEY`, else the key
 * saved by `swanlab login` (`~/.swanlab/.netrc`). To try it on the local demo server, run
 * `deno task serve` in another terminal and export the two variables it prints.
 *
 * In your own project, import from `jsr:@swanlab-ts/api` instead of `../mod.ts`.
 *
 * Exit status: 0 on success, 1 when a request or a download fails, 2 for invalid arguments.
 *
 * @module
 */

import { extname, join } from "node:path";
import { parseArgs } from "node:util";
import {
  Api,
  ApiError,
  AtomicFile,
  AuthenticationError,
  ConnectionError,
  CredentialsError,
  NotFoundError,
  type Run,
  SwanLabError,
} from "../mod.ts";

const USAGE = `Usage: deno run -A examples/download_media.ts [workspace/project[/run-id]] [options]

Downloads every media file of a run (all keys and steps) into a directory.

Options:
  --keys K1,K2        Media keys to download (default: every media key of the run)
  -o, --output DIR    Target directory (default: media/<run name>)
  --concurrency N     Downloads at once (default: 4)
  -h, --help          Show this help`;

/** One file to download. */
interface MediaFile {
  key: string;
  /** `null` when the server did not say (drift): the file is named `stepunknown_…`. */
  step: number | null;
  index: number;
  url: string;
}

/** Thrown for invalid command-line arguments (exit status 2). */
class UsageError extends Error {
  override name = "UsageError";
}

/** Thrown for an expected failure whose message says it all (exit status 1). */
class CommandError extends Error {
  override name = "CommandError";
}

async function main(args: string[]): Promise<void> {
  const { values, positionals } = parseCommandLine(args);
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const target = positionals[0] ?? "vision-lab/resnet-sweep";
  const concurrency = parsePositiveInt("--concurrency", values.concurrency);

  // `new Api()` reads the host and API key from the environment or `~/.swanlab/.netrc`.
  const api = new Api();
  const run = await resolveRun(api, target);
  const name = await run.name;
  const keys = values.keys !== undefined
    ? [...new Set(values.keys.split(",").map((key) => key.trim()).filter(Boolean))]
    : await run.series({ metricType: "MEDIA" }).keys; // every media key the run logged
  if (keys.length === 0) {
    console.log(`${name} (${run.path}) has no media.`);
    return;
  }
  const output = values.output ?? join("media", safeName(name));

  // One request lists every step of every key, with a presigned URL per file.
  const media = await run.medias(keys, { all: true });
  const files: MediaFile[] = [];
  let unsigned = 0;
  for (const series of media.list) {
    for (const { index: step, items } of series.metrics) {
      items.forEach((item, index) => {
        if (item.url) files.push({ key: series.key, step, index, url: item.url });
        else unsigned++;
      });
    }
  }
  console.log(`${name} (${run.path}): ${files.length} files under ${keys.join(", ")}`);

  let bytes = 0;
  await mapConcurrent(files, concurrency, async (file) => {
    bytes += await download(file, output);
  });
  console.log(`Downloaded ${files.length} files (${formatBytes(bytes)}) to ${output}`);
  if (unsigned > 0) console.warn(`warning: ${unsigned} files had no download URL and were skipped`);
}

/** Resolves a run path, or picks the newest run of a project. */
async function resolveRun(api: Api, target: string): Promise<Run> {
  if (target.split("/").length !== 2) return api.run(target);
  const runs = await api.runs(target).toArray();
  // Runs from a list know their creation time: these reads send no request.
  const created = await Promise.all(runs.map(async (run) => ({ run, at: await run.createdAt })));
  created.sort((a, b) => b.at.localeCompare(a.at));
  const newest = created[0];
  if (!newest) throw new CommandError(`Cannot download media of "${target}": it has no runs`);
  return newest.run;
}

/** Streams one presigned URL to its file and returns the bytes written. */
async function download(file: MediaFile, output: string): Promise<number> {
  const label = `${file.key} step ${file.step} #${file.index}`;
  const directory = join(output, safeName(file.key));
  const ext = extname(new URL(file.url).pathname) || ".bin";
  const step = file.step === null ? "unknown" : String(file.step).padStart(6, "0");
  const path = join(directory, `step${step}_${file.index}${ext}`);

  // A plain fetch: the URL's signature is the only authorization storage needs. Messages never
  // include the URL itself, which is a credential until it expires.
  let response: Response;
  try {
    response = await fetch(file.url);
  } catch (error) {
    throw new CommandError(`Cannot download ${label}: storage is unreachable`, { cause: error });
  }
  if (!response.ok || response.body === null) {
    await response.body?.cancel();
    throw new CommandError(`Cannot download ${label}: HTTP ${response.status}`);
  }

  // The library's AtomicFile: a temporary file beside the target, renamed over it only when the
  // whole body arrived, so an interrupted transfer leaves no partial file and keeps an old one.
  let target: AtomicFile;
  try {
    await Deno.mkdir(directory, { recursive: true });
    target = await AtomicFile.create(path);
  } catch (error) {
    await response.body.cancel();
    throw new CommandError(`Cannot write "${path}": ${(error as Error).message}`, { cause: error });
  }
  try {
    try {
      for await (const chunk of response.body) await target.write(chunk);
    } catch (error) {
      throw new CommandError(`Cannot download ${label}: the transfer was interrupted`, {
        cause: error,
      });
    }
    await target.commit();
    return target.bytesWritten;
  } finally {
    await target.abort(); // no-op after the commit
  }
}

/** Makes a metric key or run name safe as a file name: `samples/image` → `samples_image`. */
function safeName(text: string): string {
  return text.replace(/[^\w.-]+/g, "_").replace(/^\.+/, "_") || "_";
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

/** Runs `fn` over `items` with at most `limit` calls at once. */
async function mapConcurrent<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

function parseCommandLine(args: string[]) {
  try {
    return parseArgs({
      args,
      allowPositionals: true,
      options: {
        keys: { type: "string" },
        output: { type: "string", short: "o" },
        concurrency: { type: "string", default: "4" },
        help: { type: "boolean", short: "h", default: false },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

function parsePositiveInt(flag: string, text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new UsageError(`Cannot parse ${flag} "${text}": expected a positive integer`);
  }
  return value;
}

/** Prints a one-line explanation of a failure and returns the exit status. */
function report(error: unknown): number {
  if (error instanceof UsageError) {
    console.error(`error: ${error.message}\n\n${USAGE}`);
    return 2;
  }
  if (error instanceof CredentialsError || error instanceof AuthenticationError) {
    console.error(`error: ${error.message}`);
    console.error("hint: set SWANLAB_API_HOST and SWANLAB_API_KEY, or run `swanlab login`");
  } else if (error instanceof NotFoundError) {
    console.error(`error: ${error.serverMessage} (${error.method} ${error.path})`);
  } else if (error instanceof ApiError) {
    console.error(`error: ${error.message}`);
  } else if (error instanceof ConnectionError) {
    console.error(`error: ${error.message}: is the host right and reachable?`);
  } else if (error instanceof SwanLabError || error instanceof CommandError) {
    console.error(`error: ${error.message}`);
  } else {
    throw error; // A bug: let the runtime print the stack trace.
  }
  return 1;
}

if (import.meta.main) {
  try {
    await main(Deno.args);
  } catch (error) {
    Deno.exit(report(error));
  }
}
