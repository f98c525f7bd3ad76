/**
 * {@linkcode CommandContext}: what a command gets to run: the I/O, the shared options, a lazily
 * created {@linkcode Api} client, and the one way to print results and errors.
 *
 * Stdout carries data only (the JSON envelope, JSON Lines, CSV or a table); warnings, progress
 * and errors go to stderr.
 *
 * @module
 */

import type { Api, ClientOptions, User } from "../../mod.ts";
import type { CliIo } from "./io.ts";
import { importModule } from "./lazy_import.ts";
import type { CommonValues } from "./options.ts";
import {
  type Envelope,
  type OutputFormat,
  renderView,
  saveEnvelope,
  type SaveTarget,
  saveTarget,
  type TableView,
  toJsonText,
} from "./output.ts";
import { errorMessage } from "./error_message.ts";
import { ProgressBar } from "./progress.ts";
import { type InputReader, PromptCancelledError } from "./prompt.ts";
import { colorEnabled, createStyle, type Style } from "./style.ts";
import { terminalText } from "../core/terminal_text.ts";

/**
 * The library module, loaded on first use (keeps `--help` fast).
 *
 * @example Use the loaded library
 * ```ts
 * import { type Library, loadLibrary } from "./context.ts";
 *
 * const lib: Library = await loadLibrary();
 * console.log(lib.VERSION);
 * ```
 */
export type Library = typeof import("../../mod.ts");

let library: Promise<Library> | undefined;

/**
 * Loads the library (`mod.ts`) once.
 *
 * @returns The module.
 *
 * @example Read the version lazily
 * ```ts ignore
 * import { loadLibrary } from "./context.ts";
 *
 * const { VERSION } = await loadLibrary();
 * ```
 */
export function loadLibrary(): Promise<Library> {
  library ??= importModule<Library>("mod.ts"); // not read by `deno run` before it is needed
  return library;
}

/**
 * What the API commands need of the library: the client, the drift warning's text and the
 * validation error class.
 *
 * @example Build a client
 * ```ts ignore
 * import { loadClient } from "./context.ts";
 *
 * const { Api } = await loadClient();
 * const api = new Api({ host: "http://127.0.0.1:8000", apiKey: "demo-key" });
 * ```
 */
export interface ClientLibrary {
  /** The client class (`src/entities/api.ts`). */
  Api: typeof import("../entities/api.ts").Api;
  /** The one-line text of a drift warning (`src/core/drift.ts`). */
  formatDrift: typeof import("../core/drift.ts").formatDrift;
  /** Bad input, found before any request (`src/core/errors.ts`). */
  ValidationError: typeof import("../core/errors.ts").ValidationError;
}

let client: Promise<ClientLibrary> | undefined;

/**
 * Loads what the API commands need, once: the client's modules without the rest of `mod.ts`
 * (exporters, `doctor`, `login`), which commands like `user info` never run. (About a fifth of
 * the library's modules; each costs start-up time whether used or not.)
 *
 * @returns The client library.
 *
 * @example Build a client lazily
 * ```ts ignore
 * import { loadClient } from "./context.ts";
 *
 * const { Api } = await loadClient();
 * ```
 */
export function loadClient(): Promise<ClientLibrary> {
  client ??= Promise.all([
    importModule<typeof import("../entities/api.ts")>("src/entities/api.ts"),
    importModule<typeof import("../core/drift.ts")>("src/core/drift.ts"),
    importModule<typeof import("../core/errors.ts")>("src/core/errors.ts"),
  ]).then(([{ Api }, { formatDrift }, { ValidationError }]) => ({
    Api,
    formatDrift,
    ValidationError,
  }));
  return client;
}

/**
 * Loads the local server (`src/server/mod.ts`, for `serve` and `demo`) on first use, with a
 * computed specifier like {@linkcode loadLibrary}: a literal `import()` would make `deno run`
 * read the server's modules before `serve --help` could print.
 *
 * @returns The module.
 *
 * @example Start a server lazily
 * ```ts ignore
 * import { loadServer } from "./context.ts";
 *
 * const { startServer } = await loadServer();
 * ```
 */
export function loadServer(): Promise<typeof import("../server/mod.ts")> {
  return importModule<typeof import("../server/mod.ts")>("src/server/mod.ts");
}

/**
 * A usage problem found by the CLI itself (bad JSON for `--filter_query`, conflicting range
 * options, …): printed on stderr, exit code 2.
 *
 * @example Reject conflicting options
 * ```ts
 * import { UsageError } from "./context.ts";
 *
 * const error = new UsageError("--range-head and --range-tail are mutually exclusive");
 * console.log(error.name); // "UsageError"
 * ```
 */
export class UsageError extends Error {
  /** @param message What is wrong, naming the option. */
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/**
 * Turns a command's data into rows for `--format jsonl|csv|table`.
 *
 * @example Rows of a list
 * ```ts
 * import type { ViewOf } from "./context.ts";
 *
 * const view: ViewOf<{ list: Record<string, unknown>[] }> = (data) => ({ rows: data.list });
 * ```
 */
export type ViewOf<T> = (data: T) => TableView;

/**
 * The context of one command run.
 *
 * @example Print a library call's result
 * ```ts ignore
 * const code = await ctx.call(async () => (await ctx.api()).user().json());
 * ```
 */
export class CommandContext {
  /** The I/O of the run. */
  readonly io: CliIo;
  /** The shared options. */
  readonly common: CommonValues;
  /** Standard input, read line by line (shared by key and password reads). */
  readonly input: InputReader;
  /** The command path for messages, e.g. `run metrics`. */
  readonly commandName: string;
  /** Colours for stdout. */
  readonly out: Style;
  /** Colours for stderr. */
  readonly err: Style;
  #api: Promise<Api> | undefined;
  #apiKeyFromStdin: Promise<string | undefined> | undefined;
  #save: Promise<SaveTarget> | undefined;

  /**
   * @param io The I/O of the run.
   * @param common The shared options.
   * @param input Standard input reader.
   * @param commandName The command path, for messages.
   */
  constructor(io: CliIo, common: CommonValues, input: InputReader, commandName = "") {
    this.io = io;
    this.common = common;
    this.input = input;
    this.commandName = commandName;
    this.out = createStyle(
      colorEnabled({ isTTY: io.isTTY.stdout, env: io.env, noColor: common.noColor }),
    );
    this.err = createStyle(
      colorEnabled({ isTTY: io.isTTY.stderr, env: io.env, noColor: common.noColor }),
    );
  }

  /** The output format: `--format`, else `json` with `--json` or when stdout is not a terminal, else `table`. */
  get format(): OutputFormat {
    if (this.common.format) return this.common.format;
    if (this.common.json || !this.io.isTTY.stdout) return "json";
    return "table";
  }

  /** Terminal width for charts and progress bars. */
  get columns(): number {
    return Math.max(40, this.io.columns || 80);
  }

  /** Width tables are fitted to: the terminal's, else `$COLUMNS`, else unlimited. */
  get tableWidth(): number {
    if (this.io.isTTY.stdout) return this.columns;
    const fromEnv = Number(this.io.env["COLUMNS"]);
    return Number.isFinite(fromEnv) && fromEnv > 0 ? fromEnv : Infinity;
  }

  /**
   * Writes a line to stdout.
   *
   * @param line The text (a newline is added).
   */
  async print(line = ""): Promise<void> {
    await this.io.stdout.write(line + "\n");
  }

  /**
   * Writes raw text to stdout.
   *
   * @param text The text.
   */
  async write(text: string): Promise<void> {
    await this.io.stdout.write(text);
  }

  /**
   * Says that a server is running, waits for Ctrl-C (or another stop signal), and says it is
   * stopping: what `serve` and `mcp --http` do between starting and closing.
   *
   * @returns When a stop signal arrived.
   */
  async waitUntilStopped(): Promise<void> {
    await this.note("Serving; press Ctrl-C to stop.");
    const signal = this.io.waitForSignal
      ? await this.io.waitForSignal()
      : await new Promise<string>(() => {});
    await this.note(`Stopping (${signal})`);
  }

  /**
   * Writes a diagnostic line to stderr, made terminal-safe (it may quote server text).
   *
   * @param line The text (a newline is added).
   */
  async note(line: string): Promise<void> {
    await this.io.stderr.write(terminalText(line) + "\n");
  }

  /**
   * Writes `warning: …` to stderr, made terminal-safe.
   *
   * @param message The warning.
   */
  async warn(message: string): Promise<void> {
    await this.io.stderr.write(`${this.err.yellow("warning:")} ${terminalText(message)}\n`);
  }

  /**
   * Writes `error: …` to stderr, made terminal-safe (API error messages are server text).
   *
   * @param message The error.
   */
  async error(message: string): Promise<void> {
    await this.io.stderr.write(`${this.err.red("error:")} ${terminalText(message)}\n`);
  }

  /**
   * Checks what can be checked before any request: conflicting output options and the
   * `--save` path. Called once before the command runs.
   *
   * @throws {UsageError} When `--json` is combined with another `--format`.
   * @throws {ValidationError} When the `--save` path is empty or its directory is missing.
   */
  async prepare(): Promise<void> {
    const { json, format, save } = this.common;
    if (json && format !== undefined && format !== "json") {
      throw new UsageError(`--json conflicts with --format ${format}: give one of them`);
    }
    if (save !== undefined) {
      this.#save = saveTarget(save, this.io.cwd);
      await this.#save;
    }
  }

  /**
   * Checks a user-given output path before any request: not empty, in an existing directory,
   * not a directory itself. Relative paths resolve against the working directory.
   *
   * @param path The path, as typed.
   * @param option The option name for the error, e.g. `--output`.
   * @returns The absolute path.
   * @throws {ValidationError} When the path cannot be written (exit code 2).
   */
  async outputPath(path: string, option: string): Promise<string> {
    const lib = await loadLibrary();
    const { isAbsolute, join } = await import("node:path");
    if (path.trim() === "") return await lib.checkOutputPath(path, option);
    return await lib.checkOutputPath(isAbsolute(path) ? path : join(this.io.cwd, path), option);
  }

  /**
   * A progress bar on stderr (drawn only when stderr is a terminal).
   *
   * @param label What is in progress.
   * @param options The expected total and the unit.
   * @returns The bar.
   */
  progress(label: string, options: { total?: number; unit?: string } = {}): ProgressBar {
    const ansi = this.err.enabled;
    const dumb = this.io.env["TERM"] === "dumb";
    return new ProgressBar({
      writer: this.io.stderr,
      enabled: this.io.isTTY.stderr && !dumb,
      ansi,
      width: this.columns,
      label,
      total: options.total,
      ...(options.unit === undefined ? {} : { unit: options.unit }),
    });
  }

  /**
   * The API key given on the command line or standard input, if any (`--api-key` prints a
   * warning about shell history).
   *
   * @returns The key, or `undefined` to use the environment, `login` or `.netrc`.
   * @throws {UsageError} When `--api-key-stdin` finds no line.
   */
  apiKey(): Promise<string | undefined> {
    this.#apiKeyFromStdin ??= (async () => {
      if (this.common.apiKeyStdin) {
        if (this.common.apiKey !== undefined) {
          throw new UsageError("--api-key and --api-key-stdin cannot be combined");
        }
        const line = (await this.input.readLine())?.trim();
        if (!line) throw new UsageError("--api-key-stdin: standard input has no API key line");
        return line;
      }
      if (this.common.apiKey !== undefined) {
        await this.warn(
          "--api-key exposes the key in shell history and process lists; prefer --api-key-stdin, SWANLAB_API_KEY or `swanlab-ts login`",
        );
        return this.common.apiKey;
      }
      return undefined;
    })();
    return this.#apiKeyFromStdin;
  }

  /**
   * The API client for this run, created on first use from `--host`, the key options, the
   * environment and `.netrc` (nothing is sent until a call needs it).
   *
   * @returns The client.
   */
  api(): Promise<Api> {
    this.#api ??= (async () => {
      const lib = await loadClient();
      return new lib.Api(await this.#clientOptions(lib.formatDrift));
    })();
    return this.#api;
  }

  /**
   * The logged-in user's entity, on a client of its own made from the same options as
   * {@linkcode CommandContext.api}: for `user info`, which needs nothing else of the client and
   * so loads neither `Api` nor the other entities (about 10 ms of start-up).
   *
   * @returns The user entity (nothing is sent until it is read).
   */
  async user(): Promise<User> {
    const [{ standaloneUser }, { formatDrift }] = await Promise.all([
      importModule<typeof import("../entities/user.ts")>("src/entities/user.ts"),
      importModule<typeof import("../core/drift.ts")>("src/core/drift.ts"),
    ]);
    return standaloneUser(await this.#clientOptions(formatDrift));
  }

  // The client options of this run: `--host`, the key options, the environment and `.netrc`.
  async #clientOptions(
    formatDrift: typeof import("../core/drift.ts").formatDrift,
  ): Promise<ClientOptions> {
    const apiKey = await this.apiKey();
    return {
      ...(this.common.host === undefined ? {} : { host: this.common.host }),
      ...(apiKey === undefined ? {} : { apiKey }),
      env: this.io.env,
      cwd: this.io.cwd,
      // Server drift the library worked around: one `warning:` line per operation and field.
      onDrift: (drift) => void this.warn(formatDrift(drift)),
    };
  }

  /**
   * Uses a ready-made client instead of building one from the options (the demo does this to
   * talk to its in-process server).
   *
   * @param api The client.
   */
  useApi(api: Api): void {
    this.#api = Promise.resolve(api);
  }

  /**
   * Saves an envelope for `--save`, then prints it in the chosen format and reports a failure on
   * stderr. When saving fails, the `ok: false` envelope naming that failure is printed instead:
   * stdout never says `ok: true` for a command that exits 1.
   *
   * @param envelope The result.
   * @param view The tabular view of `data`, for non-JSON formats.
   * @returns 0 when `ok` (and saved), else 1.
   */
  async emit<T>(envelope: Envelope, view?: ViewOf<T>): Promise<number> {
    const saveFailure = await this.save(envelope);
    const shown: Envelope = saveFailure === undefined
      ? envelope
      : { ok: false, errmsg: saveFailure, data: null };
    const format = this.format;
    if (format === "json") {
      await this.io.stdout.write(toJsonText(shown) + "\n");
    } else if (shown.ok) {
      const rows = view ? view(shown.data as T) : defaultView(shown.data);
      await this.io.stdout.write(
        renderView(format, rows, {
          width: this.tableWidth,
          style: this.out,
          terminal: this.io.isTTY.stdout,
        }),
      );
    }
    if (!shown.ok) await this.error(shown.errmsg || "Command failed");
    return shown.ok ? 0 : 1;
  }

  /**
   * Writes the envelope to the `--save` file, when one was asked for (atomically), and says so
   * on stderr.
   *
   * @param envelope The envelope.
   * @returns The error message when saving failed, else `undefined`.
   */
  async save(envelope: Envelope): Promise<string | undefined> {
    if (this.common.save === undefined) return undefined;
    try {
      this.#save ??= saveTarget(this.common.save, this.io.cwd);
      const saved = await saveEnvelope(envelope, await this.#save);
      if (saved.warning) await this.warn(saved.message);
      else await this.note(saved.message);
    } catch (error) {
      return `Cannot save output: ${errorMessage(error)}`;
    }
    return undefined;
  }

  /**
   * Runs a library call and prints its result as `{ ok: true, errmsg: "", data }`, or the failure
   * as `{ ok: false, errmsg, data: null }` (exit 1; usage and validation errors exit 2, see
   * {@linkcode CommandContext.fail}).
   *
   * @param call Produces the data.
   * @param view The tabular view of the data.
   * @returns The exit code.
   */
  async call<T>(call: () => Promise<T>, view?: ViewOf<T>): Promise<number> {
    let data: T;
    try {
      data = await call();
    } catch (error) {
      return await this.fail(error);
    }
    return await this.emit({ ok: true, errmsg: "", data: data ?? null }, view);
  }

  /**
   * Reports an error. Whatever the failure, JSON output gets the `ok: false` envelope on stdout
   * and stderr gets `error: …`. Usage and validation errors exit 2 (nothing is saved); a
   * cancelled prompt exits 1; anything else exits 1 and is saved for `--save` like any result.
   *
   * @param error The error.
   * @returns The exit code.
   */
  async fail(error: unknown): Promise<number> {
    const errmsg = errorMessage(error);
    if (await isUsageError(error) || error instanceof PromptCancelledError) {
      // `--json` counts even when it conflicts with `--format`: the caller asked for JSON.
      if (this.common.json || this.format === "json") {
        await this.io.stdout.write(toJsonText({ ok: false, errmsg, data: null }) + "\n");
      }
      await this.error(errmsg);
      if (error instanceof PromptCancelledError) return 1;
      if (this.commandName) {
        await this.note(`Try 'swanlab-ts ${this.commandName} --help' for more information.`);
      }
      return 2;
    }
    return await this.emit({ ok: false, errmsg, data: null });
  }
}

async function isUsageError(error: unknown): Promise<boolean> {
  if (error instanceof UsageError) return true;
  if (!(error instanceof Error)) return false;
  if (error.name !== "ValidationError") return false;
  const { ValidationError } = await importModule<typeof import("../core/errors.ts")>(
    "src/core/errors.ts",
  );
  return error instanceof ValidationError;
}

/**
 * The default tabular view: a list's `list` rows, an array's items, or an object's fields.
 *
 * @param data The data.
 * @returns The rows.
 *
 * @example Rows of a list
 * ```ts
 * import { defaultView } from "./context.ts";
 *
 * defaultView({ list: [{ a: 1 }] }).rows; // [{ a: 1 }]
 * ```
 */
export function defaultView(data: unknown): TableView {
  if (Array.isArray(data)) {
    return { rows: data.map((item) => isRecord(item) ? item : { value: item }) };
  }
  if (isRecord(data) && Array.isArray(data["list"])) {
    return defaultView(data["list"]);
  }
  if (isRecord(data)) {
    return {
      rows: Object.entries(flatten(data)).map(([field, value]) => ({ field, value })),
      columns: ["field", "value"],
    };
  }
  return { rows: [{ value: data }] };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function flatten(value: Record<string, unknown>, prefix = ""): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    const name = prefix ? `${prefix}.${key}` : key;
    if (isRecord(item) && Object.keys(item).length > 0) Object.assign(out, flatten(item, name));
    else out[name] = item;
  }
  return out;
}
