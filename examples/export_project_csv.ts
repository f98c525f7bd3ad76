/**
 * Exports the scalar metrics of every run of a project to one long-format CSV file:
 *
 * ```csv
 * run,key,step,value,timestamp
 * resnet-sweep-00,train/loss,0,2.302585,1723507201000
 * ```
 *
 * Points are read at full resolution with `run.scanMetrics()`, which streams each run's CSV
 * export instead of loading it, and written as they arrive, so memory stays constant whatever
 * the size of the project. `value` is written as SwanLab writes it (`NaN`, `INF`, `-INF` for
 * non-finite values); `timestamp` is in Unix milliseconds (empty when unknown); `run` is the
 * run's name. The file is written with the library's `AtomicFile` (a temporary file beside it,
 * renamed when complete), so an interrupted export never leaves a truncated CSV behind and never
 * destroys the previous export; the output path is checked before the first request.
 *
 * Usage:
 *
 * ```sh
 * deno run -A examples/export_project_csv.ts [workspace/project] [--keys K1,K2] [--output FILE]
 *
 * # vision-lab/resnet-sweep: train/loss, train/acc, val/loss, val/acc and lr
 * deno run -A examples/export_project_csv.ts
 * deno run -A examples/export_project_csv.ts alice/mnist-baseline --keys train/loss -o mnist.csv
 * deno run -A examples/export_project_csv.ts --output - | gzip > metrics.csv.gz
 * ```
 *
 * Credentials are read the usual way: `SWANLAB_API_HOST` and `SWANLAB_API_KEY`, else the key
 * saved by `swanlab login` (`~/.swanlab/.netrc`). To try it on the local demo server, run
 * `deno task serve` in another terminal and export the two variables it prints.
 *
 * In your own project, import from `jsr:@swanlab-ts/api` instead of `../mod.ts`.
 *
 * Exit status: 0 on success, 1 when a request or a write fails, 2 for invalid arguments.
 *
 * @module
 */

import { parseArgs } from "node:util";
import {
  Api,
  ApiError,
  AtomicFile,
  AuthenticationError,
  ConnectionError,
  CredentialsError,
  type MetricPoint,
  NotFoundError,
  SwanLabError,
  ValidationError,
} from "../mod.ts";

const DEFAULT_KEYS = "train/loss,train/acc,val/loss,val/acc,lr";

const USAGE = `Usage: deno run -A examples/export_project_csv.ts [workspace/project] [options]

Exports every run's scalar metrics, at full resolution, to one CSV file
with the columns run,key,step,value,timestamp.

Options:
  --keys K1,K2     Metric keys to export (default: ${DEFAULT_KEYS})
  -o, --output F   Output file, or - for stdout (default: <workspace>-<project>-metrics.csv)
  -h, --help       Show this help`;

/** Bytes of CSV text collected before each write. */
const FLUSH_BYTES = 64 * 1024;

/** Thrown for invalid command-line arguments (exit status 2). */
class UsageError extends Error {
  override name = "UsageError";
}

async function main(args: string[]): Promise<void> {
  const { values, positionals } = parseCommandLine(args);
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const projectPath = positionals[0] ?? "vision-lab/resnet-sweep";
  const keys = [...new Set(values.keys.split(",").map((key) => key.trim()).filter(Boolean))];
  if (keys.length === 0) throw new UsageError("Cannot parse --keys: expected at least one key");
  const output = values.output ?? `${projectPath.replaceAll("/", "-")}-metrics.csv`;
  const toStdout = output === "-";
  // Progress goes to stderr when the CSV itself goes to stdout.
  const log = toStdout ? console.error : console.log;

  // A temporary file beside the output, renamed over it at the end: readers never see half a
  // file. Opened first, so a bad path (missing directory, empty name) fails before any request.
  const file = toStdout ? undefined : await AtomicFile.create(output, { field: "--output" });
  const stdout = toStdout ? Deno.stdout.writable.getWriter() : undefined;
  const sink = new CsvSink((bytes) => file ? file.write(bytes) : stdout!.write(bytes));
  let total = 0;
  let runs;
  try {
    // `new Api()` reads the host and API key from the environment or `~/.swanlab/.netrc`.
    const api = new Api();
    runs = await api.runs(projectPath).toArray();
    await sink.row(["run", "key", "step", "value", "timestamp"]);
    for (const run of runs) {
      const name = await run.name; // known from the list: no request
      let count = 0;
      // Streams the run's full-resolution points, key by key, in constant memory.
      for await (const point of run.scanMetrics(keys)) {
        await sink.row([
          name,
          point.key,
          String(point.step),
          formatValue(point),
          timestampOf(point),
        ]);
        count++;
      }
      total += count;
      log(`${name}: ${count} points`);
    }
    await sink.flush();
    await file?.commit();
    await stdout?.close();
  } finally {
    await file?.abort(); // no-op after the commit: removes the temporary file after a failure
  }
  const where = toStdout ? "stdout" : output;
  log(`Exported ${total} points (${runs.length} runs, ${keys.length} keys) to ${where}`);
}

/** Writes CSV rows through a byte writer, batching small rows into larger writes. */
class CsvSink {
  #write: (bytes: Uint8Array) => Promise<void>;
  #encoder = new TextEncoder();
  #buffer = "";

  constructor(write: (bytes: Uint8Array) => Promise<void>) {
    this.#write = write;
  }

  /** Appends one row (fields are quoted when needed). */
  async row(fields: string[]): Promise<void> {
    this.#buffer += fields.map(csvField).join(",") + "\n";
    if (this.#buffer.length >= FLUSH_BYTES) await this.flush();
  }

  /** Writes what is buffered. */
  async flush(): Promise<void> {
    if (this.#buffer === "") return;
    // Waiting for each write keeps memory bounded when the disk or pipe is slower than the API.
    await this.#write(this.#encoder.encode(this.#buffer));
    this.#buffer = "";
  }
}

/** Quotes a CSV field when it contains a comma, a quote or a line break (RFC 4180). */
function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** Writes non-finite values the way SwanLab's own exports do. */
function formatValue(point: MetricPoint): string {
  if (point.value === Infinity) return "INF";
  if (point.value === -Infinity) return "-INF";
  return String(point.value); // NaN prints as "NaN"
}

function timestampOf(point: MetricPoint): string {
  return point.timestamp === undefined ? "" : String(point.timestamp);
}

function parseCommandLine(args: string[]) {
  try {
    return parseArgs({
      args,
      allowPositionals: true,
      options: {
        keys: { type: "string", default: DEFAULT_KEYS },
        output: { type: "string", short: "o" },
        help: { type: "boolean", short: "h", default: false },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** Prints a one-line explanation of a failure and returns the exit status. */
function report(error: unknown): number {
  if (error instanceof UsageError) {
    console.error(`error: ${error.message}\n\n${USAGE}`);
    return 2;
  }
  if (error instanceof ValidationError) {
    console.error(`error: ${error.message}`); // e.g. an output path in a missing directory
    return 2;
  }
  // `--output -` piped into a reader that stopped early (`| head`): not a failure.
  if (error instanceof Deno.errors.BrokenPipe) return 0;
  if (error instanceof CredentialsError || error instanceof AuthenticationError) {
    console.error(`error: ${error.message}`);
    console.error("hint: set SWANLAB_API_HOST and SWANLAB_API_KEY, or run `swanlab login`");
  } else if (error instanceof NotFoundError) {
    console.error(`error: ${error.serverMessage} (${error.method} ${error.path})`);
  } else if (error instanceof ApiError) {
    console.error(`error: ${error.message}`);
  } else if (error instanceof ConnectionError) {
    console.error(`error: ${error.message}: is the host right and reachable?`);
  } else if (error instanceof SwanLabError || error instanceof Deno.errors.PermissionDenied) {
    console.error(`error: ${error.message}`);
  } else if (error instanceof Deno.errors.NotFound) {
    console.error(`error: Cannot write the output file: ${error.message}`);
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
