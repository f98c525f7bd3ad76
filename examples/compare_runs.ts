/**
 * Ranks the runs of a project by the best value of one metric and prints a table, best first.
 *
 * For each run it reads the metric's summary (`run.summary([metric])`: one request per run, the
 * statistics SwanLab computes on the server), takes the minimum, or the maximum with `--max`,
 * and sorts. Runs that never logged the metric are listed last, without a rank.
 *
 * Usage:
 *
 * ```sh
 * deno run -A examples/compare_runs.ts [workspace/project] [--metric KEY] [--max] [--top N]
 *
 * # vision-lab/resnet-sweep, ranked by minimum val/loss
 * deno run -A examples/compare_runs.ts
 * deno run -A examples/compare_runs.ts vision-lab/resnet-sweep --metric val/acc --max --top 5
 * ```
 *
 * Credentials are read the usual way: `SWANLAB_API_HOST` and `SWANLAB_API_KEY`, else the key
 * saved by `swanlab login` (`~/.swanlab/.netrc`). To try it on the local demo server, run
 * `deno task serve` in another terminal and export the two variables it prints.
 *
 * In your own project, import from `jsr:@swanlab-ts/api` instead of `../mod.ts`.
 *
 * Exit status: 0 on success, 1 when a request fails, 2 for invalid arguments.
 *
 * @module
 */

import { parseArgs } from "node:util";
import {
  Api,
  ApiError,
  AuthenticationError,
  ConnectionError,
  CredentialsError,
  NotFoundError,
  type Run,
  type SummaryItemJson,
  SwanLabError,
} from "../mod.ts";

const USAGE = `Usage: deno run -A examples/compare_runs.ts [workspace/project] [options]

Ranks the runs of a project by the best value of a metric.

Options:
  --metric KEY   The metric to compare (default: val/loss)
  --max          Higher is better (default: lower is better)
  --top N        Print only the N best runs (default: all)
  -h, --help     Show this help`;

/** One row of the table. */
interface Row {
  name: string;
  state: string;
  /** The best value, or `undefined` when the run has no point of the metric. */
  best: number | undefined;
  bestStep: number | undefined;
  latest: number | undefined;
}

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
  const metric = values.metric;
  const higherIsBetter = values.max;
  const top = values.top === undefined ? Infinity : parsePositiveInt("--top", values.top);

  // `new Api()` reads the host and API key from the environment or `~/.swanlab/.netrc`.
  const api = new Api();
  // `api.runs()` returns every run of the project in one request (an async iterable).
  const runs = await api.runs(projectPath).toArray();
  if (runs.length === 0) {
    console.log(`Project ${projectPath} has no runs.`);
    return;
  }

  // One summary request per run, a few at a time.
  const rows = await mapConcurrent(runs, 4, (run) => readRow(run, metric, higherIsBetter));

  const ranked = rows.filter((row) => row.best !== undefined);
  const missing = rows.filter((row) => row.best === undefined);
  ranked.sort((a, b) =>
    compareValues(a.best!, b.best!, higherIsBetter) || a.name.localeCompare(b.name)
  );
  missing.sort((a, b) => a.name.localeCompare(b.name));

  const direction = higherIsBetter ? "max" : "min";
  console.log(
    `${projectPath}: ${ranked.length} of ${rows.length} runs ranked by ${direction} ${metric}\n`,
  );
  const table: string[][] = [["#", "run", "state", `${direction} ${metric}`, "at step", "latest"]];
  ranked.slice(0, top).forEach((row, i) => table.push(cells(String(i + 1), row)));
  // Unranked runs are listed only when the whole ranking is printed.
  if (top === Infinity) missing.forEach((row) => table.push(cells("-", row)));
  printTable(table);
}

/** Reads the best and latest value of `metric` for one run from its summary. */
async function readRow(run: Run, metric: string, higherIsBetter: boolean): Promise<Row> {
  // Runs from a list already know their name and state: these reads send no request.
  const [name, state, summary] = await Promise.all([
    run.name,
    run.state,
    run.summary([metric]),
  ]);
  // A run without the metric has no entry (or an empty one) in its summary.
  const item: SummaryItemJson | undefined = summary[metric];
  const best = higherIsBetter ? item?.max : item?.min;
  return {
    name,
    state,
    best: best === undefined ? undefined : toNumber(best.value),
    bestStep: best?.step,
    latest: item?.value === undefined ? undefined : toNumber(item.value),
  };
}

/** Summary values are numbers, or the strings "NaN", "INF" and "-INF". */
function toNumber(value: number | string): number {
  if (typeof value === "number") return value;
  if (value === "INF") return Infinity;
  if (value === "-INF") return -Infinity;
  return Number(value);
}

/** Orders two values best first; NaN always sorts last. */
function compareValues(a: number, b: number, higherIsBetter: boolean): number {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number(Number.isNaN(a)) - Number(Number.isNaN(b));
  if (a === b) return 0;
  return (higherIsBetter ? b > a : a > b) ? 1 : -1;
}

function cells(rank: string, row: Row): string[] {
  return [
    rank,
    row.name,
    row.state,
    formatValue(row.best),
    row.bestStep === undefined ? "-" : String(row.bestStep),
    formatValue(row.latest),
  ];
}

function formatValue(value: number | undefined): string {
  if (value === undefined) return "-";
  if (value === Infinity) return "INF";
  if (value === -Infinity) return "-INF";
  if (Number.isNaN(value)) return "NaN";
  return String(Number(value.toPrecision(6)));
}

/** Prints rows as a left-aligned table with two spaces between columns. */
function printTable(rows: string[][]): void {
  const widths = rows[0]!.map((_, col) => Math.max(...rows.map((row) => row[col]!.length)));
  for (const row of rows) {
    console.log(row.map((cell, col) => cell.padEnd(widths[col]!)).join("  ").trimEnd());
  }
}

/** Maps `items` with at most `limit` calls of `fn` running at once, keeping the order. */
async function mapConcurrent<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

function parseCommandLine(args: string[]) {
  try {
    return parseArgs({
      args,
      allowPositionals: true,
      options: {
        metric: { type: "string", default: "val/loss" },
        max: { type: "boolean", default: false },
        top: { type: "string" },
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
  } else if (error instanceof SwanLabError) {
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
