/**
 * How the CLI names itself and a command line's command, in messages and usage lines.
 *
 * @module
 */

/**
 * The program name shown in usage lines and completion scripts.
 *
 * @example In a message
 * ```ts
 * import { PROGRAM_NAME } from "./command_names.ts";
 *
 * console.log(`Try '${PROGRAM_NAME} --help'`);
 * ```
 */
export const PROGRAM_NAME = "swanlab-ts";

/**
 * The command path of the arguments for messages: the words before the first option, at most
 * two (`run metrics`).
 *
 * @param args The arguments.
 * @returns The words, space-separated.
 *
 * @example The command of a run
 * ```ts
 * import { commandPath } from "./command_names.ts";
 *
 * commandPath(["run", "metrics", "a/b/c", "--keys", "loss"]); // "run metrics"
 * ```
 */
export function commandPath(args: readonly string[]): string {
  const words: string[] = [];
  for (const arg of args) {
    if (arg.startsWith("-") || words.length >= 2) break;
    words.push(arg);
  }
  return words.join(" ");
}

/**
 * The names of the help option (the parser's runner is given them too).
 *
 * @example
 * ```ts
 * import { HELP_OPTION_NAMES } from "./command_names.ts";
 *
 * console.log(HELP_OPTION_NAMES.join(", ")); // "--help, -h"
 * ```
 */
export const HELP_OPTION_NAMES = ["--help", "-h"] as const;

/**
 * The completion command's names: the first is shown, the others are accepted.
 *
 * @example
 * ```ts
 * import { COMPLETION_COMMAND_NAMES } from "./command_names.ts";
 *
 * console.log(COMPLETION_COMMAND_NAMES[0]); // "completions"
 * ```
 */
export const COMPLETION_COMMAND_NAMES = ["completions", "completion"] as const;

/**
 * Whether a command line asks for the root help page only: no arguments, `--help`, `-h` or
 * `help`.
 *
 * @param args The arguments.
 * @returns `true` for the root page.
 *
 * @example
 * ```ts
 * import { isRootHelp } from "./command_names.ts";
 *
 * isRootHelp(["--help"]); // true
 * isRootHelp(["run", "--help"]); // false
 * ```
 */
export function isRootHelp(args: readonly string[]): boolean {
  return args.length === 0 ||
    (args.length === 1 && (args[0] === "help" || HELP_OPTION_NAMES.some((n) => n === args[0])));
}
