/**
 * Every option shared by several commands, declared once (spellings, aliases, help text), and
 * the helper that turns a command's parsed options into an {@linkcode Invocation}.
 *
 * Snake_case spellings of the Python CLI (`--page_num`, `--api_key`, `--filter_query`) are
 * accepted beside the kebab-case ones. `--host` has no short form: `-h` is help.
 *
 * @module
 */

import {
  argument,
  choice,
  command,
  flag,
  type InferValue,
  integer,
  map,
  merge,
  message,
  object,
  option,
  optional,
  type Parser,
  string,
  type Usage,
  type UsageTerm,
  withDefault,
} from "@optique/core";
import type { CommandContext } from "./context.ts";
import { examplesFooter, paragraph } from "./help_page.ts";
import { type CommonValues, type Invocation, NO_COMMON } from "./invocation.ts";
import { OUTPUT_FORMATS, type OutputFormat } from "./output.ts";

export { type CommonValues, type Invocation, NO_COMMON };

/**
 * The output options (`--json`, `--format`, `--save`, `--no-color`), as an object of parsers to
 * spread into a command's `object()`.
 *
 * @returns Fresh parsers.
 *
 * @example Output options only
 * ```ts
 * import { merge, object } from "@optique/core/constructs";
 * import { outputOptions } from "./options.ts";
 *
 * const parser = object({ ...outputOptions() });
 * ```
 */
export function outputOptions(): {
  save: Parser<"sync", string | undefined, unknown>;
  json: Parser<"sync", boolean, unknown>;
  format: Parser<"sync", OutputFormat | undefined, unknown>;
  noColor: Parser<"sync", boolean, unknown>;
} {
  return {
    save: optional(option("--save", string({ metavar: "FILE" }), {
      description:
        message`Also save the JSON output to FILE (a bare ${"--save"} picks ${"swanlab-YYYYMMDD_HHMMSS-xxxx.json"}).`,
    })),
    json: withDefault(
      flag("--json", { description: message`Print the JSON envelope (default when piped).` }),
      false,
    ),
    format: optional(option("--format", choice(OUTPUT_FORMATS, { metavar: "FORMAT" }), {
      description: message`Output format (default: table on a terminal, json otherwise).`,
    })),
    noColor: withDefault(
      flag("--no-color", { description: message`Disable colours (also NO_COLOR, TERM=dumb).` }),
      false,
    ),
  };
}

/**
 * The connection options (`--host`, `--api-key-stdin`, `--api-key`).
 *
 * @returns Fresh parsers.
 *
 * @example Connection options only
 * ```ts
 * import { merge, object } from "@optique/core/constructs";
 * import { connectionOptions } from "./options.ts";
 *
 * const parser = object({ ...connectionOptions() });
 * ```
 */
export function connectionOptions(): {
  host: Parser<"sync", string | undefined, unknown>;
  apiKeyStdin: Parser<"sync", boolean, unknown>;
  apiKey: Parser<"sync", string | undefined, unknown>;
} {
  return {
    host: optional(option("--host", string({ metavar: "HOST" }), {
      description: message`SwanLab API host (default: SWANLAB_API_HOST, .netrc, or the cloud).`,
    })),
    apiKeyStdin: withDefault(
      flag("--api-key-stdin", "--api_key_stdin", {
        description: message`Read the API key from the first line of standard input.`,
      }),
      false,
    ),
    apiKey: optional(option("--api-key", "--api_key", "-k", string({ metavar: "KEY" }), {
      description: message`API key (discouraged: visible in shell history; use --api-key-stdin).`,
    })),
  };
}

/**
 * Both {@linkcode connectionOptions} and {@linkcode outputOptions}.
 *
 * @returns Fresh parsers.
 *
 * @example All shared options
 * ```ts
 * import { merge, object } from "@optique/core/constructs";
 * import { commonOptions } from "./options.ts";
 *
 * const parser = object({ ...commonOptions() });
 * ```
 */
export function commonOptions():
  & ReturnType<typeof connectionOptions>
  & ReturnType<typeof outputOptions> {
  return { ...connectionOptions(), ...outputOptions() };
}

/**
 * Picks the shared options out of a command's parsed options.
 *
 * @param values The parsed options.
 * @returns The shared options, with defaults for the missing ones.
 *
 * @example Defaults for missing options
 * ```ts
 * import { pickCommon } from "./options.ts";
 *
 * pickCommon({ json: true }).json; // true
 * ```
 */
export function pickCommon(values: Partial<CommonValues>): CommonValues {
  return {
    host: values.host,
    apiKey: values.apiKey,
    apiKeyStdin: values.apiKeyStdin ?? false,
    save: values.save,
    json: values.json ?? false,
    format: values.format,
    noColor: values.noColor ?? false,
  };
}

/**
 * Help text of a command.
 *
 * @example Help of a command
 * ```ts
 * import type { LeafDoc } from "./options.ts";
 *
 * const doc: LeafDoc = { brief: "Show a run.", examples: ["swanlab-ts run info a/p/r1"] };
 * ```
 */
export interface LeafDoc {
  /** One line for command lists. */
  brief: string;
  /** Longer description for the command's own help (defaults to `brief`). */
  description?: string;
  /** Example command lines, shown under `Examples:` (a `#` starts a comment). */
  examples?: readonly string[];
  /** Other accepted names (e.g. snake_case spellings). */
  aliases?: readonly string[];
  /** Hide from help and completion lists. */
  hidden?: boolean;
}

const SHARED_OPTION_NAMES = new Set([
  "--host",
  "--api-key-stdin",
  "--api-key",
  "--save",
  "--json",
  "--format",
  "--no-color",
]);

function sharedOption(term: UsageTerm): boolean {
  if (term.type === "option") return term.names.some((n) => SHARED_OPTION_NAMES.has(n));
  if (term.type === "optional" && term.terms.length === 1) return sharedOption(term.terms[0]!);
  return false;
}

/**
 * Shortens a command's usage line: the shared connection and output options become one
 * `[OPTIONS]` (they are listed under their own headings below it).
 *
 * @param usage The full usage line.
 * @returns The shortened usage line.
 *
 * @example Hide the shared options
 * ```ts
 * import { compactUsage } from "./options.ts";
 *
 * compactUsage([
 *   { type: "optional", terms: [{ type: "option", names: ["--json"] }] },
 *   { type: "argument", metavar: "PATH" },
 * ]); // [{ type: "literal", value: "[OPTIONS]" }, { type: "argument", metavar: "PATH" }]
 * ```
 */
export function compactUsage(usage: Usage): Usage {
  const kept = usage.filter((term) => !sharedOption(term));
  if (kept.length === usage.length) return usage;
  let at = kept.length;
  while (at > 0 && kept[at - 1]!.type === "argument") at--;
  const optionsTerm: UsageTerm = { type: "literal", value: "[OPTIONS]" };
  return [...kept.slice(0, at), optionsTerm, ...kept.slice(at)];
}

/**
 * Declares a leaf command: its name, its options parser (an `object()` that includes
 * {@linkcode commonOptions} or {@linkcode outputOptions}), what it runs, and its help.
 *
 * @param name The command name.
 * @param parser The options parser.
 * @param handler Runs the command with the parsed options.
 * @param doc Help text, examples and aliases.
 * @returns A parser producing an {@linkcode Invocation}.
 *
 * @example Declare a command
 * ```ts
 * import { merge, object } from "@optique/core/constructs";
 * import { commonOptions, leaf } from "./options.ts";
 *
 * const info = leaf("info", object({ ...commonOptions() }), async (ctx) => 0, {
 *   brief: "Show the current user.",
 *   examples: ["swanlab-ts user info"],
 * });
 * ```
 */
export function leaf<V extends Partial<CommonValues>>(
  name: string,
  parser: Parser<"sync", V, unknown>,
  handler: (ctx: CommandContext, values: V) => Promise<number>,
  doc: LeafDoc,
): Parser<"sync", Invocation, unknown> {
  const invocation = map(parser, (values: V): Invocation => ({
    common: pickCommon(values),
    execute: (ctx) => handler(ctx, values),
  }));
  return command(name, invocation, {
    usageLine: compactUsage,
    brief: paragraph(doc.brief),
    description: paragraph(doc.description ?? doc.brief),
    ...(doc.examples && doc.examples.length > 0 ? { footer: examplesFooter(doc.examples) } : {}),
    ...(doc.aliases && doc.aliases.length > 0
      ? { aliases: doc.aliases as [string, ...string[]] }
      : {}),
    ...(doc.hidden ? { hidden: true } : {}),
  }) as Parser<"sync", Invocation, unknown>;
}

/**
 * Declares a command group (`project`, `run`, …) over its leaf commands.
 *
 * @param name The group name.
 * @param parser The `or()` of its leaves.
 * @param doc Help text and aliases.
 * @returns The group parser.
 *
 * @example Declare a group
 * ```ts ignore
 * import { or } from "@optique/core/constructs";
 * import { group } from "./options.ts";
 *
 * const user = group("user", or(info), { brief: "The logged-in user." });
 * ```
 */
export function group(
  name: string,
  parser: Parser<"sync", Invocation, unknown>,
  doc: LeafDoc,
): Parser<"sync", Invocation, unknown> {
  return command(name, parser, {
    usageLine: [{ type: "literal", value: "COMMAND" }, { type: "ellipsis" }],
    brief: paragraph(doc.brief),
    description: paragraph(doc.description ?? doc.brief),
    ...(doc.examples && doc.examples.length > 0 ? { footer: examplesFooter(doc.examples) } : {}),
    ...(doc.aliases && doc.aliases.length > 0
      ? { aliases: doc.aliases as [string, ...string[]] }
      : {}),
  }) as Parser<"sync", Invocation, unknown>;
}

/**
 * A positional path argument (`USERNAME`, `PROJECT_PATH`, `PATH`).
 *
 * @param metavar The name shown in usage.
 * @param description What the path is.
 * @returns The parser.
 *
 * @example A run path argument
 * ```ts
 * import { pathArgument } from "./options.ts";
 *
 * const path = pathArgument("PATH", "Run path: username/project/run_id.");
 * ```
 */
export function pathArgument(
  metavar: string,
  description: string,
): Parser<"sync", string, unknown> {
  return argument(string({ metavar: metavar as "PATH" }), { description: paragraph(description) });
}

/**
 * The page sizes the server accepts.
 *
 * @example The default size is allowed
 * ```ts
 * import { PAGE_SIZES } from "./options.ts";
 *
 * console.log(PAGE_SIZES.includes(20)); // true
 * ```
 */
export const PAGE_SIZES = [10, 12, 15, 20, 24, 27, 50, 100] as const;

/**
 * `--page_num/--page-num/-n` (integer ≥ 1, default 1).
 *
 * @returns The parser.
 *
 * @example Page number option
 * ```ts
 * import { pageNumOption } from "./options.ts";
 *
 * const page = pageNumOption();
 * ```
 */
export function pageNumOption(): Parser<"sync", number | undefined, unknown> {
  return optional(
    option("--page_num", "--page-num", "-n", integer({ min: 1, metavar: "N" }), {
      description: message`Page number (default: 1; with --all, the first page read).`,
    }),
  );
}

/**
 * `--page_size/--page-size/-s`, one of {@linkcode PAGE_SIZES} (default 20).
 *
 * @returns The parser.
 *
 * @example Page size option
 * ```ts
 * import { pageSizeOption } from "./options.ts";
 *
 * const size = pageSizeOption();
 * ```
 */
export function pageSizeOption(): Parser<"sync", number, unknown> {
  return withDefault(
    option("--page_size", "--page-size", "-s", choice(PAGE_SIZES, { metavar: "SIZE" }), {
      description: message`Page size.`,
    }),
    20,
  );
}

/**
 * `--all`: fetch every page.
 *
 * @param description The help text.
 * @returns The parser.
 *
 * @example The --all flag
 * ```ts
 * import { allFlag } from "./options.ts";
 *
 * const all = allFlag("Fetch all pages.");
 * ```
 */
export function allFlag(description = "Fetch all pages."): Parser<"sync", boolean, unknown> {
  return withDefault(flag("--all", { description: paragraph(description) }), false);
}

/**
 * A case-insensitive choice whose value is the canonical (upper-case) spelling.
 *
 * @param names Option names.
 * @param values The accepted values.
 * @param fallback The default.
 * @param description The help text.
 * @returns The parser.
 *
 * @example A case-insensitive level
 * ```ts
 * import { upperChoice } from "./options.ts";
 *
 * const level = upperChoice(["--level", "-l"], ["DEBUG", "INFO", "WARN", "ERROR"], "INFO", "Log level.");
 * ```
 */
export function upperChoice<const T extends string>(
  names: readonly [`-${string}`, ...`-${string}`[]],
  values: readonly [T, ...T[]],
  fallback: T,
  description: string,
): Parser<"sync", T, unknown> {
  return withDefault(
    option(...names, choice(values, { caseInsensitive: true, metavar: "VALUE" }), {
      description: paragraph(description),
    }),
    fallback,
  ) as Parser<"sync", T, unknown>;
}

/**
 * A record of option and argument parsers, as `object()` takes.
 *
 * @example Options of a command
 * ```ts
 * import { option } from "@optique/core/primitives";
 * import { string } from "@optique/core/valueparser";
 * import type { ParserRecord } from "./options.ts";
 *
 * const parsers: ParserRecord = { key: option("--key", string()) };
 * ```
 */
export type ParserRecord = { readonly [key: string]: Parser<"sync", unknown, unknown> };

/**
 * The value a {@linkcode ParserRecord} parses to.
 *
 * @example The parsed type
 * ```ts
 * import { option } from "@optique/core/primitives";
 * import { string } from "@optique/core/valueparser";
 * import type { ValuesOf } from "./options.ts";
 *
 * const parsers = { key: option("--key", string()) };
 * const values: ValuesOf<typeof parsers> = { key: "loss" };
 * ```
 */
export type ValuesOf<T extends ParserRecord> = { [K in keyof T]: InferValue<T[K]> };

/**
 * A command's own options and arguments, followed by the connection options and the output
 * options (each under its own heading in the help).
 *
 * @param specific The command's own parsers.
 * @returns The combined parser.
 *
 * @example A command with a path
 * ```ts
 * import { pathArgument, withCommon } from "./options.ts";
 *
 * const parser = withCommon({ path: pathArgument("PATH", "Project path.") });
 * ```
 */
export function withCommon<T extends ParserRecord>(
  specific: T,
): Parser<"sync", ValuesOf<T> & CommonValues, unknown> {
  return merge(
    object(specific) as unknown as Parser<"sync", Record<string, unknown>, unknown>,
    object("Connection options", connectionOptions()),
    object("Output options", outputOptions()),
  ) as unknown as Parser<"sync", ValuesOf<T> & CommonValues, unknown>;
}

/**
 * A command's own options followed by `--no-color` (for commands that print text, not data).
 *
 * @param specific The command's own parsers.
 * @returns The combined parser.
 *
 * @example A command with one option
 * ```ts
 * import { flag } from "@optique/core/primitives";
 * import { withColorOption } from "./options.ts";
 *
 * const parser = withColorOption({ verbose: flag("--verbose") });
 * ```
 */
export function withColorOption<T extends ParserRecord>(
  specific: T,
): Parser<"sync", ValuesOf<T> & Pick<CommonValues, "noColor">, unknown> {
  return object({
    ...specific,
    noColor: withDefault(
      flag("--no-color", { description: message`Disable colours (also NO_COLOR, TERM=dumb).` }),
      false,
    ),
  }) as unknown as Parser<"sync", ValuesOf<T> & Pick<CommonValues, "noColor">, unknown>;
}

/**
 * A command's own options followed by the output options (no connection options).
 *
 * @param specific The command's own parsers.
 * @returns The combined parser.
 *
 * @example A command without connection options
 * ```ts
 * import { withOutput } from "./options.ts";
 *
 * const parser = withOutput({});
 * ```
 */
export function withOutput<T extends ParserRecord>(
  specific: T,
): Parser<"sync", ValuesOf<T> & Omit<CommonValues, "host" | "apiKey" | "apiKeyStdin">, unknown> {
  return merge(
    object(specific) as unknown as Parser<"sync", Record<string, unknown>, unknown>,
    object("Output options", outputOptions()),
  ) as unknown as Parser<
    "sync",
    ValuesOf<T> & Omit<CommonValues, "host" | "apiKey" | "apiKeyStdin">,
    unknown
  >;
}
