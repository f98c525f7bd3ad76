/**
 * The streams, environment and terminal facts a CLI run uses, injectable for tests.
 *
 * {@linkcode processIo} builds them from the running process: Deno's own APIs on Deno, the global
 * `process` on Node and Bun (no `node:` module is imported, which keeps start-up fast).
 *
 * @module
 */

/**
 * Where a command writes text: standard output or standard error.
 *
 * @example Collect output
 * ```ts
 * import type { CliWriter } from "./io.ts";
 *
 * const chunks: string[] = [];
 * const writer: CliWriter = { write: (chunk) => void chunks.push(chunk) };
 * ```
 */
export interface CliWriter {
  /**
   * Writes a chunk of text; the promise (if any) settles when the chunk may be followed by more.
   *
   * @param chunk The text to write, including its newlines.
   */
  write(chunk: string): void | Promise<void>;
  /**
   * Writes raw bytes (binary output such as Parquet), when the stream takes them; the process's
   * standard output does.
   *
   * @param chunk The bytes.
   */
  writeBytes?(chunk: Uint8Array): void | Promise<void>;
}

/**
 * Standard input: an async iterable of chunks, and raw mode for hidden prompts on a terminal.
 *
 * @example Scripted input
 * ```ts
 * import type { CliReader } from "./io.ts";
 *
 * const stdin: CliReader = (async function* () {
 *   yield "my-api-key\n";
 * })();
 * ```
 */
export interface CliReader extends AsyncIterable<Uint8Array | string> {
  /**
   * Switches a terminal to raw mode (no echo, no line editing) or back.
   *
   * @param raw Whether to enable raw mode.
   */
  setRawMode?(raw: boolean): void;
}

/**
 * Which standard streams are terminals.
 *
 * @example Piped output, interactive input
 * ```ts
 * import type { CliTty } from "./io.ts";
 *
 * const tty: CliTty = { stdout: false, stderr: true, stdin: true };
 * ```
 */
export interface CliTty {
  /** Standard output is a terminal. */
  stdout: boolean;
  /** Standard error is a terminal. */
  stderr: boolean;
  /** Standard input is a terminal. */
  stdin: boolean;
}

/**
 * Everything a CLI run touches outside itself. Tests pass captured streams and a custom
 * environment; {@linkcode processIo} returns the real ones.
 *
 * @example A captured run
 * ```ts
 * import type { CliIo } from "./io.ts";
 *
 * const out: string[] = [];
 * const io: CliIo = {
 *   stdout: { write: (s) => void out.push(s) },
 *   stderr: { write: () => {} },
 *   stdin: (async function* () {})(),
 *   env: { SWANLAB_API_HOST: "http://127.0.0.1:8000", SWANLAB_API_KEY: "demo-key" },
 *   isTTY: { stdout: false, stderr: false, stdin: false },
 *   columns: 100,
 *   cwd: "/tmp",
 * };
 * ```
 */
export interface CliIo {
  /** Data: JSON, tables, CSV. Never diagnostics. */
  stdout: CliWriter;
  /** Diagnostics, warnings, progress bars and prompts. */
  stderr: CliWriter;
  /** Standard input (for `--api-key-stdin`, `--password-stdin` and prompts). */
  stdin: CliReader;
  /** Environment variables (`SWANLAB_API_KEY`, `NO_COLOR`, `TERM`, …). */
  env: Readonly<Record<string, string | undefined>>;
  /** Which streams are terminals. */
  isTTY: CliTty;
  /** Terminal width in columns (used for tables and charts). */
  columns: number;
  /** Working directory (for `--save`, `./.swanlab/.netrc` and relative paths). */
  cwd: string;
  /**
   * Resolves with the signal name when the process is asked to stop (SIGINT or SIGTERM); used by
   * `serve`. Without it, `serve` runs until the process is killed.
   */
  waitForSignal?: () => Promise<string>;
}

// ---------------------------------------------------------------------------------------------
// The runtime edge. Deno is served through its own APIs (the `node:process` compatibility layer
// costs ~20 ms of start-up); Node and Bun through their global `process`. No `node:` module is
// imported here, so `--help` stays fast.
// ---------------------------------------------------------------------------------------------

interface DenoFile {
  write(p: Uint8Array): Promise<number>;
  isTerminal(): boolean;
}

interface DenoStdin {
  readonly readable: ReadableStream<Uint8Array>;
  isTerminal(): boolean;
  setRaw(mode: boolean, options?: { cbreak?: boolean }): void;
}

interface DenoGlobal {
  readonly args: string[];
  readonly stdout: DenoFile;
  readonly stderr: DenoFile;
  readonly stdin: DenoStdin;
  readonly env: { toObject(): Record<string, string> };
  readonly build: { os: string };
  exitCode: number;
  cwd(): string;
  consoleSize(): { columns: number; rows: number };
  addSignalListener(signal: string, handler: () => void): void;
  removeSignalListener(signal: string, handler: () => void): void;
}

interface NodeWritable {
  isTTY?: boolean;
  columns?: number;
  write(chunk: string | Uint8Array): boolean;
  on(event: string, listener: (error: { code?: string }) => void): unknown;
  once(event: string, listener: () => void): unknown;
  off(event: string, listener: () => void): unknown;
}

interface NodeProcess {
  readonly argv: string[];
  readonly env: Record<string, string | undefined>;
  readonly stdout: NodeWritable;
  readonly stderr: NodeWritable;
  readonly stdin: AsyncIterable<Uint8Array | string> & {
    isTTY?: boolean;
    setRawMode?: (raw: boolean) => unknown;
  };
  exitCode?: number | string | undefined;
  cwd(): string;
  on(signal: string, handler: () => void): unknown;
  off(signal: string, handler: () => void): unknown;
}

const deno = (globalThis as { Deno?: DenoGlobal }).Deno;
const node = (): NodeProcess => (globalThis as unknown as { process: NodeProcess }).process;

function safe<T>(read: () => T, fallback: T): T {
  try {
    return read();
  } catch {
    return fallback;
  }
}

function denoWriter(file: DenoFile): CliWriter {
  const encoder = new TextEncoder();
  let broken = false;
  let queue: Promise<void> = Promise.resolve();
  const writeBytes = (bytes: Uint8Array): Promise<void> => {
    if (broken || bytes.length === 0) return queue;
    queue = queue.then(async () => {
      let offset = 0;
      try {
        while (offset < bytes.length) offset += await file.write(bytes.subarray(offset));
      } catch {
        broken = true; // a closed pipe (`| head`) ends output quietly
      }
    });
    return queue;
  };
  return {
    write: (chunk: string): Promise<void> => writeBytes(encoder.encode(chunk)),
    writeBytes,
  };
}

function nodeWriter(stream: NodeWritable): CliWriter {
  let broken = false;
  stream.on("error", (error) => {
    if (error.code === "EPIPE") broken = true;
  });
  const write = (chunk: string | Uint8Array): Promise<void> | void => {
    if (broken || chunk.length === 0) return;
    if (stream.write(chunk)) return;
    return new Promise<void>((done) => {
      const finish = () => {
        stream.off("drain", finish);
        stream.off("error", finish);
        stream.off("close", finish);
        done();
      };
      stream.once("drain", finish);
      stream.once("error", finish);
      stream.once("close", finish);
    });
  };
  return { write, writeBytes: write };
}

function waitForSignals(
  listen: (signal: string, handler: () => void) => void,
  unlisten: (signal: string, handler: () => void) => void,
  signals: string[],
): Promise<string> {
  return new Promise((done) => {
    const handlers = signals.map((signal) => {
      const handler = () => {
        for (const [name, h] of handlers) unlisten(name, h);
        done(signal);
      };
      return [signal, handler] as const;
    });
    for (const [signal, handler] of handlers) listen(signal, handler);
  });
}

function denoIo(d: DenoGlobal): CliIo {
  const env = safe(() => d.env.toObject() as Record<string, string | undefined>, {});
  const columns = safe(() => d.consoleSize().columns, 0) || Number(env["COLUMNS"]) || 80;
  return {
    stdout: denoWriter(d.stdout),
    stderr: denoWriter(d.stderr),
    stdin: {
      [Symbol.asyncIterator]: () => d.stdin.readable[Symbol.asyncIterator](),
      setRawMode: (raw: boolean) => d.stdin.setRaw(raw),
    },
    env,
    isTTY: {
      stdout: safe(() => d.stdout.isTerminal(), false),
      stderr: safe(() => d.stderr.isTerminal(), false),
      stdin: safe(() => d.stdin.isTerminal(), false),
    },
    columns,
    cwd: safe(() => d.cwd(), "."),
    waitForSignal: () =>
      waitForSignals(
        (s, h) => d.addSignalListener(s, h),
        (s, h) => d.removeSignalListener(s, h),
        d.build.os === "windows" ? ["SIGINT"] : ["SIGINT", "SIGTERM"],
      ),
  };
}

function nodeIo(p: NodeProcess): CliIo {
  const env = safe(() => ({ ...p.env }), {});
  return {
    stdout: nodeWriter(p.stdout),
    stderr: nodeWriter(p.stderr),
    stdin: {
      [Symbol.asyncIterator]: () => p.stdin[Symbol.asyncIterator](),
      setRawMode: (raw: boolean) => void p.stdin.setRawMode?.(raw),
    },
    env,
    isTTY: {
      stdout: safe(() => p.stdout.isTTY === true, false),
      stderr: safe(() => p.stderr.isTTY === true, false),
      stdin: safe(() => p.stdin.isTTY === true, false),
    },
    columns: safe(() => p.stdout.columns || p.stderr.columns || 0, 0) ||
      Number(env["COLUMNS"]) || 80,
    cwd: safe(() => p.cwd(), "."),
    waitForSignal: () =>
      waitForSignals((s, h) => p.on(s, h), (s, h) => p.off(s, h), ["SIGINT", "SIGTERM"]),
  };
}

/**
 * The real process's streams, environment, terminal facts and signals (Deno's APIs on Deno, the
 * global `process` on Node and Bun).
 *
 * Standard input is only touched when a command reads it.
 *
 * @returns The process I/O.
 *
 * @example Run with the real process
 * ```ts ignore
 * import { processArgs, processIo, setExitCode } from "./io.ts";
 * import { run } from "./main.ts";
 *
 * setExitCode(await run(processArgs(), processIo()));
 * ```
 */
export function processIo(): CliIo {
  return deno ? denoIo(deno) : nodeIo(node());
}

/**
 * The command-line arguments after the program (and script) name.
 *
 * @returns The arguments.
 *
 * @example Print the arguments
 * ```ts
 * import { processArgs } from "./io.ts";
 *
 * console.log(processArgs());
 * ```
 */
export function processArgs(): string[] {
  return deno ? [...deno.args] : node().argv.slice(2);
}

/**
 * Sets the process's exit code, applied when the process ends (nothing is cut short).
 *
 * @param code The exit code.
 *
 * @example Exit with 2 once everything is flushed
 * ```ts ignore
 * import { setExitCode } from "./io.ts";
 *
 * setExitCode(2);
 * ```
 */
export function setExitCode(code: number): void {
  if (deno) deno.exitCode = code;
  else node().exitCode = code;
}

function filePath(url: string): string {
  const path = decodeURIComponent(new URL(url).pathname);
  return /^\/[A-Za-z]:\//.test(path) ? path.slice(1) : path;
}

/**
 * Whether a module is the program's entry point: `import.meta.main` where the runtime has it
 * (Deno, Bun, Node ≥ 24.2), else a comparison of the module's path with `process.argv[1]`.
 *
 * @param meta The module's `import.meta`.
 * @returns `true` when the module was started directly.
 *
 * @example Run only when started directly
 * ```ts ignore
 * import { isMainModule } from "./io.ts";
 *
 * if (isMainModule(import.meta)) console.log("started directly");
 * ```
 */
export function isMainModule(meta: ImportMeta): boolean {
  const main = (meta as ImportMeta & { main?: boolean }).main;
  if (typeof main === "boolean") return main;
  if (deno || !meta.url.startsWith("file:")) return false;
  const entry = safe(() => node().argv[1], undefined);
  if (!entry) return false;
  const cwd = safe(() => node().cwd(), "");
  const absolute = /^([A-Za-z]:)?[\\/]/.test(entry) ? entry : `${cwd}/${entry}`;
  const normalize = (p: string) =>
    p.replaceAll("\\", "/").replace(/\/(\.\/)+/g, "/").replace(/\.(c|m)?[jt]s$/, "");
  return normalize(absolute) === normalize(filePath(meta.url));
}
