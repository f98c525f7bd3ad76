/**
 * The `swanlab-ts` command line: answers `--version`, prints the root help page
 * (`root_help.ts`) and runs a plain command line (`plain_commands.ts`) at once, reads any other
 * with Optique (`parse_command_line.ts`, loaded only then), dispatches to the command groups
 * (`user`, `workspace`, `project`, `run`, `self-hosted`, `login`, `logout`, `serve`, `demo`,
 * `completions`) and returns an exit code.
 * Nothing here exits the process: `cli.ts` applies the code.
 *
 * Exit codes: 0 success; 1 API, authentication or connection failure; 2 usage error.
 *
 * @module
 */

import { commandPath, isRootHelp } from "./command_names.ts";
import { type Invocation, NO_COMMON } from "./invocation.ts";
import type { CliIo } from "./io.ts";
import { importModule } from "./lazy_import.ts";
import { plainCommand } from "./plain_commands.ts";
import { VERSION } from "../core/version.ts";

export type { CliIo, CliReader, CliTty, CliWriter } from "./io.ts";
export { PROGRAM_NAME } from "./command_names.ts";

/**
 * Rewrites arguments for compatibility before parsing: a leading `api` (as in
 * `swanlab api project list`) is dropped, and a bare `--save` (last, or followed by another
 * option) becomes `--save=.` (an automatic file name, as in the Python CLI).
 *
 * @param argv The arguments.
 * @returns The rewritten arguments.
 *
 * @example Python CLI compatibility
 * ```ts
 * import { normalizeArgv } from "./main.ts";
 *
 * normalizeArgv(["api", "user", "info", "--save"]); // ["user", "info", "--save=."]
 * ```
 */
export function normalizeArgv(argv: readonly string[]): string[] {
  const args = [...argv];
  if (args[0] === "api") args.shift();
  const end = args.indexOf("--");
  for (let i = 0; i < args.length; i++) {
    if (end >= 0 && i >= end) break;
    if (args[i] !== "--save") continue;
    const next = args[i + 1];
    if (next === undefined || (next.startsWith("-") && next !== "-")) args[i] = "--save=.";
  }
  return args;
}

/**
 * Runs the CLI with the given arguments and I/O.
 *
 * @param argv The arguments, without the program name (`process.argv.slice(2)`).
 * @param io The streams, environment and terminal facts (see `processIo()`).
 * @returns The exit code: 0 success, 1 API/auth/connection failure, 2 usage error.
 *
 * @example Run a command with captured output
 * ```ts ignore
 * import { run } from "./main.ts";
 *
 * const out: string[] = [];
 * const code = await run(["user", "info", "--json"], {
 *   stdout: { write: (s) => void out.push(s) },
 *   stderr: { write: () => {} },
 *   stdin: (async function* () {})(),
 *   env: { SWANLAB_API_HOST: "http://127.0.0.1:8000", SWANLAB_API_KEY: "demo-key" },
 *   isTTY: { stdout: false, stderr: false, stdin: false },
 *   columns: 100,
 *   cwd: "/tmp",
 * });
 * console.log(code, JSON.parse(out.join("")).ok);
 * ```
 */
export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const args = normalizeArgv(argv);
  if (args.length === 1 && args[0] === "--version") {
    // What the parser's runner prints for it, without loading the parser (`--version` with
    // other arguments is the runner's).
    await io.stdout.write(`${VERSION}\n`);
    return 0;
  }
  if (isRootHelp(args)) {
    // The root page is drawn from its document, without the parser (see `root_help.ts`).
    const { writeRootHelp } = await importModule<typeof import("./root_help.ts")>(
      "src/cli/root_help.ts",
    );
    return await writeRootHelp(io);
  }
  // A plain command line runs its handler at once; any other is read by the parser, which
  // prints help, the version, completions and usage errors itself.
  const plain = plainCommand(args);
  let invocation: Invocation;
  if (plain !== undefined) invocation = { common: NO_COMMON, execute: plain };
  else {
    const { parseCommandLine } = await importModule<typeof import("./parse_command_line.ts")>(
      "src/cli/parse_command_line.ts",
    );
    const parsed = await parseCommandLine(args, io);
    if (typeof parsed === "number") return parsed;
    invocation = parsed;
  }

  const [{ CommandContext }, { InputReader }] = await Promise.all([
    import("./context.ts"),
    import("./prompt.ts"),
  ]);
  const input = new InputReader(io.stdin);
  const ctx = new CommandContext(io, invocation.common, input, commandPath(args));
  try {
    await ctx.prepare();
    return await invocation.execute(ctx);
  } catch (error) {
    return await ctx.fail(error);
  } finally {
    await input.close();
  }
}
