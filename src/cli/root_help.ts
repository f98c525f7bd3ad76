/**
 * The root help page (`swanlab-ts --help`, `-h`, `help`, no arguments): its texts, shared with the
 * parser's own help (`parse_command_line.ts`), and a renderer that draws the page with Optique's
 * document functions alone.
 *
 * Why not Optique's runner: for a help request `runParser()` first builds its help, version and
 * completion parsers, tries the arguments on the augmented tree (working out suggestions for
 * the option it cannot place) and only then renders the page. Running that code once costs a
 * cold process about 9 ms more than rendering the same page from its `DocPage` (measured: 16-27
 * against 9-15 ms for the root page, first run in a process), a sixth of `--help`'s whole
 * start-up. The page is the one the runner prints, byte for byte (tests compare the two, with
 * and without colours, at several widths); any other help page is the runner's.
 *
 * Private to `src/cli/`.
 *
 * @module
 */

import {
  command,
  constant,
  flag,
  formatDocPage,
  getDocPage,
  longestMatch,
  type Message,
  message,
  normalizeUsage,
  type Parser,
} from "@optique/core";
import { PROGRAM_NAME } from "./command_names.ts";
import { GROUP_BRIEFS, GROUPS } from "./commands/_groups.ts";
import { examplesFooter, paragraph } from "./options.ts";

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

/** The names of the help option and of the completion command (the runner's configuration). */
export const HELP_OPTION_NAMES = ["--help", "-h"] as const;
/** The completion command's names: the first is shown, the others are accepted. */
export const COMPLETION_COMMAND_NAMES = ["completions", "completion"] as const;

/**
 * The root page's texts: what `runParser()` is given as `brief`, `description` and `footer`.
 *
 * @returns Fresh messages.
 *
 * @example The brief line
 * ```ts ignore
 * import { rootPageTexts } from "./root_help.ts";
 *
 * rootPageTexts().brief;
 * ```
 */
export function rootPageTexts(): { brief: Message; description: Message; footer: Message } {
  return {
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
  };
}

/**
 * The tree the root page is drawn from: every group as a name and its one-line help, then the
 * entries the runner adds (the `help` and completion commands, `--help`/`-h`, `--version`) with
 * the runner's own texts. Values are never read: nothing is parsed with it.
 */
function rootDocTree(): Parser<"sync", unknown, unknown> {
  const none = constant(null);
  const groups = GROUPS.map((group) =>
    command(group.name, none, { brief: paragraph(GROUP_BRIEFS[group.name]) })
  );
  const meta = [
    command("help", none, { description: message`Show help information.` }),
    command(COMPLETION_COMMAND_NAMES[0], none, {
      brief: message`Generate shell completion script or provide completions.`,
      description: message`Generate shell completion script or provide completions.`,
    }),
    flag(...HELP_OPTION_NAMES, { description: message`Show help information.` }),
    flag("--version", { description: message`Show version information.` }),
  ];
  type AnyParser = Parser<"sync", unknown, unknown>;
  const [first, ...rest]: AnyParser[] = [...groups, ...meta];
  return longestMatch(first!, ...rest as [AnyParser]) as AnyParser;
}

/** How every help page is laid out: Optique's runner is given these too (`parseCommandLine`). */
export const PAGE_FORMAT = { showDefault: true, showChoices: true, termWidth: "auto" } as const;

/** The root page's usage line (`swanlab-ts ...`), as the runner is given it. */
export const ROOT_USAGE_LINE = [{ type: "ellipsis" }] as const;

/** How the root page is drawn: as the parser's help is (see `parseCommandLine`). */
export interface RootHelpOptions {
  /** Whether to use colours. */
  colors: boolean;
  /** The widest line, in columns; none: lines are not wrapped. */
  maxWidth?: number;
}

/**
 * The root help page, as `runParser()` prints it for `--help` with the CLI's configuration.
 *
 * @param options Colours and width.
 * @returns The page, without a final line break.
 *
 * @example Print the root page
 * ```ts ignore
 * import { rootHelpText } from "./root_help.ts";
 *
 * console.log(rootHelpText({ colors: false }));
 * ```
 */
export function rootHelpText(options: RootHelpOptions): string {
  const page = getDocPage(rootDocTree(), []);
  if (page === undefined) throw new TypeError("Cannot draw the root help page: no document");
  const texts = rootPageTexts();
  return formatDocPage(
    PROGRAM_NAME,
    { ...page, ...texts, usage: normalizeUsage([...ROOT_USAGE_LINE]) },
    {
      colors: options.colors,
      ...(options.maxWidth === undefined ? {} : { maxWidth: options.maxWidth }),
      ...PAGE_FORMAT,
    },
  );
}
