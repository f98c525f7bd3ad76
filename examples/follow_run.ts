/**
 * Follows a running experiment: polls its latest metric values every few seconds and prints a
 * line whenever a new step arrives, until the run stops running or you press Ctrl+C.
 *
 * Each poll is one `run.summary(keys)` request, which answers the latest step and value of
 * every key. (`run.metrics(keys, { rangeQuery: { tail: 1 } })` gives the same latest points
 * with their timestamps, but reads each key's full-resolution export to do so.)
 *
 * The target is a run (`workspace/project/run-id`) or a project (`workspace/project`), in which
 * case the newest running run is followed (the newest run when none is running).
 *
 * Usage:
 *
 * ```sh
 * deno run -A examples/follow_run.ts [workspace/project[/run-id]] [--keys K1,K2] [--interval S]
 *                                    [--once | --iterations N]
 *
 * # the newest running run of vision-lab/resnet-sweep
 * deno run -A examples/follow_run.ts
 * deno run -A examples/follow_run.ts vision-lab/resnet-sweep/mtg02pg5 --interval 30
 * # print the latest values once and exit
 * deno run -A examples/follow_run.ts --once
 * ```
 *
 * Credentials are read the usual way: `SWANLAB_API_HOST` and `SWANLAB_API_KEY`, else the key
 * saved by `swanlab login` (`~/.swanlab/.netrc`). To try it on the local demo server, run
 * `deno task serve` in another terminal and export the two variables it prints.
 *
 * In your own project, import from `jsr:@swanlab-ts/api` instead of `../mod.ts`.
 *
 * Exit status: 0 on success (also after Ctrl+C), 1 when a request fails, 2 for invalid
 * arguments.
 *
 * @module
 */

import { parseArgs } from "node:util";
import {
  AbortError,
  Api,
  ApiError,
  AuthenticationError,
  ConnectionError,
  CredentialsError,
  NotFoundError,
  type Run,
  type SummaryJson,
  SwanLabError,
} from "../mod.ts";

const DEFAULT_KEYS = "train/loss,train/acc,val/loss,val/acc";

const USAGE = `Usage: deno run -A examples/follow_run.ts [workspace/project[/run-id]] [options]

Prints a run's latest metric values whenever a new step arrives.

Options:
  --keys K1,K2      Metric keys to show (default: ${DEFAULT_KEYS})
  --interval S      Seconds between polls (default: 10)
  --once            Poll once and exit
  --iterations N    Poll N times, then exit (default: until the run stops)
  -h, --help        Show this help`;

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
  const keys = [...new Set(values.keys.split(",").map((key) => key.trim()).filter(Boolean))];
  if (keys.length === 0) throw new UsageError("Cannot parse --keys: expected at least one key");
  const intervalMs = parsePositive("--interval", values.interval) * 1000;
  const iterations = values.once
    ? 1
    : values.iterations === undefined
    ? Infinity
    : parsePositiveInt("--iterations", values.iterations);

  // Ctrl+C stops the loop cleanly: it aborts the pending request or wait.
  const controller = new AbortController();
  const stop = (): void => controller.abort();
  Deno.addSignalListener("SIGINT", stop);
  try {
    // `new Api()` reads the host and API key from the environment or `~/.swanlab/.netrc`.
    const api = new Api();
    await follow(api, target, keys, intervalMs, iterations, controller.signal);
  } catch (error) {
    if (!(error instanceof AbortError && controller.signal.aborted)) throw error;
  } finally {
    Deno.removeSignalListener("SIGINT", stop);
  }
}

async function follow(
  api: Api,
  target: string,
  keys: string[],
  intervalMs: number,
  iterations: number,
  signal: AbortSignal,
): Promise<void> {
  const chosen = await resolveRun(api, target);
  // Runs of a list are addressed by cuid: `run.path` works for both kinds of target.
  const path = chosen.path;
  console.log(
    `Following ${await chosen.name} (${path}), every ${intervalMs / 1000} s; Ctrl+C to stop`,
  );
  let lastLine = "";
  for (let poll = 1; poll <= iterations && !signal.aborted; poll++) {
    if (poll > 1) await sleep(intervalMs, signal);
    if (signal.aborted) return;
    // A fresh Run object per poll: entities cache what they load, and the state must be current.
    const run = api.run(path);
    const summary = await run.summary(keys, { signal });
    const state = await run.state;
    const line = formatLine(keys, summary);
    // Print only when something changed, so a quiet run does not flood the terminal.
    if (line !== lastLine) {
      console.log(`${new Date().toTimeString().slice(0, 8)}  ${state.padEnd(8)}  ${line}`);
      lastLine = line;
    }
    if (state !== "RUNNING") {
      console.log(`The run is ${state || "not running"}: nothing more to follow.`);
      return;
    }
  }
}

/** Resolves a run path, or picks the newest running run (else the newest run) of a project. */
async function resolveRun(api: Api, target: string): Promise<Run> {
  if (target.split("/").length !== 2) return api.run(target);
  const runs = await api.runs(target).toArray();
  // Runs from a list know their state and creation time: these reads send no request.
  const described = await Promise.all(
    runs.map(async (run) => ({ run, state: await run.state, createdAt: await run.createdAt })),
  );
  described.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  const picked = described.find((d) => d.state === "RUNNING") ?? described[0];
  if (!picked) throw new CommandError(`Cannot follow project "${target}": it has no runs`);
  return picked.run;
}

/** `step 120  train/loss=0.4132  val/loss=0.5128@110`: steps shown where they differ. */
function formatLine(keys: string[], summary: SummaryJson): string {
  const steps = keys.map((key) => summary[key]?.step).filter((s) => typeof s === "number");
  if (steps.length === 0) return "no data yet";
  const latest = Math.max(...steps);
  const parts = keys.map((key) => {
    const item = summary[key];
    if (item?.value === undefined) return `${key}=-`;
    const value = typeof item.value === "number"
      ? String(Number(item.value.toPrecision(6)))
      : item.value; // "NaN", "INF" or "-INF"
    return item.step === latest ? `${key}=${value}` : `${key}=${value}@${item.step}`;
  });
  return `step ${latest}  ${parts.join("  ")}`;
}

/** Waits `ms` milliseconds, or less when `signal` aborts first. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
  });
}

function parseCommandLine(args: string[]) {
  try {
    return parseArgs({
      args,
      allowPositionals: true,
      options: {
        keys: { type: "string", default: DEFAULT_KEYS },
        interval: { type: "string", default: "10" },
        once: { type: "boolean", default: false },
        iterations: { type: "string" },
        help: { type: "boolean", short: "h", default: false },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

function parsePositive(flag: string, text: string): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) {
    throw new UsageError(`Cannot parse ${flag} "${text}": expected a positive number`);
  }
  return value;
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
