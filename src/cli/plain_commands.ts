/**
 * Command lines that need no parsing: a command that takes no options or arguments of its own,
 * given as its words alone (`swanlab-ts user info`), runs without loading the parser. Its
 * handler is the one its parser's leaf runs, so both ways do the same thing; with any option the
 * parser takes over.
 *
 * Why: loading Optique and building and running a command's parser is about 20 ms of a 60 ms
 * start; a plain `user info` is what people type to check that they are logged in.
 *
 * @module
 */

import type { CommandContext } from "./context.ts";

/** What a plain command runs: the leaf's handler, with the default shared options. */
export type PlainHandler = (ctx: CommandContext) => Promise<number>;

/**
 * `user info`: the logged-in user (only the user entity and the transport are loaded).
 *
 * @param ctx The run's context.
 * @returns The exit code.
 *
 * @example As a leaf's handler
 * ```ts ignore
 * import { userInfo } from "./plain_commands.ts";
 *
 * const code = await userInfo(ctx);
 * ```
 */
export const userInfo: PlainHandler = (ctx) =>
  ctx.call(async () => await (await ctx.user()).json());

/**
 * `self-hosted info`: the self-hosted instance.
 *
 * @param ctx The run's context.
 * @returns The exit code.
 *
 * @example As a leaf's handler
 * ```ts ignore
 * import { selfHostedInfo } from "./plain_commands.ts";
 *
 * const code = await selfHostedInfo(ctx);
 * ```
 */
export const selfHostedInfo: PlainHandler = (ctx) =>
  ctx.call(async () => await (await ctx.api()).selfHosted().json());

/** The plain command lines, by their words. */
const PLAIN: Readonly<Record<string, PlainHandler>> = {
  "user info": userInfo,
  "self-hosted info": selfHostedInfo,
};

/** A command word: lowercase letters and dashes (no option, no path, no space). */
const WORD = /^[a-z][a-z-]*$/;

/**
 * The handler of a command line made of a plain command's words and nothing else.
 *
 * @param args The arguments (after `normalizeArgv`).
 * @returns The handler, or `undefined` when the parser must read the arguments.
 *
 * @example
 * ```ts
 * import { plainCommand } from "./plain_commands.ts";
 *
 * console.log(plainCommand(["user", "info"]) !== undefined); // true
 * console.log(plainCommand(["user", "info", "--json"])); // undefined
 * ```
 */
export function plainCommand(args: readonly string[]): PlainHandler | undefined {
  if (!args.every((arg) => WORD.test(arg))) return undefined;
  const words = args.join(" ");
  return Object.hasOwn(PLAIN, words) ? PLAIN[words] : undefined;
}
