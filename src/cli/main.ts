/**
 * The `swanlab-ts` command line: parses arguments with Optique, dispatches to the command
 * groups (`user`, `workspace`, `project`, `run`, `self-hosted`, `login`, `logout`, `serve`,
 * `demo`, `completions`) and returns an exit code. Nothing here exits the process: `cli.ts`
 * applies the code.
 *
 * Exit codes: 0 success; 1 API, authentication or connection failure; 2 usage error.
 *
 * @module
 */

// First: Optique's modules must evaluate with the stand-in segmenter (see the module).
import { restoreSegmenter } from "./_deferred_segmenter.ts";
import { or } from "@optique/core/constructs";
import type { Message } from "@optique/core/message";
import { parse, type Parser } from "@optique/core/parser";
import { command, constant } from "@optique/core/primitives";
import { findGroup, GROUP_BRIEFS, GROUPS } from "./commands/_groups.ts";
import { errorMessage } from "./error_message.ts";
import type { CliIo } from "./io.ts";
import { examplesFooter, type Invocation, NO_COMMON, paragraph } from "./options.ts";
import { colorEnabled } from "./style.ts";
import { VERSION } from "../core/version.ts";
import { commandPath, parseFailure, unknownCommand, usageFailure } from "./usage_failure.ts";

export type { CliIo, CliReader, CliTty, CliWriter } from "./io.ts";

restoreSegmenter();

/**
 * The program name shown in usage lines and completion scripts.
 *
 * @example In a message
 * ```ts
 * import { PROGRAM_NAME } from "./main.ts";
 *
 * console.log(`Try '${PROGRAM_NAME} --help'`);
 * ```
 */
export const PROGRAM_NAME = "swanlab-ts";

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
 * import { commandTree } from "./main.ts";
 *
 * const result = parse(await commandTree(), ["user", "info", "--json"]);
 * console.log(result.success); // true
 * ```
 */
export async function commandTree(): Promise<Parser<"sync", Invocation, unknown>> {
  return combine(await Promise.all(GROUPS.map((group) => group.load())));
}

/** The root help's tree: every group as a name and a one-line help, without its commands. */
function shallowTree(): Parser<"sync", Invocation, unknown> {
  const unused: Invocation = { common: NO_COMMON, execute: () => Promise.resolve(2) };
  return combine(
    GROUPS.map((group) =>
      command(group.name, constant(unused), { brief: paragraph(GROUP_BRIEFS[group.name]) })
    ),
  );
}

/**
 * The command context's module, loaded once a command is about to run: help pages and usage
 * errors, which run none, do without it (about 2 ms of start-up).
 */
function loadContext(): Promise<typeof import("./context.ts")> {
  return import("./context.ts");
}

/** The smallest tree that handles these arguments: one group, the root help, or everything. */
async function treeFor(args: readonly string[]): Promise<Parser<"sync", Invocation, unknown>> {
  const target = args[0] === "help" ? args[1] : args[0];
  const group = findGroup(target);
  if (group) return await group.load();
  const rootOnly = args.length === 0 ||
    (args.length === 1 && ["--help", "-h", "help", "--version"].includes(args[0]!));
  return rootOnly ? shallowTree() : await commandTree();
}

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

const ROOT_EXAMPLES = [
  "swanlab-ts demo                                   # a tour against a local server",
  "swanlab-ts login                                  # store an API key in ~/.swanlab/.netrc",
  "swanlab-ts user info",
  "swanlab-ts project list --workspace vision-lab",
  'swanlab-ts run filter vision-lab/resnet-sweep -f \'[{"key":"state","type":"STABLE","op":"EQ","value":["FINISHED"]}]\'',
  "swanlab-ts run metrics alice/mnist-baseline/mqeli2zt --keys train/loss,val/loss --plot",
  "swanlab-ts run download alice/mnist-baseline/mqeli2zt --out ./run-data",
  "swanlab-ts serve --port 8000                      # a local SwanLab-compatible server",
];

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
  // Help goes to stdout and errors to stderr: colour only when both are terminals.
  const noColor = args.includes("--no-color");
  const colors = colorEnabled({ isTTY: io.isTTY.stdout, env: io.env, noColor }) &&
    colorEnabled({ isTTY: io.isTTY.stderr, env: io.env, noColor });
  let helpOrUsage: number | undefined;
  let failure: Message | undefined;
  const outText: string[] = [];
  const errText: string[] = [];

  const unknown = unknownCommand(args);
  if (unknown !== undefined) return await usageFailure(io, args, unknown);

  let invocation: Invocation | undefined;
  try {
    // Start loading the client while the parser is built (every command but help needs it).
    if (findGroup(args[0]) && !args.includes("--help") && !args.includes("-h")) {
      loadContext().then((context) => context.loadClient()).catch(() => {});
    }
    const tree = await treeFor(args);
    // runParser() tries the plain parser first and returns its value when it accepts the
    // arguments; help, version, completions and error messages come into play only when it
    // does not. So a command line the tree accepts is parsed without Optique's facade, whose
    // code (help pages, completion scripts) is loaded only for the other cases.
    // (Help and version requests skip the attempt: it would fail, after working out
    // suggestions for the unknown option.)
    const meta = args.length === 0 || ["help", "completions", "completion"].includes(args[0]!) ||
      args.some((arg) => arg === "--help" || arg === "-h" || arg === "--version");
    const parsed = meta ? undefined : parse(tree, args);
    if (parsed?.success) invocation = parsed.value;
    else {
      const { runParser } = await import("@optique/core/facade");
      const result = runParser(tree, PROGRAM_NAME, args.length === 0 ? ["--help"] : args, {
        brief: paragraph(
          "Query SwanLab experiments: workspaces, projects, runs, metrics, media, logs.",
        ),
        description: paragraph(
          "The swanlab-ts CLI, compatible with `swanlab api` (Python). Output is the Python CLI's " +
            'JSON envelope {"ok", "errmsg", "data"} when piped or with --json, tables on a ' +
            "terminal.\nCredentials: SWANLAB_API_KEY / SWANLAB_API_HOST, `swanlab-ts login`, or " +
            "--host with --api-key-stdin.",
        ),
        footer: examplesFooter(ROOT_EXAMPLES),
        help: {
          option: { names: ["--help", "-h"] },
          command: true,
          onShow: (code: number) => code,
        },
        version: {
          option: true,
          value: VERSION,
          onShow: (code: number) => code,
        },
        completion: {
          command: { names: ["completions", "completion"] },
          onShow: (code: number) => code,
        },
        onError: (_code: number, error: Message) => {
          failure = error;
          return 2;
        },
        stdout: (text: string) => void outText.push(text),
        stderr: (text: string) => void errText.push(text),
        colors,
        ...(io.isTTY.stdout ? { maxWidth: Math.max(60, Math.min(io.columns || 100, 120)) } : {}),
        showDefault: true,
        showChoices: true,
        aboveError: "none",
        commandList: "top-level",
        usageLine: [{ type: "ellipsis" }],
        termWidth: "auto",
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

  const [{ CommandContext }, { InputReader }] = await Promise.all([
    loadContext(),
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
