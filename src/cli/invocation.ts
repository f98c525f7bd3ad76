/**
 * What the CLI runs once it knows the command: the options every API command shares and the
 * command to execute. Parsers build them (`options.ts`); a plain command line, which needs no
 * parsing, gets them from `plain_commands.ts` without loading the parser at all.
 *
 * @module
 */

import type { CommandContext } from "./context.ts";
import type { OutputFormat } from "./output.ts";

/**
 * The options every API command accepts: connection, secrets and output.
 *
 * @example JSON output against a host
 * ```ts
 * import { type CommonValues, NO_COMMON } from "./invocation.ts";
 *
 * const values: CommonValues = { ...NO_COMMON, host: "http://127.0.0.1:8000", json: true };
 * ```
 */
export interface CommonValues {
  /** `--host`: the API host. */
  readonly host: string | undefined;
  /** `--api-key`/`--api_key`/`-k` (discouraged: it leaks into shell history). */
  readonly apiKey: string | undefined;
  /** `--api-key-stdin`: read the key from the first line of standard input. */
  readonly apiKeyStdin: boolean;
  /** `--save [FILE]`: also write the JSON envelope to a file (`.` = automatic name). */
  readonly save: string | undefined;
  /** `--json`: print the JSON envelope even on a terminal. */
  readonly json: boolean;
  /** `--format`: `json`, `jsonl`, `csv` or `table`. */
  readonly format: OutputFormat | undefined;
  /** `--no-color`: no ANSI escapes. */
  readonly noColor: boolean;
}

/**
 * What a successful parse produces: the shared options and the command to run.
 *
 * @example A command that always succeeds
 * ```ts
 * import { type Invocation, NO_COMMON } from "./invocation.ts";
 *
 * const invocation: Invocation = { common: NO_COMMON, execute: () => Promise.resolve(0) };
 * ```
 */
export interface Invocation {
  /** The shared options (output format, colours, credentials). */
  readonly common: CommonValues;
  /**
   * Runs the command.
   *
   * @param ctx The run's context.
   * @returns The exit code.
   */
  execute(ctx: CommandContext): Promise<number>;
}

/**
 * The default shared options, for commands that take none of them.
 *
 * @example No output format chosen
 * ```ts
 * import { NO_COMMON } from "./invocation.ts";
 *
 * console.log(NO_COMMON.format); // undefined
 * ```
 */
export const NO_COMMON: CommonValues = {
  host: undefined,
  apiKey: undefined,
  apiKeyStdin: false,
  save: undefined,
  json: false,
  format: undefined,
  noColor: false,
};
