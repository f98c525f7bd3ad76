/**
 * Shared fixtures of the CLI tests: captured I/O for in-process runs of `run(argv, io)`, and a
 * small local server.
 *
 * @module
 */

import type { CliIo } from "../../src/cli/io.ts";
import { run } from "../../src/cli/main.ts";
import { type LocalServer, startServer } from "../../src/server/mod.ts";
import type { ServerOptions } from "../../src/server/mod.ts";

/** What a captured run produced. */
export interface CliResult {
  /** The exit code. */
  code: number;
  /** Everything written to stdout. */
  stdout: string;
  /** Everything written to stderr. */
  stderr: string;
}

/** Options of {@linkcode runCli}. */
export interface RunOptions {
  /** Environment variables (nothing is inherited from the test process). */
  env?: Record<string, string | undefined>;
  /** Which streams are terminals (default: none). */
  tty?: Partial<CliIo["isTTY"]>;
  /** Standard input: text, or chunks. */
  stdin?: string | string[];
  /** Terminal width. */
  columns?: number;
  /** Working directory. */
  cwd?: string;
  /** Raw-mode switches of stdin are recorded here. */
  rawModes?: boolean[];
  /** Resolves `serve`'s wait for a signal. */
  waitForSignal?: () => Promise<string>;
}

/**
 * Builds captured I/O.
 *
 * @param options Environment, terminal flags, stdin.
 * @returns The I/O and accessors for what was written.
 */
export function captureIo(
  options: RunOptions = {},
): { io: CliIo; stdout: () => string; stderr: () => string } {
  const out: string[] = [];
  const err: string[] = [];
  const chunks = options.stdin === undefined
    ? []
    : typeof options.stdin === "string"
    ? [options.stdin]
    : options.stdin;
  const stdin: CliIo["stdin"] = {
    async *[Symbol.asyncIterator]() {
      for (const chunk of chunks) yield new TextEncoder().encode(chunk);
    },
    ...(options.rawModes ? { setRawMode: (raw: boolean) => void options.rawModes!.push(raw) } : {}),
  };
  const io: CliIo = {
    stdout: { write: (s) => void out.push(s) },
    stderr: { write: (s) => void err.push(s) },
    stdin,
    env: options.env ?? {},
    isTTY: { stdout: false, stderr: false, stdin: false, ...options.tty },
    columns: options.columns ?? 100,
    cwd: options.cwd ?? "/nonexistent-cwd",
    ...(options.waitForSignal ? { waitForSignal: options.waitForSignal } : {}),
  };
  return { io, stdout: () => out.join(""), stderr: () => err.join("") };
}

/**
 * Runs the CLI in-process with captured streams.
 *
 * @param argv The arguments.
 * @param options Environment, terminal flags, stdin.
 * @returns The exit code and the captured output.
 */
export async function runCli(argv: string[], options: RunOptions = {}): Promise<CliResult> {
  const { io, stdout, stderr } = captureIo(options);
  const code = await run(argv, io);
  return { code, stdout: stdout(), stderr: stderr() };
}

/**
 * Parses stdout as the Python CLI's envelope, checking its keys and their order.
 *
 * @param result A captured run.
 * @returns The envelope.
 */
export function envelope(result: CliResult): { ok: boolean; errmsg: string; data: unknown } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(result.stdout);
  } catch {
    throw new Error(
      `stdout is not JSON (exit ${result.code}):\n${result.stdout}\n--- stderr:\n${result.stderr}`,
    );
  }
  const keys = Object.keys(parsed as object);
  if (keys.join(",") !== "ok,errmsg,data") throw new Error(`Not an envelope: keys ${keys}`);
  return parsed as { ok: boolean; errmsg: string; data: unknown };
}

/** Starts a small local server (6 sweep runs, 200 steps, 60 log lines). */
export function startTestServer(options: ServerOptions = {}): Promise<LocalServer> {
  return startServer({ runs: 6, steps: 200, logLines: 60, ...options });
}

/** The environment that points the CLI at a server as its demo user. */
export function serverEnv(server: LocalServer, extra: Record<string, string> = {}): Record<
  string,
  string
> {
  return {
    SWANLAB_API_HOST: server.host,
    SWANLAB_API_KEY: server.apiKey,
    SWANLAB_ROOT: "/nonexistent-swanlab-root",
    HOME: "/nonexistent-home",
    ...extra,
  };
}

/** The slug-based path of the first run of a project in the seeded data set. */
export function runPath(
  server: LocalServer,
  project = "vision-lab/resnet-sweep",
  index = 0,
): string {
  const run = server.dataset.projects[project]?.runs[index];
  if (!run) throw new Error(`no run ${index} in ${project}`);
  return run.path;
}
