/**
 * The command line read by the command tree (Optique): the command to run, or the exit code of
 * what was printed instead (help pages, the version, completion scripts, usage errors). Loaded by
 * `main.ts` only for command lines that need parsing (not for those of `plain_commands.ts`).
 *
 * The CLI's modules import Optique from its root entry (`@optique/core`), not its subpaths:
 * loaded by a dynamic `import()`, as this module and the command groups are, each bare npm
 * specifier costs Deno 2.9 about 1.5-2 ms to resolve (measured: six subpaths 48-50 ms against
 * 40-42 ms for the root, whole processes), more than the root's few extra modules cost to load.
 *
 * @module
 */

// First: Optique's modules must evaluate with the stand-in segmenter (see the module).
import { restoreSegmenter } from "./_deferred_segmenter.ts";
import { type Message, or, parse, type Parser, runParser } from "@optique/core";
import { COMPLETION_COMMAND_NAMES, HELP_OPTION_NAMES, PROGRAM_NAME } from "./command_names.ts";
import { findGroup, GROUPS } from "./commands/_groups.ts";
import { errorMessage } from "./error_message.ts";
import type { Invocation } from "./invocation.ts";
import type { CliIo } from "./io.ts";
import { helpLayout, PAGE_FORMAT, ROOT_USAGE_LINE, rootPageTexts } from "./help_page.ts";
import { VERSION } from "../core/version.ts";
import { parseFailure, unknownCommand, usageFailure } from "./usage_failure.ts";

restoreSegmenter();

function combine(
  parsers: Parser<"sync", Invocation, unknown>[],
): Parser<"sync", Invocation, unknown> {
  const [first, ...rest] = parsers;
  if (!first) throw new TypeError("Cannot build the command tree: no commands");
  return rest.length === 0 ? first : or(first, ...rest as [typeof first]) as Parser<
    "sync",
    Invocation,
    unknown
  >;
}

/**
 * Builds the whole command tree (every group's parser).
 *
 * @returns The root parser.
 *
 * @example Parse without running
 * ```ts ignore
 * import { parse } from "@optique/core/parser";
 * import { commandTree } from "./parse_command_line.ts";
 *
 * const result = parse(await commandTree(), ["user", "info", "--json"]);
 * console.log(result.success); // true
 * ```
 */
export async function commandTree(): Promise<Parser<"sync", Invocation, unknown>> {
  return combine(await Promise.all(GROUPS.map((group) => group.load())));
}

/** The smallest tree that handles these arguments: one group, or everything. */
async function treeFor(args: readonly string[]): Promise<Parser<"sync", Invocation, unknown>> {
  const target = args[0] === "help" ? args[1] : args[0];
  const group = findGroup(target);
  return group ? await group.load() : await commandTree();
}

/**
 * Reads a command line with the command tree.
 *
 * @param args The arguments (after `normalizeArgv`).
 * @param io The streams, environment and terminal facts.
 * @returns The command to run, or the exit code once help, the version, completions or a usage
 *   error were printed.
 *
 * @example Parse `user info --json`
 * ```ts ignore
 * import { parseCommandLine } from "./parse_command_line.ts";
 *
 * const parsed = await parseCommandLine(["user", "info", "--json"], io);
 * console.log(typeof parsed === "number" ? `exit ${parsed}` : parsed.common.json); // true
 * ```
 */
export async function parseCommandLine(
  args: readonly string[],
  io: CliIo,
): Promise<Invocation | number> {
  const { colors, maxWidth } = helpLayout(io, args.includes("--no-color"));
  let helpOrUsage: number | undefined;
  let failure: Message | undefined;
  const outText: string[] = [];
  const errText: string[] = [];

  const unknown = unknownCommand(args);
  if (unknown !== undefined) return await usageFailure(io, args, unknown);

  let invocation: Invocation | undefined;
  try {
    // Start loading the client while the parser is built (every command but help needs it;
    // `user info` loads only the user entity, see `CommandContext.user`).
    const group = findGroup(args[0]);
    if (group && group.name !== "user" && !args.includes("--help") && !args.includes("-h")) {
      import("./context.ts").then((context) => context.loadClient()).catch(() => {});
    }
    const tree = await treeFor(args);
    // runParser() tries the plain parser first and returns its value when it accepts the
    // arguments; help, version, completions and error messages come into play only when it
    // does not. So a command line the tree accepts is parsed without running Optique's facade
    // (its help and completion parsers are built for the other cases only).
    // (Help and version requests skip the attempt: it would fail, after working out
    // suggestions for the unknown option.)
    const meta = ["help", ...COMPLETION_COMMAND_NAMES].includes(args[0]!) ||
      args.some((arg) => [...HELP_OPTION_NAMES, "--version"].includes(arg));
    const parsed = meta ? undefined : parse(tree, args);
    if (parsed?.success) invocation = parsed.value;
    else {
      const result = runParser(tree, PROGRAM_NAME, args, {
        ...rootPageTexts(),
        help: {
          option: { names: [...HELP_OPTION_NAMES] },
          command: true,
          onShow: (code: number) => code,
        },
        version: {
          option: true,
          value: VERSION,
          onShow: (code: number) => code,
        },
        completion: {
          command: { names: [...COMPLETION_COMMAND_NAMES] },
          onShow: (code: number) => code,
        },
        onError: (_code: number, error: Message) => {
          failure = error;
          return 2;
        },
        stdout: (text: string) => void outText.push(text),
        stderr: (text: string) => void errText.push(text),
        colors,
        ...(maxWidth === undefined ? {} : { maxWidth }),
        ...PAGE_FORMAT,
        aboveError: "none",
        commandList: "top-level",
        usageLine: [...ROOT_USAGE_LINE],
      });
      if (typeof result === "number") helpOrUsage = result;
      else invocation = result as Invocation;
    }
  } catch (error) {
    return await usageFailure(io, args, errorMessage(error));
  }

  // Optique may also have queued the whole usage and its own "Error:" line: one error line and
  // a hint say it better.
  if (failure !== undefined) return await parseFailure(io, args, failure);
  for (const text of outText) await io.stdout.write(text.endsWith("\n") ? text : text + "\n");
  for (const text of errText) await io.stderr.write(text.endsWith("\n") ? text : text + "\n");
  if (helpOrUsage !== undefined || invocation === undefined) return helpOrUsage ?? 0;
  return invocation;
}
