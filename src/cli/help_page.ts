/**
 * What help pages are made of: texts as Optique messages (paragraphs that keep their line
 * breaks, the `Examples:` footer, the root page's texts), the format every page is drawn with,
 * and a command line's colours and width. Shared by the parser's runner
 * (`parse_command_line.ts`, `options.ts`) and the root page (`root_help.ts`).
 *
 * Optique is imported for its types only: a message is an array of plain terms
 * (`{ type: "text", text }`, `{ type: "lineBreak" }`), built here as Optique's `text()` and
 * `lineBreak()` build them, so that the root page loads none of Optique's modules for its texts.
 *
 * Private to `src/cli/`.
 *
 * @module
 */

import type { Message, MessageTerm } from "@optique/core";
import type { CliIo } from "./io.ts";
import { colorEnabled } from "./style.ts";

/**
 * Builds the `Examples:` footer of a help page.
 *
 * @param lines Example command lines.
 * @returns The footer message.
 *
 * @example A help footer
 * ```ts
 * import { examplesFooter } from "./help_page.ts";
 *
 * examplesFooter(["swanlab-ts user info"]);
 * ```
 */
export function examplesFooter(lines: readonly string[]): Message {
  const footer: MessageTerm[] = [{ type: "text", text: "Examples:" }];
  for (const line of lines) footer.push({ type: "lineBreak" }, { type: "text", text: `  ${line}` });
  return footer;
}

/**
 * Splits text into a message, keeping explicit line breaks.
 *
 * @param value The text.
 * @returns The message.
 *
 * @example Two lines of help
 * ```ts
 * import { paragraph } from "./help_page.ts";
 *
 * paragraph("First line.\nSecond line.");
 * ```
 */
export function paragraph(value: string): Message {
  const out: MessageTerm[] = [];
  value.split("\n").forEach((line, i) => {
    if (i > 0) out.push({ type: "lineBreak" });
    out.push({ type: "text", text: line });
  });
  return out;
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
 * The root page's texts: what `runParser()` is given as `brief`, `description` and `footer`.
 *
 * @returns Fresh messages.
 *
 * @example The brief line
 * ```ts ignore
 * import { rootPageTexts } from "./help_page.ts";
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

/** How every help page is laid out: Optique's runner is given these too (`parseCommandLine`). */
export const PAGE_FORMAT = { showDefault: true, showChoices: true, termWidth: "auto" } as const;

/** The root page's usage line (`swanlab-ts ...`), as the runner is given it. */
export const ROOT_USAGE_LINE = [{ type: "ellipsis" }] as const;

/** How a help page is drawn: colours and width. */
export interface HelpLayout {
  /** Whether to use colours. */
  colors: boolean;
  /** The widest line, in columns; none: lines are not wrapped. */
  maxWidth?: number;
}

/**
 * How help pages and usage errors are drawn for a command line: in colour only when standard
 * output and standard error are both colour terminals (help goes to one, errors to the other),
 * wrapped to the terminal's width (60-120 columns) when standard output is a terminal.
 *
 * @param io The streams, environment and terminal facts.
 * @param noColor Whether the command line has `--no-color`.
 * @returns Colours and width.
 *
 * @example Piped output: no colour, no wrapping
 * ```ts ignore
 * import { helpLayout } from "./help_page.ts";
 *
 * helpLayout(io, false); // { colors: false }
 * ```
 */
export function helpLayout(io: CliIo, noColor: boolean): HelpLayout {
  const colors = colorEnabled({ isTTY: io.isTTY.stdout, env: io.env, noColor }) &&
    colorEnabled({ isTTY: io.isTTY.stderr, env: io.env, noColor });
  return io.isTTY.stdout
    ? { colors, maxWidth: Math.max(60, Math.min(io.columns || 100, 120)) }
    : { colors };
}
