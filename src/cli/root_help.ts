/**
 * The root help page (`swanlab-ts --help`, `-h`, `help`, no arguments), drawn from its document
 * with Optique's document functions alone: `main.ts` prints it without loading the parser (its
 * texts are in `help_page.ts`, shared with the parser's own help).
 *
 * Why not Optique's runner: for a help request `runParser()` first builds its help, version and
 * completion parsers, tries the arguments on the augmented tree (working out suggestions for
 * the option it cannot place) and only then renders the page. Running that code once costs a
 * cold process about 9 ms more than rendering the same page from its `DocPage` (measured: 16-27
 * against 9-15 ms for the root page, first run in a process), a sixth of `--help`'s whole
 * start-up.
 *
 * Why the document is written out here rather than read from parsers (`getDocPage()` of the
 * groups as `command()`s): Optique's parsers come with its whole package (36 modules, 1.3 MB),
 * its document functions with 12 modules (90 kB: `@optique/core/doc`, the one subpath imported
 * here). Loading and building the parsers took about 13 ms: `--help` took 49.6 ms with them and
 * 36.4 ms without (medians of 21 alternating runs; an empty `deno run` about 20 ms).
 *
 * The page is the one the runner prints, byte for byte (tests compare the two, with and without
 * colours, at several widths, and this document with the one `getDocPage()` makes of the same
 * commands); any other help page is the runner's.
 *
 * Private to `src/cli/`.
 *
 * @module
 */

// First: Optique's text-width module builds a segmenter when it loads (see the module).
import { restoreSegmenter } from "./_deferred_segmenter.ts";
import { type DocEntry, type DocPage, formatDocPage } from "@optique/core/doc";
import { COMPLETION_COMMAND_NAMES, HELP_OPTION_NAMES, PROGRAM_NAME } from "./command_names.ts";
import { GROUP_BRIEFS, GROUPS } from "./commands/_groups.ts";
import {
  type HelpLayout,
  helpLayout,
  PAGE_FORMAT,
  paragraph,
  ROOT_USAGE_LINE,
  rootPageTexts,
} from "./help_page.ts";
import type { CliIo } from "./io.ts";

// The Optique modules above are evaluated: the runtime's segmenter goes back.
restoreSegmenter();

/**
 * The entries of the root page, in the runner's order: every group with its one-line help, then
 * the entries the runner adds (the `help` and completion commands, `--help`/`-h`, `--version`)
 * with the runner's own texts.
 *
 * @returns Fresh entries.
 *
 * @example The first entry
 * ```ts ignore
 * import { rootEntries } from "./root_help.ts";
 *
 * rootEntries()[0]?.term; // { type: "command", name: "user" }
 * ```
 */
export function rootEntries(): DocEntry[] {
  return [
    ...GROUPS.map((group): DocEntry => ({
      term: { type: "command", name: group.name },
      description: paragraph(GROUP_BRIEFS[group.name]),
    })),
    { term: { type: "command", name: "help" }, description: paragraph("Show help information.") },
    {
      term: { type: "command", name: COMPLETION_COMMAND_NAMES[0] },
      description: paragraph("Generate shell completion script or provide completions."),
    },
    {
      term: { type: "option", names: [...HELP_OPTION_NAMES] },
      description: paragraph("Show help information."),
    },
    {
      term: { type: "option", names: ["--version"] },
      description: paragraph("Show version information."),
    },
  ];
}

// The root help page, as `runParser()` prints it for `--help` with the CLI's configuration,
// without a final line break.
function rootHelpText(options: HelpLayout): string {
  const page: DocPage = {
    ...rootPageTexts(),
    usage: [...ROOT_USAGE_LINE],
    sections: [{ entries: rootEntries() }],
  };
  return formatDocPage(PROGRAM_NAME, page, {
    colors: options.colors,
    ...(options.maxWidth === undefined ? {} : { maxWidth: options.maxWidth }),
    ...PAGE_FORMAT,
  });
}

/**
 * Prints the root help page on standard output.
 *
 * @param io The streams, environment and terminal facts.
 * @returns The exit code, 0.
 *
 * @example
 * ```ts ignore
 * import { writeRootHelp } from "./root_help.ts";
 *
 * const code = await writeRootHelp(io);
 * ```
 */
export async function writeRootHelp(io: CliIo): Promise<number> {
  await io.stdout.write(`${rootHelpText(helpLayout(io, false))}\n`);
  return 0;
}
