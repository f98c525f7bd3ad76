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
