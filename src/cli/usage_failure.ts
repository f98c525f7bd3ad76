/**
 * How the CLI answers arguments it cannot run: one `error: …` line on stderr (terminal-safe), a
 * hint naming the command as far as it is known, the `ok: false` envelope on stdout when JSON
 * output was asked for, exit code 2. Unknown commands get the closest command in one line.
 *
 * @module
 */

import { formatMessage, type Message } from "@optique/core";
import { findGroup, GROUPS } from "./commands/_groups.ts";
import type { CliIo } from "./io.ts";
import { commandPath, PROGRAM_NAME } from "./command_names.ts";
import { terminalText } from "../core/terminal_text.ts";

/** Top-level words that are not command groups. */
const BUILT_INS = ["help", "completions", "completion"];

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(
        previous[j]! + 1,
        current[j - 1]! + 1,
        previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    previous = current;
  }
  return previous[b.length]!;
}

/**
 * The one-line error for an unknown top-level command (`swanlab-ts bogus`, `help bogus`), with
 * the closest command; `undefined` when the first word is a command or an option.
 *
 * @param args The normalized arguments.
 * @returns The message, or `undefined`.
 *
 * @example A typo
 * ```ts
 * import { unknownCommand } from "./usage_failure.ts";
 *
 * unknownCommand(["projct", "list"]);
 * // 'unknown command "projct"; did you mean "project"? (see \'swanlab-ts --help\')'
 * unknownCommand(["project", "list"]); // undefined
 * ```
 */
export function unknownCommand(args: readonly string[]): string | undefined {
  const word = args[0] === "help" ? args[1] : args[0];
  if (word === undefined || word.startsWith("-") || findGroup(word)) return undefined;
  if (BUILT_INS.includes(word)) return undefined;
  const names = GROUPS.map((group) => group.name as string);
  const closest = names.reduce((best, name) =>
    editDistance(word, name) < editDistance(word, best) ? name : best
  );
  return `unknown command "${word}"; did you mean "${closest}"? (see '${PROGRAM_NAME} --help')`;
}

/** Whether the arguments ask for JSON output explicitly (`--json`, `--format json`). */
function jsonRequested(args: readonly string[]): boolean {
  return args.some((arg, i) =>
    arg === "--json" || arg === "--format=json" || (arg === "--format" && args[i + 1] === "json")
  );
}

/**
 * Reports arguments that could not be read: `error: …` on stderr (made terminal-safe), an
 * optional hint, and the `ok: false` envelope on stdout when `--json` or `--format json` is
 * among the arguments.
 *
 * @param io The streams.
 * @param args The arguments.
 * @param message What is wrong.
 * @param hint A line after the error, e.g. where to find help.
 * @returns The exit code, 2.
 *
 * @example An unknown command
 * ```ts ignore
 * return await usageFailure(io, args, unknownCommand(args)!);
 * ```
 */
export async function usageFailure(
  io: CliIo,
  args: readonly string[],
  message: string,
  hint?: string,
): Promise<number> {
  const errmsg = message.trim().replace(/^error:\s*/i, "");
  if (jsonRequested(args)) {
    const { toJsonText } = await import("./output.ts");
    await io.stdout.write(toJsonText({ ok: false, errmsg, data: null }) + "\n");
  }
  await io.stderr.write(`error: ${terminalText(errmsg, { keepNewlines: true })}\n`);
  if (hint !== undefined) await io.stderr.write(hint + "\n");
  return 2;
}

/**
 * Reports a failure of the argument parser (unknown option, bad value, missing argument) with
 * {@linkcode usageFailure}, and a help hint naming the command as far as it is known: not the
 * word that failed, not the shell of `completions`, not `help`.
 *
 * @param io The streams.
 * @param args The arguments.
 * @param failure The parser's message.
 * @returns The exit code, 2.
 *
 * @example From the parser's error callback
 * ```ts ignore
 * if (failure !== undefined) return await parseFailure(io, args, failure);
 * ```
 */
export async function parseFailure(
  io: CliIo,
  args: readonly string[],
  failure: Message,
): Promise<number> {
  const text = formatMessage(failure, { colors: false });
  const words = commandPath(args.slice(args[0] === "help" ? 1 : 0)).split(" ")
    .filter((word) => word !== "");
  if (!findGroup(words[0])) words.splice(1);
  const failed = words.findIndex((word) => text.includes(`\`${word}\``));
  const path = (failed < 0 ? words : words.slice(0, failed)).join(" ");
  const hint = `Try '${PROGRAM_NAME}${path ? ` ${path}` : ""} --help' for more information.`;
  return await usageFailure(io, args, text, hint);
}
